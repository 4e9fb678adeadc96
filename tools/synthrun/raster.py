"""Fast numpy/OpenCV rasteriser: painter's algorithm with Lambert shading.

Back faces are culled, the remaining triangles are sorted far to near and
filled with OpenCV at 1/16-pixel precision. The scene is a vertical grey
gradient wall, a floor and a treadmill deck whose belt marks move backwards
at the belt speed.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from .body import PREFIX, Body, FloatArray
from .camera import Camera

UInt8Image = npt.NDArray[np.uint8]
BODY_RGB = (226, 190, 146)
JOINT_RGB = (168, 120, 72)
FAR_SIDE_TINT = 0.8
AMBIENT = 0.38
DIFFUSE = 0.62
WALL_TOP_RGB = np.array([168.0, 168.0, 172.0])
WALL_BOTTOM_RGB = np.array([118.0, 118.0, 122.0])
FLOOR_RGB = (92, 90, 88)
BELT_RGB = (38, 38, 42)
DECK_RGB = (66, 66, 72)
MARK_RGB = (70, 70, 76)
BELT_HALF_WIDTH_M = 0.25
DECK_HALF_WIDTH_M = 0.3
BELT_REAR_M, BELT_FRONT_M = -1.0, 0.85
DECK_HEIGHT_M = 0.2
FLOOR_DEPTH_M = 3.0
MARK_SPACING_M = 0.4
MARK_LENGTH_M = 0.025
SUBPIXEL_BITS = 4
SHADE_LEVELS = 64


class Renderer:
    """Draw the mannequin on a treadmill as seen by one camera.

    Parameters
    ----------
    body
        The mannequin (faces, skinning and part names).
    camera
        The camera.
    belt_speed_mps
        Belt speed, for the moving belt marks.
    """

    def __init__(self, body: Body, camera: Camera, belt_speed_mps: float) -> None:
        self.camera = camera
        self.belt_speed_mps = belt_speed_mps
        self.faces = np.asarray(body.model.faces)
        self.face_class, base = _face_classes(body, camera)
        shades = AMBIENT + DIFFUSE * np.linspace(0.0, 1.0, SHADE_LEVELS)
        self.palette = [
            tuple(int(v) for v in np.clip(np.rint(rgb * shade), 0, 255))
            for rgb in base
            for shade in shades
        ]
        light = np.array([camera.side * 0.75, 0.55, 0.35])
        self.light = light / np.linalg.norm(light)
        self.background = self._background()

    def render(self, vertices: FloatArray, time_s: float) -> UInt8Image:
        """Render one frame.

        Parameters
        ----------
        vertices
            Posed mesh vertices, world metres, shape (V, 3).
        time_s
            Clip time, seconds (moves the belt marks).

        Returns
        -------
        numpy.ndarray
            RGB image of the upright frame, shape (height, width, 3).
        """
        image = self.background.copy()
        self._draw_belt_marks(image, time_s)
        self._draw_mesh(image, vertices)
        return image

    def _draw_mesh(self, image: UInt8Image, vertices: FloatArray) -> None:
        corners = vertices[self.faces]
        normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        visible = np.sum(normals * (self.camera.centre - corners[:, 0]), axis=1) > 0
        order = np.nonzero(visible)[0]
        depth = self.camera.depth(corners[order]).mean(axis=1)
        order = order[np.argsort(-depth)]
        unit = normals[order] / np.linalg.norm(normals[order], axis=1, keepdims=True)
        level = np.rint(np.clip(unit @ self.light, 0.0, 1.0) * (SHADE_LEVELS - 1)).astype(int)
        colours = (self.face_class[order] * SHADE_LEVELS + level).tolist()
        pixels = self.camera.project(corners[order]) - 0.5
        points = np.round(pixels * (1 << SUBPIXEL_BITS)).astype(np.int32)
        fill, palette = cv2.fillConvexPoly, self.palette
        for triangle, colour in zip(points, colours, strict=True):
            fill(image, triangle, palette[colour], cv2.LINE_8, SUBPIXEL_BITS)

    def _fill_world(self, image: UInt8Image, corners: FloatArray, rgb: tuple[int, ...]) -> None:
        """Fill a world-space quadrilateral."""
        pixels = self.camera.project(corners) - 0.5
        points = np.round(pixels * (1 << SUBPIXEL_BITS)).astype(np.int32)
        cv2.fillConvexPoly(image, points, rgb, cv2.LINE_AA, SUBPIXEL_BITS)

    def _background(self) -> UInt8Image:
        camera = self.camera
        rows = np.linspace(0.0, 1.0, camera.height)[:, None]
        wall = WALL_TOP_RGB * (1 - rows) + WALL_BOTTOM_RGB * rows
        image = np.repeat(wall[:, None, :], camera.width, axis=1).astype(np.uint8)
        far = camera.centre[0] - camera.side * (camera.distance_m + FLOOR_DEPTH_M)
        floor_row = camera.project(np.array([far, -DECK_HEIGHT_M, 0.0]))[1]
        image[max(int(np.ceil(floor_row - 0.5)), 0) :] = FLOOR_RGB
        near = camera.side * DECK_HALF_WIDTH_M
        belt = camera.side * BELT_HALF_WIDTH_M
        self._fill_world(image, _box_face(near, -DECK_HEIGHT_M, 0.0), DECK_RGB)
        self._fill_world(image, _top_face(near, -near), DECK_RGB)
        self._fill_world(image, _top_face(belt, -belt), BELT_RGB)
        return image

    def _draw_belt_marks(self, image: UInt8Image, time_s: float) -> None:
        belt = self.camera.side * BELT_HALF_WIDTH_M
        travel = np.mod(-self.belt_speed_mps * time_s, MARK_SPACING_M)
        for start in np.arange(BELT_REAR_M + travel, BELT_FRONT_M - MARK_LENGTH_M, MARK_SPACING_M):
            self._fill_world(image, _top_face(belt, -belt, start, start + MARK_LENGTH_M), MARK_RGB)


def _box_face(x: float, bottom: float, top: float) -> FloatArray:
    """Vertical deck side at lateral position ``x`` spanning the belt length."""
    return np.array(
        [
            [x, bottom, BELT_REAR_M],
            [x, bottom, BELT_FRONT_M],
            [x, top, BELT_FRONT_M],
            [x, top, BELT_REAR_M],
        ]
    )


def _top_face(
    near: float, far: float, rear: float = BELT_REAR_M, front: float = BELT_FRONT_M
) -> FloatArray:
    """Horizontal belt-surface quadrilateral between two lateral positions."""
    return np.array([[near, 0.0, rear], [near, 0.0, front], [far, 0.0, front], [far, 0.0, rear]])


def _face_classes(body: Body, camera: Camera) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """Return each face's colour class and the classes' base RGB.

    Classes: wood body, darker ball joints, and both dimmed on the far-side
    limbs (the side away from the camera).
    """
    weights = body.model._weights
    assert weights.skin_part_names is not None
    assert weights.skin_part_face_starts is not None
    assert weights.skin_part_face_counts is not None
    faces = np.asarray(body.model.faces)
    joint = np.zeros(len(faces), dtype=np.intp)
    for name, start, count in zip(
        weights.skin_part_names,
        weights.skin_part_face_starts,
        weights.skin_part_face_counts,
        strict=True,
    ):
        joint[start : start + count] = name.startswith("joint_")
    far = PREFIX["left" if camera.facing == "right" else "right"]
    names = np.array(body.model.joint_names)
    far_face = np.char.startswith(names[body.vertex_owners()[faces[:, 0]]], far)
    base = np.array([BODY_RGB, JOINT_RGB, BODY_RGB, JOINT_RGB], dtype=float)
    base[2:] *= FAR_SIDE_TINT
    return joint + 2 * far_face, base
