"""Analyse a folder of clips: in parallel, resumable, locally or on a Dask cluster.

:func:`run_batch` is the entry point used by ``runform batch``; every clip
goes through :func:`analyze_one`, on local worker processes or Dask workers.
"""

from __future__ import annotations

from runform.batch.discover import DEFAULT_PATTERNS, VIDEO_EXTENSIONS, Clip, discover_clips
from runform.batch.jobs import ClipJob, ClipResult, analyze_one
from runform.batch.runner import (
    BatchInterrupted,
    BatchOptions,
    BatchReport,
    default_batch_dir,
    default_workers,
    run_batch,
)

__all__ = [
    "DEFAULT_PATTERNS",
    "VIDEO_EXTENSIONS",
    "BatchInterrupted",
    "BatchOptions",
    "BatchReport",
    "Clip",
    "ClipJob",
    "ClipResult",
    "analyze_one",
    "default_batch_dir",
    "default_workers",
    "discover_clips",
    "run_batch",
]
