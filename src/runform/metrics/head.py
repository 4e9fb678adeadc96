"""Head position: the shoulder-midpoint-to-ear-midpoint line against vertical."""

from __future__ import annotations

from typing import Any

from runform.gait.types import Facing
from runform.metrics.base import FloatArray, MetricContext, frame_series_entry
from runform.metrics.geometry import tilt_from_vertical_up

KEY = "head_forward_deg"
TOLERANCE_DEG = 1.5
LANDMARKS = ("left_ear", "right_ear", "left_shoulder", "right_shoulder")


def head_forward_series(shoulder_mid: FloatArray, ear_mid: FloatArray,
                        facing: Facing) -> FloatArray:
    """Head-forward angle per frame, degrees.

    Parameters
    ----------
    shoulder_mid, ear_mid
        Pixel positions of the shoulder and ear midpoints, shape (T, 2).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Angle of shoulder_mid -> ear_mid from vertical, shape (T,); 0 with
        the ears straight above the shoulders, positive when the head is
        carried ahead of the shoulders (or dropped forward), negative when
        it is held back.

    Notes
    -----
    This is a craniovertebral-angle analogue (90 deg minus it), but the
    shoulder landmark is not C7, so absolute values are not comparable to
    clinical CVA norms; no running norms exist.
    """
    return tilt_from_vertical_up(shoulder_mid, ear_mid, facing)


def measure_head_forward(ctx: MetricContext, series: FloatArray) -> dict[str, Any]:
    """Summarise the head series into the ``head_forward_deg`` entry (mean over strides)."""
    return frame_series_entry(ctx, KEY, series, LANDMARKS, TOLERANCE_DEG,
                              "The ears and shoulders were not found in any frame.")
