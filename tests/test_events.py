"""Gait events on synthetic treadmill runners with known contact times."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.ndimage import gaussian_filter1d

from runform.cleaning import clean_track
from runform.gait import GaitEvents, Step, detect_events, stride_period
from runform.gait.events import corner, template_events
from runform.gait.types import CleanedTrack
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack
from tests.synthetic_tracks import SyntheticRun, synthetic_run


def mae(errors: list[float]) -> float:
    """Mean absolute error in milliseconds (inf when nothing was matched)."""
    return 1000 * float(np.mean(np.abs(errors))) if errors else np.inf


@dataclass
class Score:
    ic_mae_ms: float
    to_mae_ms: float
    contact_mae_ms: float
    found: float
    extra: int
    cadence_spm: float


def score(events: GaitEvents, run: SyntheticRun) -> Score:
    """Match detected steps to true contacts (same foot, within a quarter stride)."""
    ic, to, ct = [], [], []
    matched: set[int] = set()
    for c in run.contacts:
        near = [(abs(s.ic_time - c.ic_time), i, s) for i, s in enumerate(events.steps)
                if s.foot == c.foot and abs(s.ic_time - c.ic_time) < 0.25 * run.stride_period_s]
        if not near:
            continue
        _, i, s = min(near, key=lambda x: x[0])
        matched.add(i)
        ic.append(s.ic_time - c.ic_time)
        if s.to_time is not None:
            to.append(s.to_time - c.to_time)
            ct.append((s.to_time - s.ic_time) - c.contact_s)
    inside = [s for s in events.steps
              if run.contacts[0].ic_time - 0.1 <= s.ic_time <= run.contacts[-1].ic_time + 0.1]
    times = sorted(s.ic_time for s in inside)
    cadence = 60.0 * (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else np.nan
    return Score(mae(ic), mae(to), mae(ct), len(ic) / len(run.contacts),
                 len(inside) - len(matched), cadence)


def _check_order(steps: tuple[Step, ...]) -> None:
    for a, b in zip(steps, steps[1:], strict=False):
        assert b.ic_time > a.ic_time
        if a.to_time is not None:
            assert a.to_time > a.ic_time
    feet = [s.foot for s in steps]
    assert all(x != y for x, y in zip(feet, feet[1:], strict=False))


CASES = [
    # cadence, fps, facing, strike angle, seed
    (150.0, 25.0, "left", 12.0, 1),
    (158.0, 30.0, "right", 4.0, 2),
    (166.0, 50.0, "left", -6.0, 3),
    (172.0, 60.0, "right", 15.0, 4),
    (180.0, 30.0, "right", 0.0, 5),
    (188.0, 120.0, "left", 8.0, 6),
    (195.0, 25.0, "right", -3.0, 7),
    (195.0, 90.0, "left", 12.0, 8),
]


@pytest.mark.parametrize(("cadence", "fps", "facing", "strike", "seed"), CASES)
def test_events_match_truth(cadence: float, fps: float, facing: str, strike: float,
                            seed: int) -> None:
    run = synthetic_run(cadence_spm=cadence, fps=fps, facing=facing, strike_angle_deg=strike,
                        noise_px=1.5, duration_s=9.0, first_ic_s=0.03 + 0.013 * seed, seed=seed)
    events = detect_events(clean_track(run.track))
    s = score(events, run)
    assert events.reliable, events.reason
    assert s.found >= 0.95
    assert s.extra == 0
    assert s.ic_mae_ms < 20.0
    assert s.contact_mae_ms < 25.0
    assert s.cadence_spm == pytest.approx(cadence, abs=0.5)
    assert events.stride_period_s == pytest.approx(run.stride_period_s, rel=0.01)
    _check_order(events.steps)


def test_slow_motion_track_in_real_time() -> None:
    # 240 fps capture (slowmo 8 on a 30 fps file): the track is already in real seconds.
    run = synthetic_run(cadence_spm=176, fps=240.0, duration_s=6.0, noise_px=1.0, seed=9)
    events = detect_events(clean_track(run.track))
    s = score(events, run)
    assert events.reliable and s.found >= 0.95 and s.ic_mae_ms < 20.0
    assert s.cadence_spm == pytest.approx(176.0, abs=0.5)


def test_swapped_legs_do_not_create_false_steps() -> None:
    swaps = [(1.0, 1.2), (2.3, 2.7), (4.05, 4.2), (6.0, 6.35)]
    run = synthetic_run(cadence_spm=170, fps=30.0, duration_s=8.0, noise_px=1.5,
                        leg_swaps=swaps, seed=11)
    cleaned = clean_track(run.track)
    assert cleaned.swaps_repaired == len(swaps)
    events = detect_events(cleaned)
    s = score(events, run)
    assert s.found >= 0.95 and s.extra == 0 and s.ic_mae_ms < 20.0
    _check_order(events.steps)


def test_missing_runner_creates_no_events() -> None:
    gap = (3.0, 4.2)
    run = synthetic_run(cadence_spm=170, fps=30.0, duration_s=9.0, noise_px=1.0, gaps=[gap],
                        seed=12)
    events = detect_events(clean_track(run.track))
    assert not [s for s in events.steps if gap[0] - 0.02 <= s.ic_time <= gap[1] + 0.02]
    outside = [c for c in run.contacts if c.to_time < gap[0] or c.ic_time > gap[1] + 0.15]
    found = sum(any(s.foot == c.foot and abs(s.ic_time - c.ic_time) < 0.03 for s in events.steps)
                for c in outside)
    assert found >= 0.95 * len(outside)


def test_too_short_clip_is_unreliable() -> None:
    run = synthetic_run(cadence_spm=170, fps=30.0, duration_s=1.5, noise_px=1.0)
    events = detect_events(clean_track(run.track))
    assert not events.reliable
    assert events.reason and "steps" in events.reason


@pytest.mark.parametrize("view", ["front", "rear"])
def test_front_and_rear_views_are_not_reliable(view: str) -> None:
    run = synthetic_run(view=view, duration_s=6.0, noise_px=1.0)
    events = detect_events(clean_track(run.track))
    assert not events.reliable
    assert events.reason and view in events.reason


def test_stride_period_of_both_facings() -> None:
    for facing in ("left", "right"):
        run = synthetic_run(cadence_spm=163.0, facing=facing, duration_s=6.0, noise_px=2.0)
        period, strength = stride_period(run.track, facing)
        assert period == pytest.approx(120.0 / 163.0, rel=0.005)
        assert strength > 0.8


def test_long_clip_finds_each_contact_once_and_drops_none() -> None:
    # 30 s: several stride blocks per foot, each with its own template. Each
    # stride must be looked for by one block only (not every block to both
    # clip ends, which made duplicates counted as dropped and cost grow with
    # the square of the clip's length).
    run = synthetic_run(cadence_spm=176, fps=30.0, duration_s=30.0, noise_px=1.5, seed=21)
    events = detect_events(clean_track(run.track))
    s = score(events, run)
    assert events.reliable, events.reason
    assert events.dropped == 0
    assert s.found >= 0.98 and s.extra == 0 and s.ic_mae_ms < 20.0
    _check_order(events.steps)


def test_event_frames_are_the_frames_nearest_the_event_times() -> None:
    # Uneven frame times (a phone's variable frame rate) so "nearest" is not a rounding.
    run = synthetic_run(cadence_spm=168, fps=30.0, duration_s=9.0, noise_px=1.0, seed=22)
    t = run.track
    jitter = np.random.default_rng(22).uniform(-0.012, 0.012, len(t))
    time = t.time + jitter
    track = PoseTrack.from_arrays(time, t.position, width=t.width, height=t.height,
                                  depth=t.depth, visibility=t.visibility)
    events = detect_events(clean_track(track))
    assert len(events.steps) >= 15
    for s in events.steps:
        assert abs(time[s.ic_frame] - s.ic_time) == np.min(np.abs(time - s.ic_time))
        if s.to_time is not None:
            assert s.to_frame is not None
            assert abs(time[s.to_frame] - s.to_time) == np.min(np.abs(time - s.to_time))


@st.composite
def _cleaned(draw: st.DrawFn) -> CleanedTrack:
    n = draw(st.integers(min_value=0, max_value=120))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    pos = rng.uniform(0, 400, (n, len(LANDMARK_NAMES), 2))
    kind = draw(st.sampled_from(["random", "constant", "nan", "mixed", "sine"]))
    if kind == "constant":
        pos[:] = 50.0
    elif kind == "nan":
        pos[:] = np.nan
    elif kind == "mixed":
        pos[rng.random((n, len(LANDMARK_NAMES))) < 0.4] = np.nan
    elif kind == "sine":
        t = np.arange(n)[:, None] / 30.0
        pos[..., 1] = 200 + 40 * np.sin(2 * np.pi * 1.4 * t + rng.uniform(0, 6, 33))
        pos[..., 0] = 200 + 40 * np.cos(2 * np.pi * 1.4 * t + rng.uniform(0, 6, 33))
    track = PoseTrack.from_arrays(np.arange(n) / 30.0, pos, width=400, height=400)
    return CleanedTrack(track=track, facing=draw(st.sampled_from(["left", "right"])),
                        view=draw(st.sampled_from(["side", "front", "rear"])))


@given(_cleaned())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_detect_events_never_raises_or_returns_nan(cleaned: CleanedTrack) -> None:
    events = detect_events(cleaned)
    assert events.dropped >= 0
    if events.stride_period_s is not None:
        assert np.isfinite(events.stride_period_s) and events.stride_period_s > 0
    for s in events.steps:
        assert np.isfinite(s.ic_time)
        assert s.to_time is None or np.isfinite(s.to_time)
        assert 0 <= s.ic_frame < len(cleaned.track)
    if not events.reliable:
        assert events.reason


REAL_CLIP = Path(__file__).parent / "data" / "treadmill_side_home.mp4"


@pytest.mark.slow
def test_real_treadmill_clip_facing_rhythm_and_steps() -> None:
    """The real MIT clip (a man on a home treadmill, facing left, ~170 spm), default model.

    With ``lite`` and MediaPipe's smoothing switched off, the far (left) foot is
    too noisy on this clip: 23 steps, left contacts out of phase (see README).
    """
    from runform.config import AnalysisConfig
    from runform.pipeline import extract_pose
    from runform.pose.models import resolve_model
    from runform.video import probe_video

    track, _ = extract_pose(REAL_CLIP, probe_video(REAL_CLIP), AnalysisConfig(model="full"),
                            resolve_model("full"))
    cleaned = clean_track(track)
    assert cleaned.facing == "left" and cleaned.view == "side"
    events = detect_events(cleaned)
    assert events.reliable, events.reason
    assert events.stride_period_s is not None
    assert 165.0 <= 120.0 / events.stride_period_s <= 178.0
    assert len(events.steps) >= 28  # about 34 steps in 12 s
    _check_order(events.steps)
    times = [s.ic_time for s in events.steps]
    assert 165.0 <= 60.0 * (len(times) - 1) / (times[-1] - times[0]) <= 178.0


# ----------------------------------------------------------------- landing corner
GRID = np.arange(-0.3, 0.5, 0.001)


def _landing(land: float, level: float, sink: float, sigma: float) -> np.ndarray:
    """Image height of a point that descends at 800 px/s, lands at ``land`` and then sinks
    at ``sink`` px/s until lift-off at 0.25 s, rounded by a zero-lag Gaussian of ``sigma`` s."""
    t = GRID
    y = np.where(t < land, level - 800.0 * (land - t), level + sink * (t - land))
    end = level + sink * (0.25 - land)
    y = np.where(t > 0.25, end - 1000.0 * (t - 0.25), y)
    return gaussian_filter1d(y, sigma / 0.001) if sigma else y


@pytest.mark.parametrize("start", [-0.008, 0.0, 0.008])
def test_corner_of_a_sharp_landing_is_exact(start: float) -> None:
    y = _landing(0.0123, 500.0, 40.0, 0.0)
    assert corner(GRID, y, 0.0123 + start, 0.02) == pytest.approx(0.0123, abs=1e-4)


@pytest.mark.parametrize("start", [-0.008, 0.008])
def test_corner_of_a_rounded_landing_moves_towards_it(start: float) -> None:
    # Symmetric rounding pulls a fit that is off-centre towards its middle, but
    # the fit still lands much nearer the corner than where it started.
    y = _landing(0.0123, 500.0, 40.0, 0.006)
    assert corner(GRID, y, 0.0123, 0.02) == pytest.approx(0.0123, abs=5e-4)
    assert abs(corner(GRID, y, 0.0123 + start, 0.02) - 0.0123) < 0.4 * abs(start)


def test_corner_without_a_corner_keeps_the_start() -> None:
    assert corner(GRID, 5.0 * GRID, 0.01, 0.02) == 0.01
    assert corner(GRID[:5], 5.0 * GRID[:5], -0.29, 0.02) == -0.29  # too few points
    assert corner(GRID, _landing(0.0, 500.0, 0.0, 0.0), 0.1, 0.02) == 0.1  # corner outside


def test_corner_is_a_landing_not_the_start_of_a_descent() -> None:
    # A point at rest that starts to descend at t = 0 (image y grows) has a
    # corner, but not a landing one: the fit keeps its start.
    y = np.where(GRID < 0.0, 500.0, 500.0 + 800.0 * GRID)
    assert corner(GRID, y, 0.005, 0.04, 0.02) == 0.005
    landing = 500.0 + 800.0 * np.minimum(GRID, 0.0)  # a descent that stops at t = 0
    assert corner(GRID, landing, 0.005, 0.04, 0.02) == pytest.approx(0.0, abs=1e-4)


def _template(sink: float, heel_first: bool) -> np.ndarray:
    first, second = (0.0, 0.03) if heel_first else (0.03, 0.0)
    heel = _landing(first, 500.0, sink, 0.008)
    toe = _landing(second, 495.0, sink, 0.008)
    forward = -2.5 * GRID
    return np.stack([forward, heel, forward + 50, toe, forward + 10, heel - 40], 1)


@pytest.mark.parametrize("sink", [0.0, 30.0])
@pytest.mark.parametrize("heel_first", [True, False])
def test_template_contact_at_the_landing_corner(sink: float, heel_first: bool) -> None:
    # The landing point keeps sinking after touchdown (a loaded foot, as MediaPipe
    # reads it) and the filter rounds the corner: the contact is still the corner
    # (a threshold near the early-stance depth alone read -4.7 and +3.7 ms). The
    # fit's long descent side pulls a symmetrically rounded corner that does not
    # sink a little early (-3.2 ms here; -1.2 ms with the sinking).
    events = template_events(GRID, _template(sink, heel_first))
    assert events is not None
    assert events[0] == pytest.approx(0.0, abs=0.0035)


@pytest.mark.parametrize("heel_first", [True, False])
def test_template_contact_of_a_point_that_keeps_sinking(heel_first: bool) -> None:
    # 60 px/s of sinking through stance: the threshold crossing comes late and a
    # symmetric +-20 ms fit around it stays in the sinking tail (+27/+28.5 ms);
    # the fit that reaches further into the straight descent halves that.
    events = template_events(GRID, _template(60.0, heel_first))
    assert events is not None
    assert 0.0 < events[0] < 0.014
