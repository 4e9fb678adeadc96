"""Foot strike: the foot's angle at contact relative to the same foot flat in mid-stance."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from runform.gait.types import Facing, Foot, Step
from runform.metrics.base import FloatArray, MetricContext, contact_entry, unmeasured
from runform.metrics.geometry import inclination_from_horizontal, sample_at

KEY = "foot_strike"
REARFOOT_ABOVE_DEG = 8.0
"""Altman & Davis 2012: foot-strike angle above 8.0 deg = rearfoot strike."""
FOREFOOT_BELOW_DEG = -1.6
"""Altman & Davis 2012: foot-strike angle below -1.6 deg = forefoot strike."""
NEAR_THRESHOLD_DEG = 3.0
"""Within this distance of a threshold the class may be the adjacent one."""
MIDSTANCE = (0.35, 0.65)
"""Fraction of the contact (IC to toe-off) taken as mid-stance, where the foot lies flat."""
FALLBACK_CONTACT_S = 0.22
"""Contact duration assumed to find mid-stance when a step has no toe-off."""
TOLERANCE_DEG = 1.5
CAVEAT = ("On the validation clips MediaPipe read the foot at contact about 8 deg more "
          "toes-up than it was (up to 16 deg): a rearfoot result may be a midfoot strike and a "
          "midfoot result a forefoot strike; no forefoot strike was recognised.")
"""Shown with every foot-strike result (see the validation table in the README)."""

StrikeClass = Literal["rearfoot", "midfoot", "forefoot"]


def foot_angle_series(heel: FloatArray, toe: FloatArray, facing: Facing) -> FloatArray:
    """Angle of the heel -> toe (foot_index) line above horizontal per frame, degrees.

    Returns
    -------
    numpy.ndarray
        Degrees, shape (T,); positive = toes up (dorsiflexed foot).
    """
    return inclination_from_horizontal(heel, toe, facing)


def classify(angle_deg: float) -> StrikeClass:
    """Foot-strike class from the strike angle (Altman & Davis 2012 thresholds).

    Parameters
    ----------
    angle_deg
        Foot angle at contact minus the flat-foot angle, positive toes up.

    Returns
    -------
    str
        ``rearfoot`` above 8.0 deg, ``forefoot`` below -1.6 deg, else
        ``midfoot``.
    """
    if angle_deg > REARFOOT_ABOVE_DEG:
        return "rearfoot"
    if angle_deg < FOREFOOT_BELOW_DEG:
        return "forefoot"
    return "midfoot"


def flat_angle(time: FloatArray, angle: FloatArray, step: Step) -> float:
    """Median foot angle over mid-stance of one step (the "flat foot" reference).

    Mid-stance is 35-65 % of the contact from IC to toe-off (or of an
    assumed 0.22 s contact when the step has no toe-off). NaN if no finite
    frame falls in the window.
    """
    contact = step.contact_s if step.contact_s else FALLBACK_CONTACT_S
    t0 = step.ic_time + MIDSTANCE[0] * contact
    t1 = step.ic_time + MIDSTANCE[1] * contact
    window = angle[(time >= t0) & (time <= t1)]
    window = window[np.isfinite(window)]
    return float(np.median(window)) if window.size else float("nan")


def strike_angles(time: FloatArray, angles: dict[Foot, FloatArray],
                  steps: tuple[Step, ...]) -> FloatArray:
    """Foot-strike angle of each step: foot angle at IC minus the same foot flat in mid-stance.

    Parameters
    ----------
    time
        Frame times, shape (T,).
    angles
        Per-frame foot angle of each foot (see :func:`foot_angle_series`).
    steps
        Contacts in time order.

    Returns
    -------
    numpy.ndarray
        Degrees per step, positive = toes up at contact. Subtracting the
        flat-foot angle removes the offset of the pose model's heel/toe
        points from the sole and any camera roll.
    """
    out = np.full(len(steps), np.nan)
    for i, step in enumerate(steps):
        series = angles[step.foot]
        out[i] = sample_at(time, series, step.ic_time) - flat_angle(time, series, step)
    return out


def strike_angles_of(ctx: MetricContext) -> FloatArray:
    """Foot-strike angle of each step of the context, degrees."""
    angles: dict[Foot, FloatArray] = {
        side: foot_angle_series(ctx.limb(side, "heel"), ctx.limb(side, "foot_index"),
                                ctx.facing) for side in ("left", "right")}
    return strike_angles(ctx.track.time, angles, ctx.steps)


def measure_foot_strike(ctx: MetricContext, per_step: FloatArray) -> dict[str, Any]:
    """Build the ``foot_strike`` entry: class of the near foot's mean strike angle.

    Extras: ``angle_deg`` (mean strike angle, positive toes up), ``counts``
    (steps per class), ``near_threshold`` (the angle is within 3 deg of a
    class threshold, so the adjacent class is plausible).
    """
    entry = contact_entry(ctx, KEY, per_step, TOLERANCE_DEG)
    angle = entry["value"]
    if angle is None:
        return unmeasured(KEY, "The heel and toe were not found at any contact.")
    finite = per_step[np.isfinite(per_step)]
    entry["value"] = classify(angle)
    entry["angle_deg"] = angle
    entry["counts"] = {c: int(sum(classify(a) == c for a in finite))
                       for c in ("rearfoot", "midfoot", "forefoot")}
    entry["near_threshold"] = bool(min(abs(angle - REARFOOT_ABOVE_DEG),
                                       abs(angle - FOREFOOT_BELOW_DEG)) < NEAR_THRESHOLD_DEG)
    entry["caveat"] = CAVEAT
    return entry
