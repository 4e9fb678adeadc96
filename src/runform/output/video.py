"""``annotated.mp4``: the input re-decoded, annotated frame by frame and encoded as H.264.

Frames are streamed (decode in a background thread, draw, encode) so memory
stays flat with clip length. The output keeps every input frame with its own
timestamp, so it has the same frame count, duration and frame rate as the
input; frames come out of the reader upright, so portrait clips stay portrait
without rotation metadata. Inputs larger than 720p are annotated at 720p
(:data:`MAX_SHORT_SIDE`), scaled in the decoder's own RGB conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import numpy.typing as npt

from runform.annotate import Scene, Style, annotate_frame, default_annotators
from runform.video import reader
from runform.video.prefetch import prefetch
from runform.video.reader import iter_frames, probe_video
from runform.video.writer import VideoSink

Image8 = npt.NDArray[np.uint8]
ProgressCallback = Callable[[int, int], None]
"""Called with (frames done, frames expected)."""


MAX_SHORT_SIDE = 720
"""Larger inputs (1080p, 4K) are annotated at this short side.

The annotations are designed at 720p (:data:`runform.annotate.style.REFERENCE_HEIGHT`)
and read as well there; the runner's own detail is softer than in a 1080p input.
Decoding, drawing and encoding cost per frame about 45 % less than at 1080p and the
video pass is most of what ``analyze`` adds to the pose model's time. The analysis
itself always uses the input's full resolution, and so do the report's stills.
"""

PRESET = "ultrafast"
"""x264 preset of ``annotated.mp4``: the encoder is the largest cost of the video pass, and
``ultrafast`` spends about 4-5 ms less CPU per 720p frame than ``superfast`` (8 against 12 ms
per frame with the colour conversion, measured on the drawn frames of the sample clip), with
the same PSNR to the drawn frames (44.7 against 44.2 dB; 39.8 against 39.9 dB on the real
treadmill clip) and a file about 65 % bigger: roughly 3 Mbit/s at 720p 30 fps (22 MB a
minute) against 1.7-1.8."""


def output_size(width: int, height: int, max_short_side: int | None) -> tuple[int, int]:
    """Return the annotated video's frame size: the input's, or scaled down to the cap.

    The aspect ratio (and so the orientation) is kept; sides are even, as
    yuv420p needs.
    """
    short = min(width, height)
    if max_short_side is None or short <= max_short_side:
        return width, height
    f = max_short_side / short
    return 2 * round(width * f / 2), 2 * round(height * f / 2)


def write_annotated_video(video: Path, out: Path, scene: Scene, *,
                          stills: Collection[int] = (), crf: int = 23,
                          max_short_side: int | None = MAX_SHORT_SIDE,
                          progress: ProgressCallback | None = None) -> dict[int, Image8]:
    """Draw the annotations on every frame of ``video`` and write ``out`` (H.264, yuv420p).

    Parameters
    ----------
    video
        The analysed input video.
    out
        Output path (``annotated.mp4``); written atomically.
    scene
        What to draw, one track row per video frame (see
        :func:`runform.annotate.build_scene`).
    stills
        Frame indices whose *unannotated* images should be returned (for the
        report's still frames), so the video is decoded only once.
    crf
        x264 quality (lower = better, bigger).
    max_short_side
        Inputs whose short side is larger are annotated scaled down to it
        (None keeps the input's size).
    progress
        Optional callback with (frames done, frames expected).

    Returns
    -------
    dict
        Frame index -> RGB copy of the raw frame, for each index in
        ``stills`` that exists.

    Raises
    ------
    runform.errors.VideoReadError
        If the video cannot be decoded.
    runform.errors.OutputError
        If ``out`` cannot be written.
    """
    info = probe_video(video)
    width, height = output_size(info.width, info.height, max_short_side)
    size = None if (width, height) == (info.width, info.height) else (width, height)
    if size is not None:
        scene = scene.scaled(width / info.width, width, height)
    annotators = default_annotators(Style.for_frame(width, height))
    wanted = set(stills)
    captured: dict[int, Image8] = {}
    with VideoSink(out, fps=info.fps, width=width, height=height, crf=crf,
                   preset=PRESET) as sink:
        for frame in prefetch(iter_frames(video, size=size, keep_original=wanted)):
            if frame.index in wanted:
                captured[frame.index] = (frame.image.copy() if frame.original is None
                                         else frame.original)
            sink.write(annotate_frame(frame.image, scene, frame.index, annotators), frame.time_s)
            if progress is not None:
                progress(frame.index + 1, info.frame_count)
    return captured


def read_frames(video: Path, indices: Collection[int], *,
                frame_count: int | None = None) -> dict[int, Image8]:
    """Decode the frames with these indices and return them (RGB, upright).

    Used for the report's stills when no annotated video is written. Give
    ``frame_count`` (the frames the analysis decoded) to let the reader seek
    to each frame instead of decoding the clip from its start; see
    :func:`runform.video.reader.read_frames`.
    """
    return reader.read_frames(video, indices, frame_count=frame_count)
