import dataclasses

import numpy as np
import pytest

from runform.gait.types import GaitEvents, Step
from runform.metrics.cadence import fit_stride_period, step_rates
from runform.metrics.oscillation import oscillation_per_step
from runform.metrics.timing import contact_times_ms, flight_times_ms, step_length_cm
from runform.pose.schema import LANDMARK_INDEX
from tests.metrics_support import exact_run, measure_run, true_events
from tests.synthetic_tracks import synthetic_run


def _steps(times: list[float], feet: str = "rl") -> tuple[Step, ...]:
    return tuple(Step(foot="right" if feet[i % len(feet)] == "r" else "left", ic_time=t,
                      ic_frame=0) for i, t in enumerate(times))


@pytest.mark.parametrize("cadence", [150.0, 172.0, 195.0])
def test_cadence_exact_from_true_contacts(cadence: float) -> None:
    run = synthetic_run(cadence_spm=cadence, fps=60.0, duration_s=10.0)
    c = measure_run(run).metrics["cadence_spm"]
    assert c["value"] == pytest.approx(cadence, abs=1e-6)
    assert c["confidence"] == pytest.approx(1.0)


def test_cadence_robust_to_a_missed_contact_and_jitter() -> None:
    rng = np.random.default_rng(0)
    period = 120.0 / 176.0
    times = [0.1 + 0.5 * period * k + rng.normal(0, 0.008) for k in range(40)]
    steps = list(_steps(times))
    del steps[17]  # a missed contact must not stretch a stride
    fit = fit_stride_period(tuple(steps))
    assert fit is not None
    assert fit.cadence_spm == pytest.approx(176.0, abs=0.5)
    assert fit.cadence_se_spm < 0.5


def test_cadence_cancels_constant_far_foot_delay() -> None:
    period = 0.7
    times = []
    for k in range(20):
        times += [0.1 + k * period, 0.1 + (k + 0.5) * period + 0.02]  # far foot 20 ms late
    fit = fit_stride_period(_steps(times))
    assert fit is not None and fit.period_s == pytest.approx(period, abs=1e-9)


def test_cadence_needs_two_contacts_of_a_foot() -> None:
    assert fit_stride_period(_steps([0.1, 0.45])) is None
    run = exact_run()
    events = GaitEvents(steps=true_events(run).steps[:1], stride_period_s=None, reliable=False,
                        reason="too short")
    m = measure_run(run, events=events)
    assert m.metrics["cadence_spm"]["value"] is None
    assert m.metrics["cadence_spm"]["reason"]


def test_step_rates() -> None:
    rates = step_rates(_steps([0.0, 0.5, 1.0]))
    assert rates[:2] == pytest.approx([120.0, 120.0])
    assert np.isnan(rates[2])
    # A missed left contact: right -> right spans two steps and is not a step rate.
    missed = step_rates(_steps([0.0, 1.0, 1.5], feet="rrl"))
    assert np.isnan(missed[0]) and missed[1] == pytest.approx(120.0)


@pytest.mark.parametrize("duty", [0.3, 0.36, 0.42])
def test_contact_flight_and_duty_factor(duty: float) -> None:
    run = exact_run(duty_factor=duty)
    m = measure_run(run, speed_kmh=10.8).metrics
    stride = 0.8
    assert m["contact_time_ms"]["value"] == pytest.approx(1000 * duty * stride, abs=1e-6)
    assert m["flight_time_ms"]["value"] == pytest.approx(1000 * (0.5 - duty) * stride, abs=1e-6)
    assert m["duty_factor"]["value"] == pytest.approx(duty, abs=1e-9)
    # 10.8 km/h = 300 cm/s; 150 spm = 0.4 s per step.
    assert m["step_length_cm"]["value"] == pytest.approx(120.0, abs=1e-6)
    vo = m["vertical_oscillation_cm"]["value"]
    assert m["vertical_ratio_pct"]["value"] == pytest.approx(100 * vo / 120.0, abs=1e-9)


def test_flight_time_skips_missed_contact_and_overlap() -> None:
    steps = (Step("right", 0.0, 0, 0.25, 0), Step("left", 0.35, 0, 0.6, 0),
             Step("left", 1.05, 0, None, None), Step("right", 1.1, 0, 1.3, 0),
             Step("left", 1.2, 0, 1.5, 0))
    flight = flight_times_ms(steps)
    assert flight[0] == pytest.approx(100.0)
    assert np.isnan(flight[1:]).all()  # same foot next / no toe-off / overlap / last
    assert contact_times_ms(steps)[2] != contact_times_ms(steps)[2]  # NaN without toe-off


def test_step_length_formula() -> None:
    assert step_length_cm(12.0, 180.0) == pytest.approx(12e5 / 3600 / 3.0)


