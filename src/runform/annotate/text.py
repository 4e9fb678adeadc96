"""Anti-aliased text and translucent boxes on RGB frames.

OpenCV's Hershey fonts look crude and lack the degree sign, so labels are
rendered once per distinct string with Pillow (DejaVu Sans, which ships with
matplotlib) and cached as alpha masks; drawing a label is then a small OpenCV
blend.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from runform.annotate.style import Color

Image8 = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]

SHADE_ALPHA = 0.75
"""Opacity of label boxes and the panel; blended with two in-place integer operations."""


@lru_cache(maxsize=4)
def _font_path(bold: bool) -> str:
    props = font_manager.FontProperties(family="DejaVu Sans",
                                        weight="bold" if bold else "normal")
    return str(font_manager.findfont(props, fallback_to_default=True))


@lru_cache(maxsize=32)
def _font(px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(bold), size=px)


@lru_cache(maxsize=4096)
def _mask(text: str, px: int, bold: bool) -> tuple[Mask, Mask]:
    """Return the text's coverage (0..1) and its complement, both read-only."""
    font = _font(px, bold)
    ascent, descent = font.getmetrics()
    width = max(1, int(np.ceil(font.getlength(text))))
    image = Image.new("L", (width, ascent + descent), 0)
    ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
    mask = np.asarray(image, dtype=np.float32) / 255.0
    inverse = 1.0 - mask
    mask.setflags(write=False)
    inverse.setflags(write=False)
    return mask, inverse


def text_size(text: str, px: int, *, bold: bool = False) -> tuple[int, int]:
    """Return the width and line height in pixels of ``text`` at font size ``px``."""
    mask, _ = _mask(text, px, bold)
    return int(mask.shape[1]), int(mask.shape[0])


def draw_text(frame: Image8, text: str, x: int, y: int, color: Color, px: int, *,
              bold: bool = False) -> None:
    """Draw ``text`` with its top-left corner at ``(x, y)``, in place; clipped to the frame."""
    _blend(frame, *_mask(text, px, bold), x, y, color)


def fill_rect(frame: Image8, x0: int, y0: int, x1: int, y1: int, color: Color,
              alpha: float = 1.0) -> None:
    """Fill the box ``[x0, x1) x [y0, y1)`` with ``color`` at opacity ``alpha``, in place."""
    h, w = frame.shape[:2]
    x0, x1 = max(0, x0), min(w, x1)
    y0, y1 = max(0, y0), min(h, y1)
    if x0 >= x1 or y0 >= y1:
        return
    roi = frame[y0:y1, x0:x1]
    if alpha >= 1.0:
        roi[...] = color
    elif alpha == SHADE_ALPHA:
        rows = roi.reshape(roi.shape[0], -1)  # a view: each row's pixels are contiguous
        np.right_shift(rows, 2, out=rows)  # keep a quarter of the picture, add 3/4 of the colour
        rows += np.tile(np.array([round(c * SHADE_ALPHA) for c in color], np.uint8), roi.shape[1])
    else:
        paint = np.empty_like(roi)
        paint[...] = color
        roi[...] = cv2.addWeighted(roi, 1.0 - alpha, paint, alpha, 0.0)


def draw_chip(frame: Image8, text: str, x: int, y: int, color: Color, px: int, pad: int, *,
              anchor: str = "lt", background: Color = (18, 22, 30),
              alpha: float = SHADE_ALPHA,
              bold: bool = True) -> tuple[int, int, int, int]:
    """Draw a label on a translucent dark box, in place.

    Parameters
    ----------
    frame
        RGB image, modified in place.
    text
        Label text.
    x, y
        Anchor point in pixels.
    color
        Text colour.
    px, pad
        Font size and padding in pixels.
    anchor
        Which corner or edge of the box sits at ``(x, y)``: two letters, the
        first ``l``/``c``/``r`` (horizontal), the second ``t``/``m``/``b``.
    background, alpha
        Box colour and opacity.
    bold
        Use the bold face.

    Returns
    -------
    tuple of int
        The box drawn, ``(x0, y0, x1, y1)``.
    """
    tw, th = text_size(text, px, bold=bold)
    bw, bh = tw + 2 * pad, th + pad
    x0 = x - {"l": 0, "c": bw // 2, "r": bw}[anchor[0]]
    y0 = y - {"t": 0, "m": bh // 2, "b": bh}[anchor[1]]
    h, w = frame.shape[:2]
    x0 = min(max(0, x0), max(0, w - bw))
    y0 = min(max(0, y0), max(0, h - bh))
    fill_rect(frame, x0, y0, x0 + bw, y0 + bh, background, alpha)
    draw_text(frame, text, x0 + pad, y0 + pad // 2, color, px, bold=bold)
    return x0, y0, x0 + bw, y0 + bh


def _blend(frame: Image8, mask: Mask, inverse: Mask, x: int, y: int, color: Color) -> None:
    h, w = frame.shape[:2]
    mh, mw = mask.shape
    fx0, fy0 = max(0, x), max(0, y)
    fx1, fy1 = min(w, x + mw), min(h, y + mh)
    if fx0 >= fx1 or fy0 >= fy1:
        return
    rows, cols = slice(fy0 - y, fy1 - y), slice(fx0 - x, fx1 - x)
    roi = frame[fy0:fy1, fx0:fx1]
    roi[...] = cv2.blendLinear(_paint(fy1 - fy0, fx1 - fx0, color), roi,
                               np.ascontiguousarray(mask[rows, cols]),
                               np.ascontiguousarray(inverse[rows, cols]))


@lru_cache(maxsize=512)
def _paint(height: int, width: int, color: Color) -> Image8:
    """Return a read-only block of one colour (labels repeat, so their blocks are reused)."""
    block = np.empty((height, width, 3), dtype=np.uint8)
    block.reshape(height, -1)[:] = np.tile(np.array(color, np.uint8), width)
    block.setflags(write=False)
    return block
