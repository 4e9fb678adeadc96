"""Drawing on video frames: small annotators, each with one ``annotate(frame, scene, index)``.

Build a :class:`Scene` once per clip (:func:`build_scene` or
:func:`scene_from_measurement`), a :class:`Style` once per frame size, then
chain annotators on each frame::

    style = Style.for_frame(width, height)
    annotators = default_annotators(style)
    for frame in frames:
        annotate_frame(frame.image, scene, frame.index, annotators)
"""

from collections.abc import Sequence

from runform.annotate.base import BaseAnnotator, Image8
from runform.annotate.body import ElbowAnnotator, SkeletonAnnotator, TrunkAnnotator
from runform.annotate.contact import ContactAnnotator, OverstrideAnnotator
from runform.annotate.panel import PanelAnnotator
from runform.annotate.scene import Contact, PanelRow, Scene, build_scene, scene_from_measurement
from runform.annotate.status import value_classifier
from runform.annotate.style import Style


def default_annotators(style: Style) -> list[BaseAnnotator]:
    """Return the annotators of ``annotated.mp4``, in drawing order (panel last, on top)."""
    return [SkeletonAnnotator(style), TrunkAnnotator(style), ElbowAnnotator(style),
            ContactAnnotator(style), PanelAnnotator(style)]


def annotate_frame(frame: Image8, scene: Scene, index: int,
                   annotators: Sequence[BaseAnnotator]) -> Image8:
    """Run ``annotators`` in order on ``frame`` (in place); frames past the track are left bare."""
    if not 0 <= index < len(scene):
        return frame
    for annotator in annotators:
        frame = annotator.annotate(frame, scene, index)
    return frame


__all__ = [
    "BaseAnnotator",
    "Contact",
    "ContactAnnotator",
    "ElbowAnnotator",
    "OverstrideAnnotator",
    "PanelAnnotator",
    "PanelRow",
    "Scene",
    "SkeletonAnnotator",
    "Style",
    "TrunkAnnotator",
    "annotate_frame",
    "build_scene",
    "default_annotators",
    "scene_from_measurement",
    "value_classifier",
]
