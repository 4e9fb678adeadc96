"""Synthetic summaries for the scoring tests: a typical runner and variations of it."""

from __future__ import annotations

import copy
from typing import Any

GOOD_VALUES: dict[str, Any] = {
    "cadence_spm": 172.0,
    "trunk_lean_deg": 7.0,
    "head_forward_deg": 9.0,
    "elbow_angle_deg": 88.0,
    "arm_swing_deg": 55.0,
    "shank_angle_at_contact_deg": 4.0,
    "knee_flexion_at_contact_deg": 18.0,
    "foot_ahead_of_hip_cm": 9.0,
    "foot_ahead_of_hip_leg": 0.10,
    "foot_strike": "rearfoot",
    "vertical_oscillation_cm": 8.0,
    "contact_time_ms": 250.0,
    "flight_time_ms": 100.0,
    "duty_factor": 0.35,
    "step_length_cm": 116.0,
    "vertical_ratio_pct": 6.9,
}
"""A runner with typical form at about 12 km/h (every scored metric good)."""

GOOD_DRIFT: dict[str, float] = {
    "trunk_lean_deg": 0.4,
    "cadence_spm": -0.8,
    "knee_flexion_at_contact_deg": 0.6,
    "vertical_oscillation_cm": 0.2,
}
NEEDS_HEIGHT = ("foot_ahead_of_hip_cm", "vertical_oscillation_cm", "vertical_ratio_pct")
NEEDS_SPEED = ("step_length_cm", "vertical_ratio_pct")


def entry(value: Any, confidence: float = 0.9, **extra: Any) -> dict[str, Any]:
    """A measured metric entry like ``runform.metrics.base.measured`` makes."""
    return {"value": value, "unit": "", "confidence": confidence, **extra}


def missing(reason: str) -> dict[str, Any]:
    """An unmeasured entry like ``runform.metrics.base.unmeasured`` makes."""
    return {"value": None, "unit": "", "confidence": 0.0, "reason": reason}


def summary(values: dict[str, Any] | None = None, *, drift: dict[str, float] | None = None,
            height: bool = True, speed: bool = True, view: str = "side",
            facing: str = "left") -> dict[str, Any]:
    """A summary with ``values`` over the typical runner, like ``measure`` would report it.

    Without ``height`` the cm metrics are unmeasured (with the reason); without
    ``speed`` the step length and vertical ratio are.
    """
    vals = {**GOOD_VALUES, **(values or {})}
    metrics: dict[str, Any] = {}
    for key, value in vals.items():
        if not height and key in NEEDS_HEIGHT:
            metrics[key] = missing("Needs the runner's height (--height-cm).")
        elif not speed and key in NEEDS_SPEED:
            metrics[key] = missing("Needs the treadmill speed (--speed-kmh).")
        elif key == "foot_strike":
            metrics[key] = entry(value, angle_deg=vals.get("_strike_angle", 10.0))
        elif not key.startswith("_"):
            metrics[key] = entry(value)
    drifts = {**GOOD_DRIFT, **(drift or {})}
    drift_entries: dict[str, Any] = {
        key: (missing("Needs the runner's height (--height-cm).")
              if not height and key == "vertical_oscillation_cm"
              else entry(value, standard_error=0.3))
        for key, value in drifts.items()}
    return {"view": view, "facing": facing, "metrics": metrics, "drift": drift_entries}


def with_metric(base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of ``base`` with one metric's value replaced."""
    out = copy.deepcopy(base)
    out["metrics"][key]["value"] = value
    return out
