"""Pick the runner when several people are in view.

People are linked from frame to frame by the nearest body centre (relative to
body size); the runner is the linked track with the largest total body size,
i.e. present in most frames with the largest body. MediaPipe's own ordering of
people is never used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from runform.pose.estimator import PersonPose
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack

_MAX_JUMP = 0.6
"""A person may move at most this many body sizes between linked detections."""
_MAX_GAP_S = 1.0
"""A track not seen for this long is closed."""


@dataclass
class _Track:
    frames: dict[int, PersonPose] = field(default_factory=dict)
    last_time: float = 0.0
    centre: np.ndarray = field(default_factory=lambda: np.zeros(2))
    size: float = 0.0
    total_size: float = 0.0


@dataclass(frozen=True)
class SelectionReport:
    """What the selection saw."""

    people_seen: int
    """Distinct people (tracks) seen in at least 10 % of the frames."""
    max_simultaneous: int
    """Most people detected in one frame."""
    runner_share: float
    """Share of frames in which the chosen runner was detected."""


class RunnerSelector:
    """Accumulate detections frame by frame, then return the runner's track."""

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self._times: list[float] = []
        self._max_simultaneous = 0

    def add(self, time_s: float, people: list[PersonPose]) -> None:
        """Record the people detected in the next frame (time strictly increasing)."""
        index = len(self._times)
        self._times.append(time_s)
        self._max_simultaneous = max(self._max_simultaneous, len(people))
        active = [t for t in self._tracks if time_s - t.last_time <= _MAX_GAP_S]
        for person in sorted(people, key=lambda p: -p.size):
            track = _nearest(active, person)
            if track is None:
                track = _Track()
                self._tracks.append(track)
            else:
                active.remove(track)
            track.frames[index] = person
            track.last_time, track.centre, track.size = time_s, person.centre, person.size
            track.total_size += person.size

    def result(self, width: int, height: int) -> tuple[PoseTrack, SelectionReport]:
        """Build the runner's :class:`PoseTrack` (NaN where absent) and a report."""
        n_frames, n = len(self._times), len(LANDMARK_NAMES)
        position = np.full((n_frames, n, 2), np.nan)
        depth, vis = np.full((n_frames, n), np.nan), np.full((n_frames, n), np.nan)
        world = np.full((n_frames, n, 3), np.nan)
        best = max(self._tracks, key=lambda t: t.total_size, default=None)
        for i, person in (best.frames.items() if best else []):
            position[i], depth[i], vis[i], world[i] = (person.position, person.depth,
                                                       person.visibility, person.world)
        track = PoseTrack.from_arrays(self._times, position, width=width, height=height,
                                      depth=depth, visibility=vis, world=world)
        seen = sum(len(t.frames) >= 0.1 * n_frames for t in self._tracks)
        report = SelectionReport(people_seen=seen, max_simultaneous=self._max_simultaneous,
                                 runner_share=track.detection_rate)
        return track, report


def _nearest(tracks: list[_Track], person: PersonPose) -> _Track | None:
    best, best_cost = None, _MAX_JUMP
    for track in tracks:
        scale = max(track.size, person.size, 1.0)
        cost = float(np.hypot(*(track.centre - person.centre))) / scale
        if cost < best_cost:
            best, best_cost = track, cost
    return best
