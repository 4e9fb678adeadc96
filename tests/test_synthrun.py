"""Tests of the synthetic runner (tools/synthrun): gait model, truth and rendering."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tools.synthrun import GaitModel, preset, render_clip
from tools.synthrun.body import LANDMARK_VERTICES, SIDES, Body, sagittal, shape_for_height
from tools.synthrun.camera import Camera, default_focal
from tools.synthrun.gait import HEEL_OFF_SHARE, LOADING_SHARE
from tools.synthrun.truth import POINT_NAMES, SCHEMA, TruthBuilder

PRESET_NAMES = ("good_form", "overstride", "forward_lean")
DURATION_S = 10.0


@pytest.fixture(scope="module")
def body() -> Body:
    return Body()


def gait(body: Body, name: str, **overrides: float) -> GaitModel:
    return GaitModel(preset(name, **overrides), body, DURATION_S, left_ic_s=0.123)


def model_joints(model: GaitModel, times: np.ndarray) -> np.ndarray:
    """Joint positions computed by mannequin-x from the gait's pose parameters."""
    pose = model.pose(times)
    params = model.body.pose_parameters(pose.world, pose.root)
    return np.asarray(model.body.model.joint_transforms(params))[..., :3, 3]


def model_vertices(model: GaitModel, times: np.ndarray) -> np.ndarray:
    pose = model.pose(times)
    return np.asarray(model.body.model.vertices(model.body.pose_parameters(pose.world, pose.root)))


def camera_for(model: GaitModel, facing: str = "right") -> Camera:
    focal = default_focal(720, 3.5, model.body.height_m)
    return Camera(1280, 720, focal, 3.5, model.mean_hip_height, facing)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_events_follow_cadence_and_duty_factor(body: Body, name: str) -> None:
    model = gait(body, name)
    params = model.params
    steps = model.steps(0.0, DURATION_S)
    ic = np.array([step.ic_time_s for step in steps])
    assert all(a.foot != b.foot for a, b in zip(steps, steps[1:], strict=False))
    np.testing.assert_allclose(60.0 / np.diff(ic), params.cadence_spm, rtol=1e-9)
    contact = np.array([step.to_time_s - step.ic_time_s for step in steps])
    np.testing.assert_allclose(contact, params.duty_factor * 120.0 / params.cadence_spm)
    stance = model.pose(ic + 1e-6).stance
    assert all(stance[step.foot][k] for k, step in enumerate(steps))


@pytest.mark.parametrize("name", PRESET_NAMES)
@pytest.mark.parametrize("side", SIDES)
def test_stance_foot_moves_backward_at_belt_speed(body: Body, name: str, side: str) -> None:
    model = gait(body, name)
    first = next(step for step in model.steps(0.5, DURATION_S) if step.foot == side)
    contact, step = model.contact_s, 1e-4
    prefix = "L_" if side == "left" else "R_"
    flat = first.ic_time_s + np.linspace(LOADING_SHARE + 0.02, HEEL_OFF_SHARE - 0.02, 5) * contact
    rising = first.ic_time_s + np.linspace(HEEL_OFF_SHARE + 0.02, 0.98, 5) * contact
    for times, joint in ((flat, "Ankle"), (rising, "Foot")):
        index = body.index(prefix + joint)
        before = model_joints(model, times - step)[:, index]
        after = model_joints(model, times + step)[:, index]
        velocity = (after - before) / (2 * step)
        np.testing.assert_allclose(velocity[:, 2], -model.speed_mps, rtol=1e-5)
        np.testing.assert_allclose(velocity[:, 1], 0.0, atol=1e-5)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_foot_touches_but_never_enters_the_belt(body: Body, name: str) -> None:
    model = gait(body, name)
    times = np.linspace(0.0, model.stride_s, 48, endpoint=False)
    vertices = model_vertices(model, times)
    for side in SIDES:
        prefix = "L_" if side == "left" else "R_"
        weight = sum(body.skin_weight(prefix + joint) for joint in ("Knee", "Ankle", "Foot"))
        lowest = vertices[:, weight > 0.01, 1].min(axis=1)
        stance = model.since_contact(side, times) < model.contact_s
        np.testing.assert_allclose(lowest[stance], 0.0, atol=0.0015)
        assert lowest[~stance].min() > -0.002


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_ik_reproduces_the_landing(body: Body, name: str) -> None:
    model = gait(body, name)
    params = model.params
    steps = model.steps(0.0, 3.0)
    joints = model_joints(model, np.array([step.ic_time_s for step in steps]))
    vertices = model_vertices(model, np.array([step.ic_time_s for step in steps]))
    hips = (joints[:, body.index("L_Hip")] + joints[:, body.index("R_Hip")]) / 2
    for k, step in enumerate(steps):
        prefix = "L_" if step.foot == "left" else "R_"
        hip, knee, ankle = (joints[k, body.index(prefix + j)] for j in ("Hip", "Knee", "Ankle"))
        assert ankle[2] - hips[k, 2] == pytest.approx(params.foot_ahead_at_ic_cm / 100, abs=1e-6)
        thigh, shank = knee - hip, ankle - knee
        cosine = thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank)
        flexion = np.degrees(np.arccos(np.clip(cosine, -1, 1)))
        assert flexion == pytest.approx(params.knee_flexion_at_ic_deg, abs=1e-3)
        heel = sagittal(vertices[k, LANDMARK_VERTICES[f"{step.foot}_heel"]])
        toe = sagittal(vertices[k, LANDMARK_VERTICES[f"{step.foot}_foot_index"]])
        flat = sagittal(body.foot_frames[step.foot] @ _heel_to_toe(body, step.foot))
        angle = np.degrees(np.arctan2(*(toe - heel)[::-1]) - np.arctan2(*flat[::-1]))
        assert angle == pytest.approx(params.foot_strike_angle_deg, abs=1e-3)


