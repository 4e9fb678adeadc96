"""Stride templates: a foot's average motion over strides, and each stride aligned to it.

Running is periodic. Pooling every stride of a foot on a common time axis
(time since the stride's *anchor*, the moment the ankle is furthest ahead of
the hips) gives a template sampled far more densely than the video (strides
fall on different sub-frame phases) and with the jitter averaged out. Each
stride is then aligned to the template by least squares over a window, which
times it to a small fraction of a frame. Events found once on the template
carry over to every stride through its alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.signal import find_peaks

FloatArray = npt.NDArray[np.float64]

GRID_STEP_S = 0.001
"""Time step of the template and of the fine alignment search, seconds."""
COARSE_STEP_S = 0.004
"""Step of the coarse alignment search, seconds."""
ITERATIONS = 3
"""Rounds of template building and re-alignment."""
MAX_BANDWIDTH_S = 0.025
"""Widest template kernel, seconds."""
KERNEL_REACH = 12.0
"""Template samples further than this many bandwidths from a grid point are left out of its
regression: their weight, below 1e-31 of a sample on the point, changes nothing."""
ALIGN_BATCH = 16
"""Strides aligned together by :func:`align_many` (bounds the arrays of one batch)."""
MIN_VALID_SHARE = 0.6
"""A window needs at least this share of its samples seen to be aligned."""


@dataclass(frozen=True)
class StrideFit:
    """A template and the strides aligned to it."""

    anchors: FloatArray
    """Aligned anchor time of each stride, seconds, increasing."""
    grid: FloatArray
    """Template time axis relative to the anchor, seconds."""
    template: FloatArray
    """Template signals, shape (len(grid), k)."""
    misfit: FloatArray
    """Root-mean-square difference between each stride and the template (signal units)."""


def find_anchors(time: FloatArray, forward: FloatArray, period: float) -> FloatArray:
    """Find the foot's furthest-forward moments, one per stride, refined by a parabola.

    Parameters
    ----------
    time
        Seconds, shape (T,).
    forward
        The ankle's position ahead of the hips (pixels), NaN where missing.
    period
        Stride period, seconds.

    Returns
    -------
    numpy.ndarray
        Anchor times (only peaks with both neighbouring samples seen).
    """
    ok = np.isfinite(forward)
    if ok.sum() < 5 or period <= 0:
        return np.zeros(0)
    dt = float(np.median(np.diff(time)))
    filled = np.where(ok, forward, np.nanmin(forward))
    spread = float(np.nanpercentile(forward, 95) - np.nanpercentile(forward, 5))
    peaks, _ = find_peaks(filled, distance=max(1, int(0.6 * period / dt)),
                          prominence=0.3 * spread)
    out = []
    for k in peaks:
        if 0 < k < time.size - 1 and ok[k - 1:k + 2].all():
            y0, y1, y2 = forward[k - 1], forward[k], forward[k + 1]
            curv = y0 - 2 * y1 + y2
            shift = float(np.clip(0.5 * (y0 - y2) / curv, -0.5, 0.5)) if curv < 0 else 0.0
            step = time[k + 1] - time[k] if shift > 0 else time[k] - time[k - 1]
            out.append(float(time[k] + shift * step))
    return np.asarray(out)


def local_linear(tau: FloatArray, values: FloatArray, grid: FloatArray,
                 bandwidth: float) -> FloatArray:
    """Gaussian-kernel local-linear regression of pooled samples onto a grid.

    Parameters
    ----------
    tau
        Sample times (relative to their anchors), shape (N,).
    values
        Samples, shape (N, k), NaN ignored per column.
    grid
        Output times, shape (G,).
    bandwidth
        Kernel standard deviation, seconds.

    Returns
    -------
    numpy.ndarray
        Shape (G, k); NaN where no sample is near.
    """
    k = values.shape[1]
    out = np.full((grid.size, k), np.nan)
    if tau.size == 0:
        return out
    # Kernel weights as a sparse (grid x samples) band: only the samples within
    # KERNEL_REACH bandwidths of each grid point (sorted samples, one run per point).
    order = np.argsort(tau, kind="stable")
    tau, values = tau[order], values[order]
    reach = KERNEL_REACH * bandwidth
    first = np.searchsorted(tau, grid - reach, side="left")
    counts = np.searchsorted(tau, grid + reach, side="right") - first
    indptr = np.concatenate([[0], np.cumsum(counts)])
    cols = np.arange(indptr[-1]) + np.repeat(first - indptr[:-1], counts)
    d = tau[cols] - np.repeat(grid, counts)
    w = np.exp(-0.5 * (d / bandwidth) ** 2)
    shape = (grid.size, tau.size)
    kernel, kernel_d, kernel_dd = (sparse.csr_array((v, cols, indptr), shape=shape)
                                   for v in (w, w * d, w * d * d))
    # Per column, NaN samples count for nothing: sums of the weights over seen samples.
    seen = np.isfinite(values)
    both = np.concatenate([seen.astype(np.float64), np.where(seen, values, 0.0)], axis=1)
    s0, t0 = np.split(kernel @ both, 2, axis=1)
    s1, t1 = np.split(kernel_d @ both, 2, axis=1)
    s2 = kernel_dd @ seen.astype(np.float64)
    den = s0 * s2 - s1 * s1
    good = ((den > 1e-12 * np.maximum(s0, 1e-300) ** 2) & (s0 > 1e-3)
            & (seen.sum(axis=0) >= 3)[None, :])
    out[good] = (s2 * t0 - s1 * t1)[good] / den[good]
    return out


def window(time: FloatArray, start: float, stop: float) -> slice:
    """Slice the (increasing) time axis to the samples with ``start <= time <= stop``.

    A binary search, so a stride's window costs the same whatever the clip's
    length (a boolean mask over the whole track would make a clip's events
    grow with the square of its length).
    """
    return slice(int(np.searchsorted(time, start, side="left")),
                 int(np.searchsorted(time, stop, side="right")))


def _pool(time: FloatArray, signals: FloatArray, anchors: FloatArray, lo: float,
          hi: float) -> tuple[FloatArray, FloatArray]:
    taus, rows = [], []
    for a in anchors:
        m = window(time, a + lo, a + hi)
        taus.append(time[m] - a)
        rows.append(signals[m])
    if not taus:
        return np.zeros(0), np.zeros((0, signals.shape[1]))
    return np.concatenate(taus), np.concatenate(rows)


def align(time: FloatArray, signals: FloatArray, anchor: float, grid: FloatArray,
          template: FloatArray, lo: float, hi: float, search: float) -> tuple[
              float | None, float]:
    """Shift (seconds) that best aligns one stride's window to the template.

    ``time`` must be increasing (a :class:`~runform.pose.track.PoseTrack`'s
    is). The window is ``[anchor + lo, anchor + hi]``; shifts up to ``search`` are
    tried on a 4 ms grid, then on a 1 ms grid around the best, and refined
    by a parabola through the best three. :func:`align_many` does the same
    for several strides at once.

    Returns
    -------
    shift, misfit
        The shift (None when too few samples are seen or the best shift is at
        the edge of the search) and the root-mean-square misfit there.
    """
    shifts, misfit = align_many(time, signals, np.array([anchor], dtype=np.float64), grid,
                                template, lo, hi, search)
    return shifts[0], float(misfit[0])


def align_many(time: FloatArray, signals: FloatArray, anchors: FloatArray, grid: FloatArray,
               template: FloatArray, lo: float, hi: float, search: float) -> tuple[
                   list[float | None], FloatArray]:
    """:func:`align` for each of ``anchors`` (same window and search), vectorised over them.

    Returns
    -------
    shifts, misfits
        Per anchor, as :func:`align` returns them.
    """
    shifts: list[float | None] = []
    misfit = np.full(anchors.size, np.inf)
    if time.size == 0:
        return [None] * anchors.size, misfit
    for start in range(0, anchors.size, ALIGN_BATCH):
        part = anchors[start:start + ALIGN_BATCH]
        found, rms = _align_batch(time, signals, part, grid, template, lo, hi, search)
        shifts += found
        misfit[start:start + part.size] = rms
    return shifts, misfit


def _align_batch(time: FloatArray, signals: FloatArray, anchors: FloatArray, grid: FloatArray,
                 template: FloatArray, lo: float, hi: float, search: float) -> tuple[
                     list[float | None], FloatArray]:
    # Each stride's window, padded to the longest with NaN times (never inside).
    first = np.searchsorted(time, anchors + lo - search, side="left")
    count = np.searchsorted(time, anchors + hi + search, side="right") - first
    idx = first[:, None] + np.arange(max(int(np.max(count, initial=0)), 1))
    valid = idx < (first + count)[:, None]
    idx = np.minimum(idx, time.size - 1)
    tau0 = np.where(valid, time[idx] - anchors[:, None], np.nan)
    values = np.where(valid[..., None], signals[idx], np.nan)
    # Coarse search, then the 1 ms grid around each stride's coarse best.
    coarse = np.arange(-search, search + 1e-12, COARSE_STEP_S)
    rough = _costs(tau0, values, coarse[None, :], grid, template, lo, hi)
    centres = coarse[np.argmin(rough, axis=1)]
    fine = [np.arange(max(-search, float(c) - COARSE_STEP_S),
                      min(search, float(c) + COARSE_STEP_S) + 1e-12, GRID_STEP_S)
            for c in centres]
    padded = np.full((anchors.size, max(f.size for f in fine)), np.nan)
    for i, f in enumerate(fine):
        padded[i, :f.size] = f
    cost = _costs(tau0, values, padded, grid, template, lo, hi)
    shifts: list[float | None] = []
    misfit = np.full(anchors.size, np.inf)
    for i, f in enumerate(fine):
        if count[i] < 3 or not np.isfinite(rough[i]).any():
            shifts.append(None)
            continue
        at_edge = abs(float(centres[i])) >= search - 1e-9
        shift, misfit[i] = _refine(f, cost[i, :f.size], at_edge)
        shifts.append(shift)
    return shifts, misfit


def _refine(shifts: FloatArray, cost: FloatArray, at_edge: bool) -> tuple[float | None, float]:
    """Best shift on the fine grid, refined by a parabola, and its RMS misfit."""
    best = int(np.argmin(cost))
    if not np.isfinite(cost[best]) or at_edge or best in (0, shifts.size - 1):
        return None, float(np.sqrt(cost[best])) if np.isfinite(cost[best]) else float("inf")
    y0, y1, y2 = cost[best - 1:best + 2]
    curv = y0 - 2 * y1 + y2
    frac = 0.0
    if np.isfinite(curv) and curv > 0:
        frac = float(np.clip(0.5 * (y0 - y2) / curv, -0.5, 0.5))
    return float(shifts[best] + frac * GRID_STEP_S), float(np.sqrt(max(y1, 0.0)))


def _costs(tau0: FloatArray, values: FloatArray, shifts: FloatArray, grid: FloatArray,
           template: FloatArray, lo: float, hi: float) -> FloatArray:
    """Mean squared misfit to the template of strides' windows, for each shift.

    ``tau0`` (m, n) are each window's sample times relative to its anchor
    (NaN for padding), ``values`` (m, n, k) its signals and ``shifts`` (m or
    1, s) the shifts tried. Samples with ``lo <= tau0 - shift <= hi`` are
    compared; a shift with fewer than three of them, or fewer than
    :data:`MIN_VALID_SHARE` of their values seen, costs infinity. Returns
    shape (m, s); all strides and shifts are evaluated at once.
    """
    tau = tau0[:, None, :] - shifts[:, :, None]
    inside = (tau >= lo) & (tau <= hi)
    res = values[:, None] - _interp_columns(tau, grid, template)
    seen = np.isfinite(res) & inside[..., None]
    n_inside = inside.sum(-1)
    n_seen = seen.sum((-2, -1))
    total = (np.where(seen, res, 0.0) ** 2).sum((-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = n_seen / (n_inside * template.shape[1])
        cost = total / n_seen
    return np.where((n_inside >= 3) & (share >= MIN_VALID_SHARE), cost, np.inf)


def _interp_columns(x: FloatArray, grid: FloatArray, template: FloatArray) -> FloatArray:
    """Linear interpolation of every template column at ``x``, shape ``x.shape + (k,)``.

    As :func:`numpy.interp` column by column (ends held constant outside the
    grid), with one search for all columns.
    """
    if grid.size < 2:
        return np.broadcast_to(template[0], (*x.shape, template.shape[1])).copy()
    xc = np.clip(x, grid[0], grid[-1])
    j = np.clip(np.searchsorted(grid, xc, side="right") - 1, 0, grid.size - 2)
    slope = np.diff(template, axis=0) / np.diff(grid)[:, None]
    return slope[j] * (xc - grid[j])[..., None] + template[j]


def fit_strides(time: FloatArray, signals: FloatArray, anchors: FloatArray, period: float,
                bandwidth: float, *, reference_misfit: float | None = None) -> StrideFit | None:
    """Build a template from the strides and align every stride to it (iterated).

    Parameters
    ----------
    time
        Seconds, shape (T,).
    signals
        Shape (T, k), NaN where missing.
    anchors
        Rough anchor time of each stride.
    period
        Stride period, seconds; the template spans ``[-0.35, 0.65]`` periods.
    bandwidth
        Kernel width of the template, seconds.
    reference_misfit
        Typical stride-to-template misfit of clean data (signal units). When
        the strides scatter more (noisy tracking, a variable runner), the
        kernel is widened in proportion, up to :data:`MAX_BANDWIDTH_S`.

    Returns
    -------
    StrideFit or None
        None when fewer than two strides can be aligned.
    """
    lo, hi = -0.35 * period, 0.65 * period
    anchors = anchors[(anchors + lo >= time[0]) & (anchors + hi <= time[-1])]
    if anchors.size < 2:
        return None
    grid = np.arange(lo, hi + 1e-12, GRID_STEP_S)
    misfit = np.full(anchors.size, np.inf)
    template = np.zeros((grid.size, signals.shape[1]))
    for _ in range(ITERATIONS):
        tau, pooled = _pool(time, signals, anchors, lo, hi)
        template = local_linear(tau, pooled, grid, bandwidth)
        if np.isnan(template).any():
            filled = _fill_columns(grid, template)
            if filled is None:
                return None
            template = filled
        shifts, misfit = _realign(time, signals, anchors, grid, template, lo, hi, period)
        seen = misfit[np.isfinite(misfit)]
        if reference_misfit and seen.size:
            factor = max(1.0, float(np.median(seen)) / reference_misfit)
            bandwidth = max(bandwidth, min(bandwidth * factor, MAX_BANDWIDTH_S))
        # Remove the common shift so the template's time origin stays put.
        anchors = anchors + shifts - float(np.mean(shifts))
    order = np.argsort(anchors)
    return StrideFit(anchors=anchors[order], grid=grid, template=template,
                     misfit=misfit[order])


def _realign(time: FloatArray, signals: FloatArray, anchors: FloatArray, grid: FloatArray,
             template: FloatArray, lo: float, hi: float, period: float) -> tuple[
                 FloatArray, FloatArray]:
    found, misfit = align_many(time, signals, anchors, grid, template, lo, hi, 0.1 * period)
    shifts = np.array([0.0 if s is None else s for s in found])
    return shifts, misfit


def _fill_columns(grid: FloatArray, template: FloatArray) -> FloatArray | None:
    out = template.copy()
    for j in range(out.shape[1]):
        ok = np.isfinite(out[:, j])
        if ok.sum() < 2:
            return None
        out[:, j] = np.interp(grid, grid[ok], out[ok, j])
    return out
