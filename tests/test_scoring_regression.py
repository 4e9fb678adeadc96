"""Regression: four synthetic runners are told apart the way a coach would.

Good form versus clear overstriding (foot far ahead of the hips, straight knee
at contact, low cadence), versus a strong forward lean that grows over the
clip, versus straight arms with a forward head. Each fault must be ``poor`` on
its own metric, the other metrics must not be ``poor`` (no false alarms), and
the good runner must score clearly higher overall.

Two sources of truth, both in ``summary.json`` form: (1) :class:`Runner`, the
parameters of ``tools/synthrun`` (its ``good_form`` and ``overstride``
presets; the lean and arms/head runners are the good runner with only those
faults), and (2) :data:`SYNTHRUN_TRUTH`, a snapshot of synthrun's own truth
for the same four runners. ``tests/test_scoring_clips.py`` runs the real
pipeline on rendered clips of such runners (slow); here, for (1), the
summaries are built from the truth as the metric modules would report it,
so every rule is exercised in both facings, with and without speed and
height, in milliseconds: the shank angle at contact follows from the knee
flexion and the foot position by two-link geometry with Winter's
proportions, and the drift is the last-third-minus-first-third change of a
linear drift (2/3 of it). Every
runner is also scored with measurement errors of the size of the accuracy
targets (issue 3) pushed in both directions, so the verdicts do not hinge on
a perfect measurement.
"""

import math
from dataclasses import dataclass, replace

import pytest

from runform.scoring import load_profile, score_summary

PROFILE = load_profile(None)
STATURE_CM = 178.0
THIGH, SHANK = 0.245 * STATURE_CM, 0.246 * STATURE_CM
LEG_CM = THIGH + SHANK


@dataclass(frozen=True)
class Runner:
    """Ground truth of a synthetic runner (``tools.synthrun.GaitParams`` names)."""

    cadence_spm: float = 176.0
    speed_kmh: float = 9.0
    duty_factor: float = 0.32
    trunk_lean_deg: float = 6.0
    trunk_lean_drift_deg: float = 0.0
    foot_ahead_at_ic_cm: float = 10.0
    knee_flexion_at_ic_deg: float = 20.0
    foot_strike_angle_deg: float = 6.0
    vertical_oscillation_cm: float = 8.0
    elbow_angle_deg: float = 90.0
    arm_swing_deg: float = 60.0
    head_forward_deg: float = 5.0


GOOD = Runner()
OVERSTRIDE = Runner(cadence_spm=152.0, duty_factor=0.36, trunk_lean_deg=3.0,
                    foot_ahead_at_ic_cm=35.0, knee_flexion_at_ic_deg=7.0,
                    foot_strike_angle_deg=18.0, vertical_oscillation_cm=10.0, arm_swing_deg=50.0,
                    head_forward_deg=2.0)
LEAN = Runner(trunk_lean_deg=18.0, trunk_lean_drift_deg=12.0, head_forward_deg=17.0)
ARMS_HEAD = Runner(elbow_angle_deg=165.0, head_forward_deg=30.0)

RUNNERS = {"good": GOOD, "overstride": OVERSTRIDE, "lean": LEAN, "arms_head": ARMS_HEAD}
FAULTS = {
    "good": set(),
    "overstride": {"foot_ahead_of_hip_leg", "foot_ahead_of_hip_cm",
                   "knee_flexion_at_contact_deg", "shank_angle_at_contact_deg"},
    "lean": {"trunk_lean_deg", "drift.trunk_lean_deg"},
    "arms_head": {"elbow_angle_deg", "head_forward_deg"},
}
"""Metrics that must be poor for each runner (at the true values)."""
ALSO_FLAGGED = {
    "overstride": {"cadence_spm", "foot_strike", "vertical_oscillation_cm",
                   "vertical_ratio_pct"},
}
"""Metrics a coach would also mention (fair or worse allowed, never required)."""
MUST_FLAG = {"overstride": {"cadence_spm"}}
"""Metrics that must be at least fair (152 spm at 9 km/h is low but not extreme:
cadence has no validated cut-off)."""


def shank_angle_deg(foot_ahead_cm: float, knee_flexion_deg: float) -> float:
    """Shank angle from vertical at contact (ankle ahead positive), two-link geometry.

    With equal-ish thigh and shank, the knee sits forward of the hip-ankle line
    and the shank is tilted back from that line by the angle at the ankle.
    """
    knee = math.radians(180.0 - knee_flexion_deg)
    reach = math.sqrt(THIGH**2 + SHANK**2 - 2 * THIGH * SHANK * math.cos(knee))
    leg_angle = math.degrees(math.asin(foot_ahead_cm / reach))
    at_ankle = math.degrees(math.acos((SHANK**2 + reach**2 - THIGH**2) / (2 * SHANK * reach)))
    return leg_angle - at_ankle


