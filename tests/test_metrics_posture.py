import numpy as np
import pytest

from runform.metrics.head import head_forward_series
from runform.metrics.trunk import trunk_lean_series
from tests.metrics_support import exact_run, measure_run
from tests.synthetic_tracks import HIP_HEIGHT, SHOULDER_HEIGHT


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
