"""Exact ground truth: landmark points and gait metrics computed from the model.

Angles are measured like a perfect 2D pipeline would measure them: on the
projected points of the upright image, signed positive in the running
direction ("forward") or, for the foot, toes up. Distances in centimetres
are world distances. Events (initial contact IC, toe-off TO) come from the
gait model itself, and per-step values are evaluated at the exact IC time,
not at the nearest frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .body import LANDMARK_VERTICES, PREFIX, SIDES, Body, FloatArray, Side
from .camera import Camera
from .gait import HEEL_OFF_SHARE, LOADING_SHARE, GaitModel, Step

SCHEMA = "runform-synth-truth/1"
REARFOOT_ABOVE_DEG = 8.0
FOREFOOT_BELOW_DEG = -1.6
DENSE_STEP_S = 0.001
"""Sampling interval of the model for extremes (vertical oscillation, arm swing)."""
JOINT_LANDMARKS: dict[str, str] = {
    f"{side}_{part}": PREFIX[side] + joint
    for side in SIDES
    for part, joint in (
        ("shoulder", "Shoulder"),
        ("elbow", "Elbow"),
        ("wrist", "Wrist"),
        ("hip", "Hip"),
        ("knee", "Knee"),
        ("ankle", "Ankle"),
    )
}
"""MediaPipe-named landmarks placed at SMPL-X joint centres."""
POINT_NAMES: tuple[str, ...] = (
    "nose",
    *(
        f"{side}_{part}"
        for part in (
            "ear",
            "shoulder",
            "elbow",
            "wrist",
            "hip",
            "knee",
            "ankle",
            "heel",
            "foot_index",
        )
        for side in SIDES
    ),
)
ROUND_PX = 3


def world_landmarks(body: Body, joints: FloatArray, vertices: FloatArray) -> dict[str, FloatArray]:
    """World positions of the MediaPipe-analogue landmarks.

    Parameters
    ----------
    body
        The mannequin.
    joints
        Posed joint positions from mannequin-x, shape (N, J, 3).
    vertices
        Posed positions of the :data:`~tools.synthrun.body.LANDMARK_VERTICES`,
        in that order, shape (N, 7, 3).

    Returns
    -------
    dict
        Landmark name -> positions, shape (N, 3).
    """
    points = {name: joints[:, body.index(joint)] for name, joint in JOINT_LANDMARKS.items()}
    points.update({name: vertices[:, k] for k, name in enumerate(LANDMARK_VERTICES)})
    return {name: points[name] for name in POINT_NAMES}


def posed(body: Body, model_pose: dict[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
    """Joint positions and landmark-vertex positions from mannequin-x itself.

    Returns
    -------
    tuple of numpy.ndarray
        Joints (N, J, 3) and landmark vertices (N, 7, 3).
    """
    joints = np.asarray(body.model.joint_transforms(model_pose))[..., :3, 3]
    vertices = np.asarray(body.model.vertices(model_pose))
    return joints, vertices[:, list(LANDMARK_VERTICES.values())]


def tilt_up(base: FloatArray, tip: FloatArray, forward: float) -> FloatArray:
    """Angle of ``base -> tip`` from the upward image vertical, degrees, + forward."""
    delta = tip - base
    return np.degrees(np.arctan2(forward * delta[..., 0], -delta[..., 1]))


def tilt_down(base: FloatArray, tip: FloatArray, forward: float) -> FloatArray:
    """Angle of ``base -> tip`` from the downward image vertical, degrees, + forward."""
    delta = tip - base
    return np.degrees(np.arctan2(forward * delta[..., 0], delta[..., 1]))


def elevation(base: FloatArray, tip: FloatArray, forward: float) -> FloatArray:
    """Angle of ``base -> tip`` above the image horizontal, degrees (tip ahead)."""
    delta = tip - base
    return np.degrees(np.arctan2(-delta[..., 1], forward * delta[..., 0]))


def interior_angle(first: FloatArray, vertex: FloatArray, second: FloatArray) -> FloatArray:
    """Angle ``first - vertex - second`` in degrees, 0..180."""
    a, b = first - vertex, second - vertex
    cross = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return np.degrees(np.abs(np.arctan2(cross, np.sum(a * b, axis=-1))))


def midpoint(points: dict[str, FloatArray], part: str) -> FloatArray:
    """Midpoint of the left and right landmark of a body part."""
    return (points[f"left_{part}"] + points[f"right_{part}"]) / 2


def wrap_degrees(angle: FloatArray) -> FloatArray:
    """Wrap angles to (-180, 180] degrees."""
    return -np.mod(180.0 - angle, 360.0) + 180.0


class TruthBuilder:
    """Evaluate the gait model's exact truth for one clip.

    Parameters
    ----------
    gait
        The gait model that drives the rendered mannequin.
    camera
        The camera of the clip.
    """

    def __init__(self, gait: GaitModel, camera: Camera) -> None:
        self.gait = gait
        self.body = gait.body
        self.camera = camera
        self.forward = camera.forward_sign
        self.near: Side = "right" if camera.facing == "right" else "left"
        self.far: Side = "left" if self.near == "right" else "right"

    def image_points(self, times: FloatArray) -> dict[str, FloatArray]:
        """Projected landmarks at arbitrary times (poses evaluated in batches).

        Parameters
        ----------
        times
            Clip times, seconds, shape (N,).

        Returns
        -------
        dict
            Landmark name -> upright-image pixels, shape (N, 2).
        """
        chunks = [
            self._image_points(chunk) for chunk in np.array_split(times, len(times) // 16 + 1)
        ]
        return {name: np.concatenate([chunk[name] for chunk in chunks]) for name in POINT_NAMES}

    def _image_points(self, times: FloatArray) -> dict[str, FloatArray]:
        pose = self.gait.pose(times)
        joints, vertices = posed(self.body, self.body.pose_parameters(pose.world, pose.root))
        world = world_landmarks(self.body, joints, vertices)
        return {name: self.camera.project(points) for name, points in world.items()}

    def joint_points(self, times: FloatArray) -> dict[str, FloatArray]:
        """Projected joint-centre landmarks only (no mesh), shape (N, 2) each."""
        joints = self.joint_series(times)
        return {
            name: self.camera.project(joints[:, self.body.index(joint)])
            for name, joint in JOINT_LANDMARKS.items()
        }

    def joint_series(self, times: FloatArray) -> FloatArray:
        """Posed joint positions from mannequin-x, shape (N, J, 3), batched over time."""
        chunks = []
        for chunk in np.array_split(times, len(times) // 512 + 1):
            pose = self.gait.pose(chunk)
            model_pose = self.body.pose_parameters(pose.world, pose.root)
            chunks.append(np.asarray(self.body.model.joint_transforms(model_pose))[..., :3, 3])
        return np.concatenate(chunks)

    # ------------------------------------------------------------- per frame
    def frame_series(self, points: dict[str, FloatArray]) -> dict[str, FloatArray]:
        """Per-frame trunk lean, head carriage and elbow angles, degrees."""
        hips, shoulders = midpoint(points, "hip"), midpoint(points, "shoulder")
        series = {
            "trunk_lean_deg": tilt_up(hips, shoulders, self.forward),
            "head_forward_deg": tilt_up(shoulders, midpoint(points, "ear"), self.forward),
        }
        for label, side in (("elbow_angle_deg", self.near), ("elbow_angle_far_deg", self.far)):
            series[label] = interior_angle(
                points[f"{side}_shoulder"], points[f"{side}_elbow"], points[f"{side}_wrist"]
            )
        return series

    def arm_angle(self, points: dict[str, FloatArray], side: Side) -> FloatArray:
        """Upper-arm angle relative to the trunk line (shoulders -> hips), + forward."""
        trunk = tilt_down(midpoint(points, "shoulder"), midpoint(points, "hip"), self.forward)
        upper = tilt_down(points[f"{side}_shoulder"], points[f"{side}_elbow"], self.forward)
        return wrap_degrees(upper - trunk)

    # ------------------------------------------------------------- per step
    def step_entries(self, steps: list[Step]) -> list[dict[str, Any]]:
        """Per-step truth evaluated at the exact initial-contact times."""
        contact = self.gait.contact_s
        flat_share = (LOADING_SHARE + HEEL_OFF_SHARE) / 2
        ic = np.array([step.ic_time_s for step in steps])
        at_ic = self.image_points(ic)
        at_flat = self.image_points(ic + flat_share * contact)
        joints = self.joint_series(ic)
        entries = []
        for k, step in enumerate(steps):
            side = step.foot
            hip, knee, ankle = (at_ic[f"{side}_{part}"][k] for part in ("hip", "knee", "ankle"))
            strike = elevation(
                at_ic[f"{side}_heel"][k], at_ic[f"{side}_foot_index"][k], self.forward
            )
            flat = elevation(
                at_flat[f"{side}_heel"][k], at_flat[f"{side}_foot_index"][k], self.forward
            )
            ahead = self._foot_ahead_m(joints[k], side)
            entries.append(
                {
                    "foot": side,
                    "ic_time_s": step.ic_time_s,
                    "to_time_s": step.to_time_s,
                    "contact_ms": 1000.0 * contact,
                    "knee_flexion_deg": float(180.0 - interior_angle(hip, knee, ankle)),
                    "shank_angle_deg": float(tilt_down(knee, ankle, self.forward)),
                    "foot_ahead_cm": 100.0 * ahead,
                    "foot_ahead_leg": ahead / self.body.legs[side].length,
                    "foot_strike_angle_deg": float(strike - flat),
                }
            )
        return entries

    def _foot_ahead_m(self, joints: FloatArray, side: Side) -> float:
        """World forward distance from the hip midpoint to the side's ankle."""
        hips = (joints[self.body.index("L_Hip")] + joints[self.body.index("R_Hip")]) / 2
        return float(joints[self.body.index(PREFIX[side] + "Ankle"), 2] - hips[2])

    # ------------------------------------------------------------ intervals
    def oscillation_cm(self, steps: list[Step]) -> list[float]:
        """Peak-to-peak hip-midpoint height per step (IC to next IC), centimetres."""
        values = []
        for step, following in zip(steps, steps[1:], strict=False):
            times = np.arange(step.ic_time_s, following.ic_time_s, DENSE_STEP_S)
            joints = self.joint_series(times)
            left, right = self.body.index("L_Hip"), self.body.index("R_Hip")
            values.append(float(50.0 * np.ptp(joints[:, left, 1] + joints[:, right, 1])))
        return values

    def arm_swing(self, duration_s: float) -> dict[str, float]:
        """Near-arm swing per stride, mean over the clip's strides, degrees.

        Strides run from one left initial contact to the next; the strides
        starting in the clip are used (at least one, even for clips shorter
        than a stride: the gait is periodic).
        """
        stride = self.gait.stride_s
        steps = self.gait.steps(0.0, duration_s + stride)
        starts = [step.ic_time_s for step in steps if step.foot == "left"]
        starts = [start for start in starts if start + stride <= duration_s] or starts[:1]
        forward, backward = [], []
        for start in starts:
            times = np.arange(start, start + stride, DENSE_STEP_S)
            angle = self.arm_angle(self.joint_points(times), self.near)
            forward.append(float(angle.max()))
            backward.append(float(-angle.min()))
        return {
            "arm_swing_deg": float(np.mean(forward) + np.mean(backward)),
            "arm_swing_forward_deg": float(np.mean(forward)),
            "arm_swing_backward_deg": float(np.mean(backward)),
        }


