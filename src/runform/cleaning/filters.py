"""NaN-aware building blocks of track cleaning: outliers, gap filling, zero-lag low-pass.

Every function works on one signal over time (shape (T,) or (T, k)) given its
sample times in real seconds, returns a new array and never mutates its input.
NaN marks a missing sample throughout.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.interpolate import CubicSpline
from scipy.signal import butter, sosfiltfilt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TWO_PASS_CORRECTION = 0.802
"""Winter's (2009) correction, ``(sqrt(2) - 1) ** (1 / 4)``: a 2nd-order Butterworth
run forward and backward has its -3 dB point at 0.802 of its design cutoff (in
pre-warped frequency), so the design cutoff is raised by that factor (the two
passes make it 4th order overall)."""


def design_cutoff(cutoff_hz: float, fs: float) -> float:
    """Design cutoff (Hz) of each pass so the two-pass filter is -3 dB at ``cutoff_hz``.

    Uses the bilinear transform's frequency warping, so it stays exact close to
    the Nyquist frequency; returns ``inf`` when no such design exists.
    """
    if fs <= 0 or cutoff_hz <= 0 or cutoff_hz >= 0.5 * fs:
        return float("inf")
    warped = np.tan(np.pi * cutoff_hz / fs) / TWO_PASS_CORRECTION
    return float(fs / np.pi * np.arctan(warped))


def sample_rate(time: FloatArray) -> float:
    """Frames per real second from the median frame interval (0.0 if undefined)."""
    if time.size < 2:
        return 0.0
    dt = float(np.median(np.diff(time)))
    return 1.0 / dt if dt > 0 else 0.0


def runs(mask: BoolArray) -> list[tuple[int, int]]:
    """Half-open index ranges ``[start, stop)`` of the True runs in a 1-D mask."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def nanmedian_small(values: FloatArray, axis: int) -> FloatArray:
    """Median along a short axis ignoring NaN, as :func:`numpy.nanmedian` gives it.

    NumPy takes short axes through masked arrays, which is slow per value;
    here the values are sorted (NaN last) and the middle one, or the mean of
    the middle two, of the finite ones is taken, exactly as it does. All-NaN
    lanes give NaN (without a warning).
    """
    ordered = np.sort(np.moveaxis(values, axis, -1), axis=-1)
    if ordered.shape[-1] == 0:
        return np.full(ordered.shape[:-1], np.nan)
    count = (~np.isnan(ordered)).sum(axis=-1)
    lower = np.take_along_axis(ordered, np.maximum(count - 1, 0)[..., None] // 2, -1)[..., 0]
    upper = np.take_along_axis(ordered, (count // 2)[..., None], -1)[..., 0]
    with np.errstate(invalid="ignore"):
        middle = (lower + upper) / 2.0
    return np.where(count > 0, middle, np.nan)


def rolling_nanmedian(x: FloatArray, window: int) -> FloatArray:
    """Centred running median of a 1-D signal over ``window`` samples, ignoring NaN.

    The ends are padded by point reflection about the end sample, which keeps a
    linear trend (so the first and last samples of a moving point are not
    flagged by an outlier test). All-NaN windows give NaN.
    """
    window = max(1, int(window) | 1)
    if x.size == 0 or window == 1:
        return x.copy()
    half = window // 2
    if x.size > half:
        padded = np.pad(x, half, mode="reflect", reflect_type="odd")
    else:
        padded = np.pad(x, half, mode="edge")
    views = sliding_window_view(padded, window)
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(views).all(axis=1)
    out[ok] = nanmedian_small(views[ok], axis=1)
    return out


def hampel_mask(points: FloatArray, window: int, *, k: float = 6.0,
                floor: float = 0.0) -> BoolArray:
    """Flag samples far from their running median (a Hampel test on 2-D points).

    Parameters
    ----------
    points
        Shape (T, 2), NaN where missing.
    window
        Running-median window in samples (made odd).
    k
        A sample is an outlier when its distance from the running median exceeds
        ``k`` robust standard deviations of those distances over the whole signal.
    floor
        Distances below this (pixels) are never outliers, so clean signals with
        near-zero spread are left alone.

    Returns
    -------
    numpy.ndarray
        Boolean (T,), True for outliers; NaN samples are never flagged.
    """
    med = np.stack([rolling_nanmedian(points[:, j], window) for j in range(points.shape[1])], -1)
    dist = np.linalg.norm(points - med, axis=-1)
    ok = ~np.isnan(dist)
    if ok.sum() < 3:
        return np.zeros(dist.shape, bool)
    scale = 1.4826 * float(np.median(dist[ok]))
    with np.errstate(invalid="ignore"):
        return ok & (dist > max(k * scale, floor))


def fill_short_gaps(x: FloatArray, time: FloatArray, max_gap_s: float) -> tuple[
        FloatArray, BoolArray]:
    """Fill NaN runs no longer than ``max_gap_s`` by a cubic spline through the samples.

    A gap's length is the time from the last sample before it to the first
    after it, minus one frame interval (so one missing frame at 30 fps lasts
    about 33 ms). Gaps at either end of the signal are never filled
    (extrapolation invents motion).

    Parameters
    ----------
    x
        Shape (T,) or (T, k); each column is filled where *all* columns are NaN
        or where that column alone is NaN.
    time
        Shape (T,), strictly increasing seconds.
    max_gap_s
        Longest gap to fill, seconds.

    Returns
    -------
    filled, was_filled
        The filled copy and a boolean (T,) mask of the samples that were filled.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    cols = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    filled = np.zeros(out.shape[0], bool)
    dt = 1.0 / sample_rate(time) if time.size > 1 else 0.0
    for j in range(cols.shape[1]):
        col = cols[:, j]
        good = ~np.isnan(col)
        if good.sum() < 4:
            continue
        spline = CubicSpline(time[good], col[good])
        for a, b in runs(~good):
            if a == 0 or b == col.size:
                continue
            if time[b] - time[a - 1] - dt <= max_gap_s + 1e-9:
                col[a:b] = spline(time[a:b])
                filled[a:b] = True
    return out, filled


def lowpass(x: FloatArray, time: FloatArray, cutoff_hz: float, *, min_samples: int = 6
            ) -> FloatArray:
    """Zero-lag Butterworth low-pass (2nd order, forward and backward), NaN-safe.

    Each contiguous run of non-NaN samples is filtered on its own
    (``scipy.signal.sosfiltfilt``; the pad length shrinks for short runs); runs
    shorter than ``min_samples`` are returned unfiltered; NaN stays NaN. The
    cutoff is the -3 dB point of the two-pass filter in Hz of *real* time (the
    sample rate comes from ``time``, so slow-motion clips are filtered at the
    same real frequency). A cutoff at or above 95 % of the Nyquist frequency
    returns the signal unchanged.

    Parameters
    ----------
    x
        Shape (T,) or (T, k); columns are filtered independently.
    time
        Shape (T,), seconds of real time.
    cutoff_hz
        -3 dB frequency of the overall (two-pass) filter, Hz.
    min_samples
        Shortest run that is filtered.

    Returns
    -------
    numpy.ndarray
        The filtered copy.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    fs = sample_rate(time)
    design = design_cutoff(cutoff_hz, fs)
    if not design < 0.95 * 0.5 * fs:
        return out
    sos = butter(2, design, btype="low", fs=fs, output="sos")
    cols = out.reshape(out.shape[0], int(np.prod(out.shape[1:])))
    for j in range(cols.shape[1]):
        col = cols[:, j]
        for a, b in runs(~np.isnan(col)):
            n = b - a
            if n < min_samples:
                continue
            col[a:b] = sosfiltfilt(sos, col[a:b], padlen=min(3 * 3, n - 1))
    return out
