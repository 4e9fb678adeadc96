"""Decode a video with PyAV, one upright RGB frame at a time.

Times come from each frame's own presentation timestamp (PTS), so variable
frame rate clips are handled; the container's rotation (display matrix) is
applied so portrait phone clips come out upright. Frames are streamed, never
held all in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from runform.errors import InputNotFoundError, VideoReadError


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about its video stream.

    ``width`` and ``height`` are those of the *upright* frames (after rotation).
    ``fps`` is the container's average rate (a float, never rounded); the frame
    count and duration may be estimates when the container does not state them.
    """

    path: Path
    codec: str
    width: int
    height: int
    rotation: int
    """Clockwise degrees applied to the stored frames to make them upright."""
    fps: float
    frame_count: int
    duration_s: float


@dataclass(frozen=True)
class Frame:
    """One decoded upright frame."""

    index: int
    time_s: float
    """Presentation time in seconds from the first frame, on the video's clock."""
    image: npt.NDArray[np.uint8]
    """RGB image, shape (height, width, 3)."""


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputNotFoundError(f"Expected a video file, but {path} does not exist.")
    if path.is_dir():
        raise InputNotFoundError(f"Expected a video file, but {path} is a folder.")
    if path.stat().st_size == 0:
        raise VideoReadError(f"Expected a video file, but {path} is empty (0 bytes).")


def _open(path: Path) -> av.container.InputContainer:
    _check_path(path)
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise VideoReadError(f"Expected a video file, but {path.name} could not be opened "
                             f"as one ({exc.__class__.__name__}).") from exc
    if not container.streams.video:
        container.close()
        raise VideoReadError(f"Expected a video stream in {path.name}, but it has none "
                             "(audio only, or not a video).")
    return container


def _clockwise_rotation(display_rotation: float) -> int:
    """Convert FFmpeg's counter-clockwise display rotation to clockwise quarter turns."""
    return int(round(-display_rotation / 90.0)) % 4 * 90


def probe_video(path: Path) -> VideoInfo:
    """Read the stream's properties and the rotation of its first frame.

    Raises
    ------
    InputNotFoundError
        If the path is missing or a folder.
    VideoReadError
        If the file is empty, not a video, or no frame can be decoded.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        first = _first_frame(container, path)
        rotation = _clockwise_rotation(first.rotation)
        width, height = first.width, first.height
        duration = _stream_duration(stream, container)
        frames = int(stream.frames) or (int(round(duration * fps)) if fps else 0)
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(path=path, codec=codec, width=width, height=height, rotation=rotation,
                     fps=fps, frame_count=frames, duration_s=duration)


def _first_frame(container: av.container.InputContainer, path: Path) -> av.VideoFrame:
    try:
        for frame in container.decode(video=0):
            return frame
    except av.error.FFmpegError as exc:
        raise VideoReadError(f"Expected decodable video in {path.name}, but decoding failed: "
                             f"{exc}.") from exc
    raise VideoReadError(f"Expected at least one video frame in {path.name}, but found none.")


def _stream_duration(stream: av.video.stream.VideoStream,
                     container: av.container.InputContainer) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000.0
    return 0.0


def iter_frames(path: Path, *, threads: bool = True) -> Iterator[Frame]:
    """Yield upright RGB frames with their container timestamps.

    Parameters
    ----------
    path
        Video file.
    threads
        Let FFmpeg decode with several threads.

    Yields
    ------
    Frame
        Frames in presentation order. ``time_s`` starts at 0 for the first
        frame. A frame without a PTS gets the previous time plus one nominal
        frame interval.

    Raises
    ------
    VideoReadError
        If the very first frame cannot be decoded. Corruption later in the file
        ends the iteration early; compare the count with ``VideoInfo``.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        step = 1.0 / float(stream.average_rate) if stream.average_rate else 1.0 / 30.0
        start: float | None = None
        last = -step
        for index, frame in enumerate(_decode_tolerant(container, path)):
            t = _frame_time(frame, stream.time_base)
            if start is None:
                start = 0.0 if t is None else t
            time_s = last + step if t is None else t - start
            time_s = max(time_s, last + 1e-6) if index else 0.0
            last = time_s
            yield Frame(index=index, time_s=time_s, image=_upright(frame))


def _upright(frame: av.VideoFrame) -> npt.NDArray[np.uint8]:
    """Decode to RGB and apply the container's rotation."""
    image = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    k = _clockwise_rotation(frame.rotation) // 90
    return np.ascontiguousarray(np.rot90(image, k=-k)) if k else image


def _frame_time(frame: av.VideoFrame, time_base: Fraction | None) -> float | None:
    if frame.pts is None or time_base is None:
        return None
    return float(frame.pts * time_base)


def _decode_tolerant(container: av.container.InputContainer,
                     path: Path) -> Iterator[av.VideoFrame]:
    """Decode frames, stopping quietly at corruption once at least one frame decoded."""
    decoded = 0
    try:
        for frame in container.decode(video=0):
            decoded += 1
            yield frame
    except av.error.FFmpegError as exc:
        if decoded == 0:
            raise VideoReadError(f"Expected decodable video in {path.name}, but decoding "
                                 f"failed: {exc}.") from exc
