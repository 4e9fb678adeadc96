"""Vertical oscillation: peak-to-peak vertical travel of the hip midpoint per step."""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.metrics.base import (
    FloatArray,
    MetricContext,
    confidence,
    measured,
    standard_error,
    step_bounds,
    unmeasured,
)
from runform.metrics.table import spec

KEY = "vertical_oscillation_cm"
TOLERANCE_CM = 0.3
MIN_FRAMES_PER_STEP = 4
PHASE_POINTS = 50


def oscillation_per_step(time: FloatArray, hip_y: FloatArray,
                         bounds: list[tuple[float, float]]) -> FloatArray:
    """Peak-to-peak of the hip height within each step, in the unit of ``hip_y``.

    Parameters
    ----------
    time
        Frame times, shape (T,).
    hip_y
        Vertical position of the hip midpoint per frame (pixels, y down),
        shape (T,).
    bounds
        (start, end) times of each step (contact to next contact).

    Returns
    -------
    numpy.ndarray
        One value per step, >= 0; NaN when the step has fewer than 4 finite
        frames.
    """
    out = np.full(len(bounds), np.nan)
    for i, (t0, t1) in enumerate(bounds):
        seg = hip_y[(time >= t0) & (time <= t1)]
        seg = seg[np.isfinite(seg)]
        if seg.size >= MIN_FRAMES_PER_STEP:
            out[i] = float(seg.max() - seg.min())
    return out


def phase_averaged_oscillation(time: FloatArray, hip_y: FloatArray,
                               bounds: list[tuple[float, float]]) -> float:
    """Peak-to-peak of the step-averaged hip trajectory (each step resampled on 0..1).

    Averaging the steps before taking the range cancels frame-to-frame
    jitter that inflates a per-step peak-to-peak. NaN when no step is
    usable.
    """
    phase = np.linspace(0.0, 1.0, PHASE_POINTS)
    curves = []
    for t0, t1 in bounds:
        inside = (time >= t0) & (time <= t1) & np.isfinite(hip_y)
        if inside.sum() < MIN_FRAMES_PER_STEP:
            continue
        y = np.interp(t0 + phase * (t1 - t0), time[inside], hip_y[inside])
        curves.append(y - y.mean())
    if not curves:
        return float("nan")
    mean = np.mean(curves, axis=0)
    return float(mean.max() - mean.min())


def hip_height_px(ctx: MetricContext) -> FloatArray:
    """Height of the hip midpoint above the frame's bottom edge per frame, pixels (up = +)."""
    return ctx.track.height - ctx.mid("hip")[:, 1]


def oscillation_px(ctx: MetricContext) -> FloatArray:
    """Per-step vertical oscillation in pixels, one per step of ``ctx.steps`` (last is NaN)."""
    per_step = oscillation_per_step(ctx.track.time, ctx.mid("hip")[:, 1], step_bounds(ctx))
    return np.append(per_step, np.nan) if ctx.steps else per_step


def measure_oscillation(ctx: MetricContext, per_step_px: FloatArray) -> dict[str, Any]:
    """Build the ``vertical_oscillation_cm`` entry: median of the per-step values.

    Without a scale the value is None and the extras ``px`` and
    ``leg_fraction`` (median per-step oscillation over leg length) remain.
    """
    finite = per_step_px[np.isfinite(per_step_px)]
    if finite.size == 0:
        return unmeasured(KEY, "No whole step with the hips visible: cannot measure the "
                          "vertical travel.")
    px = float(np.median(finite))
    averaged_px = phase_averaged_oscillation(ctx.track.time, ctx.mid("hip")[:, 1],
                                             step_bounds(ctx))
    leg = px / ctx.leg_length_px if ctx.leg_length_px else None
    if not ctx.px_per_cm:
        return unmeasured(KEY, "Needs the runner's height (--height-cm) for the pixel-to-cm "
                          "scale.", px=px, leg_fraction=leg, steps=int(finite.size))
    cm = finite / ctx.px_per_cm
    conf = confidence(steps=int(finite.size) // 2,
                      visibility=ctx.visibility(("left_hip", "right_hip")), fps=ctx.fps,
                      full_fps=spec(KEY).full_fps, spread=standard_error(cm),
                      tolerance=TOLERANCE_CM, reliable=ctx.events_reliable)
    return measured(KEY, px / ctx.px_per_cm, conf, px=px, leg_fraction=leg,
                    phase_averaged_cm=averaged_px / ctx.px_per_cm, steps=int(finite.size),
                    sd=float(cm.std(ddof=1)) if cm.size > 1 else None)
