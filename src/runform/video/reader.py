"""Decode a video with PyAV, one upright RGB frame at a time.

Times come from each frame's own presentation timestamp (PTS), so variable
frame rate clips are handled; the container's rotation (display matrix) is
applied so portrait phone clips come out upright. Frames are streamed, never
held all in memory.

Damaged input is handled here, once, for every caller: a file that is not a
video (text, a still image, audio only), an unknown codec, or a clip with fewer
than :data:`MIN_FRAMES` decodable frames raises :class:`VideoReadError` with a
one-line message naming the problem. A damaged packet in the middle is skipped
and decoding goes on; a truncated file yields the frames it still holds. A
:class:`ReadReport` passed to :func:`iter_frames` records what was skipped or
missing so the caller can warn the user.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import Interpolation, VideoReformatter

from runform.errors import InputNotFoundError, VideoReadError

MIN_FRAMES = 2
"""Fewest decodable frames a file needs to count as a video (one frame is a still)."""

MISSING_TOLERANCE = 0.02
"""Share of the container's frame count that may be missing before the file is called truncated."""

MIN_DAMAGED_S = 1.0
"""Shortest decodable span (seconds of video clock) worth analysing in a damaged file.

A damaged or truncated file is analysed for the part that decodes, with a
warning, when that part covers at least this span (more than one running
stride); less is an error rather than a result built on a fragment.
"""

_TEXT_FORMATS = frozenset({"tty"})
"""FFmpeg demuxers that render text files as video (``.nfo``, ``.asc``...)."""


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
    original: npt.NDArray[np.uint8] | None = None
    """The image at the video's own size when ``image`` was scaled and this frame was
    asked for (see ``keep_original`` in :func:`iter_frames`); otherwise None."""


@dataclass
class ReadReport:
    """How decoding one file went; filled in by :func:`iter_frames` as it runs.

    Read it after the iteration has finished. ``expected_frames`` is 0 when
    the container does not state its frame count.
    """

    expected_frames: int = 0
    """Frames the container says it holds (0 = not stated)."""
    expected_duration_s: float = 0.0
    """Duration the container states, seconds of video clock (0 = not stated)."""
    decoded: int = 0
    """Frames decoded and yielded."""
    damaged_packets: int = 0
    """Compressed packets that failed to decode and were skipped."""
    stopped_early: bool = False
    """True when the container could not be read to its end (truncated or damaged)."""
    last_time_s: float = 0.0
    """Time of the last decoded frame, seconds from the first."""

    @property
    def missing_frames(self) -> int:
        """Frames the container announced but that never decoded (0 when unknown)."""
        return max(0, self.expected_frames - self.decoded) if self.expected_frames else 0

    @property
    def complete(self) -> bool:
        """True when the whole file decoded without skipping anything that matters."""
        missing = self.missing_frames > max(1.0, MISSING_TOLERANCE * self.expected_frames)
        return not (missing or self.stopped_early or self.damaged_packets)

    def warning(self, name: str) -> str | None:
        """One plain-words sentence for the user when the file was not read whole, else None.

        Parameters
        ----------
        name
            The file's name, to quote in the sentence.
        """
        if self.complete:
            return None
        found = []
        if self.expected_frames:
            found.append(f"only {self.decoded} of its {self.expected_frames} frames decoded")
        if self.damaged_packets:
            found.append(f"{self.damaged_packets} damaged packet(s) were skipped")
        if self.stopped_early:
            found.append("the file ends abruptly")
        span = f"{self.last_time_s:.1f} s"
        if self.expected_duration_s > 0:
            span += f" of {self.expected_duration_s:.1f} s"
        return (f"{name} is damaged or truncated ({', '.join(found)}): the analysis uses the "
                f"{self.decoded} frames that decoded (up to {span}).")


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputNotFoundError(f"Expected a video file, but {path} does not exist.")
    if path.is_dir():
        raise InputNotFoundError(f"Expected a video file, but {path} is a folder.")
    if not path.is_file():  # a pipe or device would block or never end
        raise InputNotFoundError(f"Expected a video file, but {path} is not a regular file "
                                 "(a pipe, device or socket).")
    if path.stat().st_size == 0:
        raise VideoReadError(f"Expected a video file, but {path} is empty (0 bytes).")
    if not os.access(path, os.R_OK):
        raise VideoReadError(f"Expected a readable video file, but {path} cannot be read "
                             "(permission denied).")


