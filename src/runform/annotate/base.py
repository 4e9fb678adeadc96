"""The annotator interface: styling fixed at construction, one ``annotate`` call per frame."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

from runform.annotate.scene import Scene
from runform.annotate.style import Style

Image8 = npt.NDArray[np.uint8]


class BaseAnnotator(ABC):
    """Draws one kind of annotation on RGB frames of one size.

    Parameters
    ----------
    style
        Sizes and colours for the frame size (see :meth:`Style.for_frame`).
    """

    def __init__(self, style: Style):
        self.style = style

    @abstractmethod
    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw on ``frame`` (RGB, modified in place) for frame ``index`` of ``scene``.

        Returns
        -------
        numpy.ndarray
            The same array, so annotators chain:
            ``frame = b.annotate(a.annotate(frame, scene, i), scene, i)``.
        """
