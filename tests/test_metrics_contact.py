from dataclasses import replace

import numpy as np
import pytest

from runform.metrics.foot_strike import (
    belt_inclination,
    classify,
    foot_angle_series,
    strike_angles,
)
from runform.metrics.geometry import interior_angle
from runform.metrics.knee import knee_flexion_series
from runform.metrics.overstride import foot_ahead_series, shank_angle_series
from tests.metrics_support import clean_point, exact_run, measure_run, true_events
from tests.synthetic_tracks import ANKLE_HEIGHT, FOOT


def _truth_knee(run, foot: str) -> float:  # type: ignore[no-untyped-def]
    vals = [180.0 - float(interior_angle(clean_point(run, f"{foot}_hip", c.ic_time),
                                         clean_point(run, f"{foot}_knee", c.ic_time),
                                         clean_point(run, f"{foot}_ankle", c.ic_time)))
            for c in run.contacts if c.foot == foot]
    return float(np.mean(vals))


@pytest.mark.parametrize("facing", ["left", "right"])
def test_knee_flexion_at_contact_matches_truth(facing: str) -> None:
    run = exact_run(facing=facing)
    k = measure_run(run).metrics["knee_flexion_at_contact_deg"]
    assert k["side"] == facing
    assert k["value"] == pytest.approx(_truth_knee(run, facing), abs=1e-6)
    assert k["n"] == sum(c.foot == facing for c in run.contacts)


def test_knee_flexion_series_known_angle() -> None:
    hip = np.array([[0.0, 0.0]])
    knee = np.array([[0.0, 100.0]])
    a = np.radians(25.0)  # shank bent 25 deg from the thigh line
    ankle = knee + 100.0 * np.array([[-np.sin(a), np.cos(a)]])
    assert knee_flexion_series(hip, knee, ankle)[0] == pytest.approx(25.0)
    straight = np.array([[0.0, 200.0]])
    assert knee_flexion_series(hip, knee, straight)[0] == pytest.approx(0.0)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("ahead_cm", [5.0, 20.0, 35.0])
def test_foot_ahead_of_hip_with_known_scale(facing: str, ahead_cm: float) -> None:
    run = exact_run(facing=facing, ic_ahead_cm=ahead_cm, strike_angle_deg=12.0)
    m = measure_run(run)
    # The heel lands ic_ahead_cm ahead of the hip; the ankle sits 0.22 foot lengths
    # in front of the heel and ANKLE_HEIGHT above it, on a foot tilted by the strike angle.
    h_cm = run.height_px / run.px_per_cm
    a = np.radians(12.0)
    expected = ahead_cm + 0.22 * FOOT * h_cm * np.cos(a) - ANKLE_HEIGHT * h_cm * np.sin(a)
    assert m.metrics["foot_ahead_of_hip_cm"]["value"] == pytest.approx(expected, abs=1e-6)
    leg_cm = run.leg_length_px / run.px_per_cm
    assert m.metrics["foot_ahead_of_hip_leg"]["value"] == pytest.approx(expected / leg_cm,
                                                                       abs=1e-8)


def test_foot_ahead_without_scale_reports_leg_fraction_only() -> None:
    run = exact_run(ic_ahead_cm=20.0)
    m = measure_run(run, scale=False)
    assert m.metrics["foot_ahead_of_hip_cm"]["value"] is None
    assert "--height-cm" in m.metrics["foot_ahead_of_hip_cm"]["reason"]
    assert m.metrics["foot_ahead_of_hip_leg"]["value"] > 0.2
    assert all(s["foot_ahead_of_hip_cm"] is None for s in m.steps)


def test_foot_ahead_series_sign() -> None:
    hip = np.array([[500.0, 400.0]])
    ankle = np.array([[560.0, 700.0]])
    assert foot_ahead_series(hip, ankle, "right")[0] == pytest.approx(60.0)
    assert foot_ahead_series(hip, ankle, "left")[0] == pytest.approx(-60.0)


