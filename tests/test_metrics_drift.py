import dataclasses

import numpy as np
import pytest

from runform.metrics.drift import drift_of, third_bounds
from runform.pose.schema import LANDMARK_INDEX
from tests.metrics_support import exact_run, measure_run
from tests.synthetic_tracks import SyntheticRun


def _lean_more_late(run: SyntheticRun, extra_deg: float, after_s: float) -> SyntheticRun:
    """Tip the upper body forward about the hips by ``extra_deg`` after ``after_s``."""
    pos = run.track.position.copy()
    late = run.track.time >= after_s
    hip = 0.5 * (pos[:, LANDMARK_INDEX["left_hip"]] + pos[:, LANDMARK_INDEX["right_hip"]])
    f = 1.0 if run.facing == "right" else -1.0
    for name in ("shoulder", "ear", "elbow", "wrist"):
        for side in ("left", "right"):
            i = LANDMARK_INDEX[f"{side}_{name}"]
            d = pos[late, i] - hip[late]
            r = np.hypot(d[:, 0], d[:, 1])
            theta = np.arctan2(f * d[:, 0], -d[:, 1]) + np.radians(extra_deg)
            pos[late, i] = hip[late] + np.stack([f * r * np.sin(theta), -r * np.cos(theta)], -1)
    return dataclasses.replace(run, track=run.track.with_position(pos))


@pytest.mark.parametrize("facing", ["left", "right"])
def test_trunk_lean_drift_last_third_minus_first(facing: str) -> None:
    run = exact_run(facing=facing, trunk_lean_deg=5.0, duration_s=12.0)
    changed = _lean_more_late(run, 4.0, after_s=8.0)
    m = measure_run(changed)
    assert m.metrics["trunk_lean_deg"]["value"] > 5.0
    d = m.drift["trunk_lean_deg"]
    assert d["value"] == pytest.approx(4.0, abs=0.05)
    assert d["first"] == pytest.approx(5.0, abs=1e-6)
    assert d["notable"] is True
    assert m.drift["cadence_spm"]["value"] == pytest.approx(0.0, abs=1e-6)
    assert m.drift["cadence_spm"]["notable"] is False


def test_drift_keys_and_units() -> None:
    m = measure_run(exact_run())
    assert set(m.drift) == {"cadence_spm", "trunk_lean_deg", "knee_flexion_at_contact_deg",
                            "vertical_oscillation_cm"}
    assert m.drift["vertical_oscillation_cm"]["unit"] == "cm"
    no_scale = measure_run(exact_run(), scale=False)
    assert no_scale.drift["vertical_oscillation_cm"]["value"] is None


def test_drift_of_needs_enough_steps() -> None:
    t = np.array([0.0, 1.0, 2.0, 7.0, 8.0, 9.0])
    v = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    change, se, n_a, n_b, a, b = drift_of(t, v, 3.0, 6.0)
    assert (change, se, n_a, n_b, a, b) == (2.0, 0.0, 3, 3, 1.0, 3.0)
    assert np.isnan(drift_of(t[1:], v[1:], 3.0, 6.0)[0])


def test_third_bounds() -> None:
    assert third_bounds(np.array([0.0, 3.0, 9.0])) == (3.0, 6.0)
