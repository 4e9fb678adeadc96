"""Decide whether a clip shows a runner on a treadmill, seen well enough to measure.

runform measures treadmill running filmed from the side by a fixed camera.
:func:`assess_activity` looks at the cleaned track and the gait events and
says, with reasons, when a clip is something else, or shows too little:

* **travelling**: the hips cross the frame (more than
  :attr:`ActivityLimits.max_hip_travel` body heights, and steadily, faster
  than :attr:`ActivityLimits.max_hip_speed`), so the person moves over the
  ground instead of running on a belt;
* **standing**: the feet stay in place relative to the hips;
* **no rhythm**: the feet are in view but show no stride rhythm at all;
* **walking**: the feet are on the ground for more than
  :attr:`ActivityLimits.max_duty_factor` of each stride, i.e. there is no
  flight phase, or the steps come slower than any running cadence
  (:attr:`ActivityLimits.min_running_cadence`);
* **feet out of frame**: neither foot is visible in too many frames;
* **too small**: the body is too few pixels tall for angles or contact timing.

The first four mean the clip does not show running: every metric is
withdrawn. The last two withdraw the metrics that cannot be measured (those
of the feet; side-view measures). Each finding carries the reason given in
every withdrawn metric and a warning line for ``summary.json["warnings"]``;
:mod:`runform.measure` applies them. Thresholds live in the frozen
:class:`ActivityLimits`, each with its evidence.

All inputs are pixels on the cleaned track (image y points down) and the
gait events' outputs (contact times, stride period); nothing here changes the
events' own detection.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from runform.gait.scale import TRUNK_RATIO
from runform.gait.types import CleanedTrack, GaitEvents, Step
from runform.gait.view import trunk_length_px
from runform.metrics.table import MetricSpec
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

Check = Literal["travelling", "standing", "no_rhythm", "walking", "feet_out_of_frame",
                "too_small"]
Scope = Literal["all", "side_view", "feet"]
"""Which metrics a finding withdraws: every one; those needing a side view
(:attr:`MetricSpec.side_view_only`); those timed from the feet's contacts."""

FOOT_TIMING_KEYS = ("contact_time_ms", "flight_time_ms", "duty_factor")
"""Metrics timed from initial contact to toe-off (besides the values taken at contact)."""
FEET_POINTS = ("heel", "foot_index")
"""The contact points of each foot: the events time contacts from them."""


