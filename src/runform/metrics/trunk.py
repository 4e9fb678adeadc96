"""Trunk lean: the hip-midpoint-to-shoulder-midpoint line against vertical."""

from __future__ import annotations

from typing import Any

from runform.gait.types import Facing
from runform.metrics.base import FloatArray, MetricContext, frame_series_entry
from runform.metrics.geometry import tilt_from_vertical_up

KEY = "trunk_lean_deg"
TOLERANCE_DEG = 0.8
"""Standard error of the clip mean that still makes the value useful (the accuracy target)."""
LANDMARKS = ("left_hip", "right_hip", "left_shoulder", "right_shoulder")


def trunk_lean_series(hip_mid: FloatArray, shoulder_mid: FloatArray,
                      facing: Facing) -> FloatArray:
    """Trunk lean per frame, degrees.

    Parameters
    ----------
    hip_mid, shoulder_mid
        Pixel positions of the hip and shoulder midpoints, shape (T, 2).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Angle of hip_mid -> shoulder_mid from vertical, shape (T,); positive
        when the shoulders are ahead of the hips (forward lean), 0 upright.
    """
    return tilt_from_vertical_up(hip_mid, shoulder_mid, facing)


def measure_trunk_lean(ctx: MetricContext, series: FloatArray) -> dict[str, Any]:
    """Summarise the trunk-lean series into the ``trunk_lean_deg`` entry.

    The value is the mean lean over the clip: the mean over whole strides of
    the near foot (every phase of the stride counts equally), moved along the
    per-stride trend to the middle of the clip. A lean that grows as the
    runner tires would otherwise read as its value at the middle of the
    strides' window, up to half a stride off the clip's middle (0.3 deg for a
    12 deg drift over a 10 s clip). See
    :func:`runform.metrics.base.frame_series_entry` for extras and confidence.
    """
    return frame_series_entry(ctx, KEY, series, LANDMARKS, TOLERANCE_DEG,
                              "The hips and shoulders were not found in any frame.")
