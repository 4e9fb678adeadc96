"""Run a batch: discover clips, reuse finished ones, analyse the rest, keep the table current.

``batch.csv``, ``batch.json`` and ``index.html`` are rewritten (atomically) as
clips finish, so a batch that is interrupted or killed still has a table of
what it finished; running the same batch again analyses only the rest.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runform import __version__
from runform.batch.cluster import DaskCluster
from runform.batch.discover import (
    DEFAULT_PATTERNS,
    Clip,
    check_output_folder,
    discover_clips,
    result_dir,
)
from runform.batch.index import write_index
from runform.batch.jobs import (
    ClipJob,
    ClipResult,
    EstimatorFactory,
    reusable_summary,
    settings_fingerprint,
)
from runform.batch.local import LocalPool
from runform.batch.progress import BatchDisplay, batch_display
from runform.batch.table import clip_row, write_batch_json, write_csv
from runform.config import AnalysisConfig
from runform.errors import InputNotFoundError, OutputError
from runform.output.atomic import ensure_dir

OUTPUT_FILES = {"csv": "batch.csv", "json": "batch.json", "index": "index.html"}
LOCK_NAME = ".runform-batch.lock"
_INDEX_EVERY_S = 5.0
"""Minimum seconds between two renderings of index.html while the batch runs."""


@dataclass(frozen=True)
class BatchOptions:
    """What to analyse, where, and how."""

    folder: Path
    """Input folder."""
    out: Path | None = None
    """Output folder; defaults to :func:`default_batch_dir`."""
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    """Analysis settings, the same for every clip."""
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    """Glob patterns of the clips (case-insensitive)."""
    recursive: bool = False
    """Also search subfolders."""
    workers: int | None = None
    """Local worker processes; ``None``: :func:`default_workers`."""
    resume: bool = True
    """Reuse the results of clips already analysed with the same input and settings."""
    scheduler: str | None = None
    """Dask scheduler address (or scheduler file); ``None`` runs locally."""
    estimator_factory: EstimatorFactory | None = None
    """Pose estimator to use instead of MediaPipe (tests)."""


@dataclass
class BatchReport:
    """The outcome of a batch (possibly interrupted)."""

    folder: Path
    out: Path
    results: list[ClipResult]
    """Finished clips (ok, failed, skipped), in clip order."""
    pending: list[str]
    """Clips not finished (only when interrupted)."""
    outputs: dict[str, Path]
    """``csv``, ``json`` and ``index`` files."""
    backend: str = ""

    def count(self, status: str) -> int:
        """Return the number of clips with this status."""
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[ClipResult]:
        """The clips that failed."""
        return [r for r in self.results if r.status == "failed"]

    def summary_line(self) -> str:
        """``12 ok, 1 failed, 3 skipped`` (plus ``, 4 not analysed`` when interrupted)."""
        line = ", ".join(f"{self.count(s)} {s}" for s in ("ok", "failed", "skipped"))
        return line + (f", {len(self.pending)} not analysed" if self.pending else "")

    @property
    def exit_code(self) -> int:
        """0 when every clip succeeded (or was reused), 1 when any failed or is pending."""
        return 1 if self.failed or self.pending else 0


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the batch; ``report`` holds what was finished."""

    def __init__(self, report: BatchReport) -> None:
        super().__init__(report.summary_line())
        self.report = report


def default_batch_dir(folder: Path) -> Path:
    """``runform-output/batch-<folder name>/`` in the current folder."""
    return Path("runform-output") / f"batch-{folder.resolve().name or 'root'}"


_WORKER_MEMORY_BYTES = 1 << 30
"""Memory budgeted per local worker (one clip's pose model, frames and video encoder)."""


