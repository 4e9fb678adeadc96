"""The wooden mannequin as a posable body: skeleton, bone alignment, foot sole, landmarks.

World frame (metres): x is the runner's left, y is up and z is forward (the
running direction). Sagittal 2D vectors are ``(forward, up) = (z, y)``. All
the gait's rotations are about the x axis, so the legs, arms, trunk and head
move in sagittal planes and their 2D geometry is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from mannequin import Mannequin
from scipy.optimize import brentq
from scipy.spatial.transform import Rotation

FloatArray = npt.NDArray[np.float64]
Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
PREFIX: dict[Side, str] = {"left": "L_", "right": "R_"}
BODY_JOINTS = 24
"""Pelvis .. R_Hand; the finger joints keep mannequin-x's relaxed hand pose."""
SHAPE_COEFFICIENTS = 10
PURE_WEIGHT = 0.9999

LANDMARK_VERTICES: dict[str, int] = {
    "nose": 14263,
    "left_ear": 14912,
    "right_ear": 15723,
    "left_heel": 20099,
    "right_heel": 18897,
    "left_foot_index": 20203,
    "right_foot_index": 19001,
}
"""Mesh vertices standing in for MediaPipe's face and foot landmarks.

Chosen once on the neutral wooden mannequin (the topology is the same for
every shape); each is skinned to a single joint, so it moves rigidly with it:

- ``nose``: the most anterior head vertex on the mid-sagittal line, at the
  front of the face 0.5 cm above the Head joint (Head).
- ``left_ear`` / ``right_ear``: the most lateral head vertex 3.2 cm above the
  Head joint, at mid-depth of the skull (Head).
- ``left_heel`` / ``right_heel``: the most posterior foot vertex within
  1.5 cm of the sole, the back of the heel (L_Ankle / R_Ankle).
- ``left_foot_index`` / ``right_foot_index``: the most anterior toe vertex
  within 1.5 cm of the sole, the toe tip (L_Foot / R_Foot, the toe joint).
"""


def sagittal_rotation(angle: npt.ArrayLike) -> FloatArray:
    """Rotation by ``angle`` in the sagittal plane, about the world x axis.

    Parameters
    ----------
    angle
        Radians, any shape ``S``. Positive turns a downward vector forward
        and a forward vector upward.

    Returns
    -------
    numpy.ndarray
        Rotation matrices, shape ``S + (3, 3)``.
    """
    angle = np.asarray(angle, dtype=float)
    cos, sin = np.cos(angle), np.sin(angle)
    out = np.zeros((*angle.shape, 3, 3))
    out[..., 0, 0] = 1.0
    out[..., 1, 1] = cos
    out[..., 1, 2] = sin
    out[..., 2, 1] = -sin
    out[..., 2, 2] = cos
    return out


def rotate2(vector: npt.ArrayLike, angle: npt.ArrayLike) -> FloatArray:
    """Rotate sagittal ``(forward, up)`` vectors counter-clockwise by ``angle``.

    Parameters
    ----------
    vector
        Shape ``(..., 2)``.
    angle
        Radians, broadcastable against ``vector[..., 0]``.

    Returns
    -------
    numpy.ndarray
        Rotated vectors; the same rotation as :func:`sagittal_rotation`.
    """
    vector = np.asarray(vector, dtype=float)
    cos, sin = np.cos(angle), np.sin(angle)
    forward = vector[..., 0] * cos - vector[..., 1] * sin
    up = vector[..., 0] * sin + vector[..., 1] * cos
    return np.stack([forward, up], axis=-1)


def sagittal(points: FloatArray) -> FloatArray:
    """Return the ``(forward, up)`` components of world points, shape ``(..., 2)``."""
    return points[..., [2, 1]]


def align_rotation(source: FloatArray, target: FloatArray) -> FloatArray:
    """Smallest rotation taking direction ``source`` to direction ``target``.

    Parameters
    ----------
    source, target
        3D vectors (any length, not opposite).

    Returns
    -------
    numpy.ndarray
        Rotation matrix, shape (3, 3).
    """
    source = source / np.linalg.norm(source)
    target = target / np.linalg.norm(target)
    axis = np.cross(source, target)
    angle = np.arctan2(np.linalg.norm(axis), source @ target)
    if np.linalg.norm(axis) < 1e-12:
        return np.eye(3)
    return Rotation.from_rotvec(axis / np.linalg.norm(axis) * angle).as_matrix()


def lower_hull(points: FloatArray) -> FloatArray:
    """Lower convex hull of 2D points, ordered by increasing first coordinate.

    Parameters
    ----------
    points
        Shape (N, 2).

    Returns
    -------
    numpy.ndarray
        Hull vertices, shape (K, 2) (Andrew's monotone chain).
    """
    ordered = points[np.lexsort((points[:, 1], points[:, 0]))]
    hull: list[FloatArray] = []
    for point in ordered:
        while len(hull) >= 2:
            (ax, ay), (bx, by) = hull[-2], hull[-1]
            if (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax) > 0:
                break
            hull.pop()
        hull.append(point)
    return np.array(hull)


