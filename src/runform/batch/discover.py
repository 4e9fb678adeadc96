"""Find the clips of a batch and map each one to its own result folder.

A clip's result folder mirrors its path relative to the input folder and keeps
the file's full name, extension included: ``squad/anna/run.mp4`` gives
``OUT/squad/anna/run.mp4/``. Two ``run.mp4`` in different subfolders, or
``run.mp4`` next to ``run.mov``, therefore never share a folder, and the
mapping of a clip does not change when other clips are added (so resuming
finds its results again).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from runform.errors import InputNotFoundError, OutputError

VIDEO_EXTENSIONS: tuple[str, ...] = (
    "mp4", "mov", "m4v", "avi", "mkv", "webm", "mts", "m2ts", "3gp", "3g2", "mpg", "mpeg",
    "wmv", "flv", "ogv", "mxf",
)  # fmt: skip
"""File extensions of the usual video containers (matched case-insensitively)."""

DEFAULT_PATTERNS: tuple[str, ...] = tuple(f"*.{ext}" for ext in VIDEO_EXTENSIONS)
"""Glob patterns used when ``--pattern`` is not given."""


@dataclass(frozen=True)
class Clip:
    """One video file of a batch."""

    path: Path
    """Absolute path of the video."""
    relative: PurePosixPath
    """Path relative to the input folder (forward slashes); the clip's identity."""

    @property
    def key(self) -> str:
        """The relative path as text, e.g. ``anna/run.mp4``."""
        return self.relative.as_posix()


def result_dir(out: Path, relative: PurePosixPath) -> Path:
    """Return the result folder of the clip at ``relative``: ``out/<relative path>/``."""
    return out.joinpath(*relative.parts)


def matches(relative: PurePosixPath, patterns: tuple[str, ...]) -> bool:
    """Tell whether a clip matches any glob pattern, ignoring case.

    A pattern without ``/`` is matched against the file name (``*.mp4``); a
    pattern with ``/`` against the whole relative path (``anna/*.mov``).
    """
    name, full = relative.name.lower(), relative.as_posix().lower()
    return any(fnmatchcase(full if "/" in p else name, p.lower()) for p in patterns)


def discover_clips(folder: Path, *, patterns: tuple[str, ...] = DEFAULT_PATTERNS,
                   recursive: bool = False, exclude: tuple[Path, ...] = ()) -> list[Clip]:
    """List the clips in ``folder``, sorted by relative path.

    Parameters
    ----------
    folder
        The input folder.
    patterns
        Glob patterns (case-insensitive); see :func:`matches`.
    recursive
        Also search subfolders.
    exclude
        Folders never searched (the batch's own output folder, when it lies
        inside the input folder, so results are not taken for clips).

    Notes
    -----
    Hidden files and folders (name starting with ``.``) are ignored: they
    include the temporary ``.*.partial`` files of an interrupted run.

    Raises
    ------
    InputNotFoundError
        If ``folder`` does not exist or is not a folder.
    """
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise InputNotFoundError(f"Expected a folder of videos, but {folder} {what}.")
    root = folder.resolve()
    skip = {p.resolve() for p in exclude}
    clips: list[Clip] = []
    for current, dirs, files in os.walk(root):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if recursive and not d.startswith(".")
                         and (here / d).resolve() not in skip)
        for name in files:
            relative = PurePosixPath((here / name).relative_to(root).as_posix())
            if not name.startswith(".") and matches(relative, patterns):
                clips.append(Clip(path=here / name, relative=relative))
    return sorted(clips, key=lambda c: c.relative.parts)


def check_output_folder(folder: Path, out: Path) -> None:
    """Refuse an output folder that would put result folders on top of the videos.

    Raises
    ------
    OutputError
        If ``out`` is the input folder itself (``OUT/run.mp4/`` would be the
        video ``run.mp4``).
    """
    if out.resolve() == folder.resolve():
        raise OutputError(f"Expected an output folder other than the input folder {folder}: "
                          "each clip's results go to a folder named like the clip. Choose "
                          "another --out.")