@dataclass(frozen=True)
class ActivityLimits:
    """Thresholds deciding whether a clip shows treadmill running, seen well enough.

    Lengths are in body heights, estimated as the trunk length (hip to
    shoulder midpoint, 0.288 of stature; Winter 2009) divided by 0.288.
    """

    max_hip_travel: float = 1.0
    """Largest horizontal travel of the hip midpoint (5th to 95th percentile of
    its image x), in body heights. A treadmill belt is 1.4-1.6 m long, about
    one body height, and a runner stays on its middle part: the hips move
    0.004-0.08 body heights on the 34 treadmill clips checked (the real one,
    the 3 sample videos, 29 rendered validation clips, a rendered slow jog;
    MediaPipe tracks), 0.21 in the Pose2Sim lunge, while the Sports2D walker
    crossing the frame travels 2.9."""
    max_hip_speed: float = 0.25
    """Largest typical horizontal speed of the hips across the frame (median
    over the clip of their displacement in one second), body heights per
    second. Walking over the ground at 0.8 m/s or more is 0.45 body heights/s
    or more (the Sports2D walker: 0.68); the treadmill clips checked stay at
    0.001-0.015. Both limits must be exceeded, so a runner who walks into the
    frame and onto the belt at the start is not taken for a walker: the
    median ignores the walk-in."""
    max_feet_unseen: float = 0.2
    """Largest share of the frames with the runner in which neither foot's
    heel or toe is seen inside the frame (not missing, not filled in). Beyond
    it the contacts of many strides fall where the feet are guessed or cut
    off; the 34 treadmill clips checked have 0-2.3 %."""
    min_body_px: float = 120.0
    """Smallest body height in pixels for side-view measures and contact
    timing. The shank is 0.246 of stature (Winter 2009), so at 120 px it is
    30 px long and a one-pixel landmark error tilts it by 1.9 deg, already
    near the smallest detectable change of a 2D tibia angle (SDD 2.2-4.8 deg,
    Dingenen et al. 2018); the foot (0.152 of stature) is 18 px long. The
    evidence review's framing advice is for the runner to fill 60-80 % of the
    frame height."""
    min_foot_excursion: float = 0.1
    """Smallest fore-aft range of an ankle relative to the hips (5th to 95th
    percentile), in body heights, for the feet to be stepping. During stance
    the belt carries the foot back by contact time x speed, about 0.6 m (0.35
    body heights) even at a 6 km/h jog, and walking steps are 0.5 m or more;
    the 34 treadmill clips checked show 0.28-0.58, a standing person with
    0.6 px of jitter about 0.01."""
    min_rhythm_clip_s: float = 1.5
    """Shortest clip in which a missing stride rhythm means "not running": it
    holds two strides at any running cadence (a stride lasts 0.75 s at
    160 steps/min)."""
    max_duty_factor: float = 0.56
    """Largest estimated duty factor (ground contact share of the stride) of
    running. Running has a flight phase, so each foot is on the ground less
    than half the stride (Patoz et al. 2019: 0.25-0.45 at 12 km/h; slow jogs
    approach 0.5); walking has double support instead, each foot on the ground
    about 60 % of the stride (Perry & Burnfield 2010). The estimate
    (:func:`ground_contact_duty`) reads true duty factors of 0.30-0.62 from
    0.00 to 0.02 high on clean synthetic tracks (a 0.50 jog reads 0.52, a 0.62
    walk 0.61-0.63), so 0.56 keeps both 0.04 away. On MediaPipe tracks it
    reads lower, never higher: 0.07-0.35 on the 34 treadmill clips checked
    (true 0.28-0.48), so it does not reject runners there, but it also misses
    walkers (see :attr:`min_running_cadence`)."""
    min_running_cadence: float = 130.0
    """Slowest step rate (steps/min, from reliable contacts) taken as running.
    Uninjured recreational runners step at 171 +- 7.9 steps/min (evidence
    review, cadence row), so 130 is five SDs below; the runners in the
    validation set step at 150-195. Walking is 100-130 steps/min (100 is
    moderate, 130 brisk walking; Tudor-Locke et al. 2019). This catches
    walkers whose foot height does not give their duty factor away: on
    MediaPipe tracks of the rendered mannequin walking on the belt (duty
    factor 0.56-0.60, 120-124 steps/min) :func:`ground_contact_duty` reads
    only 0.11-0.15."""
    contact_band: float = 0.05
    """A foot counts as on the ground while its lowest point (heel or toe) is
    within this share of its vertical range of its stance level. Wider bands
    add the last moments of the landing and the first of the lift to the
    contact (0.10 reads a 0.50 jog as 0.54)."""
    min_strides: int = 2
    """Fewest strides of a foot for its ground-contact estimate."""


LIMITS = ActivityLimits()
"""The thresholds runform uses."""

_GRID = 100
"""Samples per stride of the folded foot-height profile."""
_STRIDE_TOLERANCE = 0.3
"""Consecutive contacts of one foot form a stride within +-30 % of the stride period."""


