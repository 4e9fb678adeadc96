"""``steps.csv`` (one row per foot contact) and ``frames.csv`` (one row per frame).

Both are plain CSV (comma, UTF-8, header row, ``.`` decimals); an empty cell
means "not measured". Columns are documented in the README and follow the
keys of ``summary.json``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from runform.output.atomic import atomic_path
from runform.output.csvrows import NOT_FINITE, row_format, write_rows
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

STEP_COLUMNS_FIRST = ("foot", "near", "time_s", "frame", "toe_off_s", "toe_off_frame",
                      "contact_ms")
"""Leading columns of ``steps.csv``; every other per-step key follows in summary order."""


def cell(value: Any) -> str:
    """Format one CSV cell: empty for None/NaN, ``1``/``0`` for booleans, JSON for lists."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format(float(value), ".10g") if math.isfinite(value) else ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def step_columns(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Columns of ``steps.csv``: the leading ones, then every other key in first-seen order."""
    seen = dict.fromkeys(k for s in steps for k in s)
    return [c for c in STEP_COLUMNS_FIRST if c in seen] + [k for k in seen
                                                           if k not in STEP_COLUMNS_FIRST]


def write_steps_csv(path: Path, steps: Sequence[Mapping[str, Any]]) -> None:
    """Write ``summary.json["steps"]`` as a table, one row per initial contact, atomically.

    A clip without contacts gives a file with the leading columns only.
    """
    columns = step_columns(steps) or list(STEP_COLUMNS_FIRST)
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for step in steps:
            writer.writerow([cell(step.get(c)) for c in columns])


def frame_columns(series_keys: Sequence[str]) -> list[str]:
    """Columns of ``frames.csv``."""
    cols = ["frame", "time_s", "detected", "contact_left", "contact_right", *series_keys]
    for name in LANDMARK_NAMES:
        cols += [f"{name}_x", f"{name}_y"]
    return cols


def contact_mask(steps: Sequence[Mapping[str, Any]], foot: str,
                 time: FloatArray) -> npt.NDArray[np.bool_]:
    """Return the frames whose time lies between an initial contact of ``foot`` and its toe-off.

    Contacts without a toe-off mark the frame nearest to their initial contact.
    """
    mask = np.zeros(time.size, dtype=bool)
    if time.size == 0:
        return mask
    for step in steps:
        ic, to = step.get("time_s"), step.get("toe_off_s")
        if step.get("foot") != foot or not isinstance(ic, int | float):
            continue
        if isinstance(to, int | float) and to >= ic:
            # ic <= time <= to by binary search (time increases), not a whole-clip mask per step.
            mask[np.searchsorted(time, ic, side="left"):np.searchsorted(time, to, side="right")
                 ] = True
        else:
            mask[_nearest(time, float(ic))] = True
    return mask


def _nearest(time: FloatArray, t: float) -> int:
    """Index of the first of the increasing times nearest ``t``, as ``argmin(abs(time - t))``.

    That is 0 when ``t`` is not finite.
    """
    if not math.isfinite(t):
        return 0
    k = int(np.searchsorted(time, t))
    if k == 0:
        return 0
    if k == time.size:
        return time.size - 1
    return k - 1 if abs(time[k - 1] - t) <= abs(time[k] - t) else k


def write_frames_csv(path: Path, track: PoseTrack, series: Mapping[str, FloatArray],
                     steps: Sequence[Mapping[str, Any]] = ()) -> None:
    """Write one row per frame: time, contact flags, the per-frame angles, cleaned landmarks.

    Parameters
    ----------
    path
        Output file, written atomically.
    track
        The *cleaned* track (pixels, image y down, real-time seconds).
    series
        Per-frame series aligned with ``track.time`` (e.g. ``trunk_lean_deg``);
        series of another length are left out.
    steps
        ``summary.json["steps"]``, for the ``contact_left``/``contact_right``
        flags (1 on frames from initial contact to toe-off, by time).
    """
    n = len(track)
    keys = [k for k, v in series.items() if np.shape(v) == (n,)]
    flags = {foot: contact_mask(steps, foot, track.time) for foot in ("left", "right")}
    values = np.stack([np.asarray(series[k], dtype=np.float64) for k in keys], axis=1) if keys \
        else np.empty((n, 0))
    points = track.position.reshape(n, 2 * len(LANDMARK_NAMES))
    columns = [np.arange(n, dtype=np.float64)[:, None], track.time[:, None],
               np.stack([track.detected, flags["left"], flags["right"]], axis=1), values, points]
    fmt = row_format(["%d", "%.6f", "%d", "%d", "%d"] + ["%.3f"] * values.shape[1]
                     + ["%.2f"] * points.shape[1])
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(frame_columns(keys))
        write_rows(handle, fmt, columns, blank=NOT_FINITE)
