"""Facing, view and pixel scale from synthetic tracks with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runform.cleaning import clean_track
from runform.gait import (
    detect_facing,
    detect_view,
    estimate_px_per_cm,
    facing_evidence,
    leg_length_px,
)
from runform.gait.view import lateral_width
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack
from tests.synthetic_tracks import synthetic_run


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("fps", [25.0, 120.0])
def test_facing_from_the_body(facing: str, fps: float) -> None:
    run = synthetic_run(facing=facing, fps=fps, noise_px=3.0, seed=2)
    assert detect_facing(run.track) == facing
    assert abs(facing_evidence(run.track)) > 0.3


@pytest.mark.parametrize("facing", ["left", "right"])
def test_facing_ignores_travel_across_the_frame(facing: str) -> None:
    # The whole body drifts 300 px against the running direction (a runner
    # falling back on the belt, or a panning camera): the body still says where it faces.
    run = synthetic_run(facing=facing, duration_s=4.0, noise_px=1.0)
    drift = np.linspace(0, 300, len(run.track)) * (1 if facing == "left" else -1)
    pos = run.track.position.copy()
    pos[..., 0] += drift[:, None]
    moved = PoseTrack.from_arrays(run.track.time, pos, width=1280, height=720)
    assert detect_facing(moved) == facing


def test_facing_from_feet_alone_and_head_alone() -> None:
    run = synthetic_run(facing="left", noise_px=1.0)
    pos = run.track.position.copy()
    no_head = pos.copy()
    for name in ("nose", "left_ear", "right_ear"):
        no_head[:, LANDMARK_NAMES.index(name)] = np.nan
    assert detect_facing(PoseTrack.from_arrays(run.track.time, no_head, width=1280,
                                               height=720)) == "left"
    no_feet = pos.copy()
    for name in LANDMARK_NAMES:
        if "heel" in name or "foot_index" in name:
            no_feet[:, LANDMARK_NAMES.index(name)] = np.nan
    assert detect_facing(PoseTrack.from_arrays(run.track.time, no_feet, width=1280,
                                               height=720)) == "left"


@pytest.mark.parametrize("view", ["side", "front", "rear"])
@pytest.mark.parametrize("facing", ["left", "right"])
def test_view(view: str, facing: str) -> None:
    run = synthetic_run(view=view, facing=facing, noise_px=2.0, seed=4)
    assert detect_view(run.track) == view
    assert clean_track(run.track).view == view


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("height_px", [350.0, 900.0])
def test_leg_length_and_scale(facing: str, height_px: float) -> None:
    run = synthetic_run(facing=facing, height_px=height_px, height_cm=171.0, noise_px=1.5,
                        width=1920, height=1440, seed=8)
    track = clean_track(run.track).track
    leg = leg_length_px(track)
    assert leg == pytest.approx(run.leg_length_px, rel=0.02)
    scale = estimate_px_per_cm(track, 171.0)
    assert scale == pytest.approx(run.px_per_cm, rel=0.02)
    # A wrong height scales the answer in proportion.
    assert estimate_px_per_cm(track, 190.0) == pytest.approx(scale * 171.0 / 190.0)


def test_scale_of_a_leaning_runner_uses_upright_frames() -> None:
    run = synthetic_run(trunk_lean_deg=12.0, noise_px=1.0, height_cm=180.0)
    assert estimate_px_per_cm(run.track, 180.0) == pytest.approx(run.px_per_cm, rel=0.02)


def test_scale_without_a_body_and_bad_height() -> None:
    empty = PoseTrack.from_arrays(np.arange(5) / 30, np.full((5, 33, 2), np.nan), width=10,
                                  height=10)
    assert leg_length_px(empty) is None
    assert estimate_px_per_cm(empty, 175.0) is None
    with pytest.raises(ValueError, match="positive height"):
        estimate_px_per_cm(empty, 0.0)


@st.composite
def _tracks(draw: st.DrawFn) -> PoseTrack:
    n = draw(st.integers(min_value=0, max_value=30))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    pos = rng.uniform(0, 300, (n, len(LANDMARK_NAMES), 2))
    kind = draw(st.sampled_from(["random", "constant", "nan", "mixed"]))
    if kind == "constant":
        pos[:] = 7.0
    elif kind == "nan":
        pos[:] = np.nan
    elif kind == "mixed":
        pos[rng.random((n, len(LANDMARK_NAMES))) < 0.6] = np.nan
    return PoseTrack.from_arrays(np.arange(n) / 30.0, pos, width=300, height=300)


@given(_tracks())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_view_and_scale_never_raise_or_return_nan(track: PoseTrack) -> None:
    assert detect_facing(track) in ("left", "right")
    assert detect_view(track) in ("side", "front", "rear")
    assert np.isfinite(facing_evidence(track))
    for value in (leg_length_px(track), estimate_px_per_cm(track, 170.0)):
        assert value is None or (np.isfinite(value) and value > 0)


@pytest.mark.parametrize(("sign", "view"), [(1.0, "front"), (-1.0, "rear")])
def test_width_and_view_from_hand_placed_shoulders_and_hips(sign: float, view: str) -> None:
    # Trunk 100 px; shoulders 80 px and hips 60 px apart, the runner's left on the
    # image's right (front) or left (rear): median width 70 px = 0.7 trunk lengths.
    pos = np.full((3, len(LANDMARK_NAMES), 2), np.nan)
    idx = {n: i for i, n in enumerate(LANDMARK_NAMES)}
    for name, (x, y) in {"left_shoulder": (200 + sign * 40, 200), "right_shoulder":
                         (200 - sign * 40, 200), "left_hip": (200 + sign * 30, 300),
                         "right_hip": (200 - sign * 30, 300)}.items():
        pos[:, idx[name]] = (x, y)
    track = PoseTrack.from_arrays([0.0, 0.1, 0.2], pos, width=400, height=600)
    assert lateral_width(track) == pytest.approx(0.7)
    assert detect_view(track) == view
