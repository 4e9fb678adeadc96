"""Read ``landmarks.csv`` back into a :class:`~runform.pose.track.PoseTrack`.

The inverse of :func:`runform.output.landmarks.write_landmarks_csv`: lets
``runform report`` re-measure a saved result without running the pose model.
World landmarks are not saved, so they come back as NaN.
"""

from __future__ import annotations

import csv
import io
from itertools import islice
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt

from runform.errors import ResultReadError
from runform.output.landmarks import landmark_columns
from runform.pose.schema import LANDMARK_NAMES
from runform.pose.track import PoseTrack

READ_CHUNK_ROWS = 2000
"""Rows parsed at a time (bounds the text held at once)."""


def read_landmarks_csv(path: Path, *, width: int, height: int) -> PoseTrack:
    """Load a raw pose track written by ``write_landmarks_csv``.

    Parameters
    ----------
    path
        The ``landmarks.csv`` file.
    width, height
        Size of the upright frames the pixels refer to (``summary.json``
        ``input.width`` and ``input.height``).

    Returns
    -------
    PoseTrack
        Time in real seconds; empty cells become NaN; ``world`` is NaN.

    Raises
    ------
    ResultReadError
        If the file is missing, has other columns, or holds non-numbers.
    """
    if not path.is_file():
        raise ResultReadError(f"Expected the pose track {path}, but it does not exist.")
    expected = landmark_columns()
    with path.open(newline="", encoding="utf-8") as handle:
        first = handle.readline()
        header = next(csv.reader([first]), None) if first else None
        if header != expected:
            found = "an empty file" if header is None else f"{len(header)} columns"
            raise ResultReadError(f"Expected {path.name} with the {len(expected)} columns "
                                  f"time_s, nose_x, ... written by runform, but found {found}.")
        try:
            data = _read_numbers(handle, len(expected))
        except ValueError as exc:
            raise ResultReadError(f"Expected numbers in {path.name}, but {exc}.") from exc
    if data.shape[0] == 0:
        raise ResultReadError(f"Expected at least one frame in {path.name}, but it has none.")
    block = data[:, 1:].reshape(data.shape[0], len(LANDMARK_NAMES), 4)
    try:
        return PoseTrack.from_arrays(data[:, 0], block[..., :2], width=width, height=height,
                                     depth=block[..., 2], visibility=block[..., 3])
    except ValueError as exc:
        raise ResultReadError(f"Expected a valid pose track in {path.name}, but {exc}") from exc


def _read_numbers(handle: TextIO, columns: int) -> npt.NDArray[np.float64]:
    """Parse the rows after the header, a chunk of lines at a time, with NumPy's C parser.

    Empty cells (missing values) become ``nan`` first. Raises ValueError for
    a cell that is not a number or a row of another length.
    """
    blocks = [np.empty((0, columns))]
    while lines := list(islice(handle, READ_CHUNK_ROWS)):
        text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        for _ in range(2):  # ",,," needs two passes: replacements do not overlap
            text = text.replace(",,", ",nan,")
        text = text.replace(",\r\n", ",nan\r\n").replace(",\n", ",nan\n")
        text = "\n".join(f"nan{line}" if line.startswith(",") else line
                         for line in text.split("\n"))
        block = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2)
        if block.shape[1] != columns:
            raise ValueError(f"its rows have {block.shape[1]} values, not {columns}")
        blocks.append(block)
    return np.concatenate(blocks)