def strike_class(angle_deg: float) -> str:
    """Foot-strike class from the strike angle (Altman & Davis 2012 thresholds)."""
    if angle_deg > REARFOOT_ABOVE_DEG:
        return "rearfoot"
    if angle_deg < FOREFOOT_BELOW_DEG:
        return "forefoot"
    return "midfoot"


def thirds_difference(values: FloatArray) -> float:
    """Mean of the last third minus mean of the first third."""
    third = max(len(values) // 3, 1)
    return float(np.mean(values[-third:]) - np.mean(values[:third]))


def metrics_from(
    builder: TruthBuilder,
    steps: list[dict[str, Any]],
    series: dict[str, FloatArray],
    duration_s: float,
) -> dict[str, Any]:
    """Clip-level metrics from the per-step and per-frame truth.

    Parameters
    ----------
    builder
        The truth builder of the clip.
    steps
        Entries from :meth:`TruthBuilder.step_entries`, consecutive and at
        least two (the clip's steps, or the first stride's for short clips).
    series
        Per-frame values from :meth:`TruthBuilder.frame_series`.
    duration_s
        Clip duration.

    Returns
    -------
    dict
        The ``metrics`` section of the truth JSON.
    """
    gait = builder.gait
    step_s = gait.stride_s / 2
    contacts = [Step(s["foot"], s["ic_time_s"], s["to_time_s"]) for s in steps]
    oscillation = float(np.median(builder.oscillation_cm(contacts)))
    step_length_cm = 100.0 * gait.speed_mps * step_s
    strike = float(np.mean([s["foot_strike_angle_deg"] for s in steps]))

    def mean(key: str) -> float:
        return float(np.mean([s[key] for s in steps]))

    return {
        "cadence_spm": 60.0 / float(np.mean(np.diff([s["ic_time_s"] for s in steps]))),
        "trunk_lean_deg": float(np.mean(series["trunk_lean_deg"])),
        "head_forward_deg": float(np.mean(series["head_forward_deg"])),
        "elbow_angle_deg": float(np.mean(series["elbow_angle_deg"])),
        "elbow_angle_far_deg": float(np.mean(series["elbow_angle_far_deg"])),
        **builder.arm_swing(duration_s),
        "shank_angle_at_contact_deg": mean("shank_angle_deg"),
        "knee_flexion_at_contact_deg": mean("knee_flexion_deg"),
        "foot_ahead_of_hip_cm": mean("foot_ahead_cm"),
        "foot_ahead_of_hip_leg": mean("foot_ahead_leg"),
        "foot_strike": {"class": strike_class(strike), "angle_deg": strike},
        "vertical_oscillation_cm": oscillation,
        "contact_time_ms": 1000.0 * gait.contact_s,
        "flight_time_ms": 1000.0 * max(step_s - gait.contact_s, 0.0),
        "duty_factor": gait.contact_s / gait.stride_s,
        "step_length_cm": step_length_cm,
        "vertical_ratio_pct": 100.0 * oscillation / step_length_cm,
    }


def drift_from(series: dict[str, FloatArray]) -> dict[str, float]:
    """Build the ``drift`` section: last third minus first third of the clip.

    Only the trunk lean drifts in this gait model; the other entries are
    zero by construction.
    """
    return {
        "trunk_lean_deg": thirds_difference(series["trunk_lean_deg"]),
        "cadence_spm": 0.0,
        "knee_flexion_at_contact_deg": 0.0,
        "vertical_oscillation_cm": 0.0,
    }


def frames_section(
    times: FloatArray, points: dict[str, FloatArray], stance: dict[Side, np.ndarray]
) -> dict[str, Any]:
    """Compact per-frame truth: times, projected points and stance flags."""
    return {
        "time_s": [round(float(t), 6) for t in times],
        "points": {name: np.round(points[name], ROUND_PX).tolist() for name in POINT_NAMES},
        "stance": {side: [bool(flag) for flag in stance[side]] for side in SIDES},
    }
