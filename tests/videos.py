"""Tiny test videos written with PyAV into a temporary folder (no binaries in git)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np


def marker_frame(width: int, height: int, index: int = 0) -> np.ndarray:
    """A grey frame with a white block in its top-left corner and the index in red."""
    img = np.full((height, width, 3), 64, dtype=np.uint8)
    img[: height // 4, : width // 4] = 255
    img[-4:, :, 0] = index % 256
    return img


def write_video(path: Path, times_s: Sequence[float], *, width: int = 64, height: int = 48,
                rotation: int = 0, codec: str = "libx264", time_base: int = 90_000) -> Path:
    """Write frames shown at ``times_s`` (seconds); ``rotation`` is the display matrix angle.

    ``rotation`` follows FFmpeg: counter-clockwise degrees; phones store -90 (or 270)
    for portrait clips shot with the phone upright.
    """
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream(codec, rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = stream.codec_context.time_base = __import__("fractions").Fraction(
            1, time_base)
        if rotation:
            stream.set_display_rotation(rotation)
        for i, t in enumerate(times_s):
            frame = av.VideoFrame.from_ndarray(marker_frame(width, height, i), format="rgb24")
            frame.pts = int(round(t * time_base))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
