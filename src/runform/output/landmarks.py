"""``landmarks.csv``: the runner's raw pose track, one row per frame."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from runform.output.atomic import atomic_path
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack


def landmark_columns() -> list[str]:
    """Column names: ``time_s`` then ``<name>_x, _y, _z, _visibility`` per landmark."""
    cols = ["time_s"]
    for name in LANDMARK_NAMES:
        cols += [f"{name}_x", f"{name}_y", f"{name}_z", f"{name}_visibility"]
    return cols


def write_landmarks_csv(path: Path, track: PoseTrack) -> None:
    """Write the track; x, y, z in pixels of the upright frame, empty cells where missing."""
    block = np.concatenate([track.position, track.depth[..., None],
                            track.visibility[..., None]], axis=-1).reshape(len(track), -1)
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(landmark_columns())
        for t, row in zip(track.time, block, strict=True):
            writer.writerow([f"{t:.6f}", *(_fmt(v) for v in row)])


def _fmt(value: float) -> str:
    return "" if np.isnan(value) else f"{value:.3f}"
