"""score_summary as a whole: views, confidence, height/speed, overall score, cues, robustness."""

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.scoring import load_profile, score_summary
from tests.scoring_helpers import GOOD_VALUES, summary, with_metric

PROFILE = load_profile(None)
SCORED_SIDE_VIEW = ("trunk_lean_deg", "head_forward_deg", "elbow_angle_deg", "arm_swing_deg",
                    "shank_angle_at_contact_deg", "knee_flexion_at_contact_deg",
                    "foot_ahead_of_hip_leg", "vertical_ratio_pct")


def score(s, speed=12.0, **kw):
    return score_summary(s, PROFILE, speed_kmh=speed, **kw)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("height", [True, False])
@pytest.mark.parametrize("speed", [None, 12.0])
def test_typical_runner_scores_100_in_every_setting(facing, height, speed):
    got = score(summary(height=height, speed=speed is not None, facing=facing), speed)
    assert got["score"]["overall"] == 100.0
    assert got["score"]["facing"] == facing
    assert all(c["kind"] == "maintenance" for c in got["score"]["top_cues"])
    assert len(got["score"]["top_cues"]) == 3
    for key, entry in got["metrics"].items():
        assert entry["status"] in ("good", "unknown"), key


def test_both_facings_give_identical_verdicts():
    s = summary({"cadence_spm": 150.0, "trunk_lean_deg": 16.0, "elbow_angle_deg": 160.0})
    left = score(dict(s, facing="left"))
    right = score(dict(s, facing="right"))
    for section in ("metrics", "drift"):
        for key in left[section]:
            for field in ("status", "score", "message", "advice"):
                assert left[section][key][field] == right[section][key][field]
    assert left["score"]["overall"] == right["score"]["overall"]


def test_without_height_the_leg_length_value_is_scored_and_cm_says_why_not():
    got = score(summary({"foot_ahead_of_hip_leg": 0.30}, height=False), speed=None)
    cm = got["metrics"]["foot_ahead_of_hip_cm"]
    leg = got["metrics"]["foot_ahead_of_hip_leg"]
    assert cm["status"] == "unknown" and cm["score"] is None and not cm["counted"]
    assert "--height-cm" in cm["message"]
    assert leg["status"] == "poor" and leg["counted"]
    assert got["metrics"]["vertical_oscillation_cm"]["status"] == "unknown"
    assert "foot_ahead_of_hip_leg" in got["score"]["weights"]
    assert "foot_ahead_of_hip_cm" not in got["score"]["weights"]


def test_with_height_the_overstride_is_counted_once_and_shown_once():
    got = score(summary({"foot_ahead_of_hip_leg": 0.30, "foot_ahead_of_hip_cm": 27.0}))
    leg, cm = got["metrics"]["foot_ahead_of_hip_leg"], got["metrics"]["foot_ahead_of_hip_cm"]
    assert leg["status"] == cm["status"] == "poor"
    assert leg["counted"] and not cm["counted"]
    assert leg["shown"] and not cm["shown"]
    assert leg["value_text"] == "0.30 leg lengths (27.0 cm)"
    overstride = got["score"]["top_cues"][0]
    assert overstride["cue"] == "overstride"
    assert overstride["metrics"] == ["foot_ahead_of_hip_leg"]


def test_cm_is_counted_when_the_leg_length_is_unknown():
    s = summary({"foot_ahead_of_hip_cm": 27.0})
    s["metrics"]["foot_ahead_of_hip_leg"] = {"value": None, "confidence": 0.0}
    got = score(s)
    assert got["metrics"]["foot_ahead_of_hip_cm"]["counted"]
    assert got["metrics"]["foot_ahead_of_hip_cm"]["shown"]
    assert not got["metrics"]["foot_ahead_of_hip_leg"]["shown"]


@pytest.mark.parametrize("speed", [None, 12.0])
def test_bounce_is_judged_by_the_vertical_ratio_when_the_speed_is_known(speed):
    s = summary({"vertical_oscillation_cm": 12.5, "vertical_ratio_pct": 10.8},
                speed=speed is not None)
    got = score(s, speed)
    ratio, vo = got["metrics"]["vertical_ratio_pct"], got["metrics"]["vertical_oscillation_cm"]
    assert vo["status"] == "poor"
    if speed is None:
        assert ratio["status"] == "unknown"
        assert vo["counted"] and vo["shown"]
    else:
        assert ratio["status"] == "poor" and ratio["counted"]
        assert not vo["counted"]
        assert ratio["value_text"] == "10.8% (12.5 cm)"


