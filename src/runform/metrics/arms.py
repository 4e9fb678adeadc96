"""Arm carriage: elbow angle and arm swing (upper arm against the trunk line)."""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.gait.types import Facing, Foot
from runform.metrics.base import (
    FloatArray,
    MetricContext,
    confidence,
    frame_series_entry,
    frames_between,
    measured,
    standard_error,
    stride_bounds,
    unmeasured,
)
from runform.metrics.geometry import interior_angle, tilt_from_vertical_down
from runform.metrics.table import spec

ELBOW_KEY = "elbow_angle_deg"
SWING_KEY = "arm_swing_deg"
ELBOW_TOLERANCE_DEG = 3.0
SWING_TOLERANCE_DEG = 3.0
FAR_ARM_MIN_VISIBILITY = 0.5
"""Mean MediaPipe visibility below which the far arm is treated as hidden."""
MIN_COVERAGE = 0.8
"""Share of a stride's frames (or of the clip) in which an arm must be found to be measured."""


def elbow_angle_series(shoulder: FloatArray, elbow: FloatArray, wrist: FloatArray) -> FloatArray:
    """Interior shoulder-elbow-wrist angle per frame, degrees (180 = straight arm).

    Parameters
    ----------
    shoulder, elbow, wrist
        Pixel positions of one arm, shape (T, 2).
    """
    return interior_angle(shoulder, elbow, wrist)


def upper_arm_angle_series(shoulder: FloatArray, elbow: FloatArray, hip_mid: FloatArray,
                           shoulder_mid: FloatArray, facing: Facing) -> FloatArray:
    """Upper-arm angle relative to the trunk line per frame, degrees.

    Parameters
    ----------
    shoulder, elbow
        Pixel positions of one arm's shoulder and elbow, shape (T, 2).
    hip_mid, shoulder_mid
        Pixel positions of the hip and shoulder midpoints, shape (T, 2).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Angle from the downward trunk line (shoulder_mid -> hip_mid) to the
        upper arm (shoulder -> elbow), shape (T,), in (-180, 180]; positive
        = shoulder flexion (elbow ahead of the trunk line), negative =
        extension (elbow behind it). Independent of trunk lean.
    """
    arm = tilt_from_vertical_down(shoulder, elbow, facing)
    trunk = tilt_from_vertical_down(shoulder_mid, hip_mid, facing)
    return (arm - trunk + 180.0) % 360.0 - 180.0


def swing_per_stride(time: FloatArray, upper_arm: FloatArray,
                     bounds: list[tuple[float, float]]) -> FloatArray:
    """Forward (max) and backward (-min) upper-arm excursion in each stride.

    Parameters
    ----------
    time
        Frame times, shape (T,).
    upper_arm
        Upper-arm angle to the trunk line, shape (T,) (see
        :func:`upper_arm_angle_series`).
    bounds
        (start, end) times of each stride.

    Returns
    -------
    numpy.ndarray
        Shape (strides, 2): column 0 the peak flexion (deg, positive
        ahead), column 1 the peak extension (deg, positive behind). The
        swing is their sum. NaN rows for strides with fewer than 4 finite
        frames or less than 80 % of their frames finite (a hidden arm's
        range would be too small).
    """
    out = np.full((len(bounds), 2), np.nan)
    for i, (t0, t1) in enumerate(bounds):
        seg = upper_arm[frames_between(time, t0, t1)]
        found = np.isfinite(seg)
        if found.sum() >= 4 and found.mean() >= MIN_COVERAGE:
            out[i] = (seg[found].max(), -seg[found].min())
    return out