def _heel_to_toe(body: Body, side: str) -> np.ndarray:
    rest = body.vertices_rest
    return rest[LANDMARK_VERTICES[f"{side}_foot_index"]] - rest[LANDMARK_VERTICES[f"{side}_heel"]]


@pytest.mark.parametrize("facing", ["right", "left"])
@pytest.mark.parametrize("name", PRESET_NAMES)
def test_projected_angles_equal_the_parameters(body: Body, name: str, facing: str) -> None:
    model = gait(body, name, trunk_lean_drift_deg=0.0)
    params = model.params
    builder = TruthBuilder(model, camera_for(model, facing))
    series = builder.frame_series(builder.image_points(np.linspace(0.0, 1.5, 40)))
    np.testing.assert_allclose(series["trunk_lean_deg"], params.trunk_lean_deg, atol=0.1)
    np.testing.assert_allclose(series["head_forward_deg"], params.head_forward_deg, atol=0.2)
    np.testing.assert_allclose(series["elbow_angle_deg"], params.elbow_angle_deg, atol=1e-6)
    np.testing.assert_allclose(series["elbow_angle_far_deg"], params.elbow_angle_deg, atol=1e-6)
    swing = builder.arm_swing(model.stride_s)
    forward = params.arm_swing_deg * params.arm_swing_forward_share
    assert swing["arm_swing_deg"] == pytest.approx(params.arm_swing_deg, abs=0.1)
    assert swing["arm_swing_forward_deg"] == pytest.approx(forward, abs=0.1)
    steps = builder.step_entries(model.steps(0.0, 2.0))
    for entry in steps:
        assert entry["knee_flexion_deg"] == pytest.approx(params.knee_flexion_at_ic_deg, abs=1e-6)
        assert entry["foot_ahead_cm"] == pytest.approx(params.foot_ahead_at_ic_cm, abs=1e-6)
        assert entry["foot_strike_angle_deg"] == pytest.approx(
            params.foot_strike_angle_deg, abs=0.05
        )


def test_trunk_lean_drifts_linearly_over_the_clip(body: Body) -> None:
    model = gait(body, "forward_lean")
    params = model.params
    builder = TruthBuilder(model, camera_for(model))
    lean = builder.frame_series(builder.image_points(np.array([0.0, DURATION_S])))[
        "trunk_lean_deg"
    ]
    half = params.trunk_lean_drift_deg / 2
    np.testing.assert_allclose(
        lean, [params.trunk_lean_deg - half, params.trunk_lean_deg + half], atol=0.15
    )


def test_hip_height_oscillates_by_the_set_amount(body: Body) -> None:
    model = gait(body, "good_form")
    builder = TruthBuilder(model, camera_for(model))
    oscillation = builder.oscillation_cm(model.steps(0.0, 2.0))
    np.testing.assert_allclose(oscillation, model.params.vertical_oscillation_cm, atol=0.2)


def test_unreachable_gait_is_refused(body: Body) -> None:
    with pytest.raises(ValueError, match="stance leg"):
        gait(body, "good_form", speed_kmh=16.0, duty_factor=0.4)
    with pytest.raises(ValueError, match="out of range"):
        preset("good_form", duty_factor=0.9)


def test_shape_for_height_reaches_the_height() -> None:
    shape = shape_for_height(181.0)
    assert Body(shape).height_m * 100 == pytest.approx(181.0, abs=0.01)


def _decode(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def test_tiny_clip_decodes_with_exact_timestamps(tmp_path: Path) -> None:
    out = tmp_path / "tiny.mp4"
    truth = render_clip(
        preset("good_form"), out, width=320, height=240, fps=30, duration_s=10 / 30, crf=18
    )
    frames = _decode(out)
    assert len(frames) == 10
    assert [Fraction(f.pts) * f.time_base for f in frames] == [Fraction(i, 30) for i in range(10)]
    assert (frames[0].width, frames[0].height, frames[0].rotation) == (320, 240, 0)
    saved = json.loads(out.with_suffix(".json").read_text())
    assert saved["schema"] == SCHEMA
    assert saved["video"]["n_frames"] == 10 and saved["metrics"] == truth["metrics"]
    assert set(saved["frames"]["points"]) == set(POINT_NAMES)
    assert len(saved["frames"]["points"]["nose"]) == 10
    assert all(0.0 <= step["ic_time_s"] < 10 / 30 for step in saved["steps"])
    image = frames[0].to_ndarray(format="rgb24").astype(int)
    for name in ("right_hip", "right_knee", "right_shoulder"):
        x, y = saved["frames"]["points"][name][0]
        red, _, blue = image[int(y), int(x)]
        assert red - blue > 30, f"{name} is not on the wooden mannequin"


def test_portrait_clip_is_stored_rotated_with_a_display_matrix(tmp_path: Path) -> None:
    out = tmp_path / "portrait.mp4"
    truth = render_clip(
        preset("good_form"),
        out,
        width=320,
        height=240,
        fps=25,
        duration_s=0.16,
        portrait=True,
        rotation=90,
    )
    frames = _decode(out)
    assert len(frames) == 4
    assert (frames[0].width, frames[0].height, frames[0].rotation) == (320, 240, -90)
    video = truth["video"]
    assert (video["width"], video["height"], video["rotation"]) == (240, 320, 90)
    assert video["portrait"] and video["display_matrix_rotation_deg"] == -90
    upright = np.rot90(frames[0].to_ndarray(format="rgb24"), k=-1).astype(int)
    x, y = truth["frames"]["points"]["right_hip"][0]
    assert upright[int(y), int(x), 0] - upright[int(y), int(x), 2] > 30
