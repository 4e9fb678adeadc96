from dataclasses import replace

import numpy as np
import pytest

from runform.metrics.foot_strike import (
    SWING_WINDOW_S,
    belt_inclination,
    classify,
    foot_angle_series,
    strike_angles,
    swing_end_angle,
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


def _swing_window_truth(run, foot: str, ic_time: float) -> float:  # type: ignore[no-untyped-def]
    """Noise-free heel -> toe angle averaged over the swing window before ``ic_time``."""
    sign = 1.0 if run.facing == "right" else -1.0
    vals = []
    for w in np.linspace(*SWING_WINDOW_S, 401):
        d = (clean_point(run, f"{foot}_foot_index", ic_time - w)
             - clean_point(run, f"{foot}_heel", ic_time - w))
        vals.append(np.degrees(np.arctan2(-d[1], sign * d[0])))
    return float(np.mean(vals))


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize(("angle", "label"), [(15.0, "rearfoot"), (3.0, "midfoot"),
                                              (-6.0, "forefoot")])
def test_foot_strike_angle_and_class(facing: str, angle: float, label: str) -> None:
    run = exact_run(facing=facing, strike_angle_deg=angle)
    fs = measure_run(run).metrics["foot_strike"]
    near = [c for c in run.contacts if c.foot == fs["side"]]
    # The foot's mean angle over the end of swing (the flat belt is level here).
    expected = np.mean([_swing_window_truth(run, c.foot, c.ic_time) for c in near])
    assert fs["angle_deg"] == pytest.approx(expected, abs=0.05)
    # This runner's foot is still turning towards its landing angle then (it
    # reaches it with zero speed at IC): the reading is within a degree of it.
    assert abs(fs["angle_deg"] - angle) < 1.0
    assert fs["value"] == label
    assert fs["counts"][label] == len(run.contacts)
    assert "belt" in fs["caveat"] and "adjacent class" in fs["caveat"]


def test_swing_end_angle_of_a_steady_turn() -> None:
    # A foot turning at a constant rate: the window mean is its angle mid-window.
    time = np.arange(0.0, 1.0, 1 / 30)
    angle = 20.0 - 50.0 * time
    ic = 0.5123
    mid = ic - sum(SWING_WINDOW_S) / 2
    assert swing_end_angle(time, angle, ic) == pytest.approx(20.0 - 50.0 * mid, abs=1e-9)
    assert swing_end_angle(time, angle, ic, (0.1, 0.0)) == pytest.approx(
        20.0 - 50.0 * (ic - 0.05), abs=1e-9)
    hidden = angle.copy()
    hidden[(time > ic - 0.1) & (time < ic)] = np.nan
    assert np.isnan(swing_end_angle(time, hidden, ic))
    assert np.isnan(swing_end_angle(time, angle, 0.03))  # window before the clip


@pytest.mark.parametrize("facing", ["left", "right"])
def test_foot_strike_ignores_how_the_landed_foot_is_read(facing: str) -> None:
    # MediaPipe reads a struck, loading foot several degrees too toes-down: the
    # frames from contact on must not change the strike angle.
    run = exact_run(facing=facing, strike_angle_deg=12.0)
    time = run.track.time
    steps = true_events(run).steps
    angles = {f: foot_angle_series(run.track.xy(f"{f}_heel"), run.track.xy(f"{f}_foot_index"),
                                   facing) for f in ("left", "right")}  # type: ignore[arg-type]
    clean = strike_angles(time, angles, steps, 0.0)
    for step in steps:
        landed = (time >= step.ic_time) & (time <= step.ic_time + 0.1)
        angles[step.foot][landed] -= 8.0
    assert strike_angles(time, angles, steps, 0.0) == pytest.approx(clean, abs=1e-9)
    assert clean == pytest.approx(np.full(len(steps), 12.0), abs=1.0)


@pytest.mark.parametrize(("angle", "label"), [(15.0, "rearfoot"), (-6.0, "forefoot")])
def test_foot_strike_at_25_fps_between_frames(angle: float, label: str) -> None:
    # Contacts between frames at 25 fps: the frame after a heel strike shows a
    # foot already slapping down, so interpolating to IC would read ~4 deg too
    # flat; the end of swing is smooth and reads the landing angle.
    run = exact_run(strike_angle_deg=angle, fps=25.0, cadence_spm=180.0)
    fs = measure_run(run).metrics["foot_strike"]
    assert fs["value"] == label
    assert abs(fs["angle_deg"] - angle) < 2.0


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
    level = {f: foot_angle_series(run.track.xy(f"{f}_heel"), run.track.xy(f"{f}_foot_index"),
                                  facing) for f in ("left", "right")}  # type: ignore[arg-type]
    assert out == pytest.approx(strike_angles(time, level, steps, 0.0), abs=1e-6)
    assert out == pytest.approx(np.full(len(steps), strike), abs=1.0)


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
