"""Vertical oscillation: peak-to-peak vertical travel of the trunk (pelvis) per step.

The pelvis, trunk and head rise and fall together in running (the trunk is
nearly rigid and upright, so trunk pitch changes the shoulders' and ears'
height by millimetres only; on the validation mannequin their true vertical
travel equals the hip's to within 1 %). MediaPipe's hip landmarks, however,
follow the vertical motion less faithfully than its shoulders and ears (they
under-read the bob by 0-37 % on the validation clips, the shoulders and ears
by -19 % to +28 %, independently). The trunk's vertical position is therefore
taken as the mean height of the hip, shoulder and ear midpoints: three
estimates of the same motion whose landmark-specific errors partly cancel.
The hip-only value is reported alongside (``hip_only_cm``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from runform.metrics.base import (
    FloatArray,
    MetricContext,
    confidence,
    frames_between,
    measured,
    standard_error,
    step_bounds,
    unmeasured,
)
from runform.metrics.table import spec

KEY = "vertical_oscillation_cm"
TOLERANCE_CM = 0.3
MIN_FRAMES_PER_STEP = 4


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
        seg = hip_y[frames_between(time, t0, t1, include_end=True)]
        seg = seg[np.isfinite(seg)]
        if seg.size >= MIN_FRAMES_PER_STEP:
            out[i] = float(seg.max() - seg.min())
    return out


BOB_PARTS = ("hip", "shoulder", "ear")
"""Landmark pairs whose midpoints' mean height tracks the trunk's vertical travel."""


def hip_height_px(ctx: MetricContext) -> FloatArray:
    """Height of the hip midpoint above the frame's bottom edge per frame, pixels (up = +)."""
    return ctx.track.height - ctx.mid("hip")[:, 1]


def trunk_y(ctx: MetricContext) -> FloatArray:
    """Mean image y of the hip, shoulder and ear midpoints per frame, pixels (y down).

    NaN in frames where fewer than two of the three midpoints were found;
    with two, a third's absence would shift the mean by the constant offset
    between landmarks, so such frames are also NaN unless all three exist.
    """
    ys = np.stack([ctx.mid(p)[:, 1] for p in BOB_PARTS], axis=1)
    return np.where(np.isfinite(ys).all(axis=1), ys.mean(axis=1), np.nan)


def _per_step(ctx: MetricContext, y: FloatArray) -> FloatArray:
    per_step = oscillation_per_step(ctx.track.time, y, step_bounds(ctx))
    return np.append(per_step, np.nan) if ctx.steps else per_step


def oscillation_px(ctx: MetricContext) -> FloatArray:
    """Per-step vertical oscillation of the trunk in pixels, one per step (last is NaN)."""
    return _per_step(ctx, trunk_y(ctx))


def measure_oscillation(ctx: MetricContext, per_step_px: FloatArray) -> dict[str, Any]:
    """Build the ``vertical_oscillation_cm`` entry: median of the per-step values.

    Without a scale the value is None and the extras ``px`` and
    ``leg_fraction`` (median per-step oscillation over leg length) remain.
    ``hip_only_cm`` is the same measure on the hip midpoint alone.
    """
    finite = per_step_px[np.isfinite(per_step_px)]
    if finite.size == 0:
        return unmeasured(KEY, "No whole step with the hips, shoulders and ears visible: "
                          "cannot measure the vertical travel.")
    px = float(np.median(finite))
    leg = px / ctx.leg_length_px if ctx.leg_length_px else None
    if not ctx.px_per_cm:
        return unmeasured(KEY, "Needs the runner's height (--height-cm) for the pixel-to-cm "
                          "scale.", px=px, leg_fraction=leg, steps=int(finite.size))
    cm = finite / ctx.px_per_cm
    hip_only = _per_step(ctx, ctx.mid("hip")[:, 1])
    names = tuple(f"{s}_{p}" for p in BOB_PARTS for s in ("left", "right"))
    conf = confidence(steps=int(finite.size) // 2, visibility=ctx.visibility(names),
                      fps=ctx.fps, full_fps=spec(KEY).full_fps, spread=standard_error(cm),
                      tolerance=TOLERANCE_CM, reliable=ctx.events_reliable)
    return measured(KEY, px / ctx.px_per_cm, conf, px=px, leg_fraction=leg,
                    hip_only_cm=float(np.nanmedian(hip_only)) / ctx.px_per_cm
                    if np.isfinite(hip_only).any() else None,
                    steps=int(finite.size), sd=float(cm.std(ddof=1)) if cm.size > 1 else None)
