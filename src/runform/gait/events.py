"""Initial contact (IC) and toe-off (TO) of each foot on a treadmill, from a side view.

Method
------
1. **Stride period** from the autocorrelation of each ankle's horizontal
   position relative to the pelvis (:func:`runform.cleaning.period.stride_period`).
2. **Strides** of each foot are anchored where the ankle is furthest ahead of
   the pelvis (late swing, shortly *before* contact in running; it is only an
   anchor, never taken as the contact itself).
3. **Stride template** (:mod:`runform.gait.stride_template`): the heel, toe and
   ankle paths (position ahead of the pelvis, and image height) of all
   strides are pooled on the time since their anchor and averaged by local
   regression, and every stride is aligned to that template by least squares.
   Strides fall on different sub-frame phases, so the template is sampled far
   more finely than the video and its jitter is averaged out.
4. **Events on the template**, from the foot's height (Fellin et al. 2010:
   heel vertical minimum for foot strike; DeWitt 2010: toe height for
   toe-off; Handsaker et al. 2016: "whichever of heel or toe first"): IC is
   the first moment the heel *or* the toe reaches the height it holds in
   early stance (within :data:`IC_TOLERANCE` of its range), refined to the
   corner of a continuous two-line fit of its path around that moment
   (:data:`CORNER_BEFORE_S`, :data:`CORNER_AFTER_S`), TO the last
   moment the toe *or* heel is at the height it holds in late stance (within
   :data:`TO_TOLERANCE`). On a treadmill the stance foot is carried backwards
   while the pelvis stays put; the contact window is where the foot is low.
5. **Per-step timing**: each stride is aligned again on a short window around
   IC and around TO separately, so step-to-step changes of contact time are
   kept. Strides that fit the template badly (a swap, an occlusion) or whose
   windows fall in missing data are dropped, never invented.
6. **Running order**: steps must alternate feet, be about half a stride
   apart and leave a flight phase (right on, right off, left on, left off).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.ndimage import gaussian_filter1d

from runform.cleaning.filters import runs, sample_rate
from runform.cleaning.period import stride_period
from runform.gait.stride_template import (
    StrideFit,
    align_many,
    find_anchors,
    fit_strides,
    window,
)
from runform.gait.types import CleanedTrack, Foot, GaitEvents, Step
from runform.gait.view import trunk_length_px
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

__all__ = ["detect_events", "stride_period"]

MIN_STEPS = 6
"""Fewer steps than this make the events unreliable (Dingenen et al. 2018: at
least 7 steps are needed for a stable mean of 2D running kinematics)."""
MIN_PERIODICITY = 0.4
"""Autocorrelation at the stride period below which the rhythm is called unclear."""
MAX_INTERPOLATED_S = 0.1
"""Foot points filled by interpolation over longer spans are ignored for events."""
FLIGHT_TOLERANCE_S = 0.04
"""A contact may start this much before the other foot's toe-off (timing noise)."""
IC_TOLERANCE = 0.02
"""IC: the heel or toe is within this share of its height range of its early-stance depth."""
CORNER_BEFORE_S = 0.04
"""IC: the two-line fit that puts the landing at the corner of the path reaches this far (s)
before the threshold crossing.

The first threshold crossing depends on how rounded the corner is (frame rate,
the cleaning's zero-lag 10 Hz filter, which spreads it over about 20 ms on
each side) and on how far the landmark keeps sinking after touchdown (a loaded
foot, a toe-first landing rolling down onto the heel). The corner between the
descent and the start of the stance path depends on neither. The descent is
close to a straight line, so the fit takes a long stretch of it; the stance
side sinks along a curve, so it takes a short one (:data:`CORNER_AFTER_S`):
a long stance side follows the sinking and pulls the corner late (on the
extended tuning split, toe-first landings came +5 to +10 ms late with a
symmetric +-20 ms fit). The price: a rounded corner that does not sink comes
about 3 ms early instead of 1.7 ms (a synthetic landing rounded like the
filter); one that sinks steadily after touchdown comes 12 ms late instead of
27 ms."""
CORNER_AFTER_S = 0.02
"""IC: the two-line fit reaches this far (s) after the threshold crossing."""
AIR_SHARE = 0.3
"""A point is clearly in the air this share of its height range above its stance depth."""
LIFT_SEARCH_S = 0.12
"""TO: the lift-off corner is searched at most this long before the point's fastest rise."""
DEPTH_SHARE = 0.03
"""TO: a point is still at its late-stance depth within this share of its height range."""
ACCEL_SMOOTH_S = 0.005
"""Gaussian smoothing (s) of the template's acceleration before its peak is taken."""
LOW_BAND = 0.25
"""The template's contact window: the lowest point within this share of its range of the belt."""
MISFIT_LIMIT = 3.0
"""Strides fitting the template worse than this many times the median misfit are dropped."""
CLEAN_MISFIT = 0.015
"""Stride-to-template misfit of well-tracked strides, as a fraction of the trunk length."""
BLOCK_STRIDES = 12
"""Strides per template block (long clips get one template per block, following drift)."""
BANDWIDTH_FRAMES = 0.3
"""Template kernel width in frame intervals (strides fill in between frames)."""
PARTS = ("heel", "foot_index", "ankle")


