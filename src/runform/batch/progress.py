"""Live progress of a batch on the terminal: clips done / total, running clips, ETA.

Silent when disabled (``--quiet``) or when stderr is not a terminal (logs, CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from runform.batch.jobs import ClipJob, ClipResult


class BatchDisplay:
    """Receives batch events; draws them when a rich ``Progress`` is attached.

    The bar counts the clips to analyse (reused results are not in it, so the
    ETA reflects real analysis speed); the line also shows the failures so far
    and the clips running now.
    """

    def __init__(self, progress: Progress | None = None) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._running: dict[str, None] = {}
        self.failed = 0

    def start(self, total: int, where: str) -> None:
        """Begin the bar for ``total`` clips analysed on ``where`` (e.g. "2 local workers")."""
        if self._progress is not None:
            self._task = self._progress.add_task(f"analysing on {where}", total=total,
                                                 failed="", current="")

    def clip_started(self, job: ClipJob) -> None:
        """Show ``job`` as running."""
        self._running[job.key] = None
        self._refresh()

    def clip_finished(self, result: ClipResult) -> None:
        """Count a finished clip (ok or failed) and stop showing it as running."""
        self._running.pop(result.key, None)
        self.failed += result.status == "failed"
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        self._refresh()

    @property
    def running(self) -> list[str]:
        """Keys of the clips running now, oldest first."""
        return list(self._running)

    def _refresh(self) -> None:
        if self._progress is None or self._task is None:
            return
        current = ", ".join(self._running)
        if len(current) > 60:
            current = "..." + current[-57:]
        self._progress.update(self._task, current=current,
                              failed=f"{self.failed} failed" if self.failed else "")


@contextmanager
def batch_display(*, enabled: bool, console: Console | None = None) -> Iterator[BatchDisplay]:
    """Yield a :class:`BatchDisplay`, drawing on stderr only if enabled and a terminal."""
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield BatchDisplay()
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TextColumn("clips"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn(),
               TextColumn("[red]{task.fields[failed]}"), TextColumn("{task.fields[current]}"))
    with Progress(*columns, console=console, transient=True) as progress:
        yield BatchDisplay(progress)
