"""Initial contact (IC) and toe-off (TO) of each foot on a treadmill, from a side view.

Method (see ``docs``-level notes in the module functions):

1. **Stride period** from the autocorrelation of each foot's horizontal
   position relative to the pelvis (:func:`stride_period`).
2. **Ground level** per foot: the foot's lowest point (the lower of heel and
   toe in the image) rests on the belt during stance, so the top quantile of
   its image height is the belt line; near and far foot get their own line
   (perspective).
3. **Contacts** are the runs of frames in which the lowest point is within a
   band above that line *and* the foot travels backwards (the stance foot is
   carried by the belt while the pelvis stays put).
4. **Sub-frame timing**: IC is when the lowest point reaches the belt line
   (where the landing descent meets the stance plateau), TO when it leaves it,
   both interpolated between frames.
5. **Running order**: steps must alternate feet, be spaced about half a stride
   apart and leave a flight phase (right on, right off, left on, left off);
   steps that break this are dropped and counted, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from runform.cleaning.filters import runs, sample_rate
from runform.gait.types import CleanedTrack, Foot, GaitEvents, Step
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MIN_STEPS = 6
"""Fewer steps than this make the events unreliable (Dingenen et al. 2018: at
least 7 steps are needed for a stable mean of 2D running kinematics)."""
PERIOD_RANGE_S = (0.45, 1.25)
"""Stride periods searched: 96-267 steps per minute."""
MIN_PERIODICITY = 0.4
"""Autocorrelation at the stride period below which the rhythm is called unclear."""
MAX_INTERPOLATED_S = 0.1
"""Foot points filled by interpolation over longer spans are ignored for events."""
FLIGHT_TOLERANCE_S = 0.04
"""A contact may start this much before the other foot's toe-off (timing noise)."""
CROSSING_SHARE = 0.5
"""IC and TO are timed where the lowest point crosses this share of the contact band
above the belt line, then extrapolated to the line itself."""
EXTRAPOLATE = {"ic": False, "to": False}


@dataclass(frozen=True)
class _Candidate:
    foot: Foot
    ic: float | None
    to: float | None
    start: int
    stop: int


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


def _lowest_point(track: PoseTrack, foot: str) -> FloatArray:
    """Image height (y, down) of the foot's lowest point: the lower of heel and toe."""
    heel, toe = track.xy(f"{foot}_heel")[:, 1], track.xy(f"{foot}_foot_index")[:, 1]
    stacked = np.stack([heel, toe])
    out = np.full(heel.shape, np.nan)
    ok = ~np.isnan(stacked).all(axis=0)
    out[ok] = np.nanmax(stacked[:, ok], axis=0)
    # Ignore points the cleaning filled over longer spans: no events from invented data.
    vis = np.stack([track.vis(f"{foot}_heel"), track.vis(f"{foot}_foot_index")])
    filled = (vis == 0).all(axis=0)
    fs = sample_rate(track.time)
    for a, b in runs(filled):
        if fs <= 0 or (b - a) / fs > MAX_INTERPOLATED_S:
            out[a:b] = np.nan
    return out


@dataclass(frozen=True)
class _Ground:
    level: float  # image y of the belt line for this foot
    band: float  # contact when within this many px of the line
    lift: float  # typical swing lift, px


def _ground(low: FloatArray) -> _Ground | None:
    vals = low[~np.isnan(low)]
    if vals.size < 8:
        return None
    top = vals[vals >= np.percentile(vals, 75)]
    level = float(np.median(top))
    noise = 1.4826 * float(np.median(np.abs(top - level)))
    lift = level - float(np.percentile(vals, 5))
    if lift <= 0:
        return None
    return _Ground(level=level, band=max(0.12 * lift, 3.0 * noise), lift=lift)


def _crossing(time: FloatArray, y: FloatArray, i: int, j: int, level: float) -> float | None:
    """Time where y crosses ``level`` between samples i and j (linear), else None."""
    if not (0 <= i < y.size and 0 <= j < y.size):
        return None
    yi, yj = y[i], y[j]
    if np.isnan(yi) or np.isnan(yj) or yi == yj:
        return None
    frac = (level - yi) / (yj - yi)
    if not 0.0 <= frac <= 1.0:
        return None
    return float(time[i] + frac * (time[j] - time[i]))


def _first_crossing(time: FloatArray, y: FloatArray, start: int, stop: int, level: float, *,
                    forward: bool) -> float | None:
    """Find where y first reaches ``level`` walking from ``start`` towards ``stop``.

    The crossing is interpolated linearly with the sample before it.
    """
    step = 1 if forward else -1
    k = start
    while k != stop and 0 <= k < y.size:
        if not np.isnan(y[k]) and y[k] >= level:
            i, j = (k - step, k) if forward else (k, k - step)
            return _crossing(time, y, i, j, level)
        k += step
    return None


def _extrapolate(time: FloatArray, y: FloatArray, t_cross: float, ground: float,
                 level: float, *, forward: bool) -> float:
    """Carry a crossing time on to the belt line along the local slope (at most one frame)."""
    k = int(np.clip(np.searchsorted(time, t_cross), 1, time.size - 1))
    dt = time[k] - time[k - 1]
    slope = (y[k] - y[k - 1]) / dt
    if not np.isfinite(slope) or slope == 0:
        return t_cross
    shift = float(np.clip((ground - level) / slope, -dt, dt))
    return t_cross + shift