def test_no_speed_no_step_length() -> None:
    m = measure_run(exact_run()).metrics
    assert m["step_length_cm"]["value"] is None
    assert "--speed-kmh" in m["step_length_cm"]["reason"]
    assert m["vertical_ratio_pct"]["value"] is None


def test_timing_at_low_fps_is_flagged_or_withdrawn() -> None:
    run30 = synthetic_run(fps=30.0, duration_s=10.0)
    m30 = measure_run(run30)
    assert m30.metrics["contact_time_ms"]["value"] is not None
    assert m30.metrics["contact_time_ms"]["confidence"] <= 0.25 + 1e-9
    assert any("30 fps" in w and "contact" in w for w in m30.warnings)
    run12 = synthetic_run(fps=12.0, duration_s=10.0)
    m12 = measure_run(run12).metrics
    assert m12["contact_time_ms"]["value"] is None
    assert "fps" in m12["contact_time_ms"]["reason"]


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("vo", [5.0, 8.0, 11.0])
def test_vertical_oscillation_peak_to_peak(facing: str, vo: float) -> None:
    run = exact_run(facing=facing, vertical_oscillation_cm=vo, fps=200.0)
    v = measure_run(run).metrics["vertical_oscillation_cm"]
    assert v["value"] == pytest.approx(vo, abs=0.01)
    assert v["hip_only_cm"] == pytest.approx(vo, abs=0.01)


def test_vertical_oscillation_needs_scale() -> None:
    run = exact_run(vertical_oscillation_cm=8.0)
    v = measure_run(run, scale=False).metrics["vertical_oscillation_cm"]
    assert v["value"] is None
    assert v["px"] == pytest.approx(8.0 * run.px_per_cm, rel=0.01)
    assert v["leg_fraction"] == pytest.approx(8.0 * run.px_per_cm / run.leg_length_px, rel=0.01)


def test_oscillation_helpers_on_a_sine() -> None:
    t = np.linspace(0, 2, 401)
    y = 10.0 * np.sin(2 * np.pi * t)  # peak to peak 20 per 1 s "step"
    per = oscillation_per_step(t, y, [(0.0, 1.0), (1.0, 2.0), (1.99, 2.0)])
    assert per[:2] == pytest.approx([20.0, 20.0], abs=1e-3)
    assert np.isnan(per[2])


def test_oscillation_uses_trunk_not_hips_alone() -> None:
    # A pose model that under-reads the hips' bob by 30 %: the trunk estimate (hips,
    # shoulders, ears) loses a third of that; the hip-only extra shows the full loss.
    run = exact_run(vertical_oscillation_cm=8.0, fps=200.0)
    pos = run.track.position.copy()
    hips = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
    mean_y = pos[:, hips, 1].mean()
    pos[:, hips, 1] = mean_y + 0.7 * (pos[:, hips, 1] - mean_y)
    v = measure_run(dataclasses.replace(run, track=run.track.with_position(pos))).metrics[
        "vertical_oscillation_cm"]
    assert v["hip_only_cm"] == pytest.approx(0.7 * 8.0, abs=0.05)
    assert v["value"] == pytest.approx(8.0 * (1 - 0.3 / 3), abs=0.05)


def test_oscillation_skips_frames_without_ears() -> None:
    run = exact_run(vertical_oscillation_cm=8.0, fps=200.0)
    pos = run.track.position.copy()
    gone = (run.track.time > 2.0) & (run.track.time < 2.1)
    pos[gone, LANDMARK_INDEX["left_ear"]] = np.nan
    v = measure_run(dataclasses.replace(run, track=run.track.with_position(pos))).metrics[
        "vertical_oscillation_cm"]
    assert v["value"] == pytest.approx(8.0, abs=0.02)


def test_unreliable_events_halve_confidence() -> None:
    run = exact_run()
    ev = dataclasses.replace(true_events(run), reliable=False, reason="blurred feet")
    m = measure_run(run, events=ev)
    assert m.metrics["contact_time_ms"]["confidence"] <= 0.5
    assert any("blurred feet" in w for w in m.warnings)


def test_late_toe_offs_are_flagged_as_inconsistent() -> None:
    run = exact_run(duty_factor=0.36)
    ev = true_events(run)
    late = tuple(dataclasses.replace(s, to_time=s.to_time + 0.25) for s in ev.steps)
    m = measure_run(run, events=dataclasses.replace(ev, steps=late))
    # Contacts of 538 ms and no flight: a third more than one 400 ms step.
    assert any("toe-off was not found reliably" in w for w in m.warnings)
    assert m.metrics["contact_time_ms"]["confidence"] <= 0.25
    good = measure_run(run)
    assert not any("toe-off" in w for w in good.warnings)
