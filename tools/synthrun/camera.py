"""Perspective side-view camera at hip height, perpendicular to the running plane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .body import FloatArray

Facing = Literal["left", "right"]


@dataclass(frozen=True)
class Camera:
    """Pinhole camera looking horizontally across the treadmill.

    The runner's sagittal plane (x = 0) is ``distance_m`` in front of the
    camera. The runner faces image-right when ``facing`` is ``"right"``
    (the camera is then on the runner's right side). Pixel coordinates are
    those of the upright displayed image: x to the right, y down, origin at
    the top-left corner of the top-left pixel (pixel centres at +0.5), the
    principal point at the image centre.

    Attributes
    ----------
    width, height
        Upright image size, pixels.
    focal_px
        Focal length, pixels.
    distance_m
        Distance from the camera centre to the runner's sagittal plane.
    height_m
        Height of the camera centre above the belt.
    facing
        Running direction in the image.
    """

    width: int
    height: int
    focal_px: float
    distance_m: float
    height_m: float
    facing: Facing

    @property
    def side(self) -> float:
        """World x of the camera divided by the distance: -1 on the runner's right."""
        return -1.0 if self.facing == "right" else 1.0

    @property
    def forward_sign(self) -> float:
        """+1 when the running direction is image-right, -1 when image-left."""
        return 1.0 if self.facing == "right" else -1.0

    @property
    def centre(self) -> FloatArray:
        """World position of the camera centre, shape (3,)."""
        return np.array([self.side * self.distance_m, self.height_m, 0.0])

    @property
    def px_per_cm_at_runner_plane(self) -> float:
        """Image scale in the runner's sagittal plane, pixels per centimetre."""
        return self.focal_px / (100.0 * self.distance_m)

    def depth(self, points: FloatArray) -> FloatArray:
        """Distance of world points along the optical axis, shape ``(...)``."""
        return -self.side * (points[..., 0] - self.centre[0])

    def project(self, points: FloatArray) -> FloatArray:
        """Project world points to upright-image pixels.

        Parameters
        ----------
        points
            World points, shape ``(..., 3)``.

        Returns
        -------
        numpy.ndarray
            Pixel coordinates, shape ``(..., 2)``.
        """
        relative = points - self.centre
        scale = self.focal_px / self.depth(points)
        u = self.width / 2 + self.forward_sign * relative[..., 2] * scale
        v = self.height / 2 - relative[..., 1] * scale
        return np.stack([u, v], axis=-1)


def default_focal(height_px: int, distance_m: float, body_height_m: float) -> float:
    """Focal length making the standing runner fill 70 % of the image height."""
    return 0.7 * height_px * distance_m / body_height_m