@dataclass(frozen=True)
class FootProfile:
    """Sagittal sole geometry of one foot in its flat orientation.

    All points are ``(forward, up)`` offsets from the ankle joint, with the
    toe joint at rest and the foot lying flat (its longest sole edge level).

    Attributes
    ----------
    hull
        Lower convex hull of the foot's vertices, heel to toe, shape (K, 2).
    unrolled
        Forward position of each hull vertex on the belt when the foot rolls
        onto it without slipping, relative to the flat foot's ankle, (K,).
    toe_joint
        The toe (metatarsophalangeal) joint, shape (2,).
    ankle_height
        Height of the ankle above the belt when the foot lies flat.
    """

    hull: FloatArray
    unrolled: FloatArray
    toe_joint: FloatArray
    ankle_height: float

    def contact_vertex(self, pitch: FloatArray) -> npt.NDArray[np.intp]:
        """Index of the hull vertex touching the belt at each foot pitch.

        Parameters
        ----------
        pitch
            Foot pitch, radians (positive toes up), shape (N,).

        Returns
        -------
        numpy.ndarray
            Hull indices, shape (N,).
        """
        heights = rotate2(self.hull[None, :, :], pitch[:, None])[..., 1]
        return np.argmin(heights, axis=1)


@dataclass(frozen=True)
class LegGeometry:
    """Lengths and rest geometry of one leg.

    Attributes
    ----------
    hip_offset
        Rest hip joint minus rest hip midpoint, shape (3,).
    thigh, shank
        Hip-knee and knee-ankle lengths, metres.
    foot
        The foot's sagittal sole profile.
    """

    hip_offset: FloatArray
    thigh: float
    shank: float
    foot: FootProfile

    @property
    def length(self) -> float:
        """Hip-to-ankle length of the straight leg, metres."""
        return self.thigh + self.shank


class Body:
    """The wooden mannequin with the geometry the gait model needs.

    Parameters
    ----------
    shape
        SMPL-X shape coefficients (ten).
    """

    def __init__(self, shape: npt.ArrayLike | None = None) -> None:
        coefficients = np.zeros(SHAPE_COEFFICIENTS)
        if shape is not None:
            values = np.asarray(shape, dtype=float)
            coefficients[: values.size] = values
        self.model = Mannequin("wooden", shape=coefficients)
        rest = self.model.rest_pose()
        self.vertices_rest: FloatArray = np.asarray(self.model.vertices(rest), dtype=float)
        transforms = np.asarray(self.model.joint_transforms(rest), dtype=float)
        self.joints_rest: FloatArray = transforms[:BODY_JOINTS, :3, 3]
        self.parents = np.array(self.model.parents[:BODY_JOINTS])
        self.offsets: FloatArray = self.joints_rest - self.joints_rest[np.maximum(self.parents, 0)]
        self.offsets[0] = self.joints_rest[0]
        self.hip_mid_rest: FloatArray = self.joint("L_Hip", "R_Hip")
        self.height_m = float(np.ptp(self.vertices_rest[:, 1]))
        self.foot_frames: dict[Side, FloatArray] = {}
        self.legs: dict[Side, LegGeometry] = {side: self._leg(side) for side in SIDES}
        self.segment_frames: dict[str, FloatArray] = self._segment_frames()

    def index(self, name: str) -> int:
        """Index of a joint by its SMPL-X name (e.g. ``"L_Knee"``)."""
        return self.model.joint_index(name)

    def joint(self, *names: str) -> FloatArray:
        """Mean rest position of the named joints, shape (3,)."""
        return np.mean([self.joints_rest[self.index(name)] for name in names], axis=0)

    def skin_weight(self, joint: str) -> FloatArray:
        """Skin weight of every vertex on one joint, shape (V,)."""
        indices = self.model._skin_joint_indices
        weights = self.model._skin_weights
        assert indices is not None and weights is not None
        return np.sum(np.where(indices == self.index(joint), weights, 0.0), axis=1)

    def vertex_owners(self) -> npt.NDArray[np.intp]:
        """Return the joint with the largest skin weight of every vertex, shape (V,)."""
        indices = self.model._skin_joint_indices
        weights = self.model._skin_weights
        assert indices is not None and weights is not None
        strongest = np.argmax(weights, axis=1)
        return indices[np.arange(len(indices)), strongest]

    def _leg(self, side: Side) -> LegGeometry:
        prefix = PREFIX[side]
        hip, knee, ankle = (self.joint(prefix + name) for name in ("Hip", "Knee", "Ankle"))
        return LegGeometry(
            hip_offset=hip - self.hip_mid_rest,
            thigh=float(np.linalg.norm(knee - hip)),
            shank=float(np.linalg.norm(ankle - knee)),
            foot=self._foot(side),
        )

    def _foot(self, side: Side) -> FootProfile:
        prefix = PREFIX[side]
        ankle = self.joint(prefix + "Ankle")
        heel = self.vertices_rest[LANDMARK_VERTICES[f"{side}_heel"]]
        toe = self.vertices_rest[LANDMARK_VERTICES[f"{side}_foot_index"]]
        yaw = np.arctan2(toe[0] - heel[0], toe[2] - heel[2])
        straighten = Rotation.from_rotvec([0.0, -yaw, 0.0]).as_matrix()
        weight = self.skin_weight(prefix + "Ankle") + self.skin_weight(prefix + "Foot")
        points = sagittal((self.vertices_rest[weight > PURE_WEIGHT] - ankle) @ straighten.T)
        hull = lower_hull(points)
        edges = np.diff(hull, axis=0)
        longest = edges[np.argmax(np.linalg.norm(edges, axis=1))]
        level = -np.arctan2(longest[1], longest[0])
        hull = lower_hull(rotate2(points, level))
        self.foot_frames[side] = sagittal_rotation(level) @ straighten
        toe_joint = sagittal((self.joint(prefix + "Foot") - ankle) @ straighten.T)
        return FootProfile(
            hull=hull,
            unrolled=_unroll(hull),
            toe_joint=rotate2(toe_joint, level),
            ankle_height=float(-hull[:, 1].min()),
        )

    def _segment_frames(self) -> dict[str, FloatArray]:
        """Rest-to-hanging rotations: each limb bone pointing straight down."""
        down = np.array([0.0, -1.0, 0.0])
        frames: dict[str, FloatArray] = {}
        for side in SIDES:
            prefix = PREFIX[side]
            for segment, (start, end) in {
                "thigh": ("Hip", "Knee"),
                "shank": ("Knee", "Ankle"),
                "upper_arm": ("Shoulder", "Elbow"),
                "forearm": ("Elbow", "Wrist"),
            }.items():
                bone = self.joint(prefix + end) - self.joint(prefix + start)
                frames[f"{side}_{segment}"] = align_rotation(bone, down)
            frames[f"{side}_foot"] = self.foot_frames[side]
        return frames

    def pose_parameters(self, world: FloatArray, root: FloatArray) -> dict[str, FloatArray]:
        """Convert world rotations to mannequin-x (SMPL-X) pose parameters.

        Parameters
        ----------
        world
            World rotation of every body joint, shape (N, 24, 3, 3).
        root
            World position of the pelvis joint, shape (N, 3).

        Returns
        -------
        dict
            ``rest_pose``-style parameters with batch dimension N.
        """
        count = world.shape[0]
        pose = self.model.rest_pose(batch_dims=(count,), dtype=np.float64)
        parents = world[:, self.parents[1:22]]
        local = np.swapaxes(parents, -1, -2) @ world[:, 1:22]
        pose["body_pose"] = _rotvec(local)
        pose["global_rotation"] = _rotvec(world[:, 0])
        pose["global_translation"] = root - world[:, 0] @ self.joints_rest[0]
        return pose