@dataclass(frozen=True)
class Finding:
    """One reason why (part of) a clip cannot be measured as treadmill running."""

    check: Check
    scope: tuple[Scope, ...]
    """Which metrics it withdraws."""
    reason: str
    """Given as the ``reason`` of every withdrawn metric."""
    warning: str
    """The line for ``summary.json["warnings"]``."""

    @property
    def not_running(self) -> bool:
        """True when the clip does not show running at all (every metric withdrawn)."""
        return "all" in self.scope

    def covers(self, metric: MetricSpec) -> bool:
        """Whether this finding withdraws ``metric``."""
        return ("all" in self.scope
                or ("side_view" in self.scope and metric.side_view_only)
                or ("feet" in self.scope
                    and (metric.at_contact or metric.key in FOOT_TIMING_KEYS)))


@dataclass(frozen=True)
class ActivityReport:
    """The measured evidence and the findings of :func:`assess_activity`."""

    findings: tuple[Finding, ...]
    body_height_px: float | None
    hip_travel: float | None
    """Hip travel across the frame, body heights."""
    hip_speed: float | None
    """Typical speed of the hips across the frame, body heights per second."""
    feet_unseen: float | None
    """Share of the runner's frames with neither foot seen in the frame."""
    foot_excursion: float | None
    """Fore-aft range of the more mobile ankle relative to the hips, body heights."""
    duty_factor: float | None
    """Ground-contact share of the stride from the feet's height (:func:`ground_contact_duty`)."""
    step_rate_spm: float | None = None
    """Steps/min from the contacts (:func:`step_rate`); None if the events are unreliable."""

    @property
    def running(self) -> bool:
        """False when a finding says the clip does not show running."""
        return not any(f.not_running for f in self.findings)

    @property
    def warnings(self) -> list[str]:
        """One warning line per finding."""
        return [f.warning for f in self.findings]

    def reason_for(self, metric: MetricSpec) -> str | None:
        """Return the reason to withdraw ``metric`` (first finding covering it), else None."""
        return next((f.reason for f in self.findings if f.covers(metric)), None)

    def flag_events(self, events: GaitEvents) -> GaitEvents:
        """Return ``events`` marked unreliable when a finding concerns the gait or the feet.

        Contacts of someone not running, or of feet that are out of view or
        a few pixels large, are not trustworthy running events.
        """
        finding = next((f for f in self.findings if "all" in f.scope or "feet" in f.scope),
                       None)
        if finding is None:
            return events
        return dataclasses.replace(events, reliable=False, reason=finding.reason)

    def to_summary(self) -> dict[str, Any]:
        """Return ``summary.json["activity"]``: the verdict, the evidence and the findings."""
        return {"running": self.running,
                "body_height_px": self.body_height_px, "hip_travel_body_heights": self.hip_travel,
                "hip_speed_body_heights_per_s": self.hip_speed,
                "feet_unseen_share": self.feet_unseen,
                "foot_excursion_body_heights": self.foot_excursion,
                "duty_factor_estimate": self.duty_factor, "step_rate_spm": self.step_rate_spm,
                "findings": [{"check": f.check, "scope": list(f.scope), "reason": f.reason}
                             for f in self.findings]}


