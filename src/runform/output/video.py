"""``annotated.mp4``: the input re-decoded, annotated frame by frame and encoded as H.264.

Frames are streamed (decode, draw, encode) so memory stays flat with clip
length. The output keeps every input frame with its own timestamp, so it has
the same frame count, duration and frame rate as the input; frames come out
of the reader upright, so portrait clips stay portrait without rotation
metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import numpy.typing as npt

from runform.annotate import Scene, Style, annotate_frame, default_annotators
from runform.video.reader import iter_frames, probe_video
from runform.video.writer import VideoSink

Image8 = npt.NDArray[np.uint8]
ProgressCallback = Callable[[int, int], None]
"""Called with (frames done, frames expected)."""


def write_annotated_video(video: Path, out: Path, scene: Scene, *,
                          stills: Collection[int] = (), crf: int = 23,
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
    style = Style.for_frame(info.width, info.height)
    annotators = default_annotators(style)
    wanted = set(stills)
    captured: dict[int, Image8] = {}
    with VideoSink(out, fps=info.fps, width=info.width, height=info.height, crf=crf) as sink:
        for frame in iter_frames(video):
            image = frame.image
            if frame.index in wanted:
                captured[frame.index] = image.copy()
            sink.write(annotate_frame(image, scene, frame.index, annotators), frame.time_s)
            if progress is not None:
                progress(frame.index + 1, info.frame_count)
    return captured


def read_frames(video: Path, indices: Collection[int]) -> dict[int, Image8]:
    """Decode ``video`` up to the last wanted frame and return those frames (RGB, upright).

    Used for the report's stills when no annotated video is written.
    """
    wanted = set(indices)
    out: dict[int, Image8] = {}
    if not wanted:
        return out
    last = max(wanted)
    for frame in iter_frames(video):
        if frame.index in wanted:
            out[frame.index] = frame.image
        if frame.index >= last:
            break
    return out
