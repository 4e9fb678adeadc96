"""Pose estimation behind a small interface; the only module that touches MediaPipe.

Tests and other back ends implement :class:`PoseEstimator` and feed synthetic
landmarks; the pipeline never sees MediaPipe objects.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from runform.errors import ModelError
from runform.pose.schema import LANDMARK_NAMES

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class PersonPose:
    """One person's landmarks in one frame, in pixels of the upright frame."""

    position: FloatArray
    """Pixels (x right, y down), shape (33, 2)."""
    depth: FloatArray
    """Relative depth in pixels (smaller = nearer the camera), shape (33,)."""
    visibility: FloatArray
    """Visibility 0..1, shape (33,)."""
    world: FloatArray
    """World landmarks in metres, hip-centred, shape (33, 3)."""

    @property
    def size(self) -> float:
        """Body size in pixels: the diagonal of the landmarks' bounding box."""
        lo, hi = np.nanmin(self.position, axis=0), np.nanmax(self.position, axis=0)
        return float(np.hypot(*(hi - lo)))

    @property
    def centre(self) -> FloatArray:
        """Mean landmark position, shape (2,)."""
        return np.nanmean(self.position, axis=0)


class PoseEstimator(Protocol):
    """Detects people in video frames given in presentation order."""

    def detect(self, image: npt.NDArray[np.uint8], time_ms: int) -> list[PersonPose]:
        """Return everyone found in an RGB frame shown at ``time_ms`` (strictly increasing)."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


CLOCK_STRETCH = 100_000
"""Factor by which the timestamps handed to MediaPipe are stretched, to switch off its smoothing.

In VIDEO mode MediaPipe smooths every landmark with a one-euro filter whose
strength follows the time between frames, and the Tasks API has no option to
turn it off. That filter lags and flattens fast motion: on the validation set
(``tools/validate.py``) it cost vertical oscillation 1.42 cm of error against
0.55 cm without it, knee flexion at contact 5.0 deg against 3.8. runform
filters the tracks itself, without lag (:mod:`runform.cleaning`), so MediaPipe
is shown frames at least 14 minutes apart (at 120 fps) instead: the filter
then passes each landmark through (for any cutoff above 0.01 Hz its weight on
the new value, 1 / (1 + 1 / (2 pi cutoff dt)), exceeds 0.98), while
the tracking (the next frame's region taken from the last pose) is unchanged,
and so is the speed.
"""


class MediaPipePoseEstimator:
    """MediaPipe Pose Landmarker (Tasks API) in VIDEO mode, without its temporal smoothing.

    Looking for several people makes MediaPipe run its person detector on every
    frame, which costs about 60 % more time per frame. So the estimator scouts:
    for the first ``scout_s`` seconds it looks for up to ``max_people``; if it
    never saw more than one person, it continues with a one-person landmarker,
    which runs the detector only when it loses track. Clips with several people
    keep the multi-person search throughout so the runner can be chosen.

    Parameters
    ----------
    model_path
        A Pose Landmarker ``.task`` bundle.
    max_people
        How many people MediaPipe looks for in each frame while scouting (and
        throughout, if it finds more than one).
    scout_s
        Video time spent scouting; 0 keeps ``max_people`` for the whole clip.
    """

    def __init__(self, model_path: Path, *, max_people: int = 2, scout_s: float = 2.0) -> None:
        self._model_path = model_path
        self._landmarker = _create_landmarker(model_path, max_people)
        self._scout_until_ms = scout_s * 1000.0 if max_people > 1 else -1.0
        self._most_seen = 0
        self._last_ms = -1
        self._quiet = True

    @property
    def scouting(self) -> bool:
        """True while the multi-person search is still deciding."""
        return self._scout_until_ms >= 0

    def detect(self, image: npt.NDArray[np.uint8], time_ms: int) -> list[PersonPose]:
        """Run the landmarker on one RGB frame; see :class:`PoseEstimator`."""
        import mediapipe as mp

        if self.scouting and time_ms > self._scout_until_ms:
            self._end_scouting()
        # Frames sharing a millisecond still get a whole stretched millisecond apart.
        self._last_ms = max(int(time_ms), self._last_ms + 1)
        time_ms = self._last_ms * CLOCK_STRETCH
        frame = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        if self._quiet:
            # The graph logs set-up chatter from native code until it first finds someone.
            with _native_stderr_silenced():
                result = self._landmarker.detect_for_video(frame, time_ms)
            self._quiet = not result.pose_landmarks
        else:
            result = self._landmarker.detect_for_video(frame, time_ms)
        self._most_seen = max(self._most_seen, len(result.pose_landmarks))
        height, width = image.shape[:2]
        worlds = result.pose_world_landmarks or [None] * len(result.pose_landmarks)
        return [_to_person(lms, world, width, height)
                for lms, world in zip(result.pose_landmarks, worlds, strict=True)]

    def _end_scouting(self) -> None:
        self._scout_until_ms = -1.0
        if self._most_seen <= 1:
            self._landmarker.close()
            self._landmarker = _create_landmarker(self._model_path, 1)
            self._quiet = True

    def close(self) -> None:
        """Release the MediaPipe graph."""
        self._landmarker.close()

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _create_landmarker(model_path: Path, num_poses: int) -> Any:
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=num_poses,
        min_pose_detection_confidence=0.5,
        min_pose_presence_confidence=0.5,
        min_tracking_confidence=0.5,
    )
    try:
        with _native_stderr_silenced():
            return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"Expected a working Pose Landmarker model, but MediaPipe could not "
                         f"load {model_path}: {exc}") from exc


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while MediaPipe's C++ code logs its start-up.

    TFLite and glog write straight to the descriptor (not via Python), ignoring
    ``GLOG_minloglevel``; the messages mean nothing to a runform user.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _to_person(landmarks: list[Any], world: list[Any] | None, width: int,
               height: int) -> PersonPose:
    n = len(LANDMARK_NAMES)
    raw = np.array([[p.x, p.y, p.z, p.visibility if p.visibility is not None else np.nan]
                    for p in landmarks], dtype=np.float64).reshape(n, 4)
    position = raw[:, :2] * (width, height)
    wld = (np.array([[p.x, p.y, p.z] for p in world], dtype=np.float64).reshape(n, 3)
           if world else np.full((n, 3), np.nan))
    return PersonPose(position=position, depth=raw[:, 2] * width, visibility=raw[:, 3],
                      world=wld)