def arm_landmarks(side: Foot) -> tuple[str, str, str]:
    """Shoulder, elbow and wrist landmark names of one arm."""
    return (f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist")


def elbow_series(ctx: MetricContext, side: Foot) -> FloatArray:
    """Elbow angle of one arm over the clip, degrees."""
    s, e, w = (ctx.xy(n) for n in arm_landmarks(side))
    return elbow_angle_series(s, e, w)


def upper_arm_series(ctx: MetricContext, side: Foot) -> FloatArray:
    """Upper-arm angle to the trunk line of one arm over the clip, degrees."""
    return upper_arm_angle_series(ctx.limb(side, "shoulder"), ctx.limb(side, "elbow"),
                                  ctx.mid("hip"), ctx.mid("shoulder"), ctx.facing)


def far_arm_visible(ctx: MetricContext) -> bool:
    """Whether MediaPipe saw the far arm well enough to measure it.

    The far arm counts when its mean visibility is at least 0.5 and its
    shoulder, elbow and wrist were found in at least 80 % of the frames of
    whole strides (otherwise the cleaning stage dropped it as hidden).
    """
    frames = ctx.whole_strides()
    if ctx.visibility(arm_landmarks(ctx.far), frames) < FAR_ARM_MIN_VISIBILITY:
        return False
    found = np.all([np.isfinite(ctx.xy(n)).all(axis=1) for n in arm_landmarks(ctx.far)], axis=0)
    return bool(found[frames].mean() >= MIN_COVERAGE) if frames.any() else False


def measure_elbow(ctx: MetricContext) -> dict[str, Any]:
    """Build the ``elbow_angle_deg`` entry: the near arm over whole strides (far arm extra).

    Extras: ``arm`` (which arm the value is), ``far_arm`` (``{"value",
    "confidence"}`` or a reason when hidden), per-frame ``min``/``max``.
    """
    entry = frame_series_entry(ctx, ELBOW_KEY, elbow_series(ctx, ctx.near),
                               arm_landmarks(ctx.near), ELBOW_TOLERANCE_DEG,
                               "The near arm's shoulder, elbow and wrist were not found.")
    entry["arm"] = ctx.near
    if far_arm_visible(ctx):
        far = frame_series_entry(ctx, ELBOW_KEY, elbow_series(ctx, ctx.far),
                                 arm_landmarks(ctx.far), ELBOW_TOLERANCE_DEG,
                                 "The far arm's shoulder, elbow and wrist were not found.")
        entry["far_arm"] = {"arm": ctx.far, "value": far["value"],
                            "confidence": far["confidence"]}
    else:
        entry["far_arm"] = {"arm": ctx.far, "value": None, "confidence": 0.0,
                            "reason": "The far arm is hidden behind the body."}
    return entry


def _arm_swing(ctx: MetricContext, side: Foot) -> FloatArray:
    return swing_per_stride(ctx.track.time, upper_arm_series(ctx, side), stride_bounds(ctx))


def measure_arm_swing(ctx: MetricContext) -> dict[str, Any]:
    """Build the ``arm_swing_deg`` entry: per-stride range of the upper-arm angle, mean over arms.

    The near arm always counts; the far arm counts when MediaPipe saw it
    (mean visibility >= 0.5). Extras: ``forward_deg`` (flexion ahead of the
    trunk line), ``backward_deg`` (extension behind it), ``by_arm``.
    """
    arms = [ctx.near] + ([ctx.far] if far_arm_visible(ctx) else [])
    per_arm = {side: _arm_swing(ctx, side) for side in arms}
    rows = np.concatenate([v for v in per_arm.values()], axis=0)
    rows = rows[np.isfinite(rows).all(axis=1)]
    if rows.shape[0] == 0:
        return unmeasured(SWING_KEY, "Fewer than two contacts of the near foot, or the arm "
                          "was not found: no whole stride to measure the swing over.")
    swing = rows.sum(axis=1)
    conf = confidence(steps=rows.shape[0] // len(arms),
                      visibility=ctx.visibility(arm_landmarks(ctx.near)), fps=ctx.fps,
                      full_fps=spec(SWING_KEY).full_fps, spread=standard_error(swing),
                      tolerance=SWING_TOLERANCE_DEG, reliable=ctx.events_reliable)
    by_arm = {side: float(np.nanmean(v.sum(axis=1))) for side, v in per_arm.items()}
    return measured(SWING_KEY, float(swing.mean()), conf, forward_deg=float(rows[:, 0].mean()),
                    backward_deg=float(rows[:, 1].mean()), arms=arms, by_arm=by_arm,
                    strides=int(rows.shape[0] // len(arms)))