def assess_activity(cleaned: CleanedTrack, events: GaitEvents,
                    limits: ActivityLimits = LIMITS) -> ActivityReport:
    """Decide whether a clip shows treadmill running seen well enough, with reasons.

    The framing checks (size, feet in view) come first; the gait checks
    (standing, no rhythm, walking) need a side view with the feet in view at a
    usable size, since otherwise the feet's motion says nothing about the gait.
    The hips' travel is checked in every view.

    Parameters
    ----------
    cleaned
        Cleaned track (pixels, image y down) with its view and facing.
    events
        Gait events of the track (contact times per foot, stride period).
    limits
        Thresholds; see :class:`ActivityLimits`.

    Returns
    -------
    ActivityReport
        Findings (none for a well-filmed treadmill runner) and the evidence.
    """
    track = cleaned.track
    body = body_height_px(track)
    body_ok = np.isfinite(body) and body > 0
    travel = hip_travel_px(track) / body if body_ok else float("nan")
    speed = hip_speed_px(track) / body if body_ok else float("nan")
    unseen = feet_unseen_share(track)
    excursion = foot_excursion_px(track) / body if body_ok else float("nan")
    duty = ground_contact_duty(track, events.steps, events.stride_period_s, limits)
    report = ActivityReport(findings=(), body_height_px=_finite(body), hip_travel=_finite(travel),
                            hip_speed=_finite(speed), feet_unseen=_finite(unseen),
                            foot_excursion=_finite(excursion), duty_factor=duty,
                            step_rate_spm=step_rate(events.steps) if events.reliable else None)
    findings = _framing(report, limits)
    duration = float(track.time[-1] - track.time[0]) if len(track) > 1 else 0.0
    if cleaned.view == "side" and not findings and duration > 0:
        findings += _gait(report, events, duration, limits)
    if (report.hip_travel is not None and report.hip_travel > limits.max_hip_travel
            and report.hip_speed is not None and report.hip_speed > limits.max_hip_speed):
        findings.insert(0, _travelling(report.hip_travel))
    return dataclasses.replace(report, findings=tuple(findings))


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _framing(r: ActivityReport, limits: ActivityLimits) -> list[Finding]:
    out = []
    if r.feet_unseen is not None and r.feet_unseen > limits.max_feet_unseen:
        pct = f"{100 * r.feet_unseen:.0f} %"
        out.append(Finding(
            "feet_out_of_frame", ("feet",),
            f"The feet are out of the frame or not visible in {pct} of the frames, so foot "
            "contacts cannot be timed.",
            f"The feet are out of the frame or not visible in {pct} of the frames: contact "
            "times and values at contact are not reported. Frame the whole runner, feet "
            "included, with some margin below the belt."))
    if r.body_height_px is not None and r.body_height_px < limits.min_body_px:
        px, need = f"{r.body_height_px:.0f}", f"{limits.min_body_px:.0f}"
        out.append(Finding(
            "too_small", ("side_view", "feet"),
            f"The runner is too small in the frame ({px} px tall; at least {need} px are "
            "needed for angles and contact timing).",
            f"The runner is too small in the frame: about {px} px tall, at least {need} px "
            "are needed. Angles, foot positions, vertical oscillation and contact timing are "
            "not reported. Move the camera closer or zoom in so the runner fills most of the "
            "frame height."))
    return out


def _gait(r: ActivityReport, events: GaitEvents, duration_s: float,
          limits: ActivityLimits) -> list[Finding]:
    if r.foot_excursion is not None and r.foot_excursion < limits.min_foot_excursion:
        body = f"{r.foot_excursion:.2f}"
        return [Finding(
            "standing", ("all",),
            f"Not running: the feet stay in place ({body} body heights of fore-aft motion); "
            "the person seems to be standing.",
            f"Not running: no running steps were found; the feet stay in place (they move "
            f"{body} body heights fore and aft relative to the hips, running moves them about "
            "0.35), so the person seems to be standing. Nothing is reported.")]
    if events.stride_period_s is None and duration_s >= limits.min_rhythm_clip_s:
        return [Finding(
            "no_rhythm", ("all",),
            "Not running: the feet show no stride rhythm.",
            f"Not running: the feet are in view but show no running rhythm in {duration_s:.1f} "
            "s, so this clip does not show someone running. Nothing is reported.")]
    return _walking(r, limits)