def metric(value, confidence=0.9, **extra):
    return {"value": value, "unit": "", "confidence": confidence, **extra}


def summary_of(r: Runner, *, errors: dict[str, float] | None = None, facing: str = "left",
               height: bool = True, speed: bool = True) -> dict:
    """The summary the metric modules would report for runner ``r``, plus ``errors``.

    Without ``height`` the cm metrics are unmeasured; without ``speed`` the
    step length and vertical ratio are.
    """
    e = errors or {}
    step_s = 60.0 / r.cadence_spm
    contact_ms = r.duty_factor * 2 * step_s * 1000.0
    step_cm = r.speed_kmh / 3.6 * 100.0 * step_s
    foot_cm = r.foot_ahead_at_ic_cm + e.get("foot_ahead_of_hip_cm", 0.0)
    vo = r.vertical_oscillation_cm + e.get("vertical_oscillation_cm", 0.0)
    shank = shank_angle_deg(r.foot_ahead_at_ic_cm, r.knee_flexion_at_ic_deg)
    values = {
        "cadence_spm": r.cadence_spm + e.get("cadence_spm", 0.0),
        "trunk_lean_deg": r.trunk_lean_deg + e.get("trunk_lean_deg", 0.0),
        "head_forward_deg": r.head_forward_deg + e.get("head_forward_deg", 0.0),
        "elbow_angle_deg": r.elbow_angle_deg + e.get("elbow_angle_deg", 0.0),
        "arm_swing_deg": r.arm_swing_deg + e.get("arm_swing_deg", 0.0),
        "shank_angle_at_contact_deg": shank + e.get("shank_angle_at_contact_deg", 0.0),
        "knee_flexion_at_contact_deg": r.knee_flexion_at_ic_deg
        + e.get("knee_flexion_at_contact_deg", 0.0),
        "foot_ahead_of_hip_leg": foot_cm / LEG_CM,
        "contact_time_ms": contact_ms + e.get("contact_time_ms", 0.0),
        "flight_time_ms": step_s * 1000.0 - contact_ms,
        "duty_factor": r.duty_factor,
        "step_length_cm": step_cm,
    }
    metrics = {k: metric(v) for k, v in values.items()}
    strike = "rearfoot" if r.foot_strike_angle_deg > 8.0 else (
        "forefoot" if r.foot_strike_angle_deg < -1.6 else "midfoot")
    metrics["foot_strike"] = metric(strike, angle_deg=r.foot_strike_angle_deg)
    if height:
        metrics["foot_ahead_of_hip_cm"] = metric(foot_cm)
        metrics["vertical_oscillation_cm"] = metric(vo)
        metrics["vertical_ratio_pct"] = metric(100.0 * vo / step_cm)
    else:
        for key in ("foot_ahead_of_hip_cm", "vertical_oscillation_cm", "vertical_ratio_pct"):
            metrics[key] = {"value": None, "confidence": 0.0, "reason": "Needs --height-cm."}
    if not speed:
        for key in ("step_length_cm", "vertical_ratio_pct"):
            metrics[key] = {"value": None, "confidence": 0.0, "reason": "Needs --speed-kmh."}
    drift = {
        "trunk_lean_deg": metric(2 / 3 * r.trunk_lean_drift_deg
                                 + e.get("drift.trunk_lean_deg", 0.0), standard_error=0.5),
        "cadence_spm": metric(0.0 + e.get("drift.cadence_spm", 0.0), standard_error=0.6),
        "knee_flexion_at_contact_deg": metric(e.get("drift.knee", 0.0), standard_error=1.0),
        "vertical_oscillation_cm": metric(e.get("drift.vo", 0.0), standard_error=0.2),
    }
    return {"view": "side", "facing": facing, "metrics": metrics, "drift": drift}


# Accuracy targets of issue 3 (mean absolute error), with the elbow and shank's
# constant MediaPipe bias of a few degrees on the mannequin added on top.
ERROR_SIZE = {
    "cadence_spm": 0.5, "trunk_lean_deg": 0.8, "head_forward_deg": 1.5,
    "knee_flexion_at_contact_deg": 5.0, "foot_ahead_of_hip_cm": 3.0,
    "vertical_oscillation_cm": 0.6, "contact_time_ms": 25.0, "elbow_angle_deg": 3.0 + 3.0,
    "shank_angle_at_contact_deg": 3.0 + 3.0, "arm_swing_deg": 5.0,
    "drift.trunk_lean_deg": 2.0, "drift.cadence_spm": 1.0, "drift.knee": 2.0, "drift.vo": 0.3,
}


