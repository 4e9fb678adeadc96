"""Property tests: hostile landmark tracks never crash cleaning, events, metrics or scoring.

Hypothesis builds pose tracks the way real ones go wrong: a synthetic runner
(or pure noise) with points missing at random, whole frames missing, long gaps,
landmarks frozen at one value, wild outliers (up to 1e12 px), visibility out of
range or missing, uneven frame times, very short clips. Whatever comes in,

* :func:`runform.cleaning.clean_track` returns a track of the same shape with
  no infinities,
* :func:`runform.gait.events.detect_events` returns contacts in time order
  inside the clip,
* :func:`runform.measure.measure` returns, for every metric, either a finite
  value or ``None`` with a reason, and
* the summary (also after :func:`runform.scoring.engine.score_summary`) is
  strict JSON: ``json.dumps(..., allow_nan=False)`` succeeds,

and none of them should let a ``RuntimeWarning`` escape (it would print on the
user's terminal). Example counts are kept modest for CI.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from runform.cleaning import clean_track
from runform.config import AnalysisConfig
from runform.gait.events import detect_events
from runform.measure import measure
from runform.output.atomic import to_jsonable
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack
from runform.scoring.engine import score_summary
from runform.scoring.profile import load_profile
from tests.synthetic_tracks import synthetic_run

N = len(LANDMARK_NAMES)
EXTREMES = (0.0, -1.0, 1e-300, 1e6, -1e6, 1e12, -1e12)

PROPERTY_SETTINGS = settings(max_examples=20, deadline=None, print_blob=True, derandomize=True,
                             phases=[Phase.explicit, Phase.reuse, Phase.generate],
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])
"""Derandomised, without shrinking: CI sees the same examples every run (a strict xfail
cannot flicker) and a failure costs seconds, not minutes. To explore or shrink a failure
locally, run with ``settings(PROPERTY_SETTINGS, derandomize=False, phases=list(Phase),
max_examples=500)``."""


@st.composite
def frame_times(draw: st.DrawFn, n: int, fps: float) -> np.ndarray:
    """Strictly increasing times: constant rate, jittered (VFR) or with long pauses."""
    kind = draw(st.sampled_from(["constant", "jitter", "pauses"]))
    dt = np.full(n - 1, 1.0 / fps)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if kind == "jitter":
        dt *= rng.uniform(0.2, 3.0, n - 1)
    elif kind == "pauses" and n > 2:
        dt[rng.integers(0, n - 1, size=max(1, n // 20))] = rng.uniform(0.5, 5.0)
    return np.concatenate([[draw(st.sampled_from([0.0, 3.7]))], dt]).cumsum()


@st.composite
def base_positions(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """A runner (any facing/view/noise) or pure noise: times, positions, visibility, w, h."""
    fps = draw(st.sampled_from([10.0, 24.0, 30.0, 60.0, 120.0, 240.0]))
    n = draw(st.integers(2, 150))
    if draw(st.booleans()):
        run = synthetic_run(
            cadence_spm=draw(st.floats(100, 220)), fps=fps, duration_s=n / fps,
            facing=draw(st.sampled_from(["left", "right"])),
            view=draw(st.sampled_from(["side", "side", "front", "rear"])),
            noise_px=draw(st.sampled_from([0.0, 1.0, 8.0])), width=640, height=360,
            height_px=draw(st.sampled_from([20.0, 150.0, 300.0])), seed=draw(st.integers(0, 99)))
        t = run.track
        pos, vis = t.position[:n].copy(), t.visibility[:n].copy()
        pos[~np.isfinite(pos)] = np.nan  # the generator's own degenerate cases (tiny clips)
        n = len(pos)
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        pos = rng.uniform(-50, 700, (n, N, 2))
        vis = rng.uniform(0, 1, (n, N))
    times = draw(frame_times(n, fps))
    return times, pos, vis, 640, 360


@st.composite
def hostile_tracks(draw: st.DrawFn) -> PoseTrack:
    """A pose track with missing points, gaps, frozen landmarks and extreme values."""
    times, pos, vis, w, h = draw(base_positions())
    n = len(times)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    missing = draw(st.sampled_from([0.0, 0.05, 0.3, 0.9, 1.0]))
    pos[rng.uniform(size=(n, N)) < missing] = np.nan
    for _ in range(draw(st.integers(0, 3))):  # whole frames or long spans without the runner
        a = draw(st.integers(0, n - 1))
        pos[a:a + draw(st.integers(1, n))] = np.nan
    frozen = draw(st.sampled_from(["none", "some", "all"]))
    if frozen != "none":
        cols = np.arange(N) if frozen == "all" else rng.choice(N, size=5, replace=False)
        pos[:, cols] = draw(st.sampled_from([0.0, 100.0, 1e6]))
    k = draw(st.integers(0, 20))
    if k:
        rows, cols = rng.integers(0, n, k), rng.integers(0, N, k)
        pos[rows, cols, rng.integers(0, 2, k)] = rng.choice(EXTREMES, k)
    vis_kind = draw(st.sampled_from(["as is", "nan", "out of range", "zero"]))
    if vis_kind == "nan":
        vis = np.full((n, N), np.nan)
    elif vis_kind == "out of range":
        vis = rng.uniform(-1.0, 2.0, (n, N))
    elif vis_kind == "zero":
        vis = np.zeros((n, N))
    depth = rng.normal(0.0, 30.0, (n, N)) if draw(st.booleans()) else None
    return PoseTrack.from_arrays(times, pos, width=w, height=h, depth=depth, visibility=vis)


def strict_json(value: Any) -> str:
    """Serialise as ``write_json`` does, refusing NaN and infinity anywhere."""
    return json.dumps(to_jsonable(value), allow_nan=False)


def no_runtime_warnings(caught: list[warnings.WarningMessage]) -> None:
    runtime = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
               if issubclass(w.category, RuntimeWarning)]
    assert not runtime, runtime


def _finite_or_unknown(metrics: dict[str, dict[str, Any]]) -> None:
    for key, entry in metrics.items():
        value = entry["value"]
        if value is None:
            assert entry.get("reason"), (key, entry)
        elif not isinstance(value, str):
            assert math.isfinite(value), (key, entry)
        assert 0.0 <= entry["confidence"] <= 1.0, (key, entry)


@PROPERTY_SETTINGS
@given(track=hostile_tracks())
def test_cleaning_and_events_survive_any_track(track):
    cleaned = clean_track(track)
    events = detect_events(cleaned)
    assert cleaned.track.position.shape == track.position.shape
    assert not np.isinf(cleaned.track.position).any()
    assert cleaned.facing in ("left", "right") and cleaned.view in ("side", "front", "rear")
    ic = [s.ic_time for s in events.steps]
    assert ic == sorted(ic)
    for step in events.steps:
        assert track.time[0] - 1e-9 <= step.ic_time <= track.time[-1] + 1e-9
        assert 0 <= step.ic_frame < len(track)
        if step.to_time is not None:
            assert step.to_time > step.ic_time
    assert events.stride_period_s is None or math.isfinite(events.stride_period_s)
    if not events.reliable:
        assert events.reason


@PROPERTY_SETTINGS
@given(track=hostile_tracks(),
       height_cm=st.sampled_from([None, 80.0, 178.0, 250.0]),
       speed_kmh=st.sampled_from([None, 3.0, 12.0, 40.0]))
def test_measure_and_scoring_give_a_value_or_unknown_and_strict_json(track, height_cm,
                                                                     speed_kmh):
    config = AnalysisConfig(height_cm=height_cm, speed_kmh=speed_kmh)
    summary = measure(track, config).to_summary()
    scored = score_summary(summary, load_profile(None), speed_kmh=speed_kmh)
    _finite_or_unknown(summary["metrics"])
    strict_json(summary)
    strict_json(scored)
    assert set(scored["metrics"]) == set(summary["metrics"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 40), fps=st.sampled_from([15.0, 30.0, 240.0]))
def test_a_track_with_nobody_in_it_measures_nothing(n, fps):
    times = np.arange(n) / fps
    track = PoseTrack.from_arrays(times, np.full((n, N, 2), np.nan), width=64, height=48)
    summary = measure(track, AnalysisConfig(height_cm=178)).to_summary()
    assert all(entry["value"] is None for entry in summary["metrics"].values())
    strict_json(summary)


def test_frozen_landmarks_do_not_crash_measure():
    run = synthetic_run(fps=30, duration_s=3, width=640, height=360)
    pos = run.track.position.copy()
    pos[:] = 100.0  # every landmark frozen on one pixel (a stuck detector)
    depth = np.random.default_rng(0).normal(0.0, 30.0, pos.shape[:2])
    track = PoseTrack.from_arrays(run.track.time, pos, width=640, height=360, depth=depth)
    summary = measure(track, AnalysisConfig()).to_summary()
    _finite_or_unknown(summary["metrics"])
    strict_json(summary)


@settings(PROPERTY_SETTINGS, derandomize=True)
@given(track=hostile_tracks())
def test_no_runtime_warning_reaches_the_user(track):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cleaned = clean_track(track)
        detect_events(cleaned)
        summary = measure(track, AnalysisConfig(height_cm=178, speed_kmh=12)).to_summary()
        score_summary(summary, load_profile(None), speed_kmh=12)
    no_runtime_warnings(caught)


def test_to_jsonable_turns_every_non_finite_value_into_null():
    data = {"a": float("nan"), "b": [np.inf, -np.inf, np.float32("nan")],
            "c": np.array([1.0, np.nan]), "d": (np.float64(2.5), np.int64(3))}
    assert json.loads(strict_json(data)) == {"a": None, "b": [None, None, None],
                                             "c": [1.0, None], "d": [2.5, 3]}
