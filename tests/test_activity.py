"""Is it a runner on a treadmill, seen well enough? (runform.gait.activity, issue 7).

Synthetic tracks with exact truth: each check fires on the case it is for, in
both facings, and stays silent on running, including slow jogs close to the
walking boundary.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from runform.cleaning import clean_track
from runform.gait.activity import (
    LIMITS,
    ActivityReport,
    Finding,
    assess_activity,
    body_height_px,
    feet_unseen_share,
    foot_excursion_px,
    ground_contact_duty,
    step_rate,
)
from runform.gait.events import detect_events
from runform.gait.types import CleanedTrack, GaitEvents
from runform.measure import measure_cleaned
from runform.metrics.table import METRIC_KEYS, METRICS, spec
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack
from tests.metrics_support import cleaned_of, true_events
from tests.synthetic_tracks import SyntheticRun, synthetic_run

FACINGS = ["left", "right"]
FRAME = {"width": 480, "height": 270, "height_px": 220}


def _run(facing: str = "right", **kwargs: object) -> SyntheticRun:
    params: dict = {**FRAME, "fps": 60.0, "duration_s": 6.0, "facing": facing}
    params.update(kwargs)
    return synthetic_run(**params)


def _assess(run: SyntheticRun, track: PoseTrack | None = None,
            events: GaitEvents | None = None) -> ActivityReport:
    cleaned = cleaned_of(run)
    if track is not None:
        cleaned = dataclasses.replace(cleaned, track=track)
    return assess_activity(cleaned, events or true_events(run))


def _checks(report: ActivityReport) -> list[str]:
    return [f.check for f in report.findings]


def _shifted(track: PoseTrack, shift: np.ndarray) -> PoseTrack:
    """The same track with every landmark moved by ``shift`` (pixels, per frame or constant)."""
    return PoseTrack.from_arrays(track.time, track.position + shift, width=track.width,
                                 height=track.height, depth=track.depth,
                                 visibility=track.visibility, world=track.world)


# --------------------------------------------------------------------------- running passes


@pytest.mark.parametrize("facing", FACINGS)
def test_a_treadmill_runner_has_no_findings(facing):
    run = _run(facing)
    report = _assess(run)
    assert report.findings == () and report.running
    assert report.body_height_px == pytest.approx(220, rel=0.03)
    assert report.hip_travel < 0.02
    assert report.feet_unseen == 0.0
    assert 0.3 < report.foot_excursion < 0.6
    assert report.duty_factor == pytest.approx(0.37, abs=0.015)
    assert report.step_rate_spm == pytest.approx(170, abs=0.5)


@pytest.mark.parametrize("facing", FACINGS)
@pytest.mark.parametrize(("duty", "cadence", "speed"), [(0.45, 155, 8.0), (0.48, 150, 7.0),
                                                         (0.5, 145, 6.5)])
@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_slow_jogs_near_the_walking_boundary_are_not_rejected(facing, duty, cadence, speed, fps):
    """The whole chain (cleaning, event detection, activity) on a jittered slow jog."""
    run = _run(facing, fps=fps, duration_s=8.0, cadence_spm=cadence, duty_factor=duty,
               speed_kmh=speed, noise_px=1.0, seed=4)
    cleaned = clean_track(run.track)
    report = assess_activity(cleaned, detect_events(cleaned))
    assert report.findings == (), report
    assert report.duty_factor is not None and report.duty_factor < LIMITS.max_duty_factor


@pytest.mark.parametrize("duty", [0.3, 0.36, 0.45, 0.5, 0.55, 0.62])
def test_ground_contact_duty_reads_the_true_duty_factor_on_clean_tracks(duty):
    run = _run(cadence_spm=150, duty_factor=duty, speed_kmh=6.0 if duty > 0.5 else 9.0,
               vertical_oscillation_cm=3.0 if duty > 0.5 else 8.0)
    est = ground_contact_duty(run.track, true_events(run).steps, run.stride_period_s)
    assert est == pytest.approx(duty + 0.01, abs=0.015)  # the band adds a little contact


def test_ground_contact_duty_needs_strides_and_a_period():
    run = _run()
    steps = true_events(run).steps
    assert ground_contact_duty(run.track, steps, None) is None
    assert ground_contact_duty(run.track, steps[:3], run.stride_period_s) is None
    wrong_period = ground_contact_duty(run.track, steps, 2.0 * run.stride_period_s)
    assert wrong_period is None  # no pair of contacts is one such stride apart


def test_step_rate_pools_the_strides_of_both_feet():
    run = _run(cadence_spm=172)
    assert step_rate(true_events(run).steps) == pytest.approx(172, abs=0.5)
    assert step_rate(true_events(run).steps[:3]) is None


# --------------------------------------------------------------------------- not running


@pytest.mark.parametrize("facing", FACINGS)
@pytest.mark.parametrize("cadence", [110.0, 150.0])
def test_walking_without_a_flight_phase_is_not_running(facing, cadence):
    run = _run(facing, cadence_spm=cadence, duty_factor=0.62, speed_kmh=5.0,
               vertical_oscillation_cm=3.0)
    report = _assess(run)
    assert _checks(report) == ["walking"] and not report.running
    assert report.duty_factor == pytest.approx(0.62, abs=0.015)
    assert "ground" in report.findings[0].reason  # the duty factor, whatever the cadence
    assert report.findings[0].scope == ("all",)


@pytest.mark.parametrize("facing", FACINGS)
def test_a_walking_cadence_is_not_running_even_when_the_feet_look_like_running(facing):
    """MediaPipe hides a walker's long contacts (see ActivityLimits.min_running_cadence)."""
    run = _run(facing, cadence_spm=120, duty_factor=0.45, speed_kmh=5.0, duration_s=8.0)
    report = _assess(run)
    assert report.duty_factor < LIMITS.max_duty_factor
    assert _checks(report) == ["walking"]
    assert "120 steps/min" in report.findings[0].reason