def scored_verdicts(r: Runner, *, speed: float | None, errors=None, facing="left",
                    height=True):
    got = score_summary(summary_of(r, errors=errors, facing=facing, height=height,
                                   speed=speed is not None), PROFILE, speed_kmh=speed)
    statuses = {k: e["status"] for k, e in got["metrics"].items()}
    statuses.update({f"drift.{k}": e["status"] for k, e in got["drift"].items()})
    return statuses, got["score"]["overall"], got


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("speed", [None, 9.0])
@pytest.mark.parametrize("height", [True, False])
@pytest.mark.parametrize("name", list(RUNNERS))
def test_each_fault_is_poor_on_its_own_metric_only(name, speed, facing, height):
    statuses, overall, _ = scored_verdicts(RUNNERS[name], speed=speed, facing=facing,
                                           height=height)
    expected_poor = {k for k in FAULTS[name] if statuses.get(k) != "unknown"}
    assert {k for k, s in statuses.items() if s == "poor"} == expected_poor
    allowed = FAULTS[name] | ALSO_FLAGGED.get(name, set())
    flagged = {k for k, s in statuses.items() if s in ("fair", "poor")}
    assert flagged <= allowed, flagged - allowed
    assert MUST_FLAG.get(name, set()) <= flagged
    if not height:
        assert statuses["foot_ahead_of_hip_cm"] == "unknown"


@pytest.mark.parametrize("speed", [None, 9.0])
def test_good_form_scores_clearly_higher_than_every_fault(speed):
    overall = {n: scored_verdicts(r, speed=speed)[1] for n, r in RUNNERS.items()}
    assert overall["good"] == 100.0
    for name in ("overstride", "lean", "arms_head"):
        assert overall["good"] - overall[name] >= 8.0, overall
    # the overstride touches four weighted metrics: the largest penalty
    assert overall["overstride"] < overall["lean"] < overall["arms_head"] < overall["good"]


FIRST_CUE = {"overstride": "overstride", "lean": "posture", "arms_head": "head"}


@pytest.mark.parametrize("sign", [-1.0, 1.0])
@pytest.mark.parametrize("name", list(RUNNERS))
def test_verdicts_survive_measurement_errors_of_the_accuracy_targets(name, sign):
    """With every metric off by its target error, no false alarm and the fault still leads.

    Single fault metrics may soften (a 7 deg knee read 5 deg too bent is 12 deg,
    the edge of typical), but the fault's cue stays first and most of its
    metrics stay poor.
    """
    errors = {k: sign * v for k, v in ERROR_SIZE.items()}
    statuses, overall, got = scored_verdicts(RUNNERS[name], speed=9.0, errors=errors)
    allowed = FAULTS[name] | ALSO_FLAGGED.get(name, set())
    assert {k for k, s in statuses.items() if s == "poor"} <= allowed
    if name == "good":
        assert overall >= 95.0
        return
    poor = [k for k in FAULTS[name] if statuses[k] == "poor"]
    assert len(poor) >= len(FAULTS[name]) / 2, statuses
    assert got["score"]["top_cues"][0]["cue"] == FIRST_CUE[name]
    good_overall = scored_verdicts(GOOD, speed=9.0, errors=errors)[1]
    assert good_overall - overall >= 5.0


@pytest.mark.parametrize(("name", "first_cue"), [
    ("overstride", "overstride"), ("lean", "posture"), ("arms_head", "head"),
])
def test_the_top_cue_names_the_fault(name, first_cue):
    cues = scored_verdicts(RUNNERS[name], speed=9.0)[2]["score"]["top_cues"]
    assert cues[0]["cue"] == first_cue
    assert cues[0]["kind"] == "fault"
    if name == "lean":
        assert [c["cue"] for c in cues[:2]] == ["posture", "fatigue"]
    if name == "arms_head":
        assert [c["cue"] for c in cues[:2]] == ["head", "arms"]


def test_a_lean_that_does_not_grow_is_not_called_fatigue():
    statuses, _, _ = scored_verdicts(replace(LEAN, trunk_lean_drift_deg=0.0), speed=9.0)
    assert statuses["trunk_lean_deg"] == "poor"
    assert statuses["drift.trunk_lean_deg"] == "good"


def test_geometry_of_the_shank_angle():
    assert shank_angle_deg(0.0, 0.0) == pytest.approx(0.0, abs=1e-6)
    # straight leg: the shank is the hip-ankle line
    assert shank_angle_deg(20.0, 0.0) == pytest.approx(math.degrees(math.asin(20 / LEG_CM)),
                                                        abs=0.05)
    assert shank_angle_deg(10.0, 20.0) == pytest.approx(-3.3, abs=0.3)
    assert shank_angle_deg(35.0, 7.0) == pytest.approx(20.2, abs=0.3)


