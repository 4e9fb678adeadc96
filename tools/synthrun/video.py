"""H.264 (libx264, yuv420p) MP4 writer with exact timestamps and optional rotation tag."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from .raster import UInt8Image

ROTATIONS = (0, 90, 270, -90)


class VideoWriter:
    """Stream RGB frames into an MP4 file, one frame at a time.

    Frame ``i`` gets ``pts = i`` in time base ``1 / fps``, so its timestamp is
    exactly ``i / fps``.

    Parameters
    ----------
    path
        Output ``.mp4`` path.
    width, height
        Size of the upright frames passed to :meth:`write` (even numbers).
    fps
        Frame rate.
    crf
        x264 constant rate factor (lower = better quality, larger file).
    rotation
        Classic ``rotate`` tag: the clockwise rotation, in degrees, a player
        applies to the stored pixels to show them upright. With 90 or -90 the
        frames are stored rotated the other way (landscape pixels for a
        portrait clip) and a display matrix is written, which readers report
        as a counter-clockwise rotation of ``-rotation`` (PyAV's
        ``VideoFrame.rotation``).
    """

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        fps: Fraction,
        *,
        crf: int = 18,
        rotation: int = 0,
    ) -> None:
        if rotation not in ROTATIONS:
            raise ValueError(f"rotation must be one of {ROTATIONS}, got {rotation!r}.")
        if width % 2 or height % 2:
            raise ValueError(f"yuv420p needs even frame sizes, got {width}x{height}.")
        self.rotation = rotation % 360
        self._count = 0
        self._container = av.open(str(path), mode="w")
        stream = self._container.add_stream("libx264", rate=fps)
        stored = (height, width) if self.rotation else (width, height)
        stream.width, stream.height = stored
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1) / fps
        stream.options = {"crf": str(crf), "preset": "medium"}
        if self.rotation:
            stream.set_display_rotation(display_matrix_rotation(self.rotation))
        self._stream = stream

    def write(self, image: UInt8Image) -> None:
        """Encode one upright RGB frame, shape (height, width, 3)."""
        stored = np.ascontiguousarray(np.rot90(image, k=self.rotation // 90))
        frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
        frame.pts = self._count
        self._count += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        """Flush the encoder and close the file."""
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def display_matrix_rotation(rotation: int) -> int:
    """Counter-clockwise display-matrix angle in [-180, 180] for a clockwise tag."""
    return (180 - rotation % 360) % 360 - 180