@pytest.mark.parametrize("facing", ["left", "right"])
def test_shank_angle_at_contact_matches_truth(facing: str) -> None:
    run = exact_run(facing=facing, ic_ahead_cm=30.0)
    s = measure_run(run).metrics["shank_angle_at_contact_deg"]
    f = 1.0 if facing == "right" else -1.0
    vals = []
    for c in run.contacts:
        if c.foot == facing:
            d = clean_point(run, f"{facing}_ankle", c.ic_time) - clean_point(
                run, f"{facing}_knee", c.ic_time)
            vals.append(np.degrees(np.arctan2(f * d[0], d[1])))
    assert s["value"] == pytest.approx(np.mean(vals), abs=1e-6)
    assert s["value"] > 0  # landing 30 cm ahead: the ankle is ahead of the knee


def test_shank_angle_series_sign() -> None:
    knee = np.array([[0.0, 0.0]])
    ankle = np.array([[-20.0, 100.0]])
    assert shank_angle_series(knee, ankle, "left")[0] == pytest.approx(
        np.degrees(np.arctan2(20.0, 100.0)))


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize(("angle", "label"), [(15.0, "rearfoot"), (3.0, "midfoot"),
                                              (-6.0, "forefoot")])
def test_foot_strike_angle_and_class(facing: str, angle: float, label: str) -> None:
    run = exact_run(facing=facing, strike_angle_deg=angle)
    fs = measure_run(run).metrics["foot_strike"]
    assert fs["angle_deg"] == pytest.approx(angle, abs=1e-6)
    assert fs["value"] == label
    assert fs["counts"][label] == len(run.contacts)
    assert "belt" in fs["caveat"] and "adjacent class" in fs["caveat"]


def _rolled(xy: np.ndarray, deg: float) -> np.ndarray:
    """Positions as a camera rolled by ``deg`` would see them (about the image origin)."""
    r = np.radians(deg)
    return np.stack([xy[:, 0] * np.cos(r) + xy[:, 1] * np.sin(r),
                     -xy[:, 0] * np.sin(r) + xy[:, 1] * np.cos(r)], -1)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize(("strike", "roll"), [(10.0, 5.0), (-6.0, -4.0), (2.0, 0.0)])
def test_foot_strike_is_measured_against_the_belt_so_camera_roll_cancels(
        facing: str, strike: float, roll: float) -> None:
    run = exact_run(facing=facing, strike_angle_deg=strike)
    time = run.track.time
    steps = true_events(run).steps
    heels = {f: _rolled(run.track.xy(f"{f}_heel"), roll) for f in ("left", "right")}
    toes = {f: _rolled(run.track.xy(f"{f}_foot_index"), roll) for f in ("left", "right")}
    belt = belt_inclination(heels, toes, time, steps, facing)  # type: ignore[arg-type]
    # Image y points down: a positive roll of these coordinates raises the front
    # of the belt when facing right and lowers it when facing left.
    assert belt == pytest.approx(roll if facing == "right" else -roll, abs=1e-6)
    angles = {f: foot_angle_series(heels[f], toes[f], facing)  # type: ignore[arg-type]
              for f in ("left", "right")}
    out = strike_angles(time, angles, steps, belt)
    assert out == pytest.approx(np.full(len(steps), strike), abs=1e-6)


def test_belt_needs_three_toe_offs() -> None:
    run = exact_run(strike_angle_deg=10.0)
    steps = true_events(run).steps
    heels = {f: run.track.xy(f"{f}_heel") for f in ("left", "right")}
    toes = {f: run.track.xy(f"{f}_foot_index") for f in ("left", "right")}
    time = run.track.time
    assert belt_inclination(heels, toes, time, steps[:3], "right") == pytest.approx(0, abs=1e-6)
    two = steps[:2] + tuple(replace(s, to_time=None) for s in steps[2:])
    assert belt_inclination(heels, toes, time, two, "right") is None


def test_classify_thresholds() -> None:
    assert classify(8.01) == "rearfoot"
    assert classify(8.0) == "midfoot"
    assert classify(-1.6) == "midfoot"
    assert classify(-1.61) == "forefoot"


def test_contact_metrics_with_noise_and_late_events() -> None:
    # Contacts found 10 ms late: values at contact move with the motion, and stay finite.
    run = exact_run(noise_px=0.8, seed=2)
    late = measure_run(run, events=true_events(run, ic_shift_s=0.01)).metrics
    exact = measure_run(run).metrics
    assert late["foot_ahead_of_hip_cm"]["value"] < exact["foot_ahead_of_hip_cm"]["value"]
    assert late["knee_flexion_at_contact_deg"]["value"] == pytest.approx(
        exact["knee_flexion_at_contact_deg"]["value"], abs=5.0)
