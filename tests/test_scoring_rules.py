"""Each rule of the shipped profile at and around its thresholds.

The thresholds are written out here as known answers (not read back from the
profile), so an unintended change to the profile fails a test.
"""


import pytest

from runform.scoring import load_profile, score_summary
from runform.scoring.profile import Band
from runform.scoring.rules import judge
from tests.scoring_helpers import summary, with_metric

PROFILE = load_profile(None)
EPS = 0.05


def status_of(key, value, *, speed=None, facing="left", height=True, relative=None):
    base = summary(height=height, speed=speed is not None, facing=facing)
    if relative is not None:
        base = with_metric(base, "trunk_lean_deg", relative)
    scored = score_summary(with_metric(base, key, value), PROFILE, speed_kmh=speed,
                           facing=facing)
    return scored["metrics"][key]


# (key, speed, value, expected status): at each limit, just inside and just outside.
THRESHOLDS = [
    # cadence without speed: good >= 160, fair >= 150
    ("cadence_spm", None, 160.0, "good"), ("cadence_spm", None, 160 - EPS, "fair"),
    ("cadence_spm", None, 150.0, "fair"), ("cadence_spm", None, 150 - EPS, "poor"),
    ("cadence_spm", None, 230.0, "good"),
    # cadence at 8 km/h: 150 / 142; at 12 km/h: 160 / 152; at 16 km/h: 168 / 160
    ("cadence_spm", 8.0, 150.0, "good"), ("cadence_spm", 8.0, 150 - EPS, "fair"),
    ("cadence_spm", 8.0, 142.0, "fair"), ("cadence_spm", 8.0, 142 - EPS, "poor"),
    ("cadence_spm", 12.0, 160.0, "good"), ("cadence_spm", 12.0, 152.0, "fair"),
    ("cadence_spm", 12.0, 152 - EPS, "poor"),
    ("cadence_spm", 16.0, 168.0, "good"), ("cadence_spm", 16.0, 168 - EPS, "fair"),
    ("cadence_spm", 16.0, 160.0, "fair"), ("cadence_spm", 16.0, 160 - EPS, "poor"),
    ("cadence_spm", 20.0, 172 - EPS, "fair"), ("cadence_spm", 20.0, 164 - EPS, "poor"),
    # trunk lean: good 2..12, fair -1..15
    ("trunk_lean_deg", None, 2.0, "good"), ("trunk_lean_deg", None, 2 - EPS, "fair"),
    ("trunk_lean_deg", None, -1.0, "fair"), ("trunk_lean_deg", None, -1 - EPS, "poor"),
    ("trunk_lean_deg", None, 12.0, "good"), ("trunk_lean_deg", None, 12 + EPS, "fair"),
    ("trunk_lean_deg", None, 15.0, "fair"), ("trunk_lean_deg", None, 15 + EPS, "poor"),
    # elbow: good 65..115, fair 45..150
    ("elbow_angle_deg", None, 65.0, "good"), ("elbow_angle_deg", None, 65 - EPS, "fair"),
    ("elbow_angle_deg", None, 45.0, "fair"), ("elbow_angle_deg", None, 45 - EPS, "poor"),
    ("elbow_angle_deg", None, 115.0, "good"), ("elbow_angle_deg", None, 115 + EPS, "fair"),
    ("elbow_angle_deg", None, 150.0, "fair"), ("elbow_angle_deg", None, 150 + EPS, "poor"),
    # arm swing: good >= 35, fair >= 20
    ("arm_swing_deg", None, 35.0, "good"), ("arm_swing_deg", None, 35 - EPS, "fair"),
    ("arm_swing_deg", None, 20.0, "fair"), ("arm_swing_deg", None, 20 - EPS, "poor"),
    ("arm_swing_deg", None, 120.0, "good"),
    # shank at contact: good <= 8, fair <= 12; no lower limit
    ("shank_angle_at_contact_deg", None, 8.0, "good"),
    ("shank_angle_at_contact_deg", None, 8 + EPS, "fair"),
    ("shank_angle_at_contact_deg", None, 12.0, "fair"),
    ("shank_angle_at_contact_deg", None, 12 + EPS, "poor"),
    ("shank_angle_at_contact_deg", None, -15.0, "good"),
    # knee flexion at contact: good >= 12, fair >= 8; no upper limit
    ("knee_flexion_at_contact_deg", None, 12.0, "good"),
    ("knee_flexion_at_contact_deg", None, 12 - EPS, "fair"),
    ("knee_flexion_at_contact_deg", None, 8.0, "fair"),
    ("knee_flexion_at_contact_deg", None, 8 - EPS, "poor"),
    ("knee_flexion_at_contact_deg", None, 40.0, "good"),
    # foot ahead of hip: leg lengths good <= 0.18, fair <= 0.25; cm good <= 16, fair <= 22
    ("foot_ahead_of_hip_leg", None, 0.18, "good"), ("foot_ahead_of_hip_leg", None, 0.181, "fair"),
    ("foot_ahead_of_hip_leg", None, 0.25, "fair"), ("foot_ahead_of_hip_leg", None, 0.251, "poor"),
    ("foot_ahead_of_hip_leg", None, -0.05, "good"),
    ("foot_ahead_of_hip_cm", None, 16.0, "good"), ("foot_ahead_of_hip_cm", None, 16 + EPS, "fair"),
    ("foot_ahead_of_hip_cm", None, 22.0, "fair"), ("foot_ahead_of_hip_cm", None, 22 + EPS, "poor"),
    # vertical ratio (needs speed): 8.6 / 10.1 at 11-13 km/h (Garmin's bands), shifted with
    # the step length: 11 / 13 below 9 km/h, 10 / 11.8 at 9-11, 6.3 / 7.5 from 18 km/h
    ("vertical_ratio_pct", 12.0, 8.6, "good"), ("vertical_ratio_pct", 12.0, 8.6 + EPS, "fair"),
    ("vertical_ratio_pct", 12.0, 10.1, "fair"), ("vertical_ratio_pct", 12.0, 10.1 + EPS, "poor"),
    ("vertical_ratio_pct", 8.0, 11.0, "good"), ("vertical_ratio_pct", 8.0, 13.0 + EPS, "poor"),
    ("vertical_ratio_pct", 9.0, 10.0, "good"), ("vertical_ratio_pct", 9.0, 10.0 + EPS, "fair"),
    ("vertical_ratio_pct", 14.0, 7.8 + EPS, "fair"),
    ("vertical_ratio_pct", 16.0, 8.3 + EPS, "poor"),
    ("vertical_ratio_pct", 20.0, 6.3, "good"), ("vertical_ratio_pct", 20.0, 6.3 + EPS, "fair"),
    # vertical oscillation: 9.5 / 11.5 without speed; 9.0 / 11.0 below 9 km/h;
    # 10.0 / 12.0 at 13-16 km/h; 10.5 / 12.5 from 16 km/h
    ("vertical_oscillation_cm", None, 9.5, "good"),
    ("vertical_oscillation_cm", None, 9.5 + EPS, "fair"),
    ("vertical_oscillation_cm", None, 11.5, "fair"),
    ("vertical_oscillation_cm", None, 11.5 + EPS, "poor"),
    ("vertical_oscillation_cm", 8.0, 9.0 + EPS, "fair"),
    ("vertical_oscillation_cm", 8.0, 11.0 + EPS, "poor"),
    ("vertical_oscillation_cm", 14.0, 10.0, "good"),
    ("vertical_oscillation_cm", 14.0, 12.0 + EPS, "poor"),
    ("vertical_oscillation_cm", 17.0, 10.5, "good"),
    ("vertical_oscillation_cm", 17.0, 10.5 + EPS, "fair"),
]


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize(("key", "speed", "value", "expected"), THRESHOLDS)
def test_threshold(key, speed, value, expected, facing):
    assert status_of(key, value, speed=speed, facing=facing)["status"] == expected


