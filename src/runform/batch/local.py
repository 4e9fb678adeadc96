"""Run clips in a pool of local worker processes.

Each worker is a separate Python process (see :func:`_context`) that runs :func:`analyze_one`
on one clip at a time, so a crash in the pose model or an out-of-memory kill
loses only the clips that worker was running. At most ``workers`` clips are in
flight, so the clips reported as started are the ones actually running.

When a worker dies, the pool cannot tell which clip killed it: the clips that
were running are retried one at a time in a fresh pool, and a clip whose
worker dies while it runs alone is recorded as failed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import FrameType, TracebackType

from runform.batch.jobs import ClipJob, ClipResult, analyze_one, one_line

StartCallback = Callable[[ClipJob], None]
"""Called in the main process when a clip starts running."""

_ABORT_WAIT_S = 30.0
"""Seconds an interrupted worker may take to stop its clip before it is killed."""
WORKER_DIED = ("the worker process died while analysing this clip (killed, out of memory, "
               "or the pose model crashed)")


_CLIP = {"running": False}
"""Whether this worker process is analysing a clip now (set in the worker only)."""


def _init_worker() -> None:
    """Let Ctrl-C stop the clip a worker is analysing, and nothing else.

    The terminal sends Ctrl-C to the workers too. A worker turns it into a
    ``KeyboardInterrupt`` only while a clip runs (the atomic writers then
    remove their temporary files and the worker reports back normally); an
    idle worker ignores it and exits when the pool shuts down, so no worker
    dies half-way through talking to the main process.
    """
    signal.signal(signal.SIGINT, _interrupt_clip)


def _interrupt_clip(signum: int, frame: FrameType | None) -> None:
    if _CLIP["running"]:
        _CLIP["running"] = False  # once per clip: a second Ctrl-C must not hit the reply
        raise KeyboardInterrupt


def run_in_worker(job: ClipJob) -> ClipResult:
    """Run :func:`analyze_one` in a pool worker, interruptible by Ctrl-C."""
    _CLIP["running"] = True
    try:
        return analyze_one(job)
    finally:
        _CLIP["running"] = False


def _context() -> multiprocessing.context.BaseContext:
    """Start workers from a fork server where there is one, else spawn them.

    The fork server is a clean process (no threads, no pose model) that imports
    the pipeline once; each worker is then a cheap fork of it. Plain ``fork``
    of the main process is avoided: it may hold threads (rich, a notebook).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["runform.batch.jobs", "runform.pipeline"])
    return context


def _outcome(future: Future[ClipResult], job: ClipJob) -> ClipResult | None:
    """Return the clip's result, ``None`` if its worker died, a failure if it could not run."""
    exc = future.exception()
    if isinstance(exc, BrokenProcessPool):
        return None
    if exc is not None:  # e.g. the job could not be sent to the worker
        return ClipResult(job.key, "failed", job.out_dir,
                          error=one_line(f"could not run in a worker process: "
                                         f"{type(exc).__name__}: {exc}"))
    return future.result()


class LocalPool:
    """Analyse clips in ``workers`` local processes (a context manager).

    Leaving the ``with`` block on an exception (Ctrl-C) stops the workers at
    once: queued clips are cancelled and running ones are interrupted, which
    removes their temporary files (nothing is ever half-written under its
    final name).
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"Expected at least 1 worker, but got {workers}.")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    @property
    def description(self) -> str:
        """Human description of where clips run."""
        return f"{self.workers} local worker{'s' if self.workers > 1 else ''}"

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._abort()
        elif self._pool is not None:
            self._pool.shutdown(wait=True)
        self._pool = None

    def results(self, jobs: Sequence[ClipJob], on_start: StartCallback) -> Iterator[ClipResult]:
        """Yield each clip's result as it finishes (in completion order)."""
        normal, suspects = deque(jobs), deque[ClipJob]()
        while normal or suspects:
            queue, width = (suspects, 1) if suspects else (normal, self.workers)
            crashed = yield from self._drain(queue, width, on_start)
            if len(crashed) == 1:
                yield ClipResult(crashed[0].key, "failed", crashed[0].out_dir, error=WORKER_DIED)
            else:
                suspects.extend(crashed)

    def _drain(self, queue: deque[ClipJob], width: int,
               on_start: StartCallback) -> Generator[ClipResult, None, list[ClipJob]]:
        """Run ``queue`` with ``width`` clips in flight until done or the pool breaks.

        Returns (as the generator's value) the clips that were running when a
        worker died; an empty list when the queue was finished.
        """
        pool = self._fresh_pool(min(width, len(queue)))
        running: dict[Future[ClipResult], ClipJob] = {}
        while queue or running:
            broken = self._fill(pool, queue, running, width, on_start)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                wait(running)  # a broken pool fails every call still pending at once
                crashed = [job for f, job in running.items() if _outcome(f, job) is None]
                yield from (r for f, job in running.items() if (r := _outcome(f, job)))
                return crashed
            for future in done:
                job = running.pop(future)
                yield _outcome(future, job) or ClipResult(job.key, "failed", job.out_dir,
                                                          error=WORKER_DIED)
        return []

    @staticmethod
    def _fill(pool: ProcessPoolExecutor, queue: deque[ClipJob],
              running: dict[Future[ClipResult], ClipJob], width: int,
              on_start: StartCallback) -> bool:
        """Submit queued clips until ``width`` run; return True if the pool is already broken.

        A worker's death marks the pool broken a moment before it fails the
        pending calls, so a submit in between raises instead of returning a
        future: the clip goes back to the front of the queue.
        """
        while queue and len(running) < width:
            job = queue.popleft()
            try:
                future = pool.submit(run_in_worker, job)
            except BrokenProcessPool:
                queue.appendleft(job)
                return True
            running[future] = job
            on_start(job)
        return False

    def _fresh_pool(self, size: int) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = ProcessPoolExecutor(max_workers=max(size, 1), mp_context=_context(),
                                         initializer=_init_worker)
        return self._pool

    def _abort(self) -> None:
        """Cancel queued clips, interrupt the running ones and wait for the workers to exit.

        Running clips get SIGINT (again, if it came from the terminal) and stop
        at once; a worker stuck for ``_ABORT_WAIT_S`` is killed.
        """
        if self._pool is None:
            return
        # ProcessPoolExecutor has no public way to reach running calls: use its processes.
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGINT)
        for process in processes:
            process.join(timeout=_ABORT_WAIT_S)
            if process.is_alive():
                process.kill()
                process.join()
        self._pool.shutdown(wait=True)