@dataclass(frozen=True)
class _Candidate:
    foot: Foot
    ic: float | None
    to: float | None


def _foot_signals(track: PoseTrack, foot: str, sign: float) -> FloatArray:
    """Per frame: position ahead of the pelvis and image height of heel, toe, ankle (T, 6).

    Points the cleaning filled over more than :data:`MAX_INTERPOLATED_S` are
    NaN: events must not come from invented data.
    """
    hip = track.midpoint("left_hip", "right_hip")[:, 0]
    if np.isfinite(hip).any():
        hip = np.where(np.isnan(hip), np.nanmedian(hip), hip)
    fs = sample_rate(track.time)
    cols = []
    for part in PARTS:
        xy = track.xy(f"{foot}_{part}").copy()
        for a, b in runs(track.vis(f"{foot}_{part}") == 0):
            if fs <= 0 or (b - a) / fs > MAX_INTERPOLATED_S:
                xy[a:b] = np.nan
        cols += [sign * (xy[:, 0] - hip), xy[:, 1]]
    return np.stack(cols, 1)


def _crossing(grid: FloatArray, y: FloatArray, k: int, j: int, level: float) -> float:
    """Linear interpolation of where y passes ``level`` between grid points k and j."""
    if y[j] == y[k]:
        return float(grid[k])
    return float(grid[k] + (grid[j] - grid[k]) * (level - y[k]) / (y[j] - y[k]))


def template_events(grid: FloatArray, template: FloatArray) -> tuple[float, float] | None:
    """IC and TO on a stride template (seconds on its time axis), or None.

    Columns of ``template`` are those of :func:`_foot_signals`. The contact
    window is the longest run where the lower of heel and toe is within
    :data:`LOW_BAND` of its range of its lowest image position. For heel and
    toe separately:

    * IC (arrival): starting from the last moment before the window where the
      point is clearly in the air (:data:`AIR_SHARE` of its range above its
      deepest early-stance position), the first moment it comes within
      :data:`IC_TOLERANCE` of its range of that position;
    * TO (lift-off corner): the peak of upward acceleration between the last
      moment the point is at its late-stance depth and its fastest rise
      after mid-contact.

    The foot's IC is the earlier of heel and toe, its TO the later.
    """
    heel, toe = template[:, 1], template[:, 3]
    low = np.fmax(heel, toe)
    span = float(np.nanmax(low) - np.nanmin(low)) if np.isfinite(low).any() else 0.0
    if span <= 0:
        return None
    window = max(runs(low >= np.nanmax(low) - LOW_BAND * span), key=lambda r: r[1] - r[0])
    a, b = window[0], window[1] - 1
    n = b - a
    if n < 4:
        return None
    ics, tos = [], []
    for y in (heel, toe):
        ic = _arrival(grid, y, a, n)
        to = _lift_off(grid, y, b, n)
        ics += [] if ic is None else [ic]
        tos += [] if to is None else [to]
    if not ics or not tos or min(ics) >= max(tos):
        return None
    return min(ics), max(tos)