def test_the_cadence_check_ignores_unreliable_events():
    run = _run(cadence_spm=120, duty_factor=0.45, speed_kmh=5.0, duration_s=8.0)
    events = dataclasses.replace(true_events(run), reliable=False, reason="unclear")
    report = _assess(run, events=events)
    assert report.step_rate_spm is None and report.findings == ()


def _standing(run: SyntheticRun, jitter_px: float = 0.6) -> PoseTrack:
    t = run.track
    rng = np.random.default_rng(0)
    pos = np.repeat(t.position[:1], len(t), axis=0) + rng.normal(0.0, jitter_px, t.position.shape)
    return PoseTrack.from_arrays(t.time, pos, width=t.width, height=t.height, depth=t.depth,
                                 visibility=t.visibility, world=t.world)


@pytest.mark.parametrize("facing", FACINGS)
def test_standing_still_is_not_running_even_with_contacts_from_jitter(facing):
    run = _run(facing)
    report = _assess(run, track=_standing(run))  # events: the runner's, as if found in jitter
    assert _checks(report) == ["standing"] and not report.running
    assert report.foot_excursion < 0.02


@pytest.mark.parametrize("facing", FACINGS)
def test_crossing_the_frame_is_not_running_on_a_treadmill(facing):
    run = _run(facing, width=1600)
    sign = 1.0 if facing == "right" else -1.0
    drift = sign * 2.0 * 220 * (run.track.time - run.track.time[0]) / 6.0  # two body heights
    report = _assess(run, track=_shifted(run.track, np.stack(
        [drift, np.zeros_like(drift)], axis=-1)[:, None, :]))
    assert _checks(report)[0] == "travelling" and not report.running
    assert report.hip_travel == pytest.approx(1.8, abs=0.1)  # 5th-95th percentile of 2
    assert report.hip_speed == pytest.approx(2.0 / 6.0, abs=0.02)


def test_walking_into_the_frame_before_running_on_the_belt_is_not_travelling():
    run = _run(width=1600, duration_s=8.0)
    t = run.track.time - run.track.time[0]
    walk_in = -3.0 * 220 * np.clip(1.0 - t / 1.2, 0.0, None)  # 3 body heights in 1.2 s
    report = _assess(run, track=_shifted(run.track, np.stack(
        [walk_in, np.zeros_like(walk_in)], axis=-1)[:, None, :]))
    assert report.hip_travel > LIMITS.max_hip_travel
    assert report.hip_speed < 0.02 and "travelling" not in _checks(report)


def test_drifting_on_the_belt_is_still_a_treadmill_runner():
    run = _run()
    drift = 0.3 * 220 * np.sin(np.linspace(0, np.pi, len(run.track)))  # forward, then back
    report = _assess(run, track=_shifted(run.track, np.stack(
        [drift, np.zeros_like(drift)], axis=-1)[:, None, :]))
    assert report.findings == ()


@pytest.mark.parametrize("facing", FACINGS)
def test_feet_in_view_without_a_rhythm_are_not_running(facing):
    run = _run(facing)
    no_rhythm = GaitEvents(steps=(), stride_period_s=None, reliable=False, reason="none")
    report = _assess(run, events=no_rhythm)
    assert _checks(report) == ["no_rhythm"]


