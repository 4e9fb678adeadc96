"""The batch table: one row per clip, written as ``batch.csv`` and ``batch.json``.

Rows are read from each clip's ``summary.json`` defensively: a key a summary
does not have (an older runform, a metric that could not be measured) gives an
empty cell, never an error.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runform.batch.jobs import ClipResult
from runform.output.atomic import write_json, write_text


@dataclass(frozen=True)
class Column:
    """One column of the batch table."""

    key: str
    label: str
    unit: str = ""
    digits: int | None = None
    """Decimals kept for numbers (``None``: not a number column)."""
    metric: bool = False
    """Read from ``summary["metrics"][key]["value"]``."""


COLUMNS: tuple[Column, ...] = (
    Column("clip", "Clip"),
    Column("status", "Status"),
    Column("error", "Error"),
    Column("duration_s", "Duration", "s", 1),
    Column("cadence_spm", "Cadence", "steps/min", 1, metric=True),
    Column("trunk_lean_deg", "Trunk lean", "deg", 1, metric=True),
    Column("foot_ahead_of_hip_cm", "Overstride", "cm", 1, metric=True),
    Column("foot_ahead_of_hip_leg", "Overstride", "leg lengths", 3, metric=True),
    Column("foot_strike", "Foot strike", metric=True),
    Column("score", "Score", "/100", 0),
    Column("detection_rate", "Runner found", "fraction of frames", 3),
    Column("warnings", "Warnings"),
    Column("elapsed_s", "Analysis time", "s", 1),
    Column("result_dir", "Result folder"),
    Column("report", "Report"),
)
"""Columns of ``batch.csv`` / ``batch.json``, in order."""

PLOT_METRICS = ("cadence_spm", "trunk_lean_deg", "foot_ahead_of_hip_cm", "foot_ahead_of_hip_leg",
                "score")
"""Numeric columns shown in the squad distribution plot (when any clip has a value)."""


def clip_row(result: ClipResult, out: Path) -> dict[str, Any]:
    """Build the table row of one clip.

    Parameters
    ----------
    result
        The clip's result (its summary is read defensively).
    out
        The batch output folder; ``result_dir`` and ``report`` are relative to it
        (forward slashes), so the table stays valid when the folder is moved.
    """
    summary = result.summary or {}
    metrics = _dict(summary.get("metrics"))
    row: dict[str, Any] = {
        "clip": result.key,
        "status": result.status,
        "error": result.error,
        "duration_s": _dict(summary.get("input")).get("duration_s"),
        "score": _value(summary.get("score"), "overall"),
        "detection_rate": summary.get("detection_rate"),
        "warnings": " | ".join(" ".join(str(w).split()) for w in _list(summary.get("warnings"))),
        "elapsed_s": result.elapsed_s if result.status != "skipped" else None,
        "result_dir": _relative(result.out_dir, out) if result.out_dir.is_dir() else "",
        "report": _report_link(result, out),
    }
    for column in COLUMNS:
        if column.metric:
            row[column.key] = _value(metrics.get(column.key), "value")
    return {c.key: _clean(row.get(c.key), c) for c in COLUMNS}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write ``batch.csv`` atomically (header: column keys; empty cell = no value)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c.key for c in COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    write_text(path, buffer.getvalue())


def write_batch_json(path: Path, header: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Write ``batch.json`` atomically: ``header`` fields, the column units, then ``clips``."""
    columns = {c.key: {"label": c.label, "unit": c.unit} for c in COLUMNS}
    write_json(path, {**header, "columns": columns, "clips": rows})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _value(entry: Any, key: str) -> Any:
    """``entry[key]`` if ``entry`` is a dict, ``entry`` itself if it is a plain value."""
    return entry.get(key) if isinstance(entry, dict) else entry


def _clean(value: Any, column: Column) -> Any:
    """Round numbers to the column's decimals; drop NaN, infinities and nested data."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        return round(float(value), column.digits) if column.digits is not None else value
    return value if isinstance(value, str) else None


def _relative(path: Path, out: Path) -> str:
    try:
        return path.relative_to(out).as_posix()
    except ValueError:
        return path.as_posix()


def _report_link(result: ClipResult, out: Path) -> str:
    """Link the clip's ``report.html`` (else ``summary.json``) relative to ``out``."""
    if result.status == "failed":
        return ""
    for name in ("report.html", "summary.json"):
        if (result.out_dir / name).is_file():
            return _relative(result.out_dir / name, out)
    return ""