# Ground truth of the same four runners from tools/synthrun's own truth model
# (GaitModel + TruthBuilder; metrics_from/drift_from of a 10 s, 30 fps clip; the
# mannequin is 172.1 cm with a 78 cm leg; speed 9 km/h). A snapshot, since
# computing it takes minutes: good_form and overstride are synthrun presets,
# lean = good_form with trunk_lean_deg=18, trunk_lean_drift_deg=12,
# head_forward_deg=17; arms_head = good_form with elbow_angle_deg=165,
# head_forward_deg=30.
_GOOD_TRUTH = {
    "cadence_spm": 176.0, "trunk_lean_deg": 6.014, "head_forward_deg": 4.97,
    "elbow_angle_deg": 90.0, "arm_swing_deg": 60.0, "shank_angle_at_contact_deg": -2.1,
    "knee_flexion_at_contact_deg": 20.0, "foot_ahead_of_hip_cm": 10.0,
    "foot_ahead_of_hip_leg": 0.128, "vertical_oscillation_cm": 7.946, "contact_time_ms": 218.182,
    "flight_time_ms": 122.727, "duty_factor": 0.32, "step_length_cm": 85.227,
    "vertical_ratio_pct": 9.323, "foot_strike": ("midfoot", 6.0),
}
SYNTHRUN_TRUTH = {
    "good": (_GOOD_TRUTH, {}),
    "overstride": ({
        "cadence_spm": 152.0, "trunk_lean_deg": 3.013, "head_forward_deg": 4.995,
        "elbow_angle_deg": 90.0, "arm_swing_deg": 50.0, "shank_angle_at_contact_deg": 23.254,
        "knee_flexion_at_contact_deg": 7.0, "foot_ahead_of_hip_cm": 35.0,
        "foot_ahead_of_hip_leg": 0.447, "vertical_oscillation_cm": 4.135,
        "contact_time_ms": 315.789, "flight_time_ms": 78.947, "duty_factor": 0.4,
        "step_length_cm": 98.684, "vertical_ratio_pct": 4.19, "foot_strike": ("rearfoot", 18.0),
    }, {}),
    "lean": ({**_GOOD_TRUTH, "trunk_lean_deg": 17.996, "head_forward_deg": 16.969,
              "vertical_oscillation_cm": 7.961, "vertical_ratio_pct": 9.341},
             {"trunk_lean_deg": 8.003}),
    "arms_head": ({**_GOOD_TRUTH, "head_forward_deg": 30.184, "elbow_angle_deg": 165.0}, {}),
}


def summary_from_truth(name: str, *, height: bool, speed: bool) -> dict:
    """The synthrun truth of one runner in summary.json form."""
    values, drift = SYNTHRUN_TRUTH[name]
    metrics = {}
    for key, value in values.items():
        if key == "foot_strike":
            metrics[key] = metric(value[0], angle_deg=value[1])
        elif (not height and key in ("foot_ahead_of_hip_cm", "vertical_oscillation_cm",
                                     "vertical_ratio_pct")) or (
                not speed and key in ("step_length_cm", "vertical_ratio_pct")):
            metrics[key] = {"value": None, "confidence": 0.0, "reason": "Not given."}
        else:
            metrics[key] = metric(value)
    drifts = {k: metric(drift.get(k, 0.0), standard_error=0.5)
              for k in ("trunk_lean_deg", "cadence_spm", "knee_flexion_at_contact_deg",
                        "vertical_oscillation_cm")}
    return {"view": "side", "facing": "right", "metrics": metrics, "drift": drifts}


@pytest.mark.parametrize("height", [True, False])
@pytest.mark.parametrize("speed", [None, 9.0])
def test_synthrun_truth_of_the_four_runners_separates_the_same_way(speed, height):
    overall = {}
    for name in SYNTHRUN_TRUTH:
        got = score_summary(summary_from_truth(name, height=height, speed=speed is not None),
                            PROFILE, speed_kmh=speed)
        statuses = {k: e["status"] for k, e in got["metrics"].items()}
        statuses.update({f"drift.{k}": e["status"] for k, e in got["drift"].items()})
        expected_poor = {k for k in FAULTS[name] if statuses[k] != "unknown"}
        assert {k for k, s in statuses.items() if s == "poor"} == expected_poor, name
        flagged = {k for k, s in statuses.items() if s in ("fair", "poor")}
        assert flagged <= FAULTS[name] | ALSO_FLAGGED.get(name, set()), name
        assert MUST_FLAG.get(name, set()) <= flagged
        overall[name] = got["score"]["overall"]
    assert overall["good"] == 100.0
    assert all(overall["good"] - overall[n] >= 8.0 for n in ("overstride", "lean", "arms_head"))
