"""Anti-aliased text and translucent boxes on RGB frames.

OpenCV's Hershey fonts look crude and lack the degree sign, so labels are
rendered once per distinct string with Pillow (DejaVu Sans, which ships with
matplotlib) and cached as alpha masks; drawing a label is then a small numpy
blend.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from runform.annotate.style import Color

Image8 = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]


@lru_cache(maxsize=4)
def _font_path(bold: bool) -> str:
    props = font_manager.FontProperties(family="DejaVu Sans",
                                        weight="bold" if bold else "normal")
    return str(font_manager.findfont(props, fallback_to_default=True))


@lru_cache(maxsize=32)
def _font(px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_path(bold), size=px)


@lru_cache(maxsize=4096)
def _mask(text: str, px: int, bold: bool) -> Mask:
    font = _font(px, bold)
    ascent, descent = font.getmetrics()
    width = max(1, int(np.ceil(font.getlength(text))))
    image = Image.new("L", (width, ascent + descent), 0)
    ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
    mask = np.asarray(image, dtype=np.float32) / 255.0
    mask.setflags(write=False)
    return mask


def text_size(text: str, px: int, *, bold: bool = False) -> tuple[int, int]:
    """Return the width and line height in pixels of ``text`` at font size ``px``."""
    mask = _mask(text, px, bold)
    return int(mask.shape[1]), int(mask.shape[0])


def draw_text(frame: Image8, text: str, x: int, y: int, color: Color, px: int, *,
              bold: bool = False) -> None:
    """Draw ``text`` with its top-left corner at ``(x, y)``, in place; clipped to the frame."""
    _blend(frame, _mask(text, px, bold), x, y, color, 1.0)


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
        roi[:] = color
        return
    blended = roi.astype(np.float32) * (1.0 - alpha) + np.asarray(color, np.float32) * alpha
    roi[:] = blended.astype(np.uint8)


def draw_chip(frame: Image8, text: str, x: int, y: int, color: Color, px: int, pad: int, *,
              anchor: str = "lt", background: Color = (18, 22, 30), alpha: float = 0.72,
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


def _blend(frame: Image8, mask: Mask, x: int, y: int, color: Color, alpha: float) -> None:
    h, w = frame.shape[:2]
    mh, mw = mask.shape
    fx0, fy0 = max(0, x), max(0, y)
    fx1, fy1 = min(w, x + mw), min(h, y + mh)
    if fx0 >= fx1 or fy0 >= fy1:
        return
    m = mask[fy0 - y:fy1 - y, fx0 - x:fx1 - x, None] * alpha
    roi = frame[fy0:fy1, fx0:fx1]
    out = roi.astype(np.float32) * (1.0 - m) + np.asarray(color, np.float32) * m
    roi[:] = out.astype(np.uint8)