def _arrival(grid: FloatArray, y: FloatArray, a: int, n: int) -> float | None:
    """Landing of one point: when it first comes within tolerance of its early-stance depth."""
    rng = float(np.nanmax(y) - np.nanmin(y))
    deepest = float(np.max(y[a:a + n // 2 + 1]))
    k = a
    while k > 0 and y[k] > deepest - AIR_SHARE * rng:
        k -= 1
    if y[k] > deepest - AIR_SHARE * rng:
        return None
    first = _first_at_least(grid, y, k, +1, deepest - IC_TOLERANCE * rng)
    return None if first is None else corner(grid, y, first, CORNER_BEFORE_S, CORNER_AFTER_S)


def corner(grid: FloatArray, y: FloatArray, near: float, before: float,
           after: float | None = None) -> float:
    """Landing corner of a continuous two-line (hinge) least-squares fit to ``y`` around ``near``.

    One fit over ``[near - before, near + after]``, not re-centred on the
    corner it finds: after touchdown MediaPipe's landmark keeps sinking along a
    curve, and re-centring walks the stretch into that tail. Only corners
    where ``y`` rises more slowly after than before count (image y points
    down: a descent that slows, i.e. a landing), so a long descent side cannot
    pick the start of the descent instead.

    Parameters
    ----------
    grid
        Evenly spaced times, seconds, shape (G,).
    y
        Signal on the grid (e.g. a landmark's image height, y down), shape (G,).
    near
        Rough time of the corner.
    before, after
        How far the fitted stretch reaches before and after ``near``,
        seconds; ``after`` defaults to ``before``.

    Returns
    -------
    float
        The time where the two lines meet, refined between grid points by a
        parabola through the fit's residuals; ``near`` itself when there is
        no landing corner (the stretch holds too few points, the best corner
        is at its edge, or two lines fit no better than one).
    """
    after = before if after is None else after
    inside = (grid >= near - before) & (grid <= near + after) & np.isfinite(y)
    t, v = grid[inside], y[inside]
    if t.size < 7:
        return near
    breaks = t[2:-2]
    d = t[None, :] - breaks[:, None]
    basis = np.stack([np.ones_like(d), np.minimum(d, 0.0), np.maximum(d, 0.0)], -1)
    normal = np.einsum("cni,cnj->cij", basis, basis)
    coef = np.linalg.solve(normal, np.einsum("cni,n->ci", basis, v)[..., None])[..., 0]
    residual = v[None, :] - np.einsum("cni,ci->cn", basis, coef)
    cost = np.einsum("cn,cn->c", residual, residual)
    line = np.polynomial.polynomial.polyfit(t, v, 1)
    line_cost = float(np.sum((v - np.polynomial.polynomial.polyval(t, line)) ** 2))
    straight = np.sqrt(line_cost / t.size) <= 1e-9 * (1.0 + float(np.max(np.abs(v))))
    landing = (coef[:, 1] > 0) & (coef[:, 2] < coef[:, 1])
    if straight or not landing.any():
        return near
    cost = np.where(landing, cost, np.max(cost))
    k = int(np.argmin(cost))
    if k in (0, breaks.size - 1) or not cost[k] < 0.5 * line_cost:
        return near
    return _parabolic(breaks, -cost, k)


def _first_at_least(grid: FloatArray, y: FloatArray, k: int, step: int,
                    level: float) -> float | None:
    """From index k walk by ``step`` to the first y >= level; interpolate the crossing."""
    start = k
    while 0 <= k < y.size and y[k] < level:
        k += step
    if not 0 <= k < y.size or k == start:
        return None
    return _crossing(grid, y, k - step, k, level)


def _lift_off(grid: FloatArray, y: FloatArray, b: int, n: int) -> float | None:
    """Lift-off of one point: the corner where it starts to rise after stance.

    The corner is where the point's upward acceleration peaks, between the
    last moment it is still at its late-stance depth (within
    :data:`DEPTH_SHARE` of its range) and its fastest rise. Symmetric
    smoothing (the zero-lag filter, the template's kernel) spreads a corner
    evenly on both sides, so the peak of the second derivative stays on the
    corner, unlike a threshold crossing.
    """
    dt = float(grid[1] - grid[0])
    rise = -np.gradient(y, grid)  # upward speed, px/s
    mid = max(0, b - n // 2)
    hi = min(y.size - y.size // 50, b + n // 2 + 1)
    if hi - mid < 3:
        return None
    fastest = mid + int(np.argmax(rise[mid:hi]))
    if rise[fastest] <= 0 or fastest - mid < 2:
        return None
    rng = float(np.nanmax(y) - np.nanmin(y))
    deep = y[mid:fastest + 1] >= np.max(y[mid:fastest + 1]) - DEPTH_SHARE * rng
    lo = mid + int(np.flatnonzero(deep)[-1])
    lo = max(lo, fastest - int(round(LIFT_SEARCH_S / dt)))
    if fastest - lo < 2:
        return None
    accel = gaussian_filter1d(np.gradient(rise, grid), ACCEL_SMOOTH_S / dt)
    k = lo + int(np.argmax(accel[lo:fastest + 1]))
    return _parabolic(grid, accel, k)


def _parabolic(grid: FloatArray, f: FloatArray, k: int) -> float:
    """Refine a peak of ``f`` at grid index k with a parabola through its neighbours."""
    if 0 < k < f.size - 1:
        y0, y1, y2 = f[k - 1], f[k], f[k + 1]
        curv = y0 - 2 * y1 + y2
        if np.isfinite(curv) and curv < 0:
            return float(grid[k] + 0.5 * (y0 - y2) / curv * (grid[1] - grid[0]))
    return float(grid[k])


def _bandwidth(fs: float) -> float:
    """Template kernel width: BANDWIDTH_FRAMES of a frame interval, at least 4 ms."""
    return max(BANDWIDTH_FRAMES / fs, 0.004) if fs > 0 else 0.02


def _blocks(anchors: FloatArray) -> list[FloatArray]:
    """Split the strides into consecutive blocks of at most about :data:`BLOCK_STRIDES`."""
    count = max(1, int(round(anchors.size / BLOCK_STRIDES)))
    return [b for b in np.array_split(anchors, count) if b.size]


def _foot_steps(track: PoseTrack, foot: Foot, sign: float, period: float
                ) -> tuple[list[_Candidate], int]:
    """Find one foot's steps from its stride templates; also count the strides dropped."""
    time = track.time
    signals = _foot_signals(track, foot, sign)
    anchors = find_anchors(time, signals[:, 4], period)
    fits, dropped = _block_fits(track, signals, anchors, period)
    out: list[_Candidate] = []
    for i, (fit, events) in enumerate(fits):
        previous = float(fits[i - 1][0].anchors[-1]) if i else None
        fit = _with_missing_strides(time, signals, fit, period, previous=previous,
                                    last=i == len(fits) - 1)
        steps, bad = _steps_from_fit(time, signals, fit, events, foot, period)
        out += steps
        dropped += bad
    return out, dropped


def _block_fits(track: PoseTrack, signals: FloatArray, anchors: FloatArray, period: float
                ) -> tuple[list[tuple[StrideFit, tuple[float, float]]], int]:
    """Fit a template to each block of strides and find its events.

    Returns the blocks whose template gave events, in time order, and the
    number of strides in blocks whose template gave none.
    """
    time = track.time
    trunk = trunk_length_px(track)
    bandwidth = _bandwidth(sample_rate(time))
    fits = []
    dropped = 0
    for block in _blocks(anchors):
        fit = fit_strides(time, signals, block, period, bandwidth,
                          reference_misfit=CLEAN_MISFIT * trunk if np.isfinite(trunk) else None)
        if fit is None:
            continue
        events = template_events(fit.grid, fit.template)
        if events is None:
            dropped += fit.anchors.size
            continue
        fits.append((fit, events))
    return fits, dropped


def _with_missing_strides(time: FloatArray, signals: FloatArray, fit: StrideFit,
                          period: float, *, previous: float | None = None,
                          last: bool = True) -> StrideFit:
    """Add strides the anchor search missed.

    Where the rhythm predicts one (a gap of more than 1.5 periods, or before
    the first and after the last anchor) it is aligned to the template; it is
    kept only if its events then pass the same checks as the others.

    A block of strides covers the gap since ``previous`` (the last stride of
    the block before it, None for the first block, which reaches back to the
    clip's start instead); only the ``last`` block reaches on to the clip's
    end. Each stride is so looked for by one block: extending every block to
    both ends of the clip would align every block's template to every stride
    (time growing with the square of the clip's length) and count the
    duplicates as dropped.
    """
    anchors = list(fit.anchors)
    extra: list[float] = []
    first, final = anchors[0], anchors[-1]
    if previous is None:
        t = first - period
        while t + fit.grid[-1] > time[0]:
            extra.append(t)
            t -= period
    else:
        anchors.insert(0, previous)
    if last:
        t = final + period
        while t + fit.grid[0] < time[-1]:
            extra.append(t)
            t += period
    for a, b in zip(anchors, anchors[1:], strict=False):
        count = int(round((b - a) / period)) - 1
        extra += [a + (k + 1) * (b - a) / (count + 1) for k in range(count)]
    if not extra:
        return fit
    lo, hi = float(fit.grid[0]), float(fit.grid[-1])
    shifts, rms = align_many(time, signals, np.asarray(extra, dtype=np.float64), fit.grid,
                             fit.template, lo, hi, 0.1 * period)
    new = [a + shift for a, shift in zip(extra, shifts, strict=True) if shift is not None]
    misfit = [r for shift, r in zip(shifts, rms, strict=True) if shift is not None]
    if not new:
        return fit
    all_anchors = np.concatenate([fit.anchors, new])
    order = np.argsort(all_anchors)
    return StrideFit(anchors=all_anchors[order], grid=fit.grid, template=fit.template,
                     misfit=np.concatenate([fit.misfit, misfit])[order])


def _steps_from_fit(time: FloatArray, signals: FloatArray, fit: StrideFit,
                    events: tuple[float, float], foot: Foot, period: float
                    ) -> tuple[list[_Candidate], int]:
    ic_t, to_t = events
    limit = MISFIT_LIMIT * float(np.median(fit.misfit[np.isfinite(fit.misfit)])) if np.isfinite(
        fit.misfit).any() else np.inf
    half = min(0.1, 0.15 * period)
    fitting = fit.misfit <= limit
    ics = _local_times(time, signals, fit, fit.anchors[fitting], ic_t, half)
    tos = _local_times(time, signals, fit, fit.anchors[fitting][[ic is not None for ic in ics]],
                       to_t, half)
    out: list[_Candidate] = []
    dropped = 0
    ic_of = iter(ics)
    to_of = iter(tos)
    for anchor, fits in zip(fit.anchors, fitting, strict=True):
        inside = time[0] <= anchor + ic_t - half and anchor + ic_t + half <= time[-1]
        ic = next(ic_of) if fits else None
        if ic is None:
            # A stride cut by the clip's ends is not a dropped step; a bad fit inside is.
            dropped += int(inside)
            continue
        out.append(_Candidate(foot=foot, ic=ic, to=next(to_of)))
    return out, dropped


def _local_times(time: FloatArray, signals: FloatArray, fit: StrideFit, anchors: FloatArray,
                 event: float, half: float) -> list[float | None]:
    """Event time of each stride from aligning a short window around it to the template.

    None for a stride with fewer than three frames seen in the window or
    whose alignment fails.
    """
    lo, hi = max(event - half, fit.grid[0]), min(event + half, fit.grid[-1])
    seen = np.array([np.isfinite(signals[window(time, a + lo, a + hi)]).any(1).sum() >= 3
                     for a in anchors], dtype=bool)
    shifts, _ = align_many(time, signals, anchors[seen], fit.grid, fit.template, lo, hi,
                           0.6 * half)
    found = iter(shifts)
    out: list[float | None] = []
    for anchor, ok in zip(anchors, seen, strict=True):
        shift = next(found) if ok else None
        out.append(None if shift is None else float(anchor + shift + event))
    return out


def _assemble(cands: list[_Candidate], period: float) -> tuple[list[_Candidate], int]:
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
        steps.append(_Candidate(foot=c.foot, ic=ic, to=to))
    return steps, dropped


def _conflicts(prev: _Candidate, cur: _Candidate, period: float) -> bool:
    gap = float(cur.ic or 0) - float(prev.ic or 0)
    if cur.foot == prev.foot:
        return gap < 0.7 * period
    return gap < 0.25 * period


def _nearest_frame(time: FloatArray, t: float) -> int:
    k = int(np.clip(np.searchsorted(time, t), 1, max(time.size - 1, 1)))
    return k - 1 if time.size > 1 and abs(time[k - 1] - t) <= abs(time[k] - t) else min(
        k, time.size - 1)


def _to_steps(time: FloatArray, cands: list[_Candidate]) -> list[Step]:
    inside = [c for c in cands if c.ic is not None and time[0] <= c.ic <= time[-1]]
    return [Step(foot=c.foot, ic_time=float(c.ic or 0.0),
                 ic_frame=_nearest_frame(time, float(c.ic or 0.0)),
                 to_time=c.to if c.to is not None and c.to <= time[-1] else None,
                 to_frame=None if c.to is None or c.to > time[-1] else _nearest_frame(time, c.to))
            for c in inside]


def detect_events(cleaned: CleanedTrack) -> GaitEvents:
    """Find the initial contacts and toe-offs of both feet in a side-view treadmill clip.

    See the module notes for the method. Times are real seconds on the
    track's clock, refined below one frame.

    Parameters
    ----------
    cleaned
        Output of :func:`runform.cleaning.clean_track`.

    Returns
    -------
    GaitEvents
        Steps in time order, the stride period, how many candidate strides
        were dropped, and whether the events are reliable (with a plain-words
        reason when not).
    """
    track = cleaned.track
    period, strength = stride_period(track, cleaned.facing)
    if period is None:
        return GaitEvents(steps=(), stride_period_s=None, reliable=False,
                          reason="No running rhythm was found in the feet's motion.")
    sign = 1.0 if cleaned.facing == "right" else -1.0
    cands: list[_Candidate] = []
    dropped = 0
    feet: tuple[Foot, Foot] = ("left", "right")
    for foot in feet:
        found, bad = _foot_steps(track, foot, sign, period)
        cands += found
        dropped += bad
    kept, conflicts = _assemble(cands, period)
    steps = _to_steps(track.time, kept)
    reason = _unreliable_reason(cleaned, steps, period, strength)
    return GaitEvents(steps=tuple(steps), stride_period_s=period, reliable=reason is None,
                      reason=reason, dropped=dropped + conflicts)


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
