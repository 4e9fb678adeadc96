"""What every metric module needs: the measuring context, confidence and result objects.

A metric result is a plain dict (the shape of one entry of
``summary.json["metrics"]``): ``{"value", "unit", "confidence", ...extra}``;
``value`` is None when the metric cannot be measured, with a ``reason`` in
plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from runform.gait.types import Facing, Foot, Step, View
from runform.metrics.geometry import forward_sign, sample_at
from runform.metrics.table import spec
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MIN_STEPS_PER_SIDE = 7
"""Dingenen et al. 2018: at least 7 steps for a stable mean of 2D running kinematics."""
FULL_STEPS_PER_SIDE = 10
"""Steps per side at which the step count no longer lowers the confidence."""
MIN_TREND_POINTS = 5
"""Values needed before the scatter of a clip mean is measured about its trend line."""


@dataclass(frozen=True)
class MetricContext:
    """Inputs shared by the metric modules for one clip."""

    track: PoseTrack
    """Cleaned track: pixels, image y down, real-time seconds."""
    facing: Facing
    view: View
    near: Foot
    """The side of the body nearer the camera (primary limb)."""
    steps: tuple[Step, ...]
    """Initial contacts in time order (both feet)."""
    stride_period_s: float | None = None
    events_reliable: bool = True
    px_per_cm: float | None = None
    leg_length_px: float | None = None
    speed_kmh: float | None = None

    @property
    def sign(self) -> float:
        """+1 when running towards +x in the image, else -1."""
        return forward_sign(self.facing)

    @property
    def far(self) -> Foot:
        """The side farther from the camera."""
        return "left" if self.near == "right" else "right"

    @property
    def fps(self) -> float:
        """Real-time frame rate from the median frame interval (0 for < 2 frames)."""
        if self.track.time.size < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.track.time)))

    def xy(self, name: str) -> FloatArray:
        """Pixel positions of one landmark, shape (T, 2)."""
        return self.track.xy(name)

    def limb(self, side: Foot, part: str) -> FloatArray:
        """Pixel positions of ``{side}_{part}`` (e.g. ``limb("left", "knee")``)."""
        return self.track.xy(f"{side}_{part}")

    def mid(self, part: str) -> FloatArray:
        """Midpoint of the left and right ``part`` (e.g. ``mid("hip")``)."""
        return self.track.midpoint(f"left_{part}", f"right_{part}")

    def steps_of(self, foot: Foot) -> tuple[Step, ...]:
        """Return the steps of one foot, in time order."""
        return tuple(s for s in self.steps if s.foot == foot)

    def whole_strides(self) -> BoolArray:
        """Frames between the near foot's first and last contact (whole strides).

        Falls back to the other foot, then to every frame, when a foot has
        fewer than two contacts.
        """
        for foot in (self.near, self.far):
            ics = [s.ic_time for s in self.steps_of(foot)]
            if len(ics) >= 2:
                return (self.track.time >= ics[0]) & (self.track.time <= ics[-1])
        return np.ones(self.track.time.size, dtype=bool)

    def visibility(self, names: tuple[str, ...], frames: BoolArray | None = None) -> float:
        """Mean MediaPipe visibility of some landmarks (1.0 when unknown)."""
        vis = np.stack([self.track.vis(n) for n in names], axis=1)
        if frames is not None:
            vis = vis[frames]
        finite = vis[np.isfinite(vis)]
        return float(finite.mean()) if finite.size else 1.0


def confidence(*, steps: int | None = None, full_steps: int = FULL_STEPS_PER_SIDE,
               visibility: float | None = None, fps: float | None = None,
               full_fps: float = 30.0, spread: float | None = None,
               tolerance: float | None = None, reliable: bool = True) -> float:
    """Combine the evidence behind one value into a confidence 0..1.

    The confidence is the product of independent factors, each 1 when that
    source of doubt is absent:

    - step count: ``min(1, steps / full_steps)`` (10 steps per side for a
      stable 2D mean, Dingenen 2018);
    - visibility: 1 at a mean MediaPipe visibility of 0.8 or more, falling
      linearly to 0 at 0.3;
    - frame rate: ``min(1, fps / full_fps)``;
    - consistency: ``1 / (1 + (spread / tolerance)**2)``, where ``spread``
      is the standard error of the value (e.g. SD over steps / sqrt(n)) and
      ``tolerance`` the error that still makes the value useful;
    - events: 0.5 when the gait events were flagged unreliable.

    Returns
    -------
    float
        Confidence rounded to 2 decimals.
    """
    c = 1.0
    if steps is not None:
        c *= min(1.0, max(steps, 0) / full_steps)
    if visibility is not None and np.isfinite(visibility):
        c *= float(np.clip((visibility - 0.3) / 0.5, 0.0, 1.0))
    if fps is not None:
        c *= min(1.0, max(fps, 0.0) / full_fps)
    if spread is not None and tolerance is not None and np.isfinite(spread):
        c *= 1.0 / (1.0 + (spread / tolerance) ** 2)
    if not reliable:
        c *= 0.5
    return round(float(c), 2)


def standard_error(values: FloatArray, times: FloatArray | None = None) -> float:
    """Return the standard error of the mean of the finite values (NaN for fewer than 2).

    Parameters
    ----------
    values
        One value per step or stride.
    times
        When each value was taken, seconds, same shape as ``values``
        (optional). With at least :data:`MIN_TREND_POINTS` finite values the
        scatter is then measured about the least-squares line through
        (time, value) instead of about the mean: a steady change over the clip
        (a lean that grows as the runner tires) is real and reported as drift,
        so it must not count as measurement scatter and lower the confidence
        of the clip mean. For values without a trend both estimates agree.

    Returns
    -------
    float
        Scatter (SD, ``ddof`` 1 about the mean or 2 about the line) divided
        by the square root of the number of values.
    """
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if times is not None:
        t = np.asarray(times, dtype=np.float64)
        finite &= np.isfinite(t)
        if finite.sum() >= MIN_TREND_POINTS and np.ptp(t[finite]) > 0:
            slope, intercept = np.polyfit(t[finite], v[finite], 1)
            residual = v[finite] - (slope * t[finite] + intercept)
            n = residual.size
            return float(np.sqrt(np.sum(residual**2) / (n - 2)) / np.sqrt(n))
    v = v[finite]
    if v.size < 2:
        return float("nan")
    return float(v.std(ddof=1) / np.sqrt(v.size))


def measured(key: str, value: float | str, conf: float, **extra: Any) -> dict[str, Any]:
    """Build a measured entry: value, unit (from the metric table), confidence, extras."""
    out: dict[str, Any] = {"value": _plain(value), "unit": spec(key).unit,
                           "confidence": float(conf)}
    out.update({k: _plain(v) for k, v in extra.items()})
    return out


def unmeasured(key: str, reason: str, **extra: Any) -> dict[str, Any]:
    """Build the entry of a metric that could not be measured, with the reason in words."""
    out: dict[str, Any] = {"value": None, "unit": spec(key).unit, "confidence": 0.0,
                           "reason": reason}
    out.update({k: _plain(v) for k, v in extra.items()})
    return out


def rounded(value: float, digits: int = 2) -> float | None:
    """Round a float for the summary; None when it is not finite."""
    return round(float(value), digits) if np.isfinite(value) else None


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def stride_bounds(ctx: MetricContext, foot: Foot | None = None) -> list[tuple[float, float]]:
    """(start, end) times of each stride: consecutive contacts of one foot (default: near)."""
    ics = [s.ic_time for s in ctx.steps_of(foot or ctx.near)]
    return list(zip(ics[:-1], ics[1:], strict=False))


def step_bounds(ctx: MetricContext) -> list[tuple[float, float]]:
    """(start, end) times of each step: a contact to the next contact of either foot.

    The last step has no end and is left out, so the list is one shorter
    than ``ctx.steps``.
    """
    ics = [s.ic_time for s in ctx.steps]
    return list(zip(ics[:-1], ics[1:], strict=False))


def frames_between(time: FloatArray, start: float, end: float, *,
                   include_end: bool = False) -> slice:
    """Frames with ``start <= time < end`` (``<= end`` with ``include_end``), as a slice.

    ``time`` must be increasing (a track's is). A binary search: a mask over
    the whole clip for every step would make long clips cost the square of
    their length.
    """
    return slice(int(np.searchsorted(time, start, side="left")),
                 int(np.searchsorted(time, end, side="right" if include_end else "left")))


def interval_means(time: FloatArray, series: FloatArray,
                   bounds: list[tuple[float, float]]) -> FloatArray:
    """Mean of a per-frame series over each [start, end) interval (NaN if empty)."""
    out = np.full(len(bounds), np.nan)
    for i, (t0, t1) in enumerate(bounds):
        seg = series[frames_between(time, t0, t1)]
        seg = seg[np.isfinite(seg)]
        if seg.size:
            out[i] = seg.mean()
    return out


def frame_series_entry(ctx: MetricContext, key: str, series: FloatArray,
                       landmarks: tuple[str, ...], tolerance: float,
                       missing_reason: str) -> dict[str, Any]:
    """Summarise a per-frame angle into a metric entry: its mean over whole strides.

    Averaging over whole strides of the near foot weights every phase of
    the stride equally. The whole-stride mean is then moved
    along the per-stride trend to the middle of the frames where the angle
    was measured (see :func:`shift_to_clip_centre`), so that a value that
    drifts over the clip is reported as its mean over the whole clip, not
    over the strides' window, which the partial strides at the two ends can
    leave up to half a stride off-centre. Extras: ``min``, ``max``
    (per-frame), the SD of the per-stride means and the number of strides.
    Confidence uses the stride count, the landmarks' visibility, the frame
    rate and the standard error of the per-stride means (scatter about their
    trend over the clip, see :func:`standard_error`) against ``tolerance``.
    """
    frames = ctx.whole_strides() & np.isfinite(series)
    if not frames.any():
        return unmeasured(key, missing_reason)
    bounds = stride_bounds(ctx)
    per_stride = interval_means(ctx.track.time, series, bounds)
    mid_times = np.array([0.5 * (t0 + t1) for t0, t1 in bounds], dtype=np.float64)
    n = int(np.isfinite(per_stride).sum())
    conf = confidence(steps=n, visibility=ctx.visibility(landmarks, frames), fps=ctx.fps,
                      full_fps=spec(key).full_fps, spread=standard_error(per_stride, mid_times),
                      tolerance=tolerance, reliable=ctx.events_reliable)
    sd = float(np.nanstd(per_stride, ddof=1)) if n > 1 else float("nan")
    value = float(np.mean(series[frames]))
    value += shift_to_clip_centre(ctx.track.time, series, frames, per_stride, mid_times)
    return measured(key, value, conf,
                    min=float(np.min(series[frames])), max=float(np.max(series[frames])),
                    stride_sd=sd, strides=n)


def shift_to_clip_centre(time: FloatArray, series: FloatArray, frames: BoolArray,
                         per_stride: FloatArray, mid_times: FloatArray) -> float:
    """Change of a whole-stride mean when moved to the middle of the measured clip.

    The mean over whole strides is the value at the middle of the strides'
    window; the mean over the clip is the value at the middle of the frames
    where the series is finite. Between the two, the value changes by the
    slope of the least-squares line through the per-stride means times the
    distance between the two middles. The distance is limited to one stride
    (partial strides at the ends never move the window's middle by more than
    half a stride; a larger distance means events were lost, and the trend
    is not extrapolated that far).

    Parameters
    ----------
    time
        Frame times, seconds, shape (T,).
    series
        Per-frame values, shape (T,), NaN where unmeasured.
    frames
        Frames of the whole-stride mean, boolean (T,).
    per_stride, mid_times
        Mean of the series over each stride and each stride's middle time, seconds.

    Returns
    -------
    float
        The shift to add to the whole-stride mean (units of ``series``); 0.0
        with fewer than :data:`MIN_TREND_POINTS` strides, where no trend is
        taken.
    """
    ok = np.isfinite(per_stride) & np.isfinite(mid_times)
    if ok.sum() < MIN_TREND_POINTS or np.ptp(mid_times[ok]) <= 0 or not frames.any():
        return 0.0
    slope = float(np.polyfit(mid_times[ok], per_stride[ok], 1)[0])
    stride_s = float(np.median(np.diff(mid_times[ok])))
    offset = float(np.mean(time[np.isfinite(series)]) - np.mean(time[frames]))
    return slope * float(np.clip(offset, -stride_s, stride_s))


def at_contacts(ctx: MetricContext, series: dict[Foot, FloatArray]) -> FloatArray:
    """Sample each foot's per-frame series at that foot's initial contacts.

    Parameters
    ----------
    ctx
        Measuring context (its steps give the contact times).
    series
        Per-frame values of each foot, shape (T,) each.

    Returns
    -------
    numpy.ndarray
        One value per step of ``ctx.steps`` (NaN where unmeasurable),
        linearly interpolated at the sub-frame contact time.
    """
    return np.array([sample_at(ctx.track.time, series[s.foot], s.ic_time) for s in ctx.steps],
                    dtype=np.float64)


def near_mask(ctx: MetricContext) -> BoolArray:
    """Which steps of ``ctx.steps`` belong to the near foot."""
    return np.array([s.foot == ctx.near for s in ctx.steps], dtype=bool)


def leg_landmarks(side: Foot) -> tuple[str, ...]:
    """Hip, knee, ankle, heel and toe landmark names of one leg."""
    return tuple(f"{side}_{p}" for p in ("hip", "knee", "ankle", "heel", "foot_index"))


def contact_entry(ctx: MetricContext, key: str, per_step: FloatArray, tolerance: float,
                  scale: float = 1.0, **extra: Any) -> dict[str, Any]:
    """Summarise per-step values at contact into a metric entry (near foot's mean).

    Parameters
    ----------
    ctx
        Measuring context.
    key
        Metric key.
    per_step
        One value per step of ``ctx.steps`` in the measured unit before
        ``scale``.
    tolerance
        Standard error of the mean (after ``scale``) that still makes the
        value useful.
    scale
        Divisor turning the values into the reported unit (e.g. px per cm).
    **extra
        Extra fields for the entry.

    Returns
    -------
    dict
        ``value`` = mean over the near foot's contacts (all contacts when
        the near foot has none); extras ``side``, ``n``, ``sd``,
        ``by_foot`` (mean per foot). The confidence's scatter term is taken
        about the values' trend over the clip (see :func:`standard_error`).
    """
    values = np.asarray(per_step, dtype=np.float64) / scale
    near = near_mask(ctx) & np.isfinite(values)
    use, side = (near, ctx.near) if near.any() else (np.isfinite(values), "both")
    if not use.any():
        return unmeasured(key, "No initial contact could be measured.", **extra)
    chosen = values[use]
    times = np.array([s.ic_time for s in ctx.steps], dtype=np.float64)[use]
    by_foot = {foot: _mean_or_none(values[[s.foot == foot for s in ctx.steps]])
               for foot in ("left", "right")}
    conf = confidence(steps=int(chosen.size), visibility=ctx.visibility(leg_landmarks(ctx.near)),
                      fps=ctx.fps, full_fps=spec(key).full_fps,
                      spread=standard_error(chosen, times), tolerance=tolerance,
                      reliable=ctx.events_reliable)
    sd = float(chosen.std(ddof=1)) if chosen.size > 1 else float("nan")
    return measured(key, float(chosen.mean()), conf, side=side, n=int(chosen.size), sd=sd,
                    by_foot=by_foot, **extra)


def _mean_or_none(values: FloatArray) -> float | None:
    v = values[np.isfinite(values)]
    return float(v.mean()) if v.size else None