def _open_error(path: Path, exc: Exception) -> VideoReadError:
    """Describe why FFmpeg could not open ``path`` in words a user understands."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head[4:8] == b"ftyp":
        what = ("it looks like an MP4/MOV file whose index is missing or damaged: the "
                "recording was probably cut off before it was finished")
    elif _looks_like_text(head):
        what = "it is a text file"
    elif isinstance(exc, av.error.EOFError):
        what = "it ends before any video frames (empty or truncated)"
    else:
        what = "FFmpeg does not recognise it as a video (not a video, or badly damaged)"
    return VideoReadError(f"Expected a video file, but {path.name} could not be opened: {what}.")


def _looks_like_text(head: bytes) -> bool:
    """Tell whether the start of a file is UTF-8 text (no NUL bytes, decodes cleanly)."""
    if not head or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is still text
        return exc.start >= len(head) - 3
    return True


def _open(path: Path) -> av.container.InputContainer:
    _check_path(path)
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise _open_error(path, exc) from exc
    try:
        _check_container(container, path)
    except VideoReadError:
        container.close()
        raise
    return container


def _check_container(container: av.container.InputContainer, path: Path) -> None:
    fmt = container.format.name
    if fmt.endswith("_pipe") or fmt == "image2":
        kind = fmt.removesuffix("_pipe").upper()
        raise VideoReadError(f"Expected a video, but {path.name} is a still image ({kind}).")
    if fmt in _TEXT_FORMATS:
        raise VideoReadError(f"Expected a video, but {path.name} is a text file.")
    if not container.streams.video:
        if container.streams.audio:
            raise VideoReadError(f"Expected a video, but {path.name} holds audio only (no video "
                                 "stream).")
        raise VideoReadError(f"Expected a video stream in {path.name}, but it has none: it is "
                             "not a video, or a recording with no frames.")
    if container.streams.video[0].codec_context is None:
        raise VideoReadError(f"Expected a video codec FFmpeg can decode in {path.name}, but its "
                             "video stream uses an unknown codec (unsupported format).")


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
        If the file is empty, not a video (text, a still image, audio only),
        uses an unknown codec, or has fewer than :data:`MIN_FRAMES` decodable
        frames.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        first = _first_frames(container, path, codec)
        rotation = _clockwise_rotation(first.rotation)
        width, height = first.width, first.height
        duration = _stream_duration(stream, container)
        frames = int(stream.frames) or (int(round(duration * fps)) if fps else 0)
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(path=path, codec=codec, width=width, height=height, rotation=rotation,
                     fps=fps, frame_count=frames, duration_s=duration)


def _first_frames(container: av.container.InputContainer, path: Path,
                  codec: str) -> av.VideoFrame:
    """Decode up to :data:`MIN_FRAMES` frames and return the first one."""
    report = ReadReport(expected_frames=int(container.streams.video[0].frames))
    got: list[av.VideoFrame] = []
    for frame in _decode_tolerant(container, report):
        got.append(frame)
        if len(got) >= MIN_FRAMES:
            break
    _require_frames(len(got), report, path, codec)
    return got[0]


def _require_frames(decoded: int, report: ReadReport, path: Path, codec: str) -> None:
    """Raise :class:`VideoReadError` unless at least :data:`MIN_FRAMES` frames decoded."""
    if decoded >= MIN_FRAMES:
        return
    if report.damaged_packets or report.stopped_early or report.expected_frames > max(decoded, 1):
        count = f"only {decoded}" if decoded else "none"
        announced = f" {report.expected_frames}" if report.expected_frames else ""
        raise VideoReadError(f"Expected decodable video in {path.name}, but {count} of its"
                             f"{announced} {codec} frames could be decoded (the file is damaged "
                             "or truncated, or uses a codec variant FFmpeg cannot decode).")
    if decoded == 1:
        raise VideoReadError(f"Expected a video (at least {MIN_FRAMES} frames), but {path.name} "
                             "holds a single frame (a still image).")
    raise VideoReadError(f"Expected at least {MIN_FRAMES} video frames in {path.name}, but found "
                         "none (an empty or truncated recording).")


def _stream_duration(stream: av.video.stream.VideoStream,
                     container: av.container.InputContainer) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000.0
    return 0.0


def iter_frames(path: Path, *, threads: bool = True, size: tuple[int, int] | None = None,
                keep_original: Collection[int] = (),
                report: ReadReport | None = None) -> Iterator[Frame]:
    """Yield upright RGB frames with their container timestamps.

    Parameters
    ----------
    path
        Video file.
    threads
        Let FFmpeg decode with several threads.
    size
        ``(width, height)`` of the upright frames wanted, when different from
        the video's: frames are scaled (area averaging) in the same FFmpeg
        call that converts them to RGB, much cheaper than resizing the RGB
        image afterwards. None keeps the video's size.
    keep_original
        Indices of frames that should also carry their image at the video's
        own size (:attr:`Frame.original`) when ``size`` scales them.
    report
        Optional :class:`ReadReport`, filled in as frames are read: how many
        the container announced, how many decoded, damaged packets skipped and
        whether the file ended early. Check ``report.warning(path.name)`` after
        the iteration.

    Yields
    ------
    Frame
        Frames in presentation order. ``time_s`` starts at 0 for the first
        frame. A frame without a PTS gets the previous time plus one nominal
        frame interval.

    Raises
    ------
    VideoReadError
        If the file is not a readable video, or fewer than :data:`MIN_FRAMES`
        frames decode (raised after the frames that did decode). Damaged
        packets are skipped and a truncated file ends the iteration early
        without an error; both are recorded in ``report``.
    """
    report = report if report is not None else ReadReport()
    with _open(path) as container:
        stream = container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        report.expected_frames = int(stream.frames)
        report.expected_duration_s = _stream_duration(stream, container)
        step = 1.0 / float(stream.average_rate) if stream.average_rate else 1.0 / 30.0
        start: float | None = None
        last = -step
        to_rgb = VideoReformatter()  # one converter for the stream: no set-up per frame
        scaler = VideoReformatter() if size is not None else None
        for index, frame in enumerate(_decode_tolerant(container, report)):
            t = _frame_time(frame, stream.time_base)
            if start is None:
                start = 0.0 if t is None else t
            time_s = last + step if t is None else t - start
            time_s = max(time_s, last + 1e-6) if index else 0.0
            last = time_s
            report.decoded, report.last_time_s = index + 1, time_s
            original = (_upright(frame, to_rgb) if size is not None and index in keep_original
                        else None)
            yield Frame(index=index, time_s=time_s,
                        image=_upright(frame, to_rgb, size, scaler), original=original)
        _require_frames(report.decoded, report, path, stream.codec_context.name)
    if not report.complete and report.last_time_s < MIN_DAMAGED_S:
        raise VideoReadError(f"Expected a readable video, but {path.name} is damaged or "
                             f"truncated: only {report.decoded} frames "
                             f"({report.last_time_s:.2f} s) decoded, too little to analyse.")


def read_frames(path: Path, indices: Collection[int], *,
                frame_count: int | None = None) -> dict[int, npt.NDArray[np.uint8]]:
    """Decode only the frames with these indices (numbered as :func:`iter_frames` does).

    Parameters
    ----------
    path
        Video file.
    indices
        Frame indices wanted; indices past the end are left out of the result.
    frame_count
        How many frames :func:`iter_frames` yielded for this file, when known.
        When the container holds exactly that many packets, each with a
        timestamp, the reader seeks to the keyframe before each wanted frame
        instead of decoding the clip from its start; otherwise (or when a
        frame is not where its timestamp says) it decodes from the start.
        Either way only the wanted frames are converted to RGB.

    Returns
    -------
    dict
        Frame index -> upright RGB image.
    """
    wanted = sorted({int(i) for i in indices if i >= 0})
    if not wanted:
        return {}
    found: dict[int, npt.NDArray[np.uint8]] = {}
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        order = _presentation_order(container, stream) if frame_count else None
        if order is not None and len(order) == frame_count:
            wanted = [i for i in wanted if i < frame_count]
            found = _seek_and_decode(container, stream, order, wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        found.update(_decode_from_start(path, missing))
    return found


def _presentation_order(container: av.container.InputContainer,
                        stream: av.video.stream.VideoStream) -> list[tuple[int, bool]] | None:
    """Return (pts, is keyframe) of every packet, in presentation order; None if unknowable."""
    packets: list[tuple[int, bool]] = []
    try:
        for packet in container.demux(stream):
            if packet.size == 0:
                continue  # the demuxer's final flush packet
            if packet.pts is None:
                return None
            packets.append((int(packet.pts), bool(packet.is_keyframe)))
    except av.error.FFmpegError:
        return None
    packets.sort()
    return packets


def _seek_and_decode(container: av.container.InputContainer,
                     stream: av.video.stream.VideoStream, order: list[tuple[int, bool]],
                     wanted: list[int]) -> dict[int, npt.NDArray[np.uint8]]:
    """Decode each wanted frame from the keyframe before it; frames not found are left out."""
    keys = [i for i, (_, key) in enumerate(order) if key]
    found: dict[int, npt.NDArray[np.uint8]] = {}
    if not keys or keys[0] != 0:
        return found
    groups: dict[int, list[int]] = {}
    for index in wanted:
        if index < len(order):
            groups.setdefault(keys[bisect.bisect_right(keys, index) - 1], []).append(index)
    to_rgb = VideoReformatter()
    for key, targets in sorted(groups.items()):
        by_pts = {order[i][0]: i for i in targets}
        last = max(by_pts)
        try:
            container.seek(order[key][0], stream=stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            return found
        for frame in _decode_tolerant(container, ReadReport(), needed=by_pts):
            if frame.pts is None:
                break
            if frame.pts in by_pts:
                found[by_pts.pop(frame.pts)] = _upright(frame, to_rgb)
            if not by_pts or frame.pts >= last:
                break
    return found


def _decode_from_start(path: Path, wanted: list[int]) -> dict[int, npt.NDArray[np.uint8]]:
    """Decode from the first frame up to the last wanted one, converting only those."""
    found: dict[int, npt.NDArray[np.uint8]] = {}
    targets, last = set(wanted), max(wanted)
    to_rgb = VideoReformatter()
    with _open(path) as container:
        container.streams.video[0].thread_type = "AUTO"
        for index, frame in enumerate(_decode_tolerant(container, ReadReport())):
            if index in targets:
                found[index] = _upright(frame, to_rgb)
            if index >= last:
                break
    return found


def _upright(frame: av.VideoFrame, to_rgb: VideoReformatter,
             size: tuple[int, int] | None = None,
             scaler: VideoReformatter | None = None) -> npt.NDArray[np.uint8]:
    """Convert to RGB (scaled so the upright image is ``size``) and apply the rotation.

    Scaling is done first, in the decoder's own pixel format (with ``scaler``),
    then the smaller frame is converted: about 25 % cheaper than one scaling
    RGB conversion, and the same picture to within what the eye can tell.
    """
    k = _clockwise_rotation(frame.rotation) // 90
    if size is not None:
        width, height = size if k % 2 == 0 else size[::-1]
        frame = (scaler or VideoReformatter()).reformat(frame, width=width, height=height,
                                                        interpolation=Interpolation.AREA)
    image = np.asarray(to_rgb.reformat(frame, format="rgb24").to_ndarray(), dtype=np.uint8)
    return np.ascontiguousarray(np.rot90(image, k=-k)) if k else image


def _frame_time(frame: av.VideoFrame, time_base: Fraction | None) -> float | None:
    if frame.pts is None or time_base is None:
        return None
    return float(frame.pts * time_base)


def _decode_tolerant(container: av.container.InputContainer, report: ReadReport, *,
                     needed: Collection[int] | None = None) -> Iterator[av.VideoFrame]:
    """Decode the first video stream packet by packet, skipping packets that fail.

    A packet the decoder rejects is counted in ``report.damaged_packets`` and
    decoding goes on with the next one; a demuxer error (the container itself
    is cut off or broken) ends the iteration and sets ``report.stopped_early``.

    With ``needed`` (presentation timestamps of the frames the caller wants),
    the decoder skips the other packets' frames that no frame refers to
    (FFmpeg's ``skip_frame = NONREF``): the frames still decoded come out
    bit-identical, and reaching a frame far from its keyframe costs about a
    third less (most B-frames of an x264 clip are such frames).
    """
    stream = container.streams.video[0]
    context = stream.codec_context
    packets = container.demux(stream)
    try:
        yield from _decode_packets(packets, context, report, needed)
    finally:
        if needed is not None:
            context.skip_frame = "DEFAULT"


def _decode_packets(packets: Iterator[av.Packet], context: av.VideoCodecContext,
                    report: ReadReport, needed: Collection[int] | None) -> Iterator[av.VideoFrame]:
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.error.FFmpegError:
            report.stopped_early = True
            return
        if needed is not None:
            context.skip_frame = "DEFAULT" if packet.pts in needed else "NONREF"
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            report.damaged_packets += 1
            continue
        yield from frames
