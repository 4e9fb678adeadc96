"""The live panel: cadence and the current values of the main metrics, coloured by status."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runform.annotate import draw
from runform.annotate.base import BaseAnnotator, Image8
from runform.annotate.scene import Scene
from runform.annotate.style import INK, NEUTRAL, Style, dim, status_color
from runform.annotate.text import SHADE_ALPHA, draw_text, fill_rect, text_size

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class _Layout:
    x: int
    y: int
    width: int
    height: int
    label_w: int
    row_h: int
    header_h: int


class PanelAnnotator(BaseAnnotator):
    """A translucent box in the corner that covers the runner least.

    It shows the live cadence (over the last two strides) as a headline, then
    one line per metric with a status dot and the current value: trailing
    means over one stride for angles, the last contact's value for contact
    measures. Colours follow the scorecard (green good, amber fair, red poor,
    grey unknown).

    The layout depends on the scene (its longest texts, where the runner is)
    and is computed on the first frame of each scene, then reused.
    """

    def __init__(self, style: Style):
        super().__init__(style)
        self.small_px = max(9, round(style.font_px * 0.72))
        self._layout_for: tuple[Scene, _Layout] | None = None

    def annotate(self, frame: Image8, scene: Scene, index: int) -> Image8:
        """Draw the panel for frame ``index``."""
        lay = self._layout(scene)
        s = self.style
        fill_rect(frame, lay.x, lay.y, lay.x + lay.width, lay.y + lay.height, INK, SHADE_ALPHA)
        x, y = lay.x + s.pad * 2, lay.y + s.pad
        draw_text(frame, "CADENCE", x, y, dim(NEUTRAL, 0.25), self.small_px, bold=True)
        head = scene.cadence
        draw_text(frame, head.texts[index], x, y + text_size("C", self.small_px)[1],
                  status_color(head.statuses[index]), s.big_font_px, bold=True)
        y = lay.y + lay.header_h
        dot_r = max(2, s.font_px // 4)
        for row in scene.rows:
            color = status_color(row.statuses[index])
            draw.dot(frame, (x + dot_r, y + lay.row_h / 2), dot_r, color)
            draw_text(frame, row.label, x + 3 * dot_r, y, NEUTRAL, s.font_px)
            text = row.texts[index]
            tw = text_size(text, s.font_px, bold=True)[0]
            draw_text(frame, text, lay.x + lay.width - 2 * s.pad - tw, y, color, s.font_px,
                      bold=True)
            y += lay.row_h
        return frame

    def _layout(self, scene: Scene) -> _Layout:
        if self._layout_for is not None and self._layout_for[0] is scene:
            return self._layout_for[1]
        s = self.style
        dot_r = max(2, s.font_px // 4)
        label_w = max((text_size(r.label, s.font_px)[0] for r in scene.rows), default=0)
        value_w = max((text_size(t, s.font_px, bold=True)[0] for r in scene.rows
                       for t in set(r.texts)), default=0)
        head_w = max(text_size(t, s.big_font_px, bold=True)[0] for t in set(scene.cadence.texts))
        row_h = text_size("Ag", s.font_px)[1] + s.pad // 2
        header_h = (s.pad + text_size("C", self.small_px)[1]
                    + text_size("0", s.big_font_px, bold=True)[1] + s.pad)
        width = 4 * s.pad + max(3 * dot_r + label_w + 3 * s.pad + value_w, head_w)
        height = header_h + row_h * len(scene.rows) + s.pad
        x, y = _best_corner(scene, width, height, s)
        layout = _Layout(x=x, y=y, width=width, height=height, label_w=label_w, row_h=row_h,
                         header_h=header_h)
        self._layout_for = (scene, layout)
        return layout


def corner_box(corner: str, width: int, height: int, style: Style) -> tuple[int, int]:
    """Return the top-left position of a ``width`` x ``height`` box in a corner of the frame."""
    m = style.margin
    x = m if corner.endswith("left") else style.width - width - m
    y = m if corner.startswith("top") else style.height - height - m
    return max(0, x), max(0, y)


def _best_corner(scene: Scene, width: int, height: int, style: Style) -> tuple[int, int]:
    """Return the panel position in the corner that covers the runner least over the clip.

    Ties keep the order of :data:`CORNERS` (top corners first).
    """
    pos = scene.track.position[:: max(1, len(scene) // 60)]
    boxes = []
    for p in pos:
        ok = np.isfinite(p).all(axis=-1)
        if ok.any():
            boxes.append((p[ok, 0].min(), p[ok, 1].min(), p[ok, 0].max(), p[ok, 1].max()))
    best, best_overlap = CORNERS[0], float("inf")
    for corner in CORNERS:
        x, y = corner_box(corner, width, height, style)
        overlap = sum(max(0.0, min(x + width, b[2]) - max(x, b[0]))
                      * max(0.0, min(y + height, b[3]) - max(y, b[1])) for b in boxes)
        if overlap < best_overlap - 1e-9:
            best, best_overlap = corner, overlap
    return corner_box(best, width, height, style)
