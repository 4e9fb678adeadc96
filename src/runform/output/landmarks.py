"""``landmarks.csv``: the runner's raw pose track, one row per frame."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from runform.output.atomic import atomic_path
from runform.output.csvrows import row_format, write_rows
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack


def landmark_columns() -> list[str]:
    """Column names: ``time_s`` then ``<name>_x, _y, _z, _visibility`` per landmark."""
    cols = ["time_s"]
    for name in LANDMARK_NAMES:
        cols += [f"{name}_x", f"{name}_y", f"{name}_z", f"{name}_visibility"]
    return cols


def write_landmarks_csv(path: Path, track: PoseTrack) -> None:
    """Write the track; x, y, z in pixels of the upright frame, empty cells where missing.

    Time has 6 decimals, the landmark values 3 (infinities, which the pose
    model never gives, are written as ``inf``).
    """
    block = np.concatenate([track.position, track.depth[..., None],
                            track.visibility[..., None]], axis=-1)
    block = block.reshape(len(track), 4 * len(LANDMARK_NAMES))
    fmt = row_format(["%.6f"] + ["%.3f"] * block.shape[1])
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(landmark_columns())
        write_rows(handle, fmt, [track.time[:, None], block], blank=("nan",))
