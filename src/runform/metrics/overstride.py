"""Overstride: where the foot lands relative to the hips, and the shank angle at contact."""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.gait.types import Facing, Foot
from runform.metrics.base import (
    FloatArray,
    MetricContext,
    at_contacts,
    contact_entry,
    unmeasured,
)
from runform.metrics.geometry import forward_sign, tilt_from_vertical_down

CM_KEY = "foot_ahead_of_hip_cm"
LEG_KEY = "foot_ahead_of_hip_leg"
SHANK_KEY = "shank_angle_at_contact_deg"
CM_TOLERANCE = 1.5
LEG_TOLERANCE = 0.02
SHANK_TOLERANCE_DEG = 1.5


def foot_ahead_series(hip_mid: FloatArray, ankle: FloatArray, facing: Facing) -> FloatArray:
    """Horizontal distance of an ankle ahead of the hip midpoint per frame, pixels.

    Parameters
    ----------
    hip_mid
        Pixel position of the hip midpoint, shape (T, 2).
    ankle
        Pixel position of one ankle, shape (T, 2).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Pixels, shape (T,); positive when the ankle is ahead of the hips in
        the running direction.
    """
    return forward_sign(facing) * (np.asarray(ankle)[..., 0] - np.asarray(hip_mid)[..., 0])


def shank_angle_series(knee: FloatArray, ankle: FloatArray, facing: Facing) -> FloatArray:
    """Shank (knee -> ankle) angle from vertical per frame, degrees.

    Returns
    -------
    numpy.ndarray
        Degrees, shape (T,); 0 with the ankle straight below the knee,
        positive when the ankle is ahead of the knee (a "reaching" shank).
    """
    return tilt_from_vertical_down(knee, ankle, facing)


def foot_ahead_at_contacts(ctx: MetricContext) -> FloatArray:
    """Ankle ahead of the hip midpoint at each initial contact, pixels (one per step)."""
    hip = ctx.mid("hip")
    series: dict[Foot, FloatArray] = {
        side: foot_ahead_series(hip, ctx.limb(side, "ankle"), ctx.facing)
        for side in ("left", "right")}
    return at_contacts(ctx, series)


def shank_at_contacts(ctx: MetricContext) -> FloatArray:
    """Shank angle of the landing leg at each initial contact, degrees (one per step)."""
    series: dict[Foot, FloatArray] = {
        side: shank_angle_series(ctx.limb(side, "knee"), ctx.limb(side, "ankle"), ctx.facing)
        for side in ("left", "right")}
    return at_contacts(ctx, series)


def measure_foot_ahead(ctx: MetricContext, per_step_px: FloatArray) -> dict[str, dict[str, Any]]:
    """Build the ``foot_ahead_of_hip_cm`` and ``foot_ahead_of_hip_leg`` entries.

    The cm value needs the scale from ``--height-cm``; the leg-length value
    needs only the runner's leg length in pixels (hip to ankle, extended).
    """
    out: dict[str, dict[str, Any]] = {}
    if ctx.px_per_cm:
        out[CM_KEY] = contact_entry(ctx, CM_KEY, per_step_px, CM_TOLERANCE,
                                    scale=ctx.px_per_cm)
    else:
        out[CM_KEY] = unmeasured(CM_KEY, "Needs the runner's height (--height-cm) for the "
                                 "pixel-to-cm scale; see foot_ahead_of_hip_leg.")
    if ctx.leg_length_px:
        out[LEG_KEY] = contact_entry(ctx, LEG_KEY, per_step_px, LEG_TOLERANCE,
                                     scale=ctx.leg_length_px)
    else:
        out[LEG_KEY] = unmeasured(LEG_KEY, "The leg length could not be measured (the leg "
                                  "was never seen extended).")
    return out


def measure_shank(ctx: MetricContext, per_step: FloatArray) -> dict[str, Any]:
    """Build the ``shank_angle_at_contact_deg`` entry: mean over the near leg's contacts."""
    return contact_entry(ctx, SHANK_KEY, per_step, SHANK_TOLERANCE_DEG)
