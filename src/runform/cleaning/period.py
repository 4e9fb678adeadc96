"""Stride period of a running track from the periodicity of the feet."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from runform.cleaning.filters import sample_rate
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

PERIOD_RANGE_S = (0.45, 1.25)
"""Stride periods searched: 96-267 steps per minute."""


def _uniform(x: FloatArray, time: FloatArray) -> tuple[FloatArray, float]:
    """Resample a NaN-holed signal onto a uniform grid at the median frame rate."""
    fs = sample_rate(time)
    if fs <= 0:
        return x.copy(), 0.0
    grid = time[0] + np.arange(int(np.floor((time[-1] - time[0]) * fs)) + 1) / fs
    ok = ~np.isnan(x)
    out = np.interp(grid, time[ok], x[ok]) if ok.sum() >= 2 else np.full(grid.size, np.nan)
    # Keep holes: a grid point is missing when its nearest frame is missing.
    nearest = np.clip(np.searchsorted(time, grid), 0, time.size - 1)
    out[~ok[nearest]] = np.nan
    return out, fs


def _autocorr(x: FloatArray, lags: npt.NDArray[np.int_]) -> FloatArray:
    """Normalised autocorrelation at the given lags, using valid pairs only."""
    m = ~np.isnan(x)
    x0 = np.where(m, x - (np.nanmean(x) if m.any() else 0.0), 0.0)
    out = np.full(lags.size, np.nan)
    for i, lag in enumerate(lags):
        if lag <= 0 or lag >= x.size:
            continue
        a, b = x0[:-lag], x0[lag:]
        pair = m[:-lag] & m[lag:]
        if pair.sum() < 2 * lag // 3 + 3:
            continue
        den = np.sqrt(np.sum(a[pair] ** 2) * np.sum(b[pair] ** 2))
        out[i] = float(np.sum(a[pair] * b[pair]) / den) if den > 0 else np.nan
    return out


def _forward_offsets(track: PoseTrack, sign: float) -> list[FloatArray]:
    """Each ankle's horizontal position ahead of the hip midpoint, pixels."""
    hip = track.midpoint("left_hip", "right_hip")[:, 0]
    hip = np.where(np.isnan(hip), np.nanmedian(hip) if np.isfinite(hip).any() else 0.0, hip)
    return [sign * (track.xy(f"{s}_ankle")[:, 0] - hip) for s in ("left", "right")]


def stride_period(track: PoseTrack, facing: str) -> tuple[float | None, float]:
    """Stride period (one left and one right step) from the feet's periodicity.

    The autocorrelation of each ankle's horizontal offset from the hip
    midpoint, averaged over both feet, is searched over :data:`PERIOD_RANGE_S`;
    the first lag within 90 % of the highest peak wins (so a double period is
    not taken) and is refined by a parabola through the neighbouring lags.

    Parameters
    ----------
    track
        Cleaned pose track (pixels, real seconds).
    facing
        ``"left"`` or ``"right"``.

    Returns
    -------
    period, strength
        The period in seconds (None if no rhythm is found) and the
        autocorrelation there (0 when none).
    """
    if len(track) < 4:
        return None, 0.0
    sign = 1.0 if facing == "right" else -1.0
    acs = []
    fs = 0.0
    for u in _forward_offsets(track, sign):
        ur, fs = _uniform(u, track.time)
        if fs <= 0:
            return None, 0.0
        lags = np.arange(int(PERIOD_RANGE_S[0] * fs) - 1, int(PERIOD_RANGE_S[1] * fs) + 2)
        acs.append(_autocorr(ur, lags))
    stacked = np.stack(acs)
    seen = ~np.isnan(stacked)
    if not seen[:, 1:-1].any():
        return None, 0.0
    ac = np.where(seen, stacked, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    ac[~seen.any(axis=0)] = np.nan
    return _pick_peak(ac, lags, fs)


def _pick_peak(ac: FloatArray, lags: npt.NDArray[np.int_], fs: float) -> tuple[
        float | None, float]:
    inner = np.arange(1, ac.size - 1)
    peaks = [i for i in inner if np.isfinite(ac[i]) and ac[i] >= np.nan_to_num(ac[i - 1], nan=-2)
             and ac[i] >= np.nan_to_num(ac[i + 1], nan=-2)]
    best = max((float(ac[p]) for p in peaks), default=0.0)
    if best <= 0:
        return None, 0.0
    i = next(p for p in peaks if ac[p] >= 0.9 * best)
    y0, y1, y2 = ac[i - 1], ac[i], ac[i + 1]
    shift = 0.0
    if np.isfinite(y0) and np.isfinite(y2) and (y0 - 2 * y1 + y2) < 0:
        shift = float(np.clip(0.5 * (y0 - y2) / (y0 - 2 * y1 + y2), -0.5, 0.5))
    return float((lags[i] + shift) / fs), float(max(y1, 0.0))