def _foot_candidates(track: PoseTrack, foot: Foot, sign: float,
                     period: float) -> tuple[list[_Candidate], int]:
    """Contacts of one foot; also the number of contact-like runs rejected."""
    low = _lowest_point(track, foot)
    ground = _ground(low)
    if ground is None:
        return [], 0
    time = track.time
    with np.errstate(invalid="ignore"):
        near = low >= ground.level - ground.band
    near = _close_small_holes(near, low, time, 0.08 * period)
    x = track.xy(f"{foot}_ankle")[:, 0]
    out: list[_Candidate] = []
    rejected = 0
    for a, b in runs(near):
        if time[b - 1] - time[a] < 0.05 * period:
            continue
        if not _moves_backwards(x[a:b], time[a:b], sign):
            rejected += 1
            continue
        level = ground.level - CROSSING_SHARE * ground.band
        ic = _first_crossing(time, low, a, b, level, forward=True) if a > 0 else None
        to = _first_crossing(time, low, b - 1, a - 1, level, forward=False) if (
            b < low.size) else None
        if ic is not None and EXTRAPOLATE["ic"]:
            ic = _extrapolate(time, low, ic, ground.level, level, forward=True)
        if to is not None and EXTRAPOLATE["to"]:
            to = _extrapolate(time, low, to, ground.level, level, forward=False)
        out.append(_Candidate(foot=foot, ic=ic, to=to, start=a, stop=b))
    return out, rejected


def _close_small_holes(mask: BoolArray, low: FloatArray, time: FloatArray,
                       max_s: float) -> BoolArray:
    """Join contact runs split by a short, fully observed dip (noise)."""
    out = mask.copy()
    for a, b in runs(~mask):
        if a == 0 or b == mask.size or np.isnan(low[a:b]).any():
            continue
        if time[b] - time[a - 1] <= max_s:
            out[a:b] = True
    return out


def _moves_backwards(x: FloatArray, time: FloatArray, sign: float) -> bool:
    ok = ~np.isnan(x)
    if ok.sum() < 2:
        return True
    slope = np.polyfit(time[ok], x[ok], 1)[0]
    return bool(sign * slope < 0)


def _assemble(cands: list[_Candidate], period: float) -> tuple[list[Step], int]:
    """Order the contacts and enforce the running pattern.

    A contact that comes too soon after the previous one (the same foot within
    0.7 stride, or the other foot within a quarter stride) is dropped and
    counted. A toe-off that is later than the next contact (beyond
    :data:`FLIGHT_TOLERANCE_S`: running has flight phases) or that makes the
    contact longer than 0.6 stride is removed (the step keeps its IC).
    """
    usable = sorted((c for c in cands if c.ic is not None), key=lambda c: float(c.ic or 0))
    dropped = 0
    kept: list[_Candidate] = []
    for c in usable:
        if kept and _conflicts(kept[-1], c, period):
            dropped += 1
            continue
        kept.append(c)
    steps = []
    for i, c in enumerate(kept):
        to = c.to
        nxt = kept[i + 1].ic if i + 1 < len(kept) else None
        ic = float(c.ic or 0.0)
        if to is not None and ((nxt is not None and nxt < to - FLIGHT_TOLERANCE_S)
                               or not 0.0 < to - ic <= 0.6 * period):
            to = None
        steps.append(_Candidate(foot=c.foot, ic=ic, to=to, start=c.start, stop=c.stop))
    return _to_steps(steps), dropped


def _conflicts(prev: _Candidate, cur: _Candidate, period: float) -> bool:
    gap = float(cur.ic or 0) - float(prev.ic or 0)
    if cur.foot == prev.foot:
        return gap < 0.7 * period
    return gap < 0.25 * period


def _to_steps(cands: list[_Candidate]) -> list[Step]:
    return [Step(foot=c.foot, ic_time=float(c.ic or 0.0), ic_frame=c.start,
                 to_time=c.to, to_frame=None if c.to is None else c.stop - 1) for c in cands]


def detect_events(cleaned: CleanedTrack) -> GaitEvents:
    """Find the initial contacts and toe-offs of both feet in a side-view treadmill clip.

    Parameters
    ----------
    cleaned
        Output of :func:`runform.cleaning.clean_track`.

    Returns
    -------
    GaitEvents
        Steps in time order, the stride period, and whether the events are
        reliable (with a plain-words reason when not).
    """
    track = cleaned.track
    period, strength = stride_period(track, cleaned.facing)
    if period is None:
        return GaitEvents(steps=(), stride_period_s=None, reliable=False,
                          reason="No running rhythm was found in the feet's motion.")
    sign = 1.0 if cleaned.facing == "right" else -1.0
    cands: list[_Candidate] = []
    rejected = 0
    feet: tuple[Foot, Foot] = ("left", "right")
    for foot in feet:
        c, r = _foot_candidates(track, foot, sign, period)
        cands += c
        rejected += r
    steps, dropped = _assemble(cands, period)
    reason = _unreliable_reason(cleaned, steps, period, strength)
    return GaitEvents(steps=tuple(steps), stride_period_s=period, reliable=reason is None,
                      reason=reason, dropped=dropped + rejected)


def _unreliable_reason(cleaned: CleanedTrack, steps: list[Step], period: float,
                       strength: float) -> str | None:
    if cleaned.view != "side":
        return (f"This is a {cleaned.view} view; contact timing needs a side view of the "
                "runner.")
    if strength < MIN_PERIODICITY:
        return "The feet show no clear running rhythm, so contacts cannot be trusted."
    if len(steps) < MIN_STEPS:
        return (f"Only {len(steps)} steps were found; at least {MIN_STEPS} are needed for "
                "trustworthy averages. Record a longer clip.")
    track = cleaned.track
    seen = float(np.sum(np.diff(track.time)[track.detected[1:]]))
    expected = seen / (0.5 * period)
    if len(steps) < 0.6 * expected:
        return (f"Only {len(steps)} of about {expected:.0f} expected steps were found; the "
                "feet are unclear in much of the clip.")
    return None
