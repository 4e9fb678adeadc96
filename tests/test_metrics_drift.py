import dataclasses

import numpy as np
import pytest

from runform.metrics.base import standard_error
from runform.metrics.drift import drift_of, third_bounds
from runform.pose.schema import LANDMARK_INDEX
from tests.metrics_support import exact_run, measure_run
from tests.synthetic_tracks import SyntheticRun


def _lean_more_late(run: SyntheticRun, extra_deg: float, after_s: float) -> SyntheticRun:
    """Tip the upper body forward about the hips by ``extra_deg`` after ``after_s``."""
    return _tip_upper_body(run, np.where(run.track.time >= after_s, extra_deg, 0.0))


def _lean_growing(run: SyntheticRun, drift_deg: float) -> SyntheticRun:
    """Tip the upper body linearly from ``-drift/2`` at the start to ``+drift/2`` at the end."""
    t = run.track.time
    return _tip_upper_body(run, drift_deg * ((t - t[0]) / (t[-1] - t[0]) - 0.5))


def _tip_upper_body(run: SyntheticRun, extra_deg: np.ndarray) -> SyntheticRun:
    """Tip the upper body forward about the hips by ``extra_deg`` per frame (0 = unchanged)."""
    pos = run.track.position.copy()
    late = extra_deg != 0.0
    hip = 0.5 * (pos[:, LANDMARK_INDEX["left_hip"]] + pos[:, LANDMARK_INDEX["right_hip"]])
    f = 1.0 if run.facing == "right" else -1.0
    for name in ("shoulder", "ear", "elbow", "wrist"):
        for side in ("left", "right"):
            i = LANDMARK_INDEX[f"{side}_{name}"]
            d = pos[late, i] - hip[late]
            r = np.hypot(d[:, 0], d[:, 1])
            theta = np.arctan2(f * d[:, 0], -d[:, 1]) + np.radians(extra_deg[late])
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


@pytest.mark.parametrize("facing", ["left", "right"])
def test_a_lean_growing_over_the_clip_keeps_the_confidence_of_its_mean(facing: str) -> None:
    # A 12 deg steady drift (the fatigue the drift check reports) spreads the per-stride
    # means by ~3.5 deg; that is not measurement scatter, so the mean stays trusted.
    steady = measure_run(exact_run(facing=facing, trunk_lean_deg=14.0, duration_s=8.0))
    m = measure_run(_lean_growing(exact_run(facing=facing, trunk_lean_deg=14.0,
                                            duration_s=8.0), 12.0))
    lean = m.metrics["trunk_lean_deg"]
    assert lean["value"] == pytest.approx(14.0, abs=0.5)
    assert lean["stride_sd"] > 2.5
    assert lean["confidence"] == pytest.approx(steady.metrics["trunk_lean_deg"]["confidence"],
                                               abs=0.02)
    assert m.drift["trunk_lean_deg"]["value"] == pytest.approx(12.0 * 2 / 3, abs=0.6)


def test_standard_error_about_the_trend() -> None:
    t = np.arange(10.0)
    noise = np.array([0.3, -0.3] * 5)
    # about the mean: the trend dominates; about the line: only the alternation remains
    assert standard_error(2.0 * t + noise) == pytest.approx(
        np.std(2.0 * t + noise, ddof=1) / np.sqrt(10))
    residual = noise - np.polyval(np.polyfit(t, noise, 1), t)
    assert standard_error(2.0 * t + noise, t) == pytest.approx(
        np.sqrt(np.sum(residual**2) / 8) / np.sqrt(10))
    assert standard_error(2.0 * t + noise, t) < 0.12
    # without a trend both agree closely; too few points or one time fall back to the mean
    flat = np.array([1.0, 1.4, 0.8, 1.2, 0.9, 1.1, 1.3, 0.7])
    assert standard_error(flat, np.arange(8.0)) == pytest.approx(standard_error(flat), rel=0.1)
    assert standard_error(t[:4], t[:4]) == standard_error(t[:4])
    assert standard_error(t[:6], np.zeros(6)) == standard_error(t[:6])
    # NaN values or times are left out of both
    gappy = np.array([0.0, 1.0, np.nan, 3.0, 4.0, 5.0, 6.0])
    times = np.array([0.0, 1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    assert standard_error(gappy, times) == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(standard_error(np.array([np.nan, 1.0])))
