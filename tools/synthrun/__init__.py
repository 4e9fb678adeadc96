"""Synthetic runner: side-view treadmill running clips with exact ground truth.

A test instrument for runform. A parametric running gait drives the wooden
mannequin of mannequin-x (Apache-2.0), a small numpy/OpenCV rasteriser draws
it on a treadmill, PyAV encodes H.264, and the truth (landmark pixels per
frame, gait events and form metrics) is computed from the same model.

Examples
--------
>>> from tools.synthrun import preset, render_clip
>>> truth = render_clip(preset("good_form"), "good_form.mp4", duration_s=2.0)  # doctest: +SKIP
"""

from .body import LANDMARK_VERTICES, Body
from .camera import Camera
from .clip import make_body, render_clip
from .gait import GaitModel, Step
from .params import PRESETS, GaitParams, preset
from .truth import SCHEMA

__all__ = [
    "LANDMARK_VERTICES",
    "PRESETS",
    "SCHEMA",
    "Body",
    "Camera",
    "GaitModel",
    "GaitParams",
    "Step",
    "make_body",
    "preset",
    "render_clip",
]