@pytest.mark.parametrize("view", ["front", "rear"])
def test_no_side_view_scoring_from_a_front_or_rear_view(view):
    s = summary({"trunk_lean_deg": 25.0}, view=view)
    got = score(s)
    for key in SCORED_SIDE_VIEW:
        entry = got["metrics"][key]
        assert entry["status"] == "unknown", key
        assert entry["score"] is None
        assert f"this clip is a {view} view" in entry["message"]
        assert "side" in entry["advice"]
    assert got["metrics"]["cadence_spm"]["status"] == "good"
    assert got["drift"]["trunk_lean_deg"]["status"] == "unknown"
    assert got["score"]["overall"] is None
    assert got["score"]["coverage"] < PROFILE.min_coverage


@pytest.mark.parametrize(("confidence", "expected"), [
    (0.39, "unknown"), (0.4, "poor"), (0.9, "poor"), (None, "poor"), (float("nan"), "unknown"),
])
def test_low_confidence_makes_a_metric_unknown(confidence, expected):
    s = summary({"trunk_lean_deg": 25.0})
    s["metrics"]["trunk_lean_deg"]["confidence"] = confidence
    got = score(s)["metrics"]["trunk_lean_deg"]
    assert got["status"] == expected
    if expected == "unknown":
        assert got["score"] is None and not got["counted"]


@pytest.mark.parametrize(("key", "value"), [("head_forward_deg", 40.0),
                                            ("elbow_angle_deg", 170.0)])
def test_coaching_rules_need_a_more_solid_measurement(key, value):
    s = with_metric(summary(), key, value)
    s["metrics"][key]["confidence"] = 0.45
    assert score(s)["metrics"][key]["status"] == "unknown"
    s["metrics"][key]["confidence"] = 0.5
    assert score(s)["metrics"][key]["status"] == "poor"


def test_an_unknown_pair_of_alternatives_is_shown_once():
    s = summary()
    for key in ("foot_ahead_of_hip_leg", "foot_ahead_of_hip_cm"):
        s["metrics"][key] = {"value": None, "confidence": 0.0}
    got = score(s)["metrics"]
    assert got["foot_ahead_of_hip_leg"]["shown"] and not got["foot_ahead_of_hip_cm"]["shown"]


