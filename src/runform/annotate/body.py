"""Annotators of the body: skeleton, trunk angle, elbow angle."""

from __future__ import annotations

import math

import numpy as np

from runform.annotate import draw
from runform.annotate.base import BaseAnnotator, Image8
from runform.annotate.scene import Scene
from runform.annotate.style import ACCENT, INK, NEUTRAL, SIDE_COLORS, Style, dim
from runform.annotate.text import draw_chip
from runform.metrics.geometry import interior_angle, tilt_from_vertical_up
from runform.pose.schema import SKELETON_EDGES, side_of

FAR_DIM = 0.5
"""How much the far side's colours are darkened (0 = not at all, 1 = black)."""


def _edge_side(a: str, b: str) -> str | None:
    side = side_of(a)
    return side if side is not None and side == side_of(b) else None


class SkeletonAnnotator(BaseAnnotator):
    """The skeleton from :data:`runform.pose.schema.SKELETON_EDGES`.

    The side nearer the camera is drawn thick and bright with outlined joints,
    the far side thin and dimmed; left limbs are orange, right limbs blue.
    """

    def __init__(self, style: Style):
        super().__init__(style)
        self.edges = {side: [e for e in SKELETON_EDGES if _edge_side(*e) == side]
                      for side in ("left", "right", None)}
        self.near_joints = {side: sorted({n for e in self.edges[side] for n in e})
                            for side in ("left", "right")}

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw the far side, the shoulder and hip lines, then the near side on top."""
        pts = scene.points(index)
        far = "left" if scene.near == "right" else "right"
        s = self.style
        self._edges(frame, pts, self.edges[far], dim(SIDE_COLORS[far], FAR_DIM), s.thin, None)
        self._edges(frame, pts, self.edges[None], dim(NEUTRAL, 0.3), s.thin, None)
        self._edges(frame, pts, self.edges[scene.near], SIDE_COLORS[scene.near], s.line, INK)
        for name in self.near_joints[scene.near]:
            p = draw.point(pts, name)
            if p is not None:
                draw.dot(frame, p, s.joint, SIDE_COLORS[scene.near], outline=INK)
        return frame

    def _edges(self, frame: Image8, pts: np.ndarray, edges: list[tuple[str, str]],
               color: tuple[int, int, int], thickness: int,
               outline: tuple[int, int, int] | None) -> None:
        for a_name, b_name in edges:
            a, b = draw.point(pts, a_name), draw.point(pts, b_name)
            if a is None or b is None:
                continue
            if outline is None:
                draw.line(frame, a, b, color, thickness)
            else:
                draw.outlined_line(frame, a, b, color, thickness, outline,
                                   max(1, self.style.thin // 2))


class TrunkAnnotator(BaseAnnotator):
    """The trunk line (hip midpoint to shoulder midpoint) and its angle from vertical.

    A dashed vertical through the hip midpoint is the reference; the label
    (``Trunk +7°``, positive = leaning forward) sits at its top, behind the
    runner's back, clear of the arms.
    """

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw the vertical reference, the trunk line, the arc and the label."""
        pts = scene.points(index)
        hip = draw.midpoint(draw.point(pts, "left_hip"), draw.point(pts, "right_hip"))
        shoulder = draw.midpoint(draw.point(pts, "left_shoulder"),
                                 draw.point(pts, "right_shoulder"))
        if hip is None or shoulder is None:
            return frame
        length = math.hypot(shoulder[0] - hip[0], shoulder[1] - hip[1])
        if length < 1.0:
            return frame
        s = self.style
        top = (hip[0], hip[1] - 1.1 * length)
        draw.dashed_line(frame, hip, top, NEUTRAL, s.thin, dash=6.0 * s.scale + 2.0)
        draw.outlined_line(frame, hip, draw.along(hip, shoulder, 1.1), ACCENT, s.line, INK,
                           max(1, s.thin // 2))
        draw.arc(frame, hip, 0.45 * length, top, shoulder, ACCENT, s.thin)
        draw.dot(frame, hip, s.joint, ACCENT, outline=INK)
        angle = float(tilt_from_vertical_up(np.array(hip), np.array(shoulder), scene.facing))
        back = -1 if scene.facing == "right" else 1
        draw_chip(frame, f"Trunk {angle:+.0f}°", round(top[0] + back * s.pad), round(top[1]),
                  ACCENT, s.font_px, s.pad, anchor="rb" if back < 0 else "lb")
        return frame


class ElbowAnnotator(BaseAnnotator):
    """The near arm's interior elbow angle (180° = straight): an arc and a label."""

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw the arc inside the elbow and the value outside it."""
        pts = scene.points(index)
        side = scene.near
        shoulder = draw.point(pts, f"{side}_shoulder")
        elbow = draw.point(pts, f"{side}_elbow")
        wrist = draw.point(pts, f"{side}_wrist")
        if shoulder is None or elbow is None or wrist is None:
            return frame
        u = (shoulder[0] - elbow[0], shoulder[1] - elbow[1])
        v = (wrist[0] - elbow[0], wrist[1] - elbow[1])
        lu, lv = math.hypot(*u), math.hypot(*v)
        if lu < 1.0 or lv < 1.0:
            return frame
        s = self.style
        radius = 0.4 * min(lu, lv)
        draw.arc(frame, elbow, radius, shoulder, wrist, ACCENT, s.thin)
        angle = float(interior_angle(np.array(shoulder), np.array(elbow), np.array(wrist)))
        out = (-(u[0] / lu + v[0] / lv), -(u[1] / lu + v[1] / lv))
        norm = math.hypot(*out)
        out = (out[0] / norm, out[1] / norm) if norm > 1e-6 else (1.0, 0.0)
        at = (elbow[0] + out[0] * (radius + s.pad), elbow[1] + out[1] * (radius + s.pad))
        if abs(out[1]) > abs(out[0]):
            anchor = "ct" if out[1] > 0 else "cb"
        else:
            anchor = "lm" if out[0] >= 0 else "rm"
        draw_chip(frame, f"Elbow {angle:.0f}°", round(at[0]), round(at[1]), ACCENT, s.font_px,
                  s.pad, anchor=anchor)
        return frame