@pytest.mark.parametrize(("value", "trunk", "expected"), [
    # head is judged relative to the trunk line: good -10..10, fair -20..18
    (17.0, 7.0, "good"), (17.0 + EPS, 7.0, "fair"), (25.0, 7.0, "fair"),
    (25.0 + EPS, 7.0, "poor"), (-3.0, 7.0, "good"), (-3 - EPS, 7.0, "fair"),
    (-13.0, 7.0, "fair"), (-13 - EPS, 7.0, "poor"),
    # a forward trunk carries the head with it: no false alarm on the head
    (24.0, 20.0, "good"), (10.0, 0.0, "good"), (10 + EPS, 0.0, "fair"),
])
@pytest.mark.parametrize("facing", ["left", "right"])
def test_head_is_judged_relative_to_the_trunk(value, trunk, expected, facing):
    got = status_of("head_forward_deg", value, relative=trunk, facing=facing)
    assert got["status"] == expected
    assert got["scored_value"] == pytest.approx(value - trunk)


def test_head_uses_a_typical_trunk_lean_when_the_trunk_is_unknown_and_says_so():
    base = with_metric(summary(), "trunk_lean_deg", None)
    scored = score_summary(with_metric(base, "head_forward_deg", 17.0), PROFILE, speed_kmh=None)
    head = scored["metrics"]["head_forward_deg"]
    assert head["status"] == "good"
    assert head["scored_value"] == pytest.approx(10.0)
    assert "assumed typical" in head["message"]


