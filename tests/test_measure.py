import json

import numpy as np
import pytest

from runform.gait.types import GaitEvents
from runform.measure import measure_cleaned, near_side
from runform.metrics.table import METRIC_KEYS, spec
from runform.pose.track import PoseTrack
from tests.metrics_support import cleaned_of, exact_run, measure_run, true_events
from tests.synthetic_tracks import synthetic_run

SERIES = ("trunk_lean_deg", "head_forward_deg", "elbow_angle_deg", "knee_flexion_left_deg",
          "knee_flexion_right_deg", "upper_arm_angle_deg", "hip_height_px", "hip_height_cm")


def _check_entries(metrics: dict) -> None:
    assert list(metrics) == list(METRIC_KEYS)
    for key, entry in metrics.items():
        assert entry["unit"] == spec(key).unit
        assert 0.0 <= entry["confidence"] <= 1.0
        if entry["value"] is None:
            assert entry["reason"], key
            assert entry["confidence"] == 0.0


@pytest.mark.parametrize("facing", ["left", "right"])
def test_summary_is_complete_strict_json(facing: str) -> None:
    run = exact_run(facing=facing, noise_px=0.5, gaps=((4.0, 4.3),), seed=1)
    m = measure_run(run, speed_kmh=11.0)
    s = m.to_summary()
    text = json.dumps(s, allow_nan=False)
    assert "NaN" not in text
    assert {"view", "facing", "scale", "events", "metrics", "steps", "drift",
            "warnings"} <= set(s)
    assert s["facing"] == facing and s["view"] == "side" and s["near_side"] == facing
    _check_entries(s["metrics"])
    assert all(s["metrics"][k]["value"] is not None for k in METRIC_KEYS)
    assert s["scale"]["px_per_cm"] == pytest.approx(run.px_per_cm)
    assert len(s["steps"]) == len(run.contacts)
    first = s["steps"][0]
    for field in ("foot", "time_s", "frame", "toe_off_s", "contact_ms",
                  "knee_flexion_at_contact_deg", "shank_angle_at_contact_deg",
                  "foot_ahead_of_hip_cm", "foot_strike", "vertical_oscillation_cm"):
        assert field in first
    for name in SERIES:
        assert m.series[name].shape == run.track.time.shape


def test_front_view_withholds_side_view_metrics() -> None:
    run = exact_run(view="front")
    m = measure_run(run)
    assert m.metrics["trunk_lean_deg"]["value"] is None
    assert "front" in m.metrics["trunk_lean_deg"]["reason"]
    for key in METRIC_KEYS:
        if spec(key).side_view_only:
            assert m.metrics[key]["value"] is None, key
    assert m.metrics["cadence_spm"]["value"] == pytest.approx(150.0)
    assert any("front" in w for w in m.warnings)
    _check_entries(m.metrics)


def test_no_events_gives_reasons_not_crashes() -> None:
    run = exact_run(duration_s=1.0)
    events = GaitEvents(steps=(), stride_period_s=None, reliable=False,
                        reason="The clip is too short for gait events.")
    m = measure_cleaned(cleaned_of(run), events, px_per_cm=run.px_per_cm,
                        leg_length_px=run.leg_length_px)
    _check_entries(m.metrics)
    assert m.metrics["knee_flexion_at_contact_deg"]["value"] is None
    assert m.metrics["trunk_lean_deg"]["value"] is not None  # needs no events
    assert m.steps == []
    assert all(d["value"] is None for d in m.drift.values())
    json.dumps(m.to_summary(), allow_nan=False)


def test_few_steps_warn() -> None:
    run = exact_run(duration_s=3.0)
    m = measure_run(run)
    assert any("Dingenen" in w for w in m.warnings)
    assert m.metrics["knee_flexion_at_contact_deg"]["confidence"] < 0.5


def test_confidence_grows_with_steps() -> None:
    short = measure_run(synthetic_run(duration_s=3.0, fps=120.0, noise_px=0.5))
    long = measure_run(synthetic_run(duration_s=12.0, fps=120.0, noise_px=0.5))
    for key in ("knee_flexion_at_contact_deg", "trunk_lean_deg", "cadence_spm"):
        assert long.metrics[key]["confidence"] > short.metrics[key]["confidence"], key


def _with_depth(track: PoseTrack, depth: np.ndarray) -> PoseTrack:
    return PoseTrack.from_arrays(track.time, track.position, width=track.width,
                                 height=track.height, depth=depth,
                                 visibility=np.ones_like(track.visibility))


def test_near_side_from_depth_then_visibility_then_facing() -> None:
    run = exact_run(facing="right")
    assert near_side(run.track, "right") == "right"
    # Depth says the left side is nearer (e.g. the model swapped every label): trust it.
    flipped = _with_depth(run.track, -run.track.depth)
    assert near_side(flipped, "right") == "left"
    # No depth and equal visibility: geometry (facing right shows the right side).
    blind = _with_depth(run.track, np.full_like(run.track.depth, np.nan))
    assert near_side(blind, "right") == "right"
    assert near_side(blind, "left") == "left"


def test_events_summary_counts() -> None:
    run = exact_run()
    s = measure_run(run).to_summary()
    ev = true_events(run)
    assert s["events"]["contacts"] == len(ev.steps)
    assert s["events"]["contacts_left"] + s["events"]["contacts_right"] == len(ev.steps)
    assert s["events"]["reliable"] is True


def test_degenerate_track_gives_reasons_without_warnings() -> None:
    # Every landmark stuck on one pixel (a frozen detector): zero trunk length, no contacts.
    import warnings

    run = exact_run(duration_s=2.0)
    pos = np.full_like(run.track.position, 100.0)
    depth = np.random.default_rng(0).normal(0.0, 30.0, pos.shape[:2])
    track = PoseTrack.from_arrays(run.track.time, pos, width=640, height=360, depth=depth)
    assert near_side(track, "left") in ("left", "right")
    events = GaitEvents(steps=(), stride_period_s=None, reliable=False, reason="no gait")
    cleaned = cleaned_of(run)
    frozen = type(cleaned)(track=track, facing="left", view="side")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = measure_cleaned(frozen, events, px_per_cm=2.0, leg_length_px=None)
    _check_entries(m.metrics)
    json.dumps(m.to_summary(), allow_nan=False)