def test_a_missing_rhythm_in_a_clip_too_short_for_two_strides_says_nothing():
    run = _run(duration_s=1.0)
    no_rhythm = GaitEvents(steps=(), stride_period_s=None, reliable=False, reason="none")
    assert _assess(run, events=no_rhythm).findings == ()


# --------------------------------------------------------------------------- seen well enough


@pytest.mark.parametrize("facing", FACINGS)
def test_feet_below_the_frame_withdraw_the_contact_metrics_only(facing):
    run = _run(facing)
    low = _shifted(run.track, np.array([0.0, 110.0]))  # camera aimed too high
    assert feet_unseen_share(low) == 1.0
    report = _assess(run, track=low)
    assert _checks(report) == ["feet_out_of_frame"] and report.running
    finding = report.findings[0]
    covered = {s.key for s in METRICS if finding.covers(s)}
    assert covered == {s.key for s in METRICS if s.at_contact} | {
        "contact_time_ms", "flight_time_ms", "duty_factor"}
    assert "cadence_spm" not in covered and "trunk_lean_deg" not in covered


def test_feet_filled_in_by_the_cleaning_or_low_count_as_unseen():
    run = _run()
    t = run.track
    vis = t.visibility.copy()
    feet = [i for i, n in enumerate(LANDMARK_NAMES) if n.endswith(("heel", "foot_index"))]
    vis[:150, feet] = 0.0  # 150 of 360 frames filled in
    filled = PoseTrack.from_arrays(t.time, t.position, width=t.width, height=t.height,
                                   depth=t.depth, visibility=vis, world=t.world)
    assert feet_unseen_share(filled) == pytest.approx(150 / 360)
    assert _checks(_assess(run, track=filled)) == ["feet_out_of_frame"]
    vis[30:, feet] = 1.0  # now only 30 frames
    partly = PoseTrack.from_arrays(t.time, t.position, width=t.width, height=t.height,
                                   depth=t.depth, visibility=vis, world=t.world)
    assert _assess(run, track=partly).findings == ()


@pytest.mark.parametrize("facing", FACINGS)
def test_a_small_runner_keeps_cadence_but_not_angles_or_contact_timing(facing):
    run = _run(facing, height_px=60)
    report = _assess(run)
    assert _checks(report) == ["too_small"] and report.running
    assert body_height_px(run.track) == pytest.approx(60, rel=0.03)
    finding = report.findings[0]
    assert finding.covers(spec("knee_flexion_at_contact_deg"))
    assert finding.covers(spec("trunk_lean_deg")) and finding.covers(spec("contact_time_ms"))
    assert not finding.covers(spec("cadence_spm"))


def test_a_runner_just_above_the_size_limit_is_measured():
    assert _assess(_run(height_px=130)).findings == ()


def test_gait_checks_are_skipped_where_the_feet_cannot_show_the_gait():
    front = _run(view="front")
    report = assess_activity(cleaned_of(front), GaitEvents((), None, reliable=False))
    assert report.findings == ()  # the view rule of measure handles front views
    small = _run(height_px=60)
    report = _assess(small, track=_standing(small, jitter_px=0.1))
    assert _checks(report) == ["too_small"]  # a still, tiny person: only the size is certain


def test_foot_excursion_is_the_more_mobile_ankle():
    run = _run()
    t = run.track
    pos = t.position.copy()
    left = [i for i, n in enumerate(LANDMARK_NAMES)
            if n.startswith(("left_knee", "left_ankle", "left_heel", "left_foot"))]
    pos[:, left] = np.nan  # one leg never seen
    one_leg = PoseTrack.from_arrays(t.time, pos, width=t.width, height=t.height)
    assert foot_excursion_px(one_leg) == pytest.approx(foot_excursion_px(t), rel=0.05)


# --------------------------------------------------------------------------- report objects


def test_events_are_flagged_only_when_a_finding_concerns_the_gait_or_feet():
    run = _run()
    events = true_events(run)
    assert _assess(run).flag_events(events) is events
    small = ActivityReport(findings=(Finding("too_small", ("side_view", "feet"), "tiny", "w"),),
                           body_height_px=20.0, hip_travel=0.0, hip_speed=0.0, feet_unseen=0.0,
                           foot_excursion=0.4, duty_factor=0.3)
    flagged = small.flag_events(events)
    assert flagged.reliable is False and flagged.reason == "tiny"
    assert flagged.steps == events.steps
    framing = dataclasses.replace(small, findings=(
        Finding("too_small", ("side_view",), "x", "w"),))
    assert framing.flag_events(events) is events


