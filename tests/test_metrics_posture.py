import dataclasses

import numpy as np
import pytest

from runform.measure import Measurement
from runform.metrics.base import MetricContext, interval_means, shift_to_clip_centre
from runform.metrics.head import head_forward_series
from runform.metrics.trunk import trunk_lean_series
from runform.pose.schema import LANDMARK_INDEX
from tests.metrics_support import exact_run, measure_run
from tests.synthetic_tracks import HIP_HEIGHT, SHOULDER_HEIGHT, SyntheticRun


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("lean", [-3.0, 0.0, 7.0, 15.0])
def test_rigid_trunk_tilted_gives_its_lean(facing: str, lean: float) -> None:
    run = exact_run(facing=facing, trunk_lean_deg=lean)
    m = measure_run(run)
    assert m.metrics["trunk_lean_deg"]["value"] == pytest.approx(lean, abs=1e-6)
    assert m.metrics["trunk_lean_deg"]["confidence"] == pytest.approx(1.0)
    assert np.allclose(m.series["trunk_lean_deg"], lean)


def test_trunk_lean_series_known_geometry() -> None:
    hip = np.array([[100.0, 500.0], [100.0, 500.0]])
    shoulder = np.array([[100.0, 300.0], [100.0 + 200.0 * np.tan(np.radians(7.0)), 300.0]])
    assert trunk_lean_series(hip, shoulder, "right") == pytest.approx([0.0, 7.0])
    assert trunk_lean_series(hip, shoulder, "left") == pytest.approx([0.0, -7.0])


@pytest.mark.parametrize("facing", ["left", "right"])
def test_trunk_lean_with_noise_and_gaps(facing: str) -> None:
    run = exact_run(facing=facing, trunk_lean_deg=7.0, noise_px=1.0, gaps=((3.0, 3.4),),
                    nan_rate=0.02, seed=4)
    m = measure_run(run)
    # 1 px noise on a ~170 px trunk is ~0.3 deg per frame; the clip mean is far tighter.
    assert m.metrics["trunk_lean_deg"]["value"] == pytest.approx(7.0, abs=0.1)
    gap = (run.track.time >= 3.0) & (run.track.time < 3.4)
    assert np.isnan(m.series["trunk_lean_deg"][gap]).all()


@pytest.mark.parametrize("facing", ["left", "right"])
def test_head_forward_matches_geometry(facing: str) -> None:
    lean = 6.0
    run = exact_run(facing=facing, trunk_lean_deg=lean)
    m = measure_run(run)
    # The generator puts the ear 0.13 H along the trunk line and 0.005 H behind it.
    a = np.radians(lean)
    expected = np.degrees(np.arctan2(0.13 * np.sin(a) - 0.005, 0.13 * np.cos(a)))
    assert m.metrics["head_forward_deg"]["value"] == pytest.approx(expected, abs=1e-6)
    assert SHOULDER_HEIGHT > HIP_HEIGHT  # the trunk points up in the generator


def test_head_forward_dropped_head_reads_large() -> None:
    shoulder = np.array([[0.0, 100.0]])
    ahead = np.array([[50.0, 100.0 - 50.0]])  # 45 deg forward of vertical
    dropped = np.array([[50.0, 100.0 + 10.0]])  # below the shoulders
    assert head_forward_series(shoulder, ahead, "right")[0] == pytest.approx(45.0)
    assert head_forward_series(shoulder, dropped, "right")[0] > 90.0
    assert head_forward_series(shoulder, ahead, "left")[0] == pytest.approx(-45.0)



def _tip_upper_body(run: SyntheticRun, extra_deg: np.ndarray) -> SyntheticRun:
    """Tip the upper body forward about the hip midpoint by ``extra_deg`` per frame."""
    pos = run.track.position.copy()
    hip = 0.5 * (pos[:, LANDMARK_INDEX["left_hip"]] + pos[:, LANDMARK_INDEX["right_hip"]])
    f = 1.0 if run.facing == "right" else -1.0
    for name in ("shoulder", "ear", "elbow", "wrist"):
        for side in ("left", "right"):
            i = LANDMARK_INDEX[f"{side}_{name}"]
            d = pos[:, i] - hip
            r = np.hypot(d[:, 0], d[:, 1])
            theta = np.arctan2(f * d[:, 0], -d[:, 1]) + np.radians(extra_deg)
            pos[:, i] = hip + np.stack([f * r * np.sin(theta), -r * np.cos(theta)], -1)
    return dataclasses.replace(run, track=run.track.with_position(pos))


