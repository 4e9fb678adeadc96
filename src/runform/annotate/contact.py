"""Annotators of foot contacts: the shank at initial contact and the foot-ahead-of-hip still."""

from __future__ import annotations

import math

from runform.annotate import draw
from runform.annotate.base import BaseAnnotator, Image8
from runform.annotate.scene import Contact, FloatArray, Scene
from runform.annotate.style import ACCENT, INK, NEUTRAL, SIDE_COLORS, WHITE
from runform.annotate.text import draw_chip


def contact_label(contact: Contact) -> str:
    """Short label of a contact: the foot and its contact time (``R · 231 ms``)."""
    foot = "L" if contact.foot == "left" else "R"
    if contact.contact_ms is None:
        return f"{foot} contact"
    return f"{foot} · {contact.contact_ms:.0f} ms"


class ContactAnnotator(BaseAnnotator):
    """At each initial contact: the shank as it landed, its angle, and a ground marker.

    The marks are frozen at the initial-contact frame and stay on screen until
    toe-off, so a coach scrubbing through the video sees where each foot
    landed relative to the knee while the runner moves on.
    """

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw every contact that is on screen at frame ``index``."""
        for contact in scene.active_contacts(index):
            self._contact(frame, contact)
        return frame

    def _contact(self, frame: Image8, contact: Contact) -> None:
        s = self.style
        color = SIDE_COLORS[contact.foot]
        if contact.knee is not None and contact.ankle is not None:
            knee, ankle = contact.knee, contact.ankle
            down = (knee[0], ankle[1])
            draw.dashed_line(frame, knee, down, NEUTRAL, s.thin, dash=5.0 * s.scale + 2.0)
            draw.outlined_line(frame, knee, ankle, color, s.line, WHITE, max(1, s.thin // 2))
            if contact.shank_deg is not None:
                mid = draw.along(knee, ankle, 0.5)
                side = 1 if ankle[0] >= knee[0] else -1
                draw_chip(frame, f"Shank {contact.shank_deg:+.0f}°",
                          round(mid[0] + side * 2 * s.pad), round(mid[1]), color, s.font_px,
                          s.pad, anchor="lm" if side > 0 else "rm")
        if contact.ground is not None:
            g = contact.ground
            half = 4 * s.joint
            draw.line(frame, (g[0] - half, g[1]), (g[0] + half, g[1]), INK, s.line + 2)
            draw.line(frame, (g[0] - half, g[1]), (g[0] + half, g[1]), color, s.line)
            draw.ring(frame, g, 2 * s.joint, color, s.thin)
            draw_chip(frame, contact_label(contact), round(g[0]), round(g[1] + 3 * s.joint),
                      color, s.font_px, s.pad, anchor="ct")


class OverstrideAnnotator(BaseAnnotator):
    """For report stills: how far the landing foot is ahead of the hips at initial contact.

    Draws a vertical through the hip midpoint, one through the landing ankle,
    and a horizontal arrow between them just above the ankle labelled with
    the step's ``foot_ahead_of_hip_cm`` (or leg lengths without a scale).
    Draws nothing on frames without a contact.
    """

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw the overstride of the contact at frame ``index``, if there is one."""
        contact = scene.contact_at(index)
        if contact is None or contact.ankle is None:
            return frame
        pts = scene.points(index)
        hip = draw.midpoint(draw.point(pts, "left_hip"), draw.point(pts, "right_hip"))
        if hip is None:
            return frame
        s = self.style
        self._landing_leg(frame, pts, contact)
        ankle = contact.ankle
        floor_y = contact.ground[1] if contact.ground is not None else ankle[1]
        draw.dashed_line(frame, hip, (hip[0], floor_y), ACCENT, s.thin, dash=6.0 * s.scale + 2)
        draw.dashed_line(frame, (ankle[0], ankle[1] - 0.25 * (floor_y - hip[1])),
                         (ankle[0], floor_y), SIDE_COLORS[contact.foot], s.thin,
                         dash=6.0 * s.scale + 2)
        y = ankle[1] - 0.12 * (floor_y - hip[1])
        self._arrow(frame, (hip[0], y), (ankle[0], y))
        draw_chip(frame, _overstride_text(contact), round((hip[0] + ankle[0]) / 2),
                  round(y - s.pad), ACCENT, s.font_px, s.pad, anchor="cb")
        return frame

    def _landing_leg(self, frame: Image8, pts: FloatArray, contact: Contact) -> None:
        """Redraw the landing leg bright, even when it is the far one."""
        s = self.style
        chain = [draw.point(pts, f"{contact.foot}_{part}")
                 for part in ("hip", "knee", "ankle", "heel", "foot_index", "ankle")]
        for a, b in zip(chain[:-1], chain[1:], strict=True):
            if a is not None and b is not None:
                draw.outlined_line(frame, a, b, SIDE_COLORS[contact.foot], s.line, INK,
                                   max(1, s.thin // 2))

    def _arrow(self, frame: Image8, a: draw.Point, b: draw.Point) -> None:
        s = self.style
        draw.outlined_line(frame, a, b, ACCENT, s.line, INK, max(1, s.thin // 2))
        head = 3.0 * s.joint
        direction = 1.0 if b[0] >= a[0] else -1.0
        if abs(b[0] - a[0]) > 2 * head:
            for sign in (-1.0, 1.0):
                draw.line(frame, b, (b[0] - direction * head, b[1] + sign * head * 0.6), ACCENT,
                          s.line)
        draw.dot(frame, a, s.joint, ACCENT, outline=INK)


def _overstride_text(contact: Contact) -> str:
    values = contact.values
    cm, leg = values.get("foot_ahead_of_hip_cm"), values.get("foot_ahead_of_hip_leg")
    if isinstance(cm, int | float) and math.isfinite(cm):
        return f"{cm:+.0f} cm"
    if isinstance(leg, int | float) and math.isfinite(leg):
        return f"{leg:+.2f} leg"
    return "foot ahead of hip: -"
