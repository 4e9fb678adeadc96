"""Form drift over the clip: the last third minus the first third, per step."""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.metrics.base import FloatArray, MetricContext, confidence, rounded
from runform.metrics.table import DRIFT_KEYS, spec

NOTABLE_CHANGE: dict[str, float] = {
    "cadence_spm": 5.0,
    "trunk_lean_deg": 3.0,
    "knee_flexion_at_contact_deg": 3.0,
    "vertical_oscillation_cm": 1.0,
}
"""Change worth mentioning (heuristic, grade C): fatigue raises trunk flexion ~4 deg
(Koblbauer 2014); 2D angle SDDs are 2-4 deg (Dingenen 2018); cadence -3 %."""
MIN_STEPS_PER_THIRD = 3


def third_bounds(time: FloatArray) -> tuple[float, float]:
    """End of the first third and start of the last third of the clip, seconds."""
    t0, t1 = float(time[0]), float(time[-1])
    return t0 + (t1 - t0) / 3.0, t1 - (t1 - t0) / 3.0


def drift_of(times: FloatArray, values: FloatArray, first_end: float,
             last_start: float) -> tuple[float, float, int, int, float, float]:
    """Mean of the values in the last third minus the first third.

    Parameters
    ----------
    times
        Time of each value (e.g. its initial contact), seconds.
    values
        One value per time (NaN ignored).
    first_end, last_start
        End of the first third and start of the last third, seconds.

    Returns
    -------
    tuple
        (change, standard error of the change, n first, n last, mean first,
        mean last); NaN change when a third has fewer than 3 values.
    """
    ok = np.isfinite(values)
    a = values[ok & (times < first_end)]
    b = values[ok & (times >= last_start)]
    if a.size < MIN_STEPS_PER_THIRD or b.size < MIN_STEPS_PER_THIRD:
        nan = float("nan")
        return nan, nan, int(a.size), int(b.size), nan, nan
    se = float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))
    return float(b.mean() - a.mean()), se, int(a.size), int(b.size), float(a.mean()), float(
        b.mean())


def drift_entry(key: str, times: FloatArray, values: FloatArray, first_end: float,
                last_start: float, reliable: bool = True) -> dict[str, Any]:
    """One ``summary.json["drift"]`` entry: change, unit, confidence and the two thirds.

    ``notable`` is True when the change exceeds both the heuristic threshold
    of :data:`NOTABLE_CHANGE` and twice its standard error.
    """
    change, se, n_a, n_b, mean_a, mean_b = drift_of(times, values, first_end, last_start)
    unit = spec(key).unit
    if not np.isfinite(change):
        return {"value": None, "unit": unit, "confidence": 0.0, "n_first": n_a, "n_last": n_b,
                "reason": f"Fewer than {MIN_STEPS_PER_THIRD} measured steps in the first or "
                          "last third of the clip."}
    threshold = NOTABLE_CHANGE[key]
    conf = confidence(steps=min(n_a, n_b), spread=se, tolerance=threshold / 2.0,
                      reliable=reliable)
    return {"value": change, "unit": unit, "confidence": conf, "first": mean_a, "last": mean_b,
            "standard_error": rounded(se, 3), "n_first": n_a, "n_last": n_b,
            "threshold": threshold, "notable": bool(abs(change) > max(threshold, 2.0 * se))}


def measure_drift(ctx: MetricContext, per_step: dict[str, FloatArray]) -> dict[str, dict]:
    """Drift of every drift metric from per-step values (one array per key, per step).

    Keys missing from ``per_step`` (e.g. vertical oscillation without a
    scale) get an entry with a reason.
    """
    times = np.array([s.ic_time for s in ctx.steps], dtype=np.float64)
    first_end, last_start = third_bounds(ctx.track.time) if ctx.track.time.size else (0.0, 0.0)
    out: dict[str, dict] = {}
    for key in DRIFT_KEYS:
        values = per_step.get(key)
        if values is None:
            out[key] = {"value": None, "unit": spec(key).unit, "confidence": 0.0,
                        "reason": "This metric could not be measured."}
            continue
        out[key] = drift_entry(key, times, values, first_end, last_start,
                               ctx.events_reliable)
    return out
