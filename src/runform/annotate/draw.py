"""Small OpenCV drawing helpers: sub-pixel anti-aliased lines, dashes, arcs, dots.

Points are ``(x, y)`` floats in pixels; NaN points are skipped by the callers.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from runform.annotate.style import Color
from runform.pose.schema import LANDMARK_INDEX

Image8 = npt.NDArray[np.uint8]
Point = tuple[float, float]

_SHIFT = 4
_ONE = 1 << _SHIFT


def _fixed(p: Point) -> tuple[int, int]:
    return round(p[0] * _ONE), round(p[1] * _ONE)


def point(points: npt.NDArray[np.float64], name: str) -> Point | None:
    """Return landmark ``name`` from one frame's (33, 2) positions; None when missing."""
    x, y = points[LANDMARK_INDEX[name]]
    return (float(x), float(y)) if math.isfinite(x) and math.isfinite(y) else None


def midpoint(a: Point | None, b: Point | None) -> Point | None:
    """Return the midpoint of two points; None when either is missing."""
    if a is None or b is None:
        return None
    return (a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0


def line(frame: Image8, a: Point, b: Point, color: Color, thickness: int) -> None:
    """Draw an anti-aliased line from ``a`` to ``b``, in place."""
    cv2.line(frame, _fixed(a), _fixed(b), color, thickness, cv2.LINE_AA, _SHIFT)


def outlined_line(frame: Image8, a: Point, b: Point, color: Color, thickness: int,
                  outline: Color, outline_px: int) -> None:
    """Draw a line with a darker border so it stands out on any background, in place."""
    line(frame, a, b, outline, thickness + 2 * outline_px)
    line(frame, a, b, color, thickness)


def dashed_line(frame: Image8, a: Point, b: Point, color: Color, thickness: int,
                dash: float) -> None:
    """Draw a dashed line with dashes and gaps of ``dash`` pixels, in place."""
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    if length == 0 or dash <= 0:
        return
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    start = 0.0
    while start < length:
        end = min(start + dash, length)
        line(frame, (a[0] + ux * start, a[1] + uy * start), (a[0] + ux * end, a[1] + uy * end),
             color, thickness)
        start += 2 * dash


def dot(frame: Image8, center: Point, radius: int, color: Color,
        outline: Color | None = None) -> None:
    """Draw a filled circle, optionally ringed with ``outline``, in place."""
    if outline is not None:
        cv2.circle(frame, _fixed(center), (radius + max(1, radius // 3)) * _ONE, outline, -1,
                   cv2.LINE_AA, _SHIFT)
    cv2.circle(frame, _fixed(center), radius * _ONE, color, -1, cv2.LINE_AA, _SHIFT)


def ring(frame: Image8, center: Point, radius: int, color: Color, thickness: int) -> None:
    """Draw a circle outline, in place."""
    cv2.circle(frame, _fixed(center), radius * _ONE, color, thickness, cv2.LINE_AA, _SHIFT)


def arc(frame: Image8, center: Point, radius: float, towards_a: Point, towards_b: Point,
        color: Color, thickness: int) -> None:
    """Draw the arc of the smaller angle between the directions to two points."""
    a1 = math.degrees(math.atan2(towards_a[1] - center[1], towards_a[0] - center[0]))
    a2 = math.degrees(math.atan2(towards_b[1] - center[1], towards_b[0] - center[0]))
    if (a2 - a1) % 360.0 > 180.0:
        a1, a2 = a2, a1
    end = a1 + (a2 - a1) % 360.0
    r = round(radius * _ONE)
    cv2.ellipse(frame, _fixed(center), (r, r), 0.0, a1, end, color, thickness, cv2.LINE_AA,
                _SHIFT)


def along(a: Point, b: Point, fraction: float) -> Point:
    """Return the point at ``fraction`` of the way from ``a`` to ``b`` (may extrapolate)."""
    return a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction
