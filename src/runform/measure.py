"""Measure a runner: clean the track, find the gait events, compute every metric.

:func:`measure` is what the pipeline calls after pose extraction;
:func:`measure_cleaned` does the metric part alone (tests and tools feed it
their own cleaned tracks and events). The result's :meth:`Measurement.to_summary`
is the metrics part of ``summary.json``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from runform.config import AnalysisConfig
from runform.gait.activity import ActivityReport, assess_activity
from runform.gait.types import CleanedTrack, Facing, Foot, GaitEvents
from runform.metrics import (
    arms,
    cadence,
    drift,
    foot_strike,
    head,
    knee,
    oscillation,
    overstride,
    timing,
    trunk,
)
from runform.metrics.base import (
    FloatArray,
    MetricContext,
    interval_means,
    near_mask,
    rounded,
    step_bounds,
    unmeasured,
)
from runform.metrics.table import METRICS, MetricSpec, spec
from runform.output.atomic import to_jsonable
from runform.pose.track import PoseTrack

NEAR_SIDE_PARTS = ("shoulder", "hip", "knee", "ankle")
DEPTH_MARGIN = 0.05
"""Depth difference (fraction of trunk length) needed to trust MediaPipe's z for the near side."""
VISIBILITY_MARGIN = 0.05
SUMMARY_DIGITS = 6
"""Decimals kept for floats in the summary."""
STEP_FIELD_METRIC = {"contact_ms": "contact_time_ms", "flight_ms": "flight_time_ms",
                     "step_rate_spm": "cadence_spm", "foot_strike_angle_deg": "foot_strike"}
"""Per-step fields named differently from the metric they belong to (others share its key)."""


@dataclass
class Measurement:
    """Everything measured on one clip."""

    cleaned: CleanedTrack
    events: GaitEvents
    """Gait events, marked unreliable when the activity check says the clip is not running
    or the feet cannot be timed (:meth:`ActivityReport.flag_events`)."""
    px_per_cm: float | None
    leg_length_px: float | None
    near: Foot
    """The side of the body nearer the camera (primary limbs)."""
    metrics: dict[str, dict[str, Any]]
    """``summary.json["metrics"]``: every key of the metric table."""
    steps: list[dict[str, Any]]
    """``summary.json["steps"]``: one object per initial contact."""
    drift: dict[str, dict[str, Any]]
    """``summary.json["drift"]``: last third minus first third."""
    series: dict[str, FloatArray]
    """Per-frame series aligned with ``cleaned.track.time`` (degrees, pixels or cm)."""
    warnings: list[str] = field(default_factory=list)
    height_cm: float | None = None
    speed_kmh: float | None = None
    activity: ActivityReport | None = None
    """Whether the clip shows treadmill running seen well enough, with the evidence."""

    def to_summary(self) -> dict[str, Any]:
        """Return the measurement part of ``summary.json`` as strict JSON (NaN -> None)."""
        ev = self.events
        summary = {
            "view": self.cleaned.view,
            "facing": self.cleaned.facing,
            "near_side": self.near,
            "scale": {"px_per_cm": self.px_per_cm, "leg_length_px": self.leg_length_px,
                      "leg_length_cm": (self.leg_length_px / self.px_per_cm
                                        if self.leg_length_px and self.px_per_cm else None),
                      "height_cm": self.height_cm, "speed_kmh": self.speed_kmh},
            "events": {"reliable": ev.reliable, "reason": ev.reason,
                       "contacts": len(ev.steps), "dropped": ev.dropped,
                       "stride_period_s": ev.stride_period_s,
                       "contacts_left": sum(s.foot == "left" for s in ev.steps),
                       "contacts_right": sum(s.foot == "right" for s in ev.steps)},
            "cleaning": {"swaps_repaired": self.cleaned.swaps_repaired,
                         "notes": list(self.cleaned.notes)},
            "activity": self.activity.to_summary() if self.activity else None,
            "metrics": self.metrics,
            "steps": self.steps,
            "drift": self.drift,
            "warnings": list(self.warnings),
        }
        return dict(_round_floats(to_jsonable(summary)))


def measure(track: PoseTrack, config: AnalysisConfig) -> Measurement:
    """Clean the raw track, detect gait events, take the scale and compute every metric.

    Parameters
    ----------
    track
        The runner's raw pose track (pixels, real-time seconds).
    config
        Analysis settings; ``height_cm`` gives the cm scale, ``speed_kmh``
        step length and vertical ratio.

    Returns
    -------
    Measurement
        Metrics, steps, drift, per-frame series and warnings.
    """
    from runform.cleaning import clean_track
    from runform.gait.events import detect_events
    from runform.gait.scale import estimate_px_per_cm, leg_length_px

    cleaned = clean_track(track)
    events = detect_events(cleaned)
    leg = leg_length_px(cleaned.track)
    scale = estimate_px_per_cm(cleaned.track, config.height_cm) if config.height_cm else None
    return measure_cleaned(cleaned, events, px_per_cm=scale, leg_length_px=leg,
                           height_cm=config.height_cm, speed_kmh=config.speed_kmh)


def measure_cleaned(cleaned: CleanedTrack, events: GaitEvents, *, px_per_cm: float | None = None,
                    leg_length_px: float | None = None, height_cm: float | None = None,
                    speed_kmh: float | None = None) -> Measurement:
    """Compute every metric from a cleaned track and its gait events.

    Parameters
    ----------
    cleaned
        Cleaned track with its view and facing.
    events
        Initial contacts and toe-offs.
    px_per_cm
        Pixels per cm at the runner (None without ``--height-cm``).
    leg_length_px
        Leg length (hip to ankle, extended) in pixels, for scale-free
        distances.
    height_cm, speed_kmh
        Recorded in the summary; ``speed_kmh`` enables step length and
        vertical ratio.
    """
    with warnings.catch_warnings():
        # Reductions over all-NaN slices (a hidden limb, a clip without contacts) warn
        # and return NaN; every metric turns NaN into None with a reason, so the
        # warnings would only reach the user's terminal as noise.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _measure_cleaned(cleaned, events, px_per_cm=px_per_cm,
                                leg_length_px=leg_length_px, height_cm=height_cm,
                                speed_kmh=speed_kmh)


def _measure_cleaned(cleaned: CleanedTrack, events: GaitEvents, *, px_per_cm: float | None,
                     leg_length_px: float | None, height_cm: float | None,
                     speed_kmh: float | None) -> Measurement:
    track = cleaned.track
    activity = assess_activity(cleaned, events)
    flagged = activity.flag_events(events)
    ctx = MetricContext(track=track, facing=cleaned.facing, view=cleaned.view,
                        near=near_side(track, cleaned.facing), steps=tuple(events.steps),
                        stride_period_s=events.stride_period_s, events_reliable=flagged.reliable,
                        px_per_cm=px_per_cm, leg_length_px=leg_length_px, speed_kmh=speed_kmh)
    series = _series(ctx)
    per_step = _per_step(ctx, series)
    metrics = _metrics(ctx, per_step, series)
    _apply_requirements(metrics, ctx, events, activity)
    inconsistent = timing.check_consistency(metrics)
    steps = _steps(ctx, per_step, activity)
    drifts = drift.measure_drift(ctx, _drift_inputs(ctx, per_step, metrics))
    return Measurement(cleaned=cleaned, events=flagged, px_per_cm=px_per_cm,
                       leg_length_px=leg_length_px, near=ctx.near, metrics=metrics,
                       steps=steps, drift=drifts, series=series,
                       warnings=_warnings(ctx, events, metrics, activity)
                       + ([inconsistent] if inconsistent else []), height_cm=height_cm,
                       speed_kmh=speed_kmh, activity=activity)


def near_side(track: PoseTrack, facing: Facing) -> Foot:
    """Return the side of the body nearer the camera.

    MediaPipe's depth decides when the two sides differ clearly (by 5 % of
    the trunk length); then visibility; otherwise geometry: a runner facing
    image-right shows the camera their right side.

    Parameters
    ----------
    track
        Pose track (depth in pixels, smaller = nearer).
    facing
        Running direction in the image.
    """
    left = np.stack([track.depth[:, _lm(f"left_{p}")] for p in NEAR_SIDE_PARTS], axis=1)
    right = np.stack([track.depth[:, _lm(f"right_{p}")] for p in NEAR_SIDE_PARTS], axis=1)
    diff = right - left
    trunk = np.linalg.norm(track.midpoint("left_shoulder", "right_shoulder")
                           - track.midpoint("left_hip", "right_hip"), axis=1)
    trunk_px = float(np.nanmedian(trunk)) if np.isfinite(trunk).any() else float("nan")
    if np.isfinite(diff).any() and np.isfinite(trunk_px) and trunk_px > 0:
        d = float(np.nanmedian(diff)) / trunk_px
        if abs(d) > DEPTH_MARGIN:
            return "left" if d > 0 else "right"
    vis_l = np.nanmean([track.vis(f"left_{p}") for p in NEAR_SIDE_PARTS])
    vis_r = np.nanmean([track.vis(f"right_{p}") for p in NEAR_SIDE_PARTS])
    if np.isfinite(vis_l - vis_r) and abs(vis_l - vis_r) > VISIBILITY_MARGIN:
        return "left" if vis_l > vis_r else "right"
    return "right" if facing == "right" else "left"