def _walking(r: ActivityReport, limits: ActivityLimits) -> list[Finding]:
    if r.duty_factor is not None and r.duty_factor > limits.max_duty_factor:
        share = f"{100 * r.duty_factor:.0f} %"
        return [Finding(
            "walking", ("all",),
            f"Not running: each foot is on the ground for about {share} of the stride with no "
            "flight phase; this looks like walking.",
            f"Not running: each foot is on the ground for about {share} of the stride and there "
            "is no flight phase, so this looks like walking (running has a flight phase and "
            "a duty factor below about 0.5). Nothing is reported as running form.")]
    if r.step_rate_spm is not None and r.step_rate_spm < limits.min_running_cadence:
        rate, least = f"{r.step_rate_spm:.0f}", f"{limits.min_running_cadence:.0f}"
        return [Finding(
            "walking", ("all",),
            f"Not running: {rate} steps/min is a walking cadence (running is faster than "
            f"{least}).",
            f"Not running: the steps come at {rate} steps/min, a walking cadence (runners step "
            f"at 150-190 steps/min, walkers at 100-{least}), so this looks like walking. "
            "Nothing is reported as running form.")]
    return []


def _travelling(travel: float) -> Finding:
    return Finding(
        "travelling", ("all",),
        f"Not running on a treadmill: the person moves across the frame ({travel:.1f} body "
        "heights).",
        f"Not running on a treadmill: the person moves across the frame (the hips travel "
        f"{travel:.1f} body heights). runform measures running on a treadmill filmed from a "
        "fixed camera beside it; nothing is reported.")


def body_height_px(track: PoseTrack) -> float:
    """Body height in pixels from the trunk length (0.288 of stature), NaN if the trunk is unseen.

    The trunk is used rather than head-to-foot extent because it stays in
    view when the feet are cut off and does not shrink with knee bend.
    """
    return trunk_length_px(track) / TRUNK_RATIO


def hip_travel_px(track: PoseTrack) -> float:
    """Horizontal travel of the hip midpoint: 5th to 95th percentile of its x, pixels.

    NaN when the hips are never seen.
    """
    x = track.midpoint("left_hip", "right_hip")[:, 0]
    return _spread(x)


def hip_speed_px(track: PoseTrack, window_s: float = 1.0) -> float:
    """Median horizontal speed of the hip midpoint over ``window_s``, pixels per second.

    For every frame with the hips seen, the displacement to the first seen
    frame at least ``window_s`` later, divided by the time between them; the
    median over the clip. NaN when the hips are seen over less than
    ``window_s``.
    """
    x = track.midpoint("left_hip", "right_hip")[:, 0]
    seen = np.isfinite(x)
    t, x = track.time[seen], x[seen]
    if t.size < 2 or t[-1] - t[0] < window_s:
        return float("nan")
    later = np.searchsorted(t, t + window_s)
    ok = later < t.size
    return float(np.median(np.abs(x[later[ok]] - x[ok]) / (t[later[ok]] - t[ok])))


def _spread(x: FloatArray) -> float:
    x = x[np.isfinite(x)]
    if x.size < 2:
        return float("nan")
    lo, hi = np.percentile(x, [5.0, 95.0])
    return float(hi - lo)


def point_seen(track: PoseTrack, name: str) -> BoolArray:
    """Frames in which a landmark was seen inside the frame.

    Seen means a position exists, it was not filled in by the cleaning
    (cleaned visibility 0) and it lies inside the image.
    """
    xy = track.xy(name)
    with np.errstate(invalid="ignore"):
        inside = ((xy[:, 0] >= 0) & (xy[:, 0] <= track.width)
                  & (xy[:, 1] >= 0) & (xy[:, 1] <= track.height))
    return np.asarray(inside & np.isfinite(xy).all(axis=1) & (track.vis(name) != 0), dtype=bool)


def feet_unseen_share(track: PoseTrack) -> float:
    """Share of the runner's frames in which no heel or toe of either foot is seen in the frame.

    Frames where the runner is absent altogether do not count. NaN when the
    runner is never present.
    """
    present = track.detected
    if not present.any():
        return float("nan")
    seen = np.zeros(len(track), dtype=bool)
    for side in ("left", "right"):
        for part in FEET_POINTS:
            seen |= point_seen(track, f"{side}_{part}")
    return float(1.0 - seen[present].mean())


