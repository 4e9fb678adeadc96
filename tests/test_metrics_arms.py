import dataclasses

import numpy as np
import pytest

from runform.metrics.arms import elbow_angle_series, swing_per_stride, upper_arm_angle_series
from runform.pose.schema import LANDMARK_INDEX
from tests.metrics_support import exact_run, measure_run


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("elbow", [60.0, 90.0, 150.0])
def test_elbow_angle_of_near_arm(facing: str, elbow: float) -> None:
    run = exact_run(facing=facing, elbow_deg=elbow)
    m = measure_run(run)
    e = m.metrics["elbow_angle_deg"]
    assert e["value"] == pytest.approx(elbow, abs=1e-6)
    assert e["arm"] == facing  # facing right shows the right side
    assert e["far_arm"]["arm"] != facing
    assert e["far_arm"]["value"] == pytest.approx(elbow, abs=1e-6)


def test_far_arm_hidden_is_not_reported() -> None:
    run = exact_run(elbow_deg=90.0, far_arm_visibility=0.2)
    e = measure_run(run).metrics["elbow_angle_deg"]
    assert e["far_arm"]["value"] is None
    assert "hidden" in e["far_arm"]["reason"]
    assert measure_run(run).metrics["arm_swing_deg"]["arms"] == ["right"]


def test_elbow_series_right_angle() -> None:
    s, e, w = np.array([[0.0, 0.0]]), np.array([[0.0, 30.0]]), np.array([[25.0, 30.0]])
    assert elbow_angle_series(s, e, w)[0] == pytest.approx(90.0)


@pytest.mark.parametrize("facing", ["left", "right"])
def test_arm_swing_range_and_split(facing: str) -> None:
    # With no lean the generator swings the upper arm +-25 deg about the trunk line.
    run = exact_run(facing=facing, trunk_lean_deg=0.0, arm_swing_deg=25.0)
    a = measure_run(run).metrics["arm_swing_deg"]
    assert a["value"] == pytest.approx(50.0, abs=0.1)
    assert a["forward_deg"] == pytest.approx(25.0, abs=0.1)
    assert a["backward_deg"] == pytest.approx(25.0, abs=0.1)


def test_upper_arm_angle_is_relative_to_trunk() -> None:
    # Trunk leaning 10 deg forward (facing right); upper arm hanging vertically is
    # 10 deg ahead of the trunk line's downward direction.
    hip = np.array([[0.0, 200.0]])
    shoulder = np.array([[200.0 * np.tan(np.radians(10.0)), 0.0]])
    elbow = shoulder + np.array([[0.0, 60.0]])
    assert upper_arm_angle_series(shoulder, elbow, hip, shoulder, "right")[0] == pytest.approx(
        10.0)
    assert upper_arm_angle_series(shoulder, elbow, hip, shoulder, "left")[0] == pytest.approx(
        -10.0)


def test_swing_per_stride_skips_short_strides() -> None:
    t = np.linspace(0.0, 1.0, 101)
    ang = 20.0 * np.sin(2 * np.pi * t) + 5.0
    out = swing_per_stride(t, ang, [(0.0, 1.0), (0.0, 0.02)])
    assert out[0] == pytest.approx([25.0, 15.0], abs=0.05)
    assert np.isnan(out[1]).all()



def test_far_arm_mostly_missing_is_left_out() -> None:
    # The cleaning stage drops a hidden far arm in most frames; its few frames
    # must not count as a tiny swing.
    run = exact_run(elbow_deg=90.0, arm_swing_deg=30.0, trunk_lean_deg=0.0)
    pos = run.track.position.copy()
    keep = np.zeros(len(run.track), bool)
    keep[::5] = True
    for part in ("elbow", "wrist"):
        pos[~keep, LANDMARK_INDEX[f"left_{part}"]] = np.nan
    m = measure_run(dataclasses.replace(run, track=run.track.with_position(pos)))
    assert m.metrics["elbow_angle_deg"]["far_arm"]["value"] is None
    assert m.metrics["arm_swing_deg"]["arms"] == ["right"]
    assert m.metrics["arm_swing_deg"]["value"] == pytest.approx(60.0, abs=0.2)
    sparse = np.where(keep, 10.0 * np.sin(run.track.time), np.nan)
    assert np.isnan(swing_per_stride(run.track.time, sparse, [(0.0, 5.0)])).all()
