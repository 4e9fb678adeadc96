"""Colours and sizes of the annotations, scaled with the frame so they read at 480p and at 4K.

Frames are RGB, so every colour here is an ``(r, g, b)`` tuple.
"""

from __future__ import annotations

from dataclasses import dataclass

Color = tuple[int, int, int]

STATUS_COLORS: dict[str, Color] = {
    "good": (52, 199, 110),
    "fair": (245, 176, 38),
    "poor": (240, 82, 70),
    "unknown": (170, 176, 186),
}
"""Colour of each scoring status (the report uses the same hues)."""

SIDE_COLORS: dict[str, Color] = {"left": (255, 128, 48), "right": (70, 175, 255)}
"""Colour of each body side: left orange, right blue (feet, legs, arms, contact labels)."""

WHITE: Color = (255, 255, 255)
INK: Color = (18, 22, 30)
NEUTRAL: Color = (235, 238, 242)
ACCENT: Color = (255, 214, 64)
"""Trunk line and angle arcs."""

REFERENCE_HEIGHT = 720.0
"""Short side, in pixels, at which :attr:`Style.scale` is 1."""


@dataclass(frozen=True)
class Style:
    """Sizes in pixels for one frame size; build with :meth:`for_frame`.

    Every size grows linearly with the frame's short side, so an annotated
    480p clip and an annotated 4K clip look the same when both fill a screen.
    """

    width: int
    height: int
    scale: float
    """Short side of the frame divided by 720."""
    line: int
    """Thickness of near-side skeleton lines."""
    thin: int
    """Thickness of far-side lines, reference lines and outlines."""
    joint: int
    """Radius of joint dots."""
    font_px: int
    """Height of label text."""
    big_font_px: int
    """Height of the panel's headline number."""
    pad: int
    """Padding inside label chips and the panel."""
    margin: int
    """Distance of the panel from the frame edge."""

    @classmethod
    def for_frame(cls, width: int, height: int, *, zoom: float = 1.0) -> Style:
        """Derive all sizes from the frame size.

        Parameters
        ----------
        width, height
            Frame size in pixels.
        zoom
            Extra magnification of every size (e.g. for still frames shown
            smaller than the video).

        Raises
        ------
        ValueError
            If the frame size is not positive.
        """
        if width <= 0 or height <= 0:
            raise ValueError(f"Expected a positive frame size, but got {width}x{height}.")
        s = zoom * min(width, height) / REFERENCE_HEIGHT
        return cls(width=width, height=height, scale=s, line=max(2, round(4 * s)),
                   thin=max(1, round(2 * s)), joint=max(2, round(5 * s)),
                   font_px=max(11, round(19 * s)), big_font_px=max(16, round(34 * s)),
                   pad=max(3, round(7 * s)), margin=max(4, round(14 * s)))


def dim(color: Color, amount: float = 0.5) -> Color:
    """Blend ``color`` towards black by ``amount`` (0 = unchanged, 1 = black)."""
    keep = 1.0 - amount
    return (round(color[0] * keep), round(color[1] * keep), round(color[2] * keep))


def status_color(status: str | None) -> Color:
    """Colour of a scoring status; unknown or missing statuses are grey."""
    return STATUS_COLORS.get(status or "unknown", STATUS_COLORS["unknown"])