@pytest.mark.parametrize(("key", "value", "expected"), [
    # drift: last third minus first third
    ("trunk_lean_deg", 2.0, "good"), ("trunk_lean_deg", 2 + EPS, "fair"),
    ("trunk_lean_deg", 4.0, "fair"), ("trunk_lean_deg", 4 + EPS, "poor"),
    ("trunk_lean_deg", -6.0, "good"),
    ("cadence_spm", -3.0, "good"), ("cadence_spm", -3 - EPS, "fair"),
    ("cadence_spm", -6.0, "fair"), ("cadence_spm", -6 - EPS, "poor"), ("cadence_spm", 8.0, "good"),
    ("knee_flexion_at_contact_deg", 3.0, "good"), ("knee_flexion_at_contact_deg", -3.0, "good"),
    ("knee_flexion_at_contact_deg", 3 + EPS, "fair"),
    ("knee_flexion_at_contact_deg", -5 - EPS, "poor"),
    ("vertical_oscillation_cm", 1.0, "good"), ("vertical_oscillation_cm", 1 + EPS, "fair"),
    ("vertical_oscillation_cm", 2.0, "fair"), ("vertical_oscillation_cm", 2 + EPS, "poor"),
])
@pytest.mark.parametrize("facing", ["left", "right"])
def test_drift_thresholds(key, value, expected, facing):
    base = summary(drift={key: value}, facing=facing)
    base["drift"][key]["standard_error"] = 0.1
    got = score_summary(base, PROFILE, speed_kmh=None)["drift"][key]
    assert got["status"] == expected


def test_a_drift_within_two_standard_errors_is_noise():
    base = summary(drift={"trunk_lean_deg": 5.0})
    base["drift"]["trunk_lean_deg"]["standard_error"] = 2.6
    got = score_summary(base, PROFILE, speed_kmh=None)["drift"]["trunk_lean_deg"]
    assert got["status"] == "good"
    assert "measurement noise" in got["message"]
    base["drift"]["trunk_lean_deg"]["standard_error"] = 2.4
    assert score_summary(base, PROFILE, speed_kmh=None)["drift"]["trunk_lean_deg"][
        "status"] == "poor"


@pytest.mark.parametrize("key", ["contact_time_ms", "flight_time_ms", "duty_factor",
                                 "step_length_cm"])
@pytest.mark.parametrize("value", [1.0, 120.0, 600.0])
def test_descriptors_are_never_faults(key, value):
    got = status_of(key, value, speed=12.0)
    assert got["status"] == "good"
    assert got["score"] is None
    assert got["kind"] == "descriptor"
    assert got["counted"] is False
    assert "not a fault" in got["message"] or "description" in got["message"]


@pytest.mark.parametrize(("speed", "value", "where"), [
    (None, 159.0, "Below"), (None, 300.0, "Within"), (None, 301.0, "Above"),
    (8.0, 259.0, "Below"), (8.0, 340.0, "Within"), (13.0, 281.0, "Above"),
    (16.0, 250.0, "Within"), (19.0, 231.0, "Above"),
])
def test_contact_time_typical_range_depends_on_pace(speed, value, where):
    got = status_of("contact_time_ms", value, speed=speed)
    assert f"{where} the typical range" in got["message"]
    assert got["status"] == "good"


@pytest.mark.parametrize("pattern", ["rearfoot", "midfoot", "forefoot"])
def test_foot_strike_pattern_is_a_descriptor(pattern):
    got = status_of("foot_strike", pattern)
    assert got["status"] == "good"
    assert got["score"] is None
    assert "not a fault" in got["message"]


