"""Run clips on an existing Dask distributed cluster (the optional ``cluster`` extra).

The workers run the same :func:`analyze_one` as local processes. They must
have runform (with its models) installed and see the videos and the output
folder at the same paths as this machine (a shared file system).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from runform.batch.jobs import ClipJob, ClipResult, analyze_one, one_line
from runform.batch.local import StartCallback
from runform.errors import RunformError

INSTALL_HINT = "pip install 'runform[cluster]'  (or: pip install 'dask[distributed]')"


class ClusterError(RunformError):
    """Dask is not installed, or the scheduler cannot be reached."""


def import_distributed() -> ModuleType:
    """Import ``distributed``, or explain how to install it.

    Raises
    ------
    ClusterError
        If Dask distributed is not installed.
    """
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(f"Expected Dask distributed for --scheduler, but it is not "
                           f"installed ({exc}). Install it with: {INSTALL_HINT}") from exc
    return distributed


class DaskCluster:
    """Send clips to the Dask scheduler at ``address`` (a context manager).

    Parameters
    ----------
    address
        Scheduler address (``tcp://host:8786``) or the path of a scheduler
        file written by ``dask scheduler --scheduler-file``.
    timeout_s
        How long to wait for the scheduler.
    """

    def __init__(self, address: str, *, timeout_s: float = 20.0) -> None:
        self.address = address
        self.timeout_s = timeout_s
        self._client: Any = None
        self._futures: list[Any] = []

    @property
    def description(self) -> str:
        """Human description of where clips run."""
        return f"Dask cluster {self.address}"

    def __enter__(self) -> DaskCluster:
        distributed = import_distributed()
        target = Path(self.address)
        kwargs: dict[str, Any] = ({"scheduler_file": str(target)} if target.suffix == ".json"
                                  else {"address": self.address})
        try:
            self._client = distributed.Client(timeout=f"{self.timeout_s}s",
                                              set_as_default=False, **kwargs)
        except (OSError, ValueError, TypeError) as exc:
            raise ClusterError(f"Expected a Dask scheduler at {self.address}, but could not "
                               f"connect: {one_line(str(exc))}. Start one with `dask "
                               f"scheduler` and pass the address it prints.") from exc
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._client is None:
            return
        if exc_type is not None and self._futures:
            # Queued clips are dropped; clips already running on a worker finish and
            # write their (complete) results, which the next run reuses.
            self._client.cancel(self._futures)
        self._client.close()
        self._client = None

    def results(self, jobs: Sequence[ClipJob], on_start: StartCallback) -> Iterator[ClipResult]:
        """Yield each clip's result as it finishes (in completion order).

        ``on_start`` is not called: the scheduler decides when each clip runs.
        """
        distributed = import_distributed()
        by_key = {}
        for job in jobs:
            future = self._client.submit(analyze_one, job, pure=False,
                                         key=f"runform {job.key} {uuid.uuid4().hex[:8]}")
            by_key[future.key] = job
            self._futures.append(future)
        for future in distributed.as_completed(self._futures, loop=self._client.loop):
            yield _outcome(future, by_key[future.key])


def _outcome(future: Any, job: ClipJob) -> ClipResult:
    """Return the clip's result, or a failure when the cluster could not run it."""
    try:
        result: ClipResult = future.result()
    except Exception as exc:  # KilledWorker, CancelledError, lost scheduler...
        return ClipResult(job.key, "failed", job.out_dir,
                          error=one_line(f"the Dask cluster could not run this clip: "
                                         f"{type(exc).__name__}: {exc}"))
    return result