def _round_floats(value: Any, digits: int = SUMMARY_DIGITS) -> Any:
    """Round every float in nested JSON data (hides float noise such as 1e-13)."""
    if isinstance(value, dict):
        return {k: _round_floats(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round_floats(v, digits) for v in value]
    if isinstance(value, float):
        return round(value, digits)
    return value


def _lm(name: str) -> int:
    from runform.pose.schema import LANDMARK_INDEX

    return LANDMARK_INDEX[name]


def _series(ctx: MetricContext) -> dict[str, FloatArray]:
    hip, shoulder = ctx.mid("hip"), ctx.mid("shoulder")
    out = {
        "trunk_lean_deg": trunk.trunk_lean_series(hip, shoulder, ctx.facing),
        "head_forward_deg": head.head_forward_series(shoulder, ctx.mid("ear"), ctx.facing),
        "elbow_angle_deg": arms.elbow_series(ctx, ctx.near),
        "elbow_angle_far_deg": arms.elbow_series(ctx, ctx.far),
        "upper_arm_angle_deg": arms.upper_arm_series(ctx, ctx.near),
        "upper_arm_angle_far_deg": arms.upper_arm_series(ctx, ctx.far),
        "knee_flexion_left_deg": knee.leg_knee_flexion(ctx, "left"),
        "knee_flexion_right_deg": knee.leg_knee_flexion(ctx, "right"),
        "hip_height_px": oscillation.hip_height_px(ctx),
    }
    if ctx.px_per_cm:
        out["hip_height_cm"] = out["hip_height_px"] / ctx.px_per_cm
    return out


def _per_step(ctx: MetricContext, series: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Per-step values, one array per key, aligned with ``ctx.steps``."""
    n = len(ctx.steps)
    if n == 0:
        return {}
    foot_px = overstride.foot_ahead_at_contacts(ctx)
    vo_px = oscillation.oscillation_px(ctx)
    bounds = step_bounds(ctx)
    lean = np.append(interval_means(ctx.track.time, series["trunk_lean_deg"], bounds), np.nan)
    out = {
        "contact_ms": timing.contact_times_ms(ctx.steps),
        "flight_ms": timing.flight_times_ms(ctx.steps),
        "step_rate_spm": cadence.step_rates(ctx.steps),
        "knee_flexion_at_contact_deg": knee.knee_flexion_at_contacts(ctx),
        "shank_angle_at_contact_deg": overstride.shank_at_contacts(ctx),
        "foot_ahead_px": foot_px,
        "foot_ahead_of_hip_leg": foot_px / ctx.leg_length_px if ctx.leg_length_px
        else np.full(n, np.nan),
        "foot_ahead_of_hip_cm": foot_px / ctx.px_per_cm if ctx.px_per_cm else np.full(n, np.nan),
        "foot_strike_angle_deg": foot_strike.strike_angles_of(ctx),
        "vertical_oscillation_px": vo_px,
        "vertical_oscillation_cm": vo_px / ctx.px_per_cm if ctx.px_per_cm else np.full(n, np.nan),
        "trunk_lean_deg": lean,
    }
    return out


def _metrics(ctx: MetricContext, per_step: dict[str, FloatArray],
             series: dict[str, FloatArray]) -> dict[str, dict[str, Any]]:
    m: dict[str, dict[str, Any]] = {}
    m["cadence_spm"], fit = cadence.measure_cadence(ctx)
    m["trunk_lean_deg"] = trunk.measure_trunk_lean(ctx, series["trunk_lean_deg"])
    m["head_forward_deg"] = head.measure_head_forward(ctx, series["head_forward_deg"])
    m["elbow_angle_deg"] = arms.measure_elbow(ctx)
    m["arm_swing_deg"] = arms.measure_arm_swing(ctx)
    if per_step:
        m["shank_angle_at_contact_deg"] = overstride.measure_shank(
            ctx, per_step["shank_angle_at_contact_deg"])
        m["knee_flexion_at_contact_deg"] = knee.measure_knee_flexion(
            ctx, per_step["knee_flexion_at_contact_deg"])
        m.update(overstride.measure_foot_ahead(ctx, per_step["foot_ahead_px"]))
        m["foot_strike"] = foot_strike.measure_foot_strike(ctx, per_step["foot_strike_angle_deg"])
        m["vertical_oscillation_cm"] = oscillation.measure_oscillation(
            ctx, per_step["vertical_oscillation_px"])
        m["contact_time_ms"] = timing.measure_contact(ctx, per_step["contact_ms"])
        m["flight_time_ms"] = timing.measure_flight(ctx, per_step["flight_ms"])
    else:
        for key in ("shank_angle_at_contact_deg", "knee_flexion_at_contact_deg",
                    "foot_ahead_of_hip_cm", "foot_ahead_of_hip_leg", "foot_strike",
                    "vertical_oscillation_cm", "contact_time_ms", "flight_time_ms"):
            m[key] = unmeasured(key, "No foot contact was found, so nothing can be measured "
                                "at contact.")
    m["duty_factor"] = timing.measure_duty(m["contact_time_ms"],
                                           fit.period_s if fit else None)
    m["step_length_cm"] = timing.measure_step_length(m["cadence_spm"], ctx.speed_kmh)
    m["vertical_ratio_pct"] = timing.measure_vertical_ratio(m["vertical_oscillation_cm"],
                                                            m["step_length_cm"])
    return {s.key: m[s.key] for s in METRICS}


def _apply_requirements(metrics: dict[str, dict[str, Any]], ctx: MetricContext,
                        events: GaitEvents, activity: ActivityReport) -> None:
    """Withdraw values the clip cannot support, saying why (the one place that withdraws).

    A finding of the activity check (not running, feet out of frame, runner
    too small) withdraws every metric it covers, replacing any earlier reason:
    it is the root cause. Then a measured value is withdrawn when the view, the
    frame rate or the absence of contacts cannot support it.
    """
    for key, entry in metrics.items():
        s = spec(key)
        reason = activity.reason_for(s)
        if reason is None and entry["value"] is not None:
            reason = _unsupported(s, ctx, events)
        if reason is not None:
            metrics[key] = unmeasured(key, reason)


def _unsupported(s: MetricSpec, ctx: MetricContext, events: GaitEvents) -> str | None:
    """Why the view, frame rate or contacts cannot support metric ``s`` (None if they can)."""
    if s.side_view_only and ctx.view != "side":
        return (f"The camera sees the runner from the {ctx.view}; {s.label.lower()} needs a "
                "side view.")
    if ctx.fps < s.min_fps:
        return (f"{ctx.fps:.0f} fps is too low for {s.label.lower()} (needs at least "
                f"{s.min_fps:.0f}).")
    if s.at_contact and not events.steps:
        return events.reason or "No foot contact was found."
    return None


def _steps(ctx: MetricContext, per_step: dict[str, FloatArray],
           activity: ActivityReport) -> list[dict[str, Any]]:
    """One object per contact; values of metrics an activity finding withdrew are None."""
    near = near_mask(ctx)
    withdrawn = {s.key for s in METRICS if activity.reason_for(s)}
    out = []
    for i, s in enumerate(ctx.steps):
        v = {k: float(a[i]) for k, a in per_step.items()}
        angle = v["foot_strike_angle_deg"]
        out.append({
            "foot": s.foot, "near": bool(near[i]), "time_s": s.ic_time, "frame": s.ic_frame,
            "toe_off_s": s.to_time, "toe_off_frame": s.to_frame,
            "contact_ms": rounded(v["contact_ms"], 1), "flight_ms": rounded(v["flight_ms"], 1),
            "step_rate_spm": rounded(v["step_rate_spm"], 2),
            "knee_flexion_at_contact_deg": rounded(v["knee_flexion_at_contact_deg"]),
            "shank_angle_at_contact_deg": rounded(v["shank_angle_at_contact_deg"]),
            "foot_ahead_of_hip_cm": rounded(v["foot_ahead_of_hip_cm"]),
            "foot_ahead_of_hip_leg": rounded(v["foot_ahead_of_hip_leg"], 4),
            "foot_strike_angle_deg": rounded(angle),
            "foot_strike": foot_strike.classify(angle) if np.isfinite(angle) else None,
            "vertical_oscillation_cm": rounded(v["vertical_oscillation_cm"]),
            "trunk_lean_deg": rounded(v["trunk_lean_deg"]),
        })
        out[-1].update({f: None for f in out[-1] if STEP_FIELD_METRIC.get(f, f) in withdrawn})
    return out


def _drift_inputs(ctx: MetricContext, per_step: dict[str, FloatArray],
                  metrics: dict[str, dict[str, Any]]) -> dict[str, FloatArray]:
    """Per-step values of each drift metric that was measured (near foot for contact angles)."""
    if not per_step:
        return {}
    out = {"cadence_spm": per_step["step_rate_spm"], "trunk_lean_deg": per_step["trunk_lean_deg"]}
    knee_values = per_step["knee_flexion_at_contact_deg"]
    near = near_mask(ctx)
    out["knee_flexion_at_contact_deg"] = np.where(near, knee_values, np.nan)
    if ctx.px_per_cm:
        out["vertical_oscillation_cm"] = per_step["vertical_oscillation_cm"]
    return {k: v for k, v in out.items() if metrics[k]["value"] is not None}


def _warnings(ctx: MetricContext, events: GaitEvents, metrics: dict[str, dict[str, Any]],
              activity: ActivityReport) -> list[str]:
    """Warning lines: the activity findings first; only those when the clip is not running.

    Advice on frame rate, step count or scale would only distract from "this
    is not running".
    """
    out = list(activity.warnings)
    if not activity.running:
        return out
    if ctx.view != "side":
        out.append(f"The camera sees the runner from the {ctx.view}: side-view measures "
                   "(angles, foot position, vertical oscillation) are not reported.")
    if not events.reliable:
        reason = f": {events.reason}" if events.reason else "."
        out.append(f"Gait events are unreliable{reason}")
    if events.steps and ctx.fps < timing.RELIABLE_FPS:
        out.append(f"{ctx.fps:.0f} fps is too low for reliable contact times: contact time, "
                   "flight time, duty factor and values at contact are approximate (film at "
                   "120 fps or more).")
    n_near = int(near_mask(ctx).sum()) if ctx.steps else 0
    if n_near < 7:
        out.append(f"Only {n_near} contacts of the near foot were found: at least 7 per side, "
                   "ideally 10, are needed for stable averages (Dingenen 2018). Film a longer "
                   "clip.")
    if ctx.px_per_cm is None and metrics["foot_ahead_of_hip_leg"]["value"] is not None:
        out.append("No --height-cm given: distances are reported in leg lengths, not cm.")
    return out