def _stride_window_mean(m: Measurement) -> float:
    """The plain mean of the lean over the near foot's whole strides."""
    ctx = MetricContext(track=m.cleaned.track, facing=m.cleaned.facing, view="side",
                        near=m.near, steps=tuple(m.events.steps))
    return float(np.mean(m.series["trunk_lean_deg"][ctx.whole_strides()]))


@pytest.mark.parametrize("facing", ["left", "right"])
def test_drifting_lean_reads_its_mean_over_the_clip(facing: str) -> None:
    # 12 deg of drift over 8 s (1.5 deg/s). The near foot's first and last contacts leave
    # the whole-stride window 0.1-0.3 s off the clip's middle, so its plain mean is off by
    # 0.15-0.45 deg; the clip mean of the symmetric drift is exactly the set lean.
    run = exact_run(facing=facing, trunk_lean_deg=8.0, duration_s=8.0)
    t = run.track.time
    m = measure_run(_tip_upper_body(run, 12.0 * ((t - t[0]) / (t[-1] - t[0]) - 0.5)))
    assert np.mean(m.series["trunk_lean_deg"]) == pytest.approx(8.0, abs=1e-3)
    assert abs(_stride_window_mean(m) - 8.0) > 0.1
    assert m.metrics["trunk_lean_deg"]["value"] == pytest.approx(8.0, abs=0.02)
    # The ears tip with the shoulders: the head's drift is reported the same way.
    head = m.series["head_forward_deg"]
    assert m.metrics["head_forward_deg"]["value"] == pytest.approx(np.nanmean(head), abs=0.02)


@pytest.mark.parametrize("facing", ["left", "right"])
def test_lean_swaying_within_the_stride_keeps_its_stride_mean(facing: str) -> None:
    # +-3 deg of sway once per stride about a steady 6 deg, no drift: the value is the
    # whole-stride mean (every phase counts once) and the clip-centring shift is nil,
    # although the clip's frames hold a partial stride's worth of extra sway.
    run = exact_run(facing=facing, trunk_lean_deg=6.0, duration_s=8.3)
    sway = 3.0 * np.sin(2.0 * np.pi * (run.track.time - 0.3) / run.stride_period_s)
    m = measure_run(_tip_upper_body(run, sway))
    assert abs(np.mean(m.series["trunk_lean_deg"]) - 6.0) > 0.05
    assert m.metrics["trunk_lean_deg"]["value"] == pytest.approx(6.0, abs=0.01)
    assert m.metrics["trunk_lean_deg"]["value"] == pytest.approx(_stride_window_mean(m),
                                                                 abs=0.01)


def test_shift_to_clip_centre() -> None:
    time = np.arange(0.0, 10.0, 0.01)
    series = 0.5 * time  # 0.5 deg/s
    bounds = [(0.4 + k, 1.4 + k) for k in range(8)]  # whole strides 0.4-8.4 s, middle 4.4 s
    frames = (time >= 0.4) & (time < 8.4)
    per_stride = interval_means(time, series, bounds)
    mids = np.array([0.5 * (a + b) for a, b in bounds])
    shift = shift_to_clip_centre(time, series, frames, per_stride, mids)
    assert float(np.mean(series[frames])) + shift == pytest.approx(np.mean(series), abs=1e-6)
    # fewer strides than a trend needs: no shift
    assert shift_to_clip_centre(time, series, frames, per_stride[:4], mids[:4]) == 0.0
    # a window 2.1 s before the clip's middle (events lost later on): moved one stride only
    far = shift_to_clip_centre(time, series, (time >= 0.4) & (time < 5.4), per_stride[:5],
                               mids[:5])
    assert far == pytest.approx(0.5 * 1.0, abs=1e-6)
