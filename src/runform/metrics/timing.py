"""Contact and flight time, duty factor; with the belt speed, step length and vertical ratio."""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.gait.types import Step
from runform.metrics.base import (
    FloatArray,
    MetricContext,
    confidence,
    measured,
    near_mask,
    standard_error,
    unmeasured,
)
from runform.metrics.table import spec

CONTACT_KEY = "contact_time_ms"
FLIGHT_KEY = "flight_time_ms"
DUTY_KEY = "duty_factor"
STEP_LENGTH_KEY = "step_length_cm"
RATIO_KEY = "vertical_ratio_pct"
TOLERANCE_MS = 10.0
RELIABLE_FPS = 60.0
"""Below this frame rate contact and flight times get a warning (one frame > 16 ms)."""


def contact_times_ms(steps: tuple[Step, ...]) -> FloatArray:
    """Contact time of each step (toe-off minus initial contact), ms; NaN without toe-off."""
    return np.array([np.nan if s.contact_s is None else 1000.0 * s.contact_s for s in steps],
                    dtype=np.float64)


def flight_times_ms(steps: tuple[Step, ...]) -> FloatArray:
    """Flight after each step: next contact (other foot) minus this toe-off, ms.

    NaN for the last step, without a toe-off, when the next contact is of
    the same foot (a contact was missed) or comes before the toe-off (no
    flight: walking or a detection error).
    """
    out = np.full(len(steps), np.nan)
    for i, (step, nxt) in enumerate(zip(steps[:-1], steps[1:], strict=False)):
        if step.to_time is None or nxt.foot == step.foot:
            continue
        flight = nxt.ic_time - step.to_time
        if flight >= 0.0:
            out[i] = 1000.0 * flight
    return out


def _primary(ctx: MetricContext, values: FloatArray) -> tuple[FloatArray, str]:
    near = near_mask(ctx) & np.isfinite(values)
    if near.any():
        return values[near], ctx.near
    return values[np.isfinite(values)], "both"


def _timing_entry(ctx: MetricContext, key: str, values: FloatArray, what: str) -> dict[str, Any]:
    chosen, side = _primary(ctx, values)
    if chosen.size == 0:
        return unmeasured(key, f"No step with both its {what} was found.")
    if ctx.fps < spec(key).min_fps:
        return unmeasured(key, f"{ctx.fps:.0f} fps is too low to time foot contacts "
                          f"(needs at least {spec(key).min_fps:.0f}, ideally 120).")
    conf = confidence(steps=int(chosen.size), fps=ctx.fps, full_fps=spec(key).full_fps,
                      spread=standard_error(chosen), tolerance=TOLERANCE_MS,
                      reliable=ctx.events_reliable)
    by_foot = {}
    for foot in ("left", "right"):
        v = values[[s.foot == foot for s in ctx.steps]]
        v = v[np.isfinite(v)]
        by_foot[foot] = float(np.median(v)) if v.size else None
    return measured(key, float(np.median(chosen)), conf, side=side, n=int(chosen.size),
                    sd=float(chosen.std(ddof=1)) if chosen.size > 1 else None,
                    by_foot=by_foot)


def measure_contact(ctx: MetricContext, contact_ms: FloatArray) -> dict[str, Any]:
    """Build the ``contact_time_ms`` entry: median over the near foot's steps."""
    return _timing_entry(ctx, CONTACT_KEY, contact_ms, "initial contact and toe-off")


def measure_flight(ctx: MetricContext, flight_ms: FloatArray) -> dict[str, Any]:
    """Build the ``flight_time_ms`` entry: median flight after the near foot's toe-offs."""
    return _timing_entry(ctx, FLIGHT_KEY, flight_ms, "toe-off and the next contact")


def measure_duty(contact: dict[str, Any], stride_period_s: float | None) -> dict[str, Any]:
    """Build the ``duty_factor`` entry: contact / stride time (Patoz 2019), 0..1."""
    if contact["value"] is None or not stride_period_s:
        return unmeasured(DUTY_KEY, "Needs both the contact time and the cadence.")
    return measured(DUTY_KEY, contact["value"] / 1000.0 / stride_period_s,
                    contact["confidence"], stride_period_s=stride_period_s)


CONSISTENCY_TOLERANCE = 0.2
"""Largest relative mismatch between contact + flight time and the step time from cadence."""


def check_consistency(metrics: dict[str, dict[str, Any]]) -> str | None:
    """Compare contact + flight time with the step time (60 / cadence); flag a mismatch.

    Contact and flight time come from toe-offs, cadence from contacts alone, so
    a toe-off detected in the wrong place shows as contact + flight that no
    longer adds up to one step. On a mismatch above 20 % the confidences of
    contact time, flight time and duty factor are divided by four (in place).

    Returns
    -------
    str or None
        A plain-words warning, or None when consistent or not measurable.
    """
    contact, flight = metrics[CONTACT_KEY]["value"], metrics[FLIGHT_KEY]["value"]
    cadence = metrics["cadence_spm"]["value"]
    if contact is None or not cadence:
        return None
    step_ms = 60000.0 / cadence
    # No measurable flight counts as zero: a contact longer than a step is then caught.
    mismatch = (contact + (flight or 0.0) - step_ms) / step_ms
    if abs(mismatch) <= CONSISTENCY_TOLERANCE or (flight is None and mismatch < 0):
        return None
    for key in (CONTACT_KEY, FLIGHT_KEY, DUTY_KEY):
        if metrics[key]["value"] is not None:
            metrics[key]["confidence"] = round(metrics[key]["confidence"] / 4.0, 2)
    flight_text = f"{flight:.0f} ms" if flight is not None else "none found"
    return (f"Contact time ({contact:.0f} ms) plus flight time ({flight_text}) should make one "
            f"step ({step_ms:.0f} ms at this cadence) but is {100 * mismatch:+.0f} % off: toe-off "
            "was not found reliably, so contact time, flight time and duty factor are doubtful.")


def step_length_cm(speed_kmh: float, cadence_spm: float) -> float:
    """Step length on a treadmill: belt speed times step time, cm.

    Parameters
    ----------
    speed_kmh
        Belt speed, km/h.
    cadence_spm
        Steps per minute.
    """
    return speed_kmh * 100000.0 / 3600.0 * 60.0 / cadence_spm


def measure_step_length(cadence: dict[str, Any], speed_kmh: float | None) -> dict[str, Any]:
    """Build the ``step_length_cm`` entry (needs ``--speed-kmh``)."""
    if speed_kmh is None:
        return unmeasured(STEP_LENGTH_KEY, "Needs the treadmill speed (--speed-kmh).")
    if cadence["value"] is None:
        return unmeasured(STEP_LENGTH_KEY, "Needs the cadence, which could not be measured.")
    return measured(STEP_LENGTH_KEY, step_length_cm(speed_kmh, cadence["value"]),
                    cadence["confidence"], speed_kmh=speed_kmh)


def measure_vertical_ratio(oscillation: dict[str, Any],
                           step_length: dict[str, Any]) -> dict[str, Any]:
    """Build the ``vertical_ratio_pct`` entry: vertical oscillation / step length x 100.

    Notes
    -----
    Garmin's "vertical ratio" divides by what it calls stride length, the
    distance from one footfall to the next, i.e. our step length.
    """
    if step_length["value"] is None:
        return unmeasured(RATIO_KEY, step_length["reason"])
    if oscillation["value"] is None:
        return unmeasured(RATIO_KEY, oscillation["reason"])
    return measured(RATIO_KEY, 100.0 * oscillation["value"] / step_length["value"],
                    min(oscillation["confidence"], step_length["confidence"]))
