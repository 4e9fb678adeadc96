"""Test clips and a fake pose estimator for the batch tests.

The clips are tiny uniform-grey H.264 videos written with PyAV. The fake
estimator reads the grey level of each frame, so what happens to a clip is
decided by its content, as with a real model:

- bright (180-230): a runner whose legs swing at a cadence set by the grey level
  (:func:`runner_grey`: 200 -> 170 steps/min) is returned;
- dark (20): nobody is found (the pipeline raises NoRunnerError);
- mid grey (120): the worker process kills itself (SIGKILL), as an
  out-of-memory kill or a crash in the pose model would.

Workers are spawned processes, so everything here is importable and picklable.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from runform.pose.estimator import PersonPose
from runform.pose.schema import LANDMARK_INDEX, LANDMARK_NAMES

NOBODY, CRASH = 20, 120
"""Grey levels of a clip with nobody in it and of a clip that kills its worker."""


def runner_grey(cadence_spm: int) -> int:
    """Grey level of a clip whose runner has this cadence (150 to 200, a multiple of 10)."""
    if cadence_spm % 10 or not 150 <= cadence_spm <= 200:
        raise ValueError(f"Expected a cadence of 150-200 in steps of 10, got {cadence_spm}.")
    return 200 + (cadence_spm - 170)


def grey_cadence(level: float) -> float:
    """Inverse of :func:`runner_grey`, robust to a few grey levels of coding noise."""
    return 170.0 + 10.0 * round((level - 200.0) / 10.0)


RUNNER = runner_grey(170)


def write_clip(path: Path, *, seconds: float = 2.0, grey: int = RUNNER, fps: int = 30,
               width: int = 96, height: int = 128) -> Path:
    """Write a uniform-grey H.264 clip and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = np.full((height, width, 3), grey, dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(int(round(seconds * fps))):
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            video_frame.pts = i
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def runner_pose(time_s: float, width: int, height: int, cadence_spm: float) -> PersonPose:
    """A runner facing left whose legs swing +-25 deg at ``cadence_spm`` steps per minute."""
    stride_hz = cadence_spm / 120.0
    swing = np.radians(25.0) * np.sin(2 * np.pi * stride_hz * time_s)
    hip = np.array([0.5 * width, 0.55 * height])
    segment = 0.2 * height
    points = {name: hip for name in LANDMARK_NAMES}
    points.update({"nose": hip + (-0.05 * width, -0.37 * height),
                   "left_ear": hip + (0.0, -0.36 * height),
                   "right_ear": hip + (0.0, -0.36 * height)})
    for side, sign in (("left", 1.0), ("right", -1.0)):
        angle = sign * swing
        knee = hip + segment * np.array([-np.sin(angle), np.cos(angle)])
        ankle = knee + segment * np.array([-np.sin(angle), np.cos(angle)])
        points.update({f"{side}_shoulder": hip + (0.0, -0.28 * height),
                       f"{side}_elbow": hip + (0.03 * width, -0.15 * height),
                       f"{side}_wrist": hip + (-0.05 * width, -0.1 * height),
                       f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
                       f"{side}_heel": ankle + (0.03 * width, 0.0),
                       f"{side}_foot_index": ankle + (-0.06 * width, 0.01 * height)})
    position = np.zeros((len(LANDMARK_NAMES), 2))
    for name, xy in points.items():
        position[LANDMARK_INDEX[name]] = xy
    n = len(LANDMARK_NAMES)
    return PersonPose(position=position, depth=np.zeros(n), visibility=np.full(n, 0.95),
                      world=np.zeros((n, 3)))


class FakeEstimator:
    """A :class:`runform.pose.estimator.PoseEstimator` driven by the frames' grey level."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    def detect(self, image: np.ndarray, time_ms: int) -> list[PersonPose]:
        """Return the runner, nobody, or kill this process, depending on the grey level."""
        if self.delay_s:
            time.sleep(self.delay_s)
        level = float(image.mean())
        if abs(level - CRASH) < 30:
            os.kill(os.getpid(), signal.SIGKILL)
        if level < CRASH:
            return []
        height, width = image.shape[:2]
        return [runner_pose(time_ms / 1000.0, width, height, grey_cadence(level))]

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class FakeEstimatorFactory:
    """Picklable factory of :class:`FakeEstimator` (pass as ``estimator_factory``)."""

    delay_s: float = 0.0
    """Sleep per frame, to make clips slow enough to interrupt."""

    def __call__(self) -> FakeEstimator:
        return FakeEstimator(self.delay_s)


GOOD = {"a.mp4": (2.0, 160), "sub1/run.mp4": (2.5, 170), "sub2/run.mp4": (3.0, 180),
        "sub2/run.MOV": (2.5, 190)}
"""Clips of :func:`make_folder` with a runner: duration in s and cadence in steps/min."""
BAD = {"corrupt.mp4": "corrupt.mp4", "sub1/nobody.mp4": "no person was detected"}
"""Clips of :func:`make_folder` that must fail, and a part of their error message."""


def make_folder(root: Path) -> Path:
    """Write a batch folder mixing good and bad clips.

    Two ``run.mp4`` in different subfolders and a ``run.MOV`` next to one of
    them (colliding names), a clip with nobody in it, a corrupt file, and files
    that must be ignored (text, hidden).
    """
    for relative, (seconds, cadence) in GOOD.items():
        write_clip(root / relative, seconds=seconds, grey=runner_grey(cadence))
    write_clip(root / "sub1" / "nobody.mp4", grey=NOBODY)
    (root / "corrupt.mp4").write_bytes(bytes(range(256)) * 40)
    (root / "notes.txt").write_text("not a clip")
    write_clip(root / ".hidden.mp4")
    return root


REAL_CLIP = Path("/work/shared/real-clips/treadmill_side_home.mp4")
"""The real treadmill clip (MIT licence; see the README next to it)."""


def trim_clip(src: Path, dst: Path, *, seconds: float, scale: float = 0.5) -> Path:
    """Re-encode the first ``seconds`` of ``src`` at ``scale`` of its size (keeping timestamps)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(src)) as source, av.open(str(dst), "w") as target:
        video = source.streams.video[0]
        stream = target.add_stream("libx264", rate=video.average_rate or 30)
        stream.width = int(video.codec_context.width * scale) // 2 * 2
        stream.height = int(video.codec_context.height * scale) // 2 * 2
        stream.pix_fmt, stream.time_base = "yuv420p", video.time_base
        for frame in source.decode(video):
            if frame.time is None or frame.time >= seconds:
                break
            small = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
            small.pts, small.time_base = frame.pts, frame.time_base
            for packet in stream.encode(small):
                target.mux(packet)
        for packet in stream.encode():
            target.mux(packet)
    return dst
