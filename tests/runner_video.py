"""Render a pose track as a simple figure into an H.264 clip (for output tests, no MediaPipe).

The clip has one frame per track row at the track's own times, so a
measurement of the track lines up frame by frame with the video, exactly as
after a real analysis.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from runform.pose.schema import LANDMARK_INDEX
from runform.pose.track import PoseTrack

LIMBS = (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"),
         ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"))


def figure_frame(track: PoseTrack, index: int) -> np.ndarray:
    """One RGB frame: a plain room, a treadmill belt and the runner as thick limbs."""
    w, h = track.width, track.height
    img = np.empty((h, w, 3), dtype=np.uint8)
    img[:] = np.linspace(205, 170, h, dtype=np.uint8)[:, None, None]
    pts = track.position[index]
    thick = max(3, round(min(w, h) / 60))

    def p(name: str) -> tuple[int, int] | None:
        x, y = pts[LANDMARK_INDEX[name]]
        return (round(x), round(y)) if np.isfinite(x) and np.isfinite(y) else None

    feet = [v for v in (p("left_heel"), p("right_heel")) if v is not None]
    if feet:
        floor = max(v[1] for v in feet) + thick
        cv2.rectangle(img, (0, floor), (w, min(h, floor + 3 * thick)), (60, 62, 70), -1)
    for side, shade in (("right", 95), ("left", 125)):
        for a, b in LIMBS:
            pa, pb = p(f"{side}_{a}"), p(f"{side}_{b}")
            if pa and pb:
                cv2.line(img, pa, pb, (shade, shade, shade + 20), thick * 2, cv2.LINE_AA)
    trunk = [p(n) for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip")]
    if all(trunk):
        cv2.fillConvexPoly(img, np.array(trunk, np.int32), (110, 110, 135), cv2.LINE_AA)
        cv2.polylines(img, [np.array(trunk, np.int32)], True, (110, 110, 135), thick * 3,
                      cv2.LINE_AA)
    head = p("nose")
    if head:
        cv2.circle(img, head, thick * 4, (120, 105, 100), -1, cv2.LINE_AA)
    return img


def write_runner_video(path: Path, track: PoseTrack, *, fps: float | None = None) -> Path:
    """Write ``track`` as an H.264 MP4 with one frame per row at the track's times."""
    times = track.time - track.time[0]
    rate = fps or (1.0 / float(np.median(np.diff(times))) if times.size > 1 else 30.0)
    base = 90_000
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(rate).limit_denominator(1000))
        stream.width, stream.height, stream.pix_fmt = track.width, track.height, "yuv420p"
        stream.time_base = stream.codec_context.time_base = Fraction(1, base)
        stream.options = {"preset": "ultrafast", "crf": "28"}
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(figure_frame(track, i), format="rgb24")
            frame.pts = int(round(t * base))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


class TrackEstimator:
    """A pose estimator that returns the rows of a known track, one per call (frame order).

    Lets ``runform.analyze`` run end to end on a rendered clip without
    MediaPipe; ``calls`` counts the frames it was asked about.
    """

    def __init__(self, track: PoseTrack) -> None:
        self.track = track
        self.calls = 0

    def detect(self, image: np.ndarray, time_ms: int) -> list:
        from runform.pose import PersonPose

        i = min(self.calls, len(self.track) - 1)
        self.calls += 1
        depth = self.track.depth[i] if np.isfinite(self.track.depth[i]).any() else np.zeros(33)
        return [PersonPose(position=self.track.position[i].copy(), depth=depth.copy(),
                           visibility=np.where(np.isnan(self.track.visibility[i]), 0.0,
                                               self.track.visibility[i]),
                           world=np.zeros((33, 3)))]

    def close(self) -> None:
        pass