def test_per_rule_confidence_threshold_from_the_profile(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text("[metrics.trunk_lean_deg]\nmin_confidence = 0.95\n")
    got = score_summary(summary(), load_profile(path), speed_kmh=None)
    assert got["metrics"]["trunk_lean_deg"]["status"] == "unknown"
    assert "below the profile's minimum of 0.95" in got["metrics"]["trunk_lean_deg"]["message"]


@pytest.mark.parametrize("value", [None, "fast", float("nan"), float("inf"), True, [1, 2]])
def test_unusable_values_are_unknown_with_a_reason(value):
    got = score(with_metric(summary(), "cadence_spm", value))["metrics"]["cadence_spm"]
    assert got["status"] == "unknown"
    assert got["score"] is None
    assert got["message"].startswith("Cadence: not scored")


def test_overall_is_the_documented_weighted_mean_renormalised_over_known_metrics():
    s = summary({"trunk_lean_deg": 13.5, "elbow_angle_deg": 170.0})
    s["metrics"]["arm_swing_deg"]["value"] = None
    got = score(s)
    w = got["score"]["weights"]
    assert "arm_swing_deg" not in w
    assert w["trunk_lean_deg"] == 2.0 and w["cadence_spm"] == 2.0
    assert w["drift.trunk_lean_deg"] == 1.0
    trunk = got["metrics"]["trunk_lean_deg"]["score"]
    elbow = got["metrics"]["elbow_angle_deg"]["score"]
    assert trunk == pytest.approx(80 - 30 * 1.5 / 3)   # 65: halfway into the fair band
    assert elbow == pytest.approx(50 * (1 - 20 / 20), abs=1e-9)  # 20 deg past 150: 0
    total = sum(w.values())
    expected = (sum(w.values()) - 2.0 - 0.75) * 100 / total + 2.0 * trunk / total
    assert got["score"]["overall"] == pytest.approx(expected, abs=0.05)
    assert "weighted mean" in got["score"]["method"]


def test_top_cues_are_ranked_by_weight_times_shortfall():
    s = summary({"elbow_angle_deg": 170.0, "head_forward_deg": 40.0,
                 "trunk_lean_deg": 13.0}, drift={"trunk_lean_deg": 3.0})
    cues = score(s)["score"]["top_cues"]
    assert [c["cue"] for c in cues] == ["head", "arms", "posture"]
    assert cues[0]["importance"] > cues[1]["importance"] > cues[2]["importance"]
    assert cues[0]["status"] == "poor"
    assert "Head position" in cues[0]["because"]
    assert all(c["kind"] == "fault" and c["sources"] for c in cues)


def test_metrics_sharing_a_cue_add_up():
    s = summary({"cadence_spm": 150.0, "knee_flexion_at_contact_deg": 9.0,
                 "trunk_lean_deg": 16.5})
    cues = score(s)["score"]["top_cues"]
    assert cues[0]["cue"] == "overstride"
    assert set(cues[0]["metrics"]) == {"cadence_spm", "knee_flexion_at_contact_deg"}
    assert cues[1]["cue"] == "posture"
    assert cues[2]["kind"] == "maintenance"


def test_drift_gets_its_own_cue_from_the_articles():
    got = score(summary(drift={"trunk_lean_deg": 6.0}))
    assert got["drift"]["trunk_lean_deg"]["status"] == "poor"
    cue = got["score"]["top_cues"][0]
    assert cue["cue"] == "fatigue"
    assert "near the end of your runs" in cue["advice"]
    assert any(s["id"] == "sinicropi" for s in cue["sources"])


def test_health_note_appears_once_with_its_sources():
    got = score(summary({"trunk_lean_deg": 25.0}))
    note = got["health_note"]
    for word in ("persists", "numbness", "tingling", "weakness", "healthcare professional"):
        assert word in note["text"]
    assert {s["id"] for s in note["sources"]} >= {"sciaticalm", "manders"}
    text = json.dumps(got["metrics"]) + json.dumps(got["drift"])
    assert "tingling" not in text


def test_sources_list_articles_before_studies():
    got = score(summary())["metrics"]["cadence_spm"]["sources"]
    kinds = [s["kind"] for s in got]
    assert kinds[0] == "article" and "study" in kinds
    assert kinds == sorted(kinds, key=["article", "study", "review", "vendor",
                                       "reference"].index)


def test_input_summary_is_not_modified_and_other_fields_are_kept():
    s = summary({"trunk_lean_deg": 25.0})
    s["input"] = {"fps": 60}
    s["metrics"]["far_elbow_angle_deg"] = {"value": 95.0, "confidence": 0.5}
    before = copy.deepcopy(s)
    got = score(s)
    assert s == before
    assert got["input"] == {"fps": 60}
    extra = got["metrics"]["far_elbow_angle_deg"]
    assert extra["status"] == "unknown" and extra["kind"] == "unscored"
    assert list(got["metrics"])[:3] == ["cadence_spm", "trunk_lean_deg", "head_forward_deg"]
    json.dumps(got, allow_nan=False)


@pytest.mark.parametrize(("speed", "facing"), [(0.0, None), (-3.0, None), (float("nan"), None),
                                               (12.0, "up")])
def test_bad_arguments_raise_value_error(speed, facing):
    with pytest.raises(ValueError, match="Expected"):
        score_summary(summary(), PROFILE, speed_kmh=speed, facing=facing)


def test_empty_and_partial_summaries():
    for s in ({}, {"metrics": None}, {"metrics": {}, "drift": "broken"}, {"view": None}):
        got = score_summary(s, PROFILE, speed_kmh=None)
        assert got["score"]["overall"] is None
        assert len(got["score"]["top_cues"]) == 3
        assert got["health_note"]["text"]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
any_value = st.one_of(st.none(), finite, st.integers(-1000, 1000), st.booleans(),
                      st.sampled_from(["rearfoot", "midfoot", "forefoot", "odd", ""]))
metric_entry = st.one_of(
    any_value,
    st.fixed_dictionaries({"value": any_value},
                          optional={"confidence": st.one_of(st.none(), finite),
                                    "angle_deg": st.one_of(st.none(), finite),
                                    "standard_error": st.one_of(st.none(), finite),
                                    "reason": st.text(max_size=10)}))
keys = st.sampled_from([*GOOD_VALUES, "mystery_metric"])


@settings(max_examples=300, deadline=None)
@given(metrics=st.dictionaries(keys, metric_entry, max_size=20),
       drift=st.dictionaries(st.sampled_from([*PROFILE.drift, "other"]), metric_entry,
                             max_size=6),
       view=st.sampled_from([None, "side", "front", "rear", "weird"]),
       speed=st.one_of(st.none(), st.floats(min_value=3, max_value=40)),
       facing=st.sampled_from([None, "left", "right"]))
def test_any_summary_scores_without_raising(metrics, drift, view, speed, facing):
    got = score_summary({"metrics": metrics, "drift": drift, "view": view}, PROFILE,
                        speed_kmh=speed, facing=facing)
    overall = got["score"]["overall"]
    assert overall is None or 0.0 <= overall <= 100.0
    assert len(got["score"]["top_cues"]) == 3
    for section in ("metrics", "drift"):
        for key, entry in got[section].items():
            assert entry["status"] in ("good", "fair", "poor", "unknown"), key
            s = entry["score"]
            assert s is None or (0.0 <= s <= 100.0 and math.isfinite(s))
            if entry["status"] == "unknown":
                assert s is None
            assert isinstance(entry["message"], str) and entry["message"]
    json.dumps(got, allow_nan=False)