def test_the_first_finding_covering_a_metric_gives_its_reason():
    report = ActivityReport(
        findings=(Finding("feet_out_of_frame", ("feet",), "feet", "w1"),
                  Finding("too_small", ("side_view", "feet"), "small", "w2")),
        body_height_px=None, hip_travel=None, hip_speed=None, feet_unseen=None,
        foot_excursion=None,
        duty_factor=None)
    assert report.reason_for(spec("contact_time_ms")) == "feet"
    assert report.reason_for(spec("trunk_lean_deg")) == "small"
    assert report.reason_for(spec("cadence_spm")) is None
    assert report.warnings == ["w1", "w2"] and report.running


def test_an_empty_or_absent_track_gives_no_evidence_and_no_error():
    run = _run(duration_s=1.0)
    t = run.track
    blank = PoseTrack.from_arrays(t.time, np.full_like(t.position, np.nan), width=t.width,
                                  height=t.height)
    report = assess_activity(CleanedTrack(track=blank, facing="right", view="side"),
                             GaitEvents((), None, reliable=False))
    assert report.findings == ()
    assert report.body_height_px is None and report.feet_unseen is None
    json.dumps(report.to_summary(), allow_nan=False)


# --------------------------------------------------------------------------- applied by measure


def test_measure_withdraws_everything_from_someone_not_running_and_says_why():
    run = _run()
    cleaned = dataclasses.replace(cleaned_of(run), track=_standing(run))
    m = measure_cleaned(cleaned, true_events(run), px_per_cm=run.px_per_cm,
                        leg_length_px=run.leg_length_px)
    s = m.to_summary()
    assert [s["metrics"][k]["value"] for k in METRIC_KEYS] == [None] * len(METRIC_KEYS)
    assert {s["metrics"][k]["reason"] for k in METRIC_KEYS} == {m.activity.findings[0].reason}
    assert s["warnings"] == [m.activity.findings[0].warning]  # no fps or step-count advice
    assert s["events"]["reliable"] is False and s["events"]["reason"].startswith("Not running")
    assert s["activity"]["running"] is False
    assert s["steps"] and all(step["contact_ms"] is None and step["knee_flexion_at_contact_deg"]
                              is None and step["step_rate_spm"] is None for step in s["steps"])
    assert s["drift"] == {} or all(v["value"] is None for v in s["drift"].values())
    json.dumps(s, allow_nan=False)


def test_measure_keeps_what_a_small_runner_still_shows():
    run = _run(height_px=60)
    m = measure_cleaned(cleaned_of(run), true_events(run), px_per_cm=run.px_per_cm,
                        leg_length_px=run.leg_length_px)
    s = m.to_summary()
    assert s["metrics"]["cadence_spm"]["value"] == pytest.approx(170, abs=0.5)
    for key in ("trunk_lean_deg", "knee_flexion_at_contact_deg", "contact_time_ms"):
        assert s["metrics"][key]["value"] is None
        assert "too small" in s["metrics"][key]["reason"]
    assert s["warnings"][0].startswith("The runner is too small")
    assert all(step["step_rate_spm"] is not None and step["knee_flexion_at_contact_deg"] is None
               for step in s["steps"][:-1])
    assert s["events"]["reliable"] is False  # contacts timed on a 9 px foot


def test_measure_leaves_a_good_run_untouched():
    run = _run()
    m = measure_cleaned(cleaned_of(run), true_events(run), px_per_cm=run.px_per_cm,
                        leg_length_px=run.leg_length_px)
    s = m.to_summary()
    assert s["activity"]["running"] is True and s["activity"]["findings"] == []
    assert s["events"]["reliable"] is True
    assert all(s["metrics"][k]["value"] is not None for k in METRIC_KEYS
               if k not in ("step_length_cm", "vertical_ratio_pct"))


def test_the_activity_section_matches_the_summary_schema():
    import jsonschema

    from runform.output.schema import summary_schema

    schema = summary_schema()["properties"]["activity"]
    for run, track in ((_run(), None), (_run(), _standing(_run())), (_run(height_px=60), None)):
        cleaned = cleaned_of(run) if track is None else dataclasses.replace(cleaned_of(run),
                                                                            track=track)
        s = measure_cleaned(cleaned, true_events(run)).to_summary()
        jsonschema.validate(s["activity"], schema)
