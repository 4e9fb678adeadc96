"""Atomic file writing: write to a temporary name in the same folder, then rename.

An interrupted run never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from runform.errors import OutputError


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place on success.

    Raises
    ------
    OutputError
        If the folder is not writable or the disk is full.
    """
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically; NaN and infinity become ``null``, numpy values plain numbers."""
    write_text(path, json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, paths and non-finite floats to strict-JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    return value


def ensure_dir(path: Path) -> None:
    """Create the output folder, turning OS errors into :class:`OutputError`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Could not create the output folder {path}: "
                          f"{exc.strerror or exc}.") from exc
    if not os.access(path, os.W_OK):
        raise OutputError(f"Expected a writable output folder, but {path} is read-only.")