def _rotvec(matrices: FloatArray) -> FloatArray:
    """Axis-angle vectors of rotation matrices, shape ``(..., 3)``."""
    flat = matrices.reshape(-1, 3, 3)
    return Rotation.from_matrix(flat).as_rotvec().reshape(*matrices.shape[:-2], 3)


def _unroll(hull: FloatArray) -> FloatArray:
    """Belt positions of the hull vertices when the foot rolls without slipping.

    The level edge (the flat foot's support) keeps its own positions; every
    other vertex lands one edge length further along the belt than its
    neighbour towards that edge.
    """
    edges = np.linalg.norm(np.diff(hull, axis=0), axis=1)
    flat = int(np.argmin(np.abs(np.diff(hull[:, 1]))))
    unrolled = hull[:, 0].copy()
    for vertex in range(flat - 1, -1, -1):
        unrolled[vertex] = unrolled[vertex + 1] - edges[vertex]
    for vertex in range(flat + 2, len(hull)):
        unrolled[vertex] = unrolled[vertex - 1] + edges[vertex - 1]
    return unrolled


def shape_for_height(height_cm: float, shape: npt.ArrayLike = ()) -> FloatArray:
    """Shape coefficients whose mannequin has the requested standing height.

    Parameters
    ----------
    height_cm
        Target height, top of head to sole.
    shape
        Other coefficients (the first one is replaced).

    Returns
    -------
    numpy.ndarray
        Ten coefficients.
    """
    coefficients = np.zeros(SHAPE_COEFFICIENTS)
    values = np.asarray(shape, dtype=float)
    coefficients[: values.size] = values
    model = Mannequin("wooden")

    def error(first: float) -> float:
        coefficients[0] = first
        model.reshape(coefficients)
        heights = np.asarray(model.vertices(model.rest_pose()))[:, 1]
        return float(np.ptp(heights)) * 100.0 - height_cm

    coefficients[0] = brentq(error, -6.0, 6.0, xtol=1e-6)
    return coefficients
