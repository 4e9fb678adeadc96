"""Fast CSV writing of numeric tables (one row per frame, hundreds of columns).

``landmarks.csv`` and ``frames.csv`` hold a value per landmark coordinate per
frame: 4.8 million cells for 20 minutes at 30 fps. Formatting them one by one
in Python (a function call and an f-string per cell) took ~20 s per file;
here each row is formatted by one ``%`` operation on a row format, chunk by
chunk, and missing values are blanked by string replacement. The output is
byte for byte what :mod:`csv` with its default dialect writes (comma
separated, CRLF line ends, nothing quoted: numbers never need it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

CHUNK_ROWS = 2000
"""Rows formatted per chunk (bounds the memory of the text held at once)."""
NOT_FINITE = ("-inf", "inf", "nan")
"""How ``%f`` writes non-finite values (``-inf`` first: it contains ``inf``)."""


def row_format(formats: Sequence[str]) -> str:
    """Join per-column ``%`` formats (e.g. ``"%.3f"``) into a CSV row format (CRLF-ended)."""
    return ",".join(formats) + "\r\n"


def format_rows(fmt: str, rows: FloatArray, blank: Sequence[str]) -> str:
    """Format a 2D block of rows with a row format; the words in ``blank`` become empty cells.

    Parameters
    ----------
    fmt
        From :func:`row_format`, one ``%`` conversion per column (``%d`` for
        whole numbers held as floats, ``%.3f``...).
    rows
        Values, shape (n, columns).
    blank
        Words to empty, among :data:`NOT_FINITE` (``"nan"`` alone keeps
        infinities written as ``inf``); ``-inf`` must come before ``inf``.

    Returns
    -------
    str
        The rows' text, each ended by CRLF.
    """
    text = "".join([fmt % tuple(row) for row in rows.tolist()])
    for word in blank:
        text = text.replace(word, "")
    return text


def write_rows(handle: TextIO, fmt: str, columns: Sequence[FloatArray],
               blank: Sequence[str]) -> None:
    """Write the rows made of ``columns`` (2D blocks side by side), chunk by chunk.

    Parameters
    ----------
    handle
        Text file opened with ``newline=""``.
    fmt
        Row format from :func:`row_format`.
    columns
        2D arrays with the same number of rows, concatenated along columns
        (one chunk at a time, so no full-size copy is made).
    blank
        See :func:`format_rows`.
    """
    n = columns[0].shape[0] if columns else 0
    for start in range(0, n, CHUNK_ROWS):
        chunk = np.concatenate([np.asarray(c[start:start + CHUNK_ROWS], dtype=np.float64)
                                for c in columns], axis=1)
        handle.write(format_rows(fmt, chunk, blank))
