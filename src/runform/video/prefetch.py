"""Run an iterator in a background thread so decoding overlaps the pose model."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(items: Iterator[T], *, depth: int = 4) -> Iterator[T]:
    """Yield ``items`` while a worker thread produces the next ones.

    Parameters
    ----------
    items
        Any iterator (e.g. :func:`runform.video.iter_frames`). PyAV and NumPy
        release the GIL while decoding and converting, so the producer runs in
        parallel with the consumer.
    depth
        How many items may wait in the queue: bounds memory to ``depth`` frames.

    Notes
    -----
    An exception raised by the producer is re-raised in the consumer at the
    point it occurred. If the consumer stops early, the producer is told to
    stop and the source iterator is closed.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(buffer, item, stop):
                    return
            _put(buffer, _DONE, stop)
        except BaseException as exc:  # handed over to the consumer, not swallowed
            _put(buffer, _Failure(exc), stop)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="runform-prefetch", daemon=True)
    worker.start()
    try:
        while (item := buffer.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5.0)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _put(buffer: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            buffer.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
