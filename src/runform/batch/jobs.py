"""One clip of a batch: the job sent to a worker, its result, and the resume check.

:func:`analyze_one` is the only function a worker runs, whether the worker is
a local process or a Dask worker on another machine; it never raises for a bad
clip, it records the failure.

The pipeline is imported here, at module level, not inside the function: Dask
runs several clips in threads of one worker process, and concurrent first
imports of the pipeline's modules from several threads can fail.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from runform import __version__
from runform.config import AnalysisConfig
from runform.errors import OutputError, RunformError
from runform.pipeline import analyze
from runform.pose.estimator import PoseEstimator
from runform.pose.models import resolve_model, sha256_file

Status = Literal["ok", "failed", "skipped"]
EstimatorFactory = Callable[[], PoseEstimator]
"""Builds a fresh pose estimator for one clip (tests pass fakes; default MediaPipe)."""

SUMMARY_NAME = "summary.json"
ERROR_LOG_NAME = "error.txt"
"""Written into a clip's result folder when it failed with an unexpected error."""


@dataclass(frozen=True)
class ClipJob:
    """Everything a worker needs to analyse one clip (picklable)."""

    video: Path
    """Absolute path of the video (workers on other machines need the same path)."""
    key: str
    """Relative path of the clip in the input folder, e.g. ``anna/run.mp4``."""
    out_dir: Path
    """Absolute result folder of this clip."""
    config: AnalysisConfig
    estimator_factory: EstimatorFactory | None = None
    """Pose estimator to use instead of MediaPipe (a picklable callable)."""


@dataclass(frozen=True)
class ClipResult:
    """What happened to one clip."""

    key: str
    status: Status
    out_dir: Path
    error: str = ""
    """One-line error message when ``status`` is ``failed``."""
    summary: dict[str, Any] = field(default_factory=dict)
    """``summary.json`` of the clip (``ok`` and ``skipped``), else empty."""
    elapsed_s: float = 0.0
    """Wall time spent on the clip by the worker (0 when skipped)."""
    worker: str = ""
    """``host:pid`` of the process that analysed the clip."""


def settings_fingerprint(config: AnalysisConfig) -> dict[str, Any]:
    """Return what must be equal for earlier results to be reused.

    The analysis settings (without the free-form ``extra``), the SHA-256 of the
    model file and the runform version: results made with other settings or
    another version are analysed again.

    Raises
    ------
    runform.errors.ModelError
        If the model cannot be found (checked once, before any clip runs).
    """
    settings = config.to_dict()
    settings.pop("extra", None)
    return {"config": settings, "model_sha256": resolve_model(config.model).sha256,
            "runform_version": __version__}


def summary_fingerprint(summary: dict[str, Any]) -> dict[str, Any]:
    """Extract from a ``summary.json`` the fields :func:`settings_fingerprint` returns."""
    settings = dict(summary.get("config") or {})
    settings.pop("extra", None)
    model = summary.get("model") or {}
    return {"config": settings, "model_sha256": model.get("sha256"),
            "runform_version": summary.get("runform_version")}


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    """Return the ``summary.json`` in ``out_dir``, or ``None`` if absent or unreadable."""
    try:
        data = json.loads((out_dir / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def reusable_summary(job: ClipJob, fingerprint: dict[str, Any]) -> dict[str, Any] | None:
    """Return the clip's earlier summary if it can be reused, else ``None``.

    Reusable means: ``summary.json`` exists (the pipeline writes it last and
    atomically, so the folder is complete), was made from a file with the same
    SHA-256 as the clip now, and with the same settings (``fingerprint``).
    The clip is hashed only when such a summary exists.
    """
    summary = read_summary(job.out_dir)
    if summary is None or summary_fingerprint(summary) != fingerprint:
        return None
    recorded = (summary.get("input") or {}).get("sha256")
    try:
        same_input = recorded == sha256_file(job.video)
    except OSError:
        return None
    return summary if same_input else None


def analyze_one(job: ClipJob) -> ClipResult:
    """Analyse one clip into its result folder; never raises for a bad clip.

    Any earlier ``summary.json`` and leftover temporary files in the folder are
    removed first, so the folder claims to be complete only once this run has
    written every file. A failure is returned as a ``failed`` result with a
    one-line message; unexpected errors (bugs) also leave their traceback in
    ``error.txt`` in the result folder.
    """
    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def failed(message: str) -> ClipResult:
        return ClipResult(job.key, "failed", job.out_dir, error=one_line(message),
                          elapsed_s=time.perf_counter() - started, worker=worker)

    try:
        _clear_stale(job.out_dir)
        estimator = job.estimator_factory() if job.estimator_factory else None
        analysis = analyze(job.video, job.config, out_dir=job.out_dir, estimator=estimator)
    except RunformError as exc:
        return failed(str(exc))
    except Exception as exc:  # a bug must not stop the batch: record it with its traceback
        _write_error_log(job.out_dir, traceback.format_exc())
        return failed(f"unexpected {type(exc).__name__}: {exc} (traceback in "
                      f"{ERROR_LOG_NAME}; please report it)")
    return ClipResult(job.key, "ok", job.out_dir, summary=analysis.summary,
                      elapsed_s=time.perf_counter() - started, worker=worker)


def one_line(message: str, limit: int = 300) -> str:
    """Collapse a message to one line of at most ``limit`` characters."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clear_stale(out_dir: Path) -> None:
    """Remove the old summary, error log and temporary files of an earlier run."""
    if not out_dir.is_dir():
        return
    stale = [out_dir / SUMMARY_NAME, out_dir / ERROR_LOG_NAME, *out_dir.glob(".*.partial*")]
    try:
        for path in stale:
            if path.is_file():
                path.unlink()
    except OSError as exc:
        raise OutputError(f"Could not remove the earlier results in {out_dir}: "
                          f"{exc.strerror or exc}.") from exc


def _write_error_log(out_dir: Path, text: str) -> None:
    from runform.output.atomic import write_text

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_text(out_dir / ERROR_LOG_NAME, text)
    except (OSError, RunformError):
        pass  # the one-line error in batch.csv still says what happened