def foot_excursion_px(track: PoseTrack) -> float:
    """Fore-aft range of the more mobile ankle relative to the hip midpoint, pixels.

    The range is the 5th to 95th percentile of the ankle's x minus the hip
    midpoint's x; the larger of the two ankles is returned (a poorly tracked
    far foot cannot make a runner look still). NaN when neither is seen.
    """
    hip = track.midpoint("left_hip", "right_hip")[:, 0]
    ranges = [_spread(track.xy(f"{side}_ankle")[:, 0] - hip) for side in ("left", "right")]
    finite = [r for r in ranges if np.isfinite(r)]
    return max(finite) if finite else float("nan")


def step_rate(steps: tuple[Step, ...]) -> float | None:
    """Return the step rate (steps/min): 120 over the median stride time of either foot.

    Strides are the intervals between consecutive contacts of the same foot,
    pooled over both feet, so unequal left and right steps do not matter.
    None with fewer than three strides.
    """
    strides = np.concatenate([np.diff(sorted(s.ic_time for s in steps if s.foot == side))
                              for side in ("left", "right")])
    strides = strides[strides > 0]
    return 120.0 / float(np.median(strides)) if strides.size >= 3 else None


def ground_contact_duty(track: PoseTrack, steps: tuple[Step, ...], stride_period_s: float | None,
                        limits: ActivityLimits = LIMITS) -> float | None:
    """Estimate the duty factor from how long each foot stays at its ground level.

    For each foot, its lowest point per frame (the lower of heel and toe; the
    larger image y) is cut into strides at the foot's own initial contacts,
    each stride resampled to :data:`_GRID` phases and the median taken over
    strides, which averages the landmark jitter out. On that profile the
    ground level is its lowest position; the foot is on the ground while it is
    within :attr:`ActivityLimits.contact_band` of its vertical range of that
    level. The duty factor is that share of the stride, averaged over the
    feet. It does not use the events' toe-offs, which the event detector only
    accepts when they leave a flight phase.

    Parameters
    ----------
    track
        Cleaned track (pixels, image y down).
    steps
        Initial contacts (only ``foot`` and ``ic_time`` are used).
    stride_period_s
        Stride period; consecutive contacts of a foot more than 30 % away
        from it are not taken as a stride.
    limits
        ``contact_band`` and ``min_strides``.

    Returns
    -------
    float or None
        Estimated duty factor 0..1; None without enough strides of either foot.
    """
    if not stride_period_s or stride_period_s <= 0:
        return None
    per_foot = []
    for side in ("left", "right"):
        low = np.fmax(track.xy(f"{side}_heel")[:, 1], track.xy(f"{side}_foot_index")[:, 1])
        ics = [s.ic_time for s in steps if s.foot == side]
        rows = [_stride_profile(track.time, low, a, b) for a, b in zip(ics, ics[1:], strict=False)
                if abs(b - a - stride_period_s) <= _STRIDE_TOLERANCE * stride_period_s]
        usable = [r for r in rows if r is not None]
        if len(usable) < limits.min_strides:
            continue
        profile = np.median(np.stack(usable), axis=0)
        ground, top = float(profile.max()), float(profile.min())
        if ground - top <= 0:
            continue
        per_foot.append(float(np.mean(profile >= ground - limits.contact_band * (ground - top))))
    return float(np.mean(per_foot)) if per_foot else None


def _stride_profile(time: FloatArray, y: FloatArray, start: float, end: float
                    ) -> FloatArray | None:
    """``y`` over one stride resampled to :data:`_GRID` phases (None if mostly unseen)."""
    a, b = np.searchsorted(time, [start, end])
    t, v = time[a:b + 1], y[a:b + 1]
    keep = np.isfinite(v)
    expected = max(b - a, 1)
    if keep.sum() < max(5, 0.8 * expected):
        return None
    phase = (t[keep] - start) / (end - start)
    grid = (np.arange(_GRID) + 0.5) / _GRID
    return np.interp(grid, phase, v[keep])
