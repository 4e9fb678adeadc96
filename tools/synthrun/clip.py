"""Render a synthetic treadmill running clip with its exact ground truth."""

from __future__ import annotations

import json
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from .body import LANDMARK_VERTICES, SIDES, Body, FloatArray, shape_for_height
from .camera import Camera, Facing, default_focal
from .gait import GaitModel
from .params import GaitParams
from .raster import Renderer
from .truth import (
    SCHEMA,
    TruthBuilder,
    drift_from,
    frames_section,
    metrics_from,
    world_landmarks,
)
from .video import VideoWriter, display_matrix_rotation


def make_body(params: GaitParams) -> Body:
    """Build the mannequin for the parameters' shape (and height, if set)."""
    if params.height_cm is None:
        return Body(params.body_shape)
    return Body(shape_for_height(params.height_cm, params.body_shape))


def render_clip(
    params: GaitParams,
    out_path: str | Path,
    *,
    width: int = 1280,
    height: int = 720,
    fps: float = 60,
    duration_s: float = 10.0,
    facing: Facing = "right",
    camera_distance_m: float = 3.5,
    portrait: bool = False,
    crf: int = 18,
    seed: int = 0,
    focal_px: float | None = None,
    rotation: int = 0,
) -> dict[str, Any]:
    """Render a side-view treadmill clip and write its ground truth.

    Frames are rendered, encoded and forgotten one at a time. The truth is
    written next to the video as ``out_path.with_suffix(".json")``.

    Parameters
    ----------
    params
        Gait parameters.
    out_path
        Output ``.mp4`` path.
    width, height
        Size of the upright (displayed) frames, even pixels.
    fps
        Frame rate; frame ``i`` is at exactly ``i / fps`` seconds.
    duration_s
        Clip duration; ``round(duration_s * fps)`` frames.
    facing
        Running direction in the image, ``"right"`` or ``"left"``.
    camera_distance_m
        Camera to running-plane distance; the camera is at mean hip height.
    portrait
        Make the upright frame portrait (swaps ``width`` and ``height`` if
        ``width > height``).
    crf
        x264 quality (18 near-lossless, 23 default, higher = smaller).
    seed
        Chooses the gait phase at the first frame.
    focal_px
        Focal length in pixels; by default the standing mannequin fills 70 %
        of the frame height.
    rotation
        Clockwise display rotation tag (0, 90, 270 or -90); the pixels are
        stored rotated the other way, so readers must apply it.

    Returns
    -------
    dict
        The truth (also written as JSON).
    """
    out_path = Path(out_path)
    if portrait and width > height:
        width, height = height, width
    body = make_body(params)
    stride_s = 120.0 / params.cadence_spm
    gait = GaitModel(
        params, body, duration_s, float(np.random.default_rng(seed).uniform(0, stride_s))
    )
    focal = focal_px or default_focal(height, camera_distance_m, body.height_m)
    camera = Camera(width, height, focal, camera_distance_m, gait.mean_hip_height, facing)
    rate = Fraction(fps).limit_denominator(1001)
    times = np.arange(round(duration_s * rate)) / float(rate)
    with VideoWriter(out_path, width, height, rate, crf=crf, rotation=rotation) as writer:
        points = _render_frames(gait, camera, writer, times)
    builder = TruthBuilder(gait, camera)
    steps = builder.step_entries(gait.steps(0.0, max(duration_s, gait.stride_s)))
    series = builder.frame_series(points)
    truth = {
        "schema": SCHEMA,
        "generator": _generator(seed),
        "params": params.to_dict(),
        "video": {
            "fps": float(rate),
            "width": width,
            "height": height,
            "n_frames": len(times),
            "duration_s": duration_s,
            "facing": facing,
            "portrait": height > width,
            "rotation": writer.rotation,
            "display_matrix_rotation_deg": display_matrix_rotation(writer.rotation),
            "codec": "h264",
            "pix_fmt": "yuv420p",
            "crf": crf,
        },
        "camera": {
            "distance_m": camera_distance_m,
            "height_m": camera.height_m,
            "focal_px": focal,
            "principal_point_px": [width / 2, height / 2],
        },
        "height_cm": 100.0 * body.height_m,
        "leg_length_cm": {side: 100.0 * body.legs[side].length for side in SIDES},
        "px_per_cm_at_runner_plane": camera.px_per_cm_at_runner_plane,
        "landmark_vertices": dict(LANDMARK_VERTICES),
        "metrics": metrics_from(builder, steps, series, duration_s),
        "drift": drift_from(series),
        "steps": [step for step in steps if step["ic_time_s"] < duration_s],
        "frames": frames_section(times, points, gait.stance(times)),
    }
    out_path.with_suffix(".json").write_text(dumps(truth))
    return truth


def dumps(truth: dict[str, Any]) -> str:
    """Serialise the truth: readable sections, one line per per-frame array."""
    frames = truth["frames"]
    head = json.dumps({key: value for key, value in truth.items() if key != "frames"}, indent=1)

    def block(name: str, arrays: dict[str, Any]) -> str:
        lines = ",\n".join(
            f"   {json.dumps(key)}: {_compact(value)}" for key, value in arrays.items()
        )
        return f'  "{name}": {{\n{lines}\n  }}'

    body = ",\n".join(
        [
            f'  "time_s": {_compact(frames["time_s"])}',
            block("points", frames["points"]),
            block("stance", frames["stance"]),
        ]
    )
    return f'{head[:-2]},\n "frames": {{\n{body}\n }}\n}}\n'


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _render_frames(
    gait: GaitModel, camera: Camera, writer: VideoWriter, times: FloatArray
) -> dict[str, FloatArray]:
    """Render and encode every frame; return the projected landmarks per frame."""
    body = gait.body
    renderer = Renderer(body, camera, gait.speed_mps)
    collected: list[dict[str, FloatArray]] = []
    for time_s in times:
        pose = gait.pose(np.array([time_s]))
        model_pose = body.pose_parameters(pose.world, pose.root)
        vertices = np.asarray(body.model.vertices(model_pose))
        joints = np.asarray(body.model.joint_transforms(model_pose))[..., :3, 3]
        landmarks = world_landmarks(body, joints, vertices[:, list(LANDMARK_VERTICES.values())])
        collected.append({name: camera.project(p[0]) for name, p in landmarks.items()})
        writer.write(renderer.render(vertices[0], float(time_s)))
    return {name: np.array([frame[name] for frame in collected]) for name in collected[0]}


def _generator(seed: int) -> dict[str, Any]:
    return {
        "tool": "tools.synthrun",
        "mannequin": f"mannequin-x {version('mannequin-x')} (wooden)",
        "seed": seed,
    }