@pytest.mark.parametrize(("angle", "overstride", "expected"), [
    (15.0, 0.30, "fair"), (14.9, 0.30, "good"), (25.0, 0.10, "good"), (25.0, 0.25, "good"),
])
def test_heavy_heel_strike_is_flagged_only_with_an_overstride(angle, overstride, expected):
    base = summary({"_strike_angle": angle, "foot_ahead_of_hip_leg": overstride,
                    "foot_ahead_of_hip_cm": overstride * 86})
    got = score_summary(base, PROFILE, speed_kmh=None)["metrics"]["foot_strike"]
    assert got["status"] == expected
    assert got["score"] is None


def test_forefoot_is_never_flagged_even_with_an_overstride():
    base = summary({"foot_strike": "forefoot", "_strike_angle": -5.0,
                    "foot_ahead_of_hip_leg": 0.4})
    assert score_summary(base, PROFILE, speed_kmh=None)["metrics"]["foot_strike"][
        "status"] == "good"


def test_score_curve_is_continuous_and_monotonic():
    band = Band(good_min=10.0, good_max=20.0, fair_min=5.0, fair_max=30.0, poor_span=10.0)
    assert judge(10.0, band).score == 100.0
    assert judge(10.0 - 1e-9, band).score == pytest.approx(80.0)
    assert judge(5.0, band).score == pytest.approx(50.0)
    assert judge(5.0 - 1e-9, band).score == pytest.approx(50.0)
    assert judge(0.0, band).score == pytest.approx(25.0)
    assert judge(-5.0, band).score == 0.0
    assert judge(-100.0, band).score == 0.0
    assert judge(25.0, band).score == pytest.approx(65.0)
    values = [x / 10 for x in range(-100, 500)]
    low = [judge(v, band).score for v in values if v < 15]
    high = [judge(v, band).score for v in values if v > 15]
    assert low == sorted(low)
    assert high == sorted(high, reverse=True)


def test_a_side_without_fair_band_goes_straight_to_poor():
    band = Band(good_min=0.0, good_max=1.0, fair_max=2.0, poor_span=1.0)
    got = judge(-0.01, band)
    assert (got.status, got.side) == ("poor", "low")
    assert got.score == pytest.approx(49.5)


@pytest.mark.parametrize(("key", "value", "words"), [
    ("cadence_spm", 148.0, ["148 steps per minute", "160 spm or more at any pace",
                            "Well below"]),
    ("trunk_lean_deg", 18.24, ["18.2° forward", "2.0 to 12.0°", "Well above"]),
    ("trunk_lean_deg", -3.0, ["3.0° back", "leaning back"]),
    ("knee_flexion_at_contact_deg", 10.0, ["10.0°", "12.0° or more", "A little below"]),
    ("foot_ahead_of_hip_leg", 0.31, ["0.31 leg lengths ahead of the hips",
                                     "up to 0.18 leg lengths"]),
    ("elbow_angle_deg", 165.0, ["165°", "65 to 115°", "arms held fairly straight",
                                "coaching guidance only"]),
])
def test_messages_give_the_number_and_the_typical_range_in_plain_words(key, value, words):
    got = status_of(key, value)
    for word in words:
        assert word in got["message"], (word, got["message"])


def test_pace_specific_ranges_are_named_with_the_speed():
    got = status_of("cadence_spm", 150.0, speed=12.0)
    assert "160 spm or more at 12 km/h" in got["message"]
    assert got["pace_band"] == "11-13 km/h"
    assert "--speed-kmh" not in got["message"]
    assert "--speed-kmh" in status_of("cadence_spm", 150.0)["message"]


def test_cadence_advice_suggests_five_to_ten_percent_more_of_the_runners_own_rate():
    got = status_of("cadence_spm", 150.0)
    assert "158 spm to 165 spm" in got["advice"]


def test_every_rule_states_its_evidence_and_cites_an_article_or_study():
    scored = score_summary(summary(), PROFILE, speed_kmh=12.0)
    for section in ("metrics", "drift"):
        for key, got in scored[section].items():
            assert got["evidence"] in ("strong", "moderate", "limited", "coaching"), key
            assert got["sources"], key
            assert got["evidence_note"], key
    coaching = [k for k, e in scored["metrics"].items() if e["evidence"] == "coaching"]
    assert set(coaching) == {"head_forward_deg", "elbow_angle_deg"}
    for key in coaching:
        assert "coaching guidance only" in scored["metrics"][key]["message"]