def default_workers() -> int:
    """Return the number of local worker processes used when ``--workers`` is not given.

    One worker per CPU, at most one per GiB of memory. Measured with
    ``benchmarks/bench_batch.py`` on a 2-CPU machine (4 clips of 4 s, full
    model, annotated video): 1 worker 4.5 clips/min, 2 workers 7.6 (1.7x),
    4 workers 6.0. One clip already keeps part of a second core busy
    (MediaPipe's graph threads, decoding and encoding threads), but not all of
    it; more workers than CPUs only add contention and memory.
    """
    cpus = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1)
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not available on this platform
        return max(1, cpus)
    return max(1, min(cpus, memory // _WORKER_MEMORY_BYTES))


def run_batch(options: BatchOptions, *, show_progress: bool = True) -> BatchReport:
    """Analyse every clip of ``options.folder`` and write the batch table.

    Parameters
    ----------
    options
        What to analyse and how.
    show_progress
        Draw the live progress display (only when stderr is a terminal).

    Returns
    -------
    BatchReport
        Every clip's status; failures carry their one-line error.

    Raises
    ------
    runform.errors.RunformError
        For problems with the batch as a whole (no clips found, the model
        missing, the output folder not writable, the cluster unreachable);
        a problem with one clip only fails that clip.
    BatchInterrupted
        On Ctrl-C, after writing the table of the finished clips.
    """
    out = (options.out or default_batch_dir(options.folder)).resolve()
    check_output_folder(options.folder, out)
    clips = discover_clips(options.folder, patterns=options.patterns,
                           recursive=options.recursive, exclude=(out,))
    if not clips:
        hint = "" if options.recursive else " (add --recursive to search subfolders)"
        raise InputNotFoundError(f"Expected video files matching {' '.join(options.patterns)} "
                                 f"in {options.folder}, but found none{hint}.")
    fingerprint = settings_fingerprint(options.config)
    ensure_dir(out)
    with output_lock(out):
        return _run_locked(options, out, clips, fingerprint, show_progress)


def _run_locked(options: BatchOptions, out: Path, clips: list[Clip],
                fingerprint: dict[str, Any], show_progress: bool) -> BatchReport:
    jobs = [_job(clip, out, options) for clip in clips]
    table = _BatchTable(options.folder, out, [j.key for j in jobs], fingerprint)
    try:
        todo = [job for job in jobs if not (options.resume and table.reuse(job))]
        backend = (DaskCluster(options.scheduler) if options.scheduler
                   else LocalPool(min(options.workers or default_workers(), max(len(todo), 1))))
        table.backend = backend.description if todo else "nothing to analyse"
        table.write(final=not todo)
        if todo:
            with batch_display(enabled=show_progress) as display:
                _run(backend, todo, table, display)
    except KeyboardInterrupt:
        table.write(final=True)
        raise BatchInterrupted(table.report()) from None
    return table.report()


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder while a batch writes to it.

    Two batches writing the same folder would analyse the same clips twice and
    overwrite each other's table. The lock (``flock`` on ``.runform-batch.lock``)
    is released by the system even when the process is killed. Where ``fcntl``
    does not exist (Windows) no lock is taken.

    Raises
    ------
    OutputError
        If another batch holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    path = out / LOCK_NAME
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise OutputError(f"Expected {out} to be free, but another runform batch (process "
                              f"{owner}) is writing to it; wait for it to finish or choose "
                              "another --out.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _job(clip: Clip, out: Path, options: BatchOptions) -> ClipJob:
    return ClipJob(video=clip.path.resolve(), key=clip.key,
                   out_dir=result_dir(out, clip.relative), config=options.config,
                   estimator_factory=options.estimator_factory)


def _run(backend: LocalPool | DaskCluster, todo: list[ClipJob], table: _BatchTable,
         display: BatchDisplay) -> None:
    with backend:
        display.start(len(todo), backend.description)
        for result in backend.results(todo, display.clip_started):
            table.add(result)
            display.clip_finished(result)
            table.write()
    table.write(final=True)


class _BatchTable:
    """The clips' results so far, written as batch.csv, batch.json and index.html."""

    def __init__(self, folder: Path, out: Path, keys: list[str],
                 fingerprint: dict[str, Any]) -> None:
        self.folder, self.out, self.keys = folder, out, keys
        self.fingerprint = fingerprint
        self.results: dict[str, ClipResult] = {}
        self.backend = ""
        self._index_written = 0.0

    def reuse(self, job: ClipJob) -> bool:
        """Record ``job`` as skipped if its earlier results can be reused."""
        summary = reusable_summary(job, self.fingerprint)
        if summary is not None:
            self.add(ClipResult(job.key, "skipped", job.out_dir, summary=summary))
        return summary is not None

    def add(self, result: ClipResult) -> None:
        """Record a finished clip."""
        self.results[result.key] = result

    def report(self) -> BatchReport:
        """Return the batch report as it stands."""
        return BatchReport(folder=self.folder, out=self.out,
                           results=[self.results[k] for k in self.keys if k in self.results],
                           pending=[k for k in self.keys if k not in self.results],
                           outputs={k: self.out / name for k, name in OUTPUT_FILES.items()},
                           backend=self.backend)

    def write(self, *, final: bool = False) -> None:
        """Rewrite batch.csv and batch.json; index.html too when final or due."""
        report = self.report()
        rows = [clip_row(r, self.out) for r in report.results]
        header = self._header(report, running=not final)
        write_csv(report.outputs["csv"], rows)
        write_batch_json(report.outputs["json"], header, rows)
        if final or time.monotonic() - self._index_written >= _INDEX_EVERY_S:
            write_index(report.outputs["index"], header, rows)
            self._index_written = time.monotonic()

    def _header(self, report: BatchReport, *, running: bool) -> dict[str, Any]:
        counts = {s: report.count(s) for s in ("ok", "failed", "skipped")}
        return {
            "runform_version": __version__,
            "input_folder": str(self.folder.resolve()),
            "input_folder_name": self.folder.resolve().name,
            "out_dir": str(self.out.resolve()),
            "backend": self.backend,
            "settings": self.fingerprint,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "total": len(self.keys),
            "complete": not report.pending,
            "running": running and bool(report.pending),
            "counts": {**counts, "pending": len(report.pending)},
            "pending": report.pending,
        }
