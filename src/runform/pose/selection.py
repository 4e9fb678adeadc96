"""Pick the runner when several people are in view.

People are linked from frame to frame by the nearest body centre (relative to
body size); the runner is the linked track with the largest total body size,
i.e. present in most frames with the largest body. MediaPipe's own ordering of
people is never used.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

from runform.pose.estimator import PersonPose
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack

_MAX_JUMP = 0.6
"""A person may move at most this many body sizes between linked detections."""
_MAX_GAP_S = 1.0
"""A track not seen for this long is closed."""
_ROW = len(LANDMARK_NAMES) * (2 + 1 + 1 + 3)
"""Floats stored per detection: position, depth, visibility, world."""
_COPY_ROWS = 1024
"""Detections copied into the runner's track at a time."""


@dataclass
class _Track:
    frames: array = field(default_factory=lambda: array("q"))
    """Frame index of each detection (a typed array: no Python object per frame)."""
    rows: array = field(default_factory=lambda: array("q"))
    """Row of each detection in the selector's landmark table."""
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
    """Accumulate detections frame by frame, then return the runner's track.

    Landmarks are kept in one growing typed array (:data:`_ROW` floats per
    detection) rather than as per-frame Python objects, so a long clip costs
    its numbers and nothing more; tracks not seen for :data:`_MAX_GAP_S` are
    no longer compared with new detections.
    """

    def __init__(self) -> None:
        self._tracks: list[_Track] = []
        self._open: list[_Track] = []
        self._times = array("d")
        self._table = array("d")
        self._rows = 0
        self._max_simultaneous = 0

    def add(self, time_s: float, people: list[PersonPose]) -> None:
        """Record the people detected in the next frame (time strictly increasing)."""
        index = len(self._times)
        self._times.append(time_s)
        self._max_simultaneous = max(self._max_simultaneous, len(people))
        # A track closed once stays closed (time only increases).
        self._open = [t for t in self._open if time_s - t.last_time <= _MAX_GAP_S]
        active = list(self._open)
        sized = sorted(((p, p.size) for p in people), key=lambda ps: -ps[1])
        for person, size in sized:
            centre = person.centre
            track = _nearest(active, centre, size)
            if track is None:
                track = _Track()
                self._tracks.append(track)
                self._open.append(track)
            else:
                active.remove(track)
            track.frames.append(index)
            track.rows.append(self._store(person))
            track.last_time, track.centre, track.size = time_s, centre, size
            track.total_size += size

    def _store(self, person: PersonPose) -> int:
        row = np.concatenate([np.ravel(person.position), np.ravel(person.depth),
                              np.ravel(person.visibility), np.ravel(person.world)])
        if row.size != _ROW:
            raise ValueError(f"Expected {_ROW} landmark values per person (33 x 2 positions, "
                             f"depths, visibilities, 33 x 3 world), but got {row.size}.")
        self._table.frombytes(row.astype(np.float64).tobytes())
        self._rows += 1
        return self._rows - 1

    def result(self, width: int, height: int) -> tuple[PoseTrack, SelectionReport]:
        """Build the runner's :class:`PoseTrack` (NaN where absent) and a report."""
        n_frames, n = len(self._times), len(LANDMARK_NAMES)
        position = np.full((n_frames, n, 2), np.nan)
        depth, vis = np.full((n_frames, n), np.nan), np.full((n_frames, n), np.nan)
        world = np.full((n_frames, n, 3), np.nan)
        best = max(self._tracks, key=lambda t: t.total_size, default=None)
        if best is not None:
            table = np.frombuffer(self._table, dtype=np.float64).reshape(-1, _ROW)
            frames = np.frombuffer(best.frames, dtype=np.int64)
            picked = np.frombuffer(best.rows, dtype=np.int64)
            for start in range(0, frames.size, _COPY_ROWS):  # no full-size temporary
                f = frames[start:start + _COPY_ROWS]
                rows = table[picked[start:start + _COPY_ROWS]]
                position[f] = rows[:, :2 * n].reshape(-1, n, 2)
                depth[f] = rows[:, 2 * n:3 * n]
                vis[f] = rows[:, 3 * n:4 * n]
                world[f] = rows[:, 4 * n:].reshape(-1, n, 3)
            del table, frames, picked  # release the buffers so the arrays may grow again
        times = np.frombuffer(self._times, dtype=np.float64).copy()
        track = PoseTrack.from_arrays(times, position, width=width, height=height,
                                      depth=depth, visibility=vis, world=world)
        seen = sum(len(t.frames) >= 0.1 * n_frames for t in self._tracks)
        report = SelectionReport(people_seen=seen, max_simultaneous=self._max_simultaneous,
                                 runner_share=track.detection_rate)
        return track, report


def _nearest(tracks: list[_Track], centre: np.ndarray, size: float) -> _Track | None:
    best, best_cost = None, _MAX_JUMP
    for track in tracks:
        scale = max(track.size, size, 1.0)
        cost = float(np.hypot(*(track.centre - centre))) / scale
        if cost < best_cost:
            best, best_cost = track, cost
    return best
