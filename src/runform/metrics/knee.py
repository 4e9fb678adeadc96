"""Knee flexion: 180 deg minus the interior hip-knee-ankle angle; its value at contact."""

from __future__ import annotations

from typing import Any

from runform.gait.types import Foot
from runform.metrics.base import FloatArray, MetricContext, at_contacts, contact_entry
from runform.metrics.geometry import interior_angle

KEY = "knee_flexion_at_contact_deg"
TOLERANCE_DEG = 2.0


def knee_flexion_series(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """Knee flexion per frame, degrees: 0 = straight leg, positive = flexed.

    Parameters
    ----------
    hip, knee, ankle
        Pixel positions of one leg, shape (T, 2).

    Returns
    -------
    numpy.ndarray
        ``180 - angle(hip, knee, ankle)``, shape (T,), 0..180. Hyperextension
        cannot be told from flexion in 2D and reads as small flexion.
    """
    return 180.0 - interior_angle(hip, knee, ankle)


def leg_knee_flexion(ctx: MetricContext, side: Foot) -> FloatArray:
    """Knee flexion of one leg over the clip, degrees."""
    return knee_flexion_series(ctx.limb(side, "hip"), ctx.limb(side, "knee"),
                               ctx.limb(side, "ankle"))


def knee_flexion_at_contacts(ctx: MetricContext) -> FloatArray:
    """Knee flexion of the landing leg at each initial contact, degrees (one per step)."""
    return at_contacts(ctx, {side: leg_knee_flexion(ctx, side) for side in ("left", "right")})


def measure_knee_flexion(ctx: MetricContext, per_step: FloatArray) -> dict[str, Any]:
    """Build the ``knee_flexion_at_contact_deg`` entry: mean over the near leg's contacts."""
    return contact_entry(ctx, KEY, per_step, TOLERANCE_DEG)
