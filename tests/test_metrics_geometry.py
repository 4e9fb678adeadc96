import numpy as np
import pytest

from runform.metrics.geometry import (
    finite_mean,
    forward_sign,
    inclination_from_horizontal,
    interior_angle,
    sample_at,
    tilt_from_vertical_down,
    tilt_from_vertical_up,
)


def _polar_up(angle_deg: float, facing: str, length: float = 100.0) -> np.ndarray:
    """Point at ``length`` from the origin, ``angle_deg`` from upward vertical, ahead = +."""
    f = forward_sign(facing)  # type: ignore[arg-type]
    a = np.radians(angle_deg)
    return np.array([f * length * np.sin(a), -length * np.cos(a)])  # y down


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("angle", [-20.0, 0.0, 7.0, 45.0])
def test_tilt_up_recovers_angle_for_both_facings(facing: str, angle: float) -> None:
    base = np.array([[300.0, 400.0]])
    tip = base + _polar_up(angle, facing)
    assert tilt_from_vertical_up(base, tip, facing)[0] == pytest.approx(angle, abs=1e-9)


def test_tilt_up_sign_is_forward() -> None:
    # Tip 10 px to the right of the base, above it: ahead for a right-facing runner only.
    base, tip = np.array([0.0, 100.0]), np.array([10.0, 0.0])
    assert tilt_from_vertical_up(base, tip, "right") > 0
    assert tilt_from_vertical_up(base, tip, "left") < 0


@pytest.mark.parametrize("facing", ["left", "right"])
def test_tilt_down_positive_when_tip_ahead(facing: str) -> None:
    f = forward_sign(facing)  # type: ignore[arg-type]
    knee = np.array([500.0, 300.0])
    ankle = knee + np.array([f * np.tan(np.radians(12.0)) * 200.0, 200.0])
    assert tilt_from_vertical_down(knee, ankle, facing) == pytest.approx(12.0)
    behind = knee + np.array([-f * 50.0, 200.0])
    assert tilt_from_vertical_down(knee, behind, facing) == pytest.approx(
        -np.degrees(np.arctan2(50.0, 200.0)))


def test_interior_angle_known_values() -> None:
    v = np.array([0.0, 0.0])
    assert interior_angle(np.array([1.0, 0.0]), v, np.array([0.0, 1.0])) == pytest.approx(90.0)
    assert interior_angle(np.array([1.0, 0.0]), v, np.array([-1.0, 0.0])) == pytest.approx(180.0)
    a = np.array([np.cos(np.radians(35.0)), np.sin(np.radians(35.0))])
    assert interior_angle(a, v, np.array([1.0, 0.0])) == pytest.approx(35.0)


def test_interior_angle_nan_for_degenerate_or_missing() -> None:
    v = np.zeros((2, 2))
    a = np.array([[0.0, 0.0], [np.nan, 1.0]])
    c = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert np.isnan(interior_angle(a, v, c)).all()


@pytest.mark.parametrize("facing", ["left", "right"])
def test_inclination_toes_up_positive(facing: str) -> None:
    f = forward_sign(facing)  # type: ignore[arg-type]
    heel = np.array([100.0, 500.0])
    toe = heel + np.array([f * 30.0 * np.cos(np.radians(15.0)), -30.0 * np.sin(np.radians(15.0))])
    assert inclination_from_horizontal(heel, toe, facing) == pytest.approx(15.0)


def test_forward_sign_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="facing"):
        forward_sign("up")  # type: ignore[arg-type]


def test_sample_at_interpolates_and_handles_edges() -> None:
    t = np.array([0.0, 0.1, 0.2])
    s = np.array([1.0, 3.0, np.nan])
    assert sample_at(t, s, 0.05) == pytest.approx(2.0)
    assert sample_at(t, s, 0.1) == pytest.approx(3.0)
    assert np.isnan(sample_at(t, s, 0.15))
    assert np.isnan(sample_at(t, s, 0.3))
    assert finite_mean(np.array([1.0, np.nan, 3.0])) == 2.0
    assert np.isnan(finite_mean(np.array([np.nan])))
