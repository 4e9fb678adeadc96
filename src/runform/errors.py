"""Exceptions raised by runform.

Every error a user can cause derives from :class:`RunformError`; the CLI maps
it to a one-line message and exit code 1. Messages are plain text and say what
was expected and what was found.
"""

from __future__ import annotations


class RunformError(Exception):
    """Base class of all errors a user can cause (bad input, missing model...)."""


class InputNotFoundError(RunformError):
    """The input path does not exist or is not a regular file."""


class VideoReadError(RunformError):
    """The input could not be decoded as a video."""


class ModelError(RunformError):
    """The pose model file is missing, corrupt or unknown."""


class NoRunnerError(RunformError):
    """No person was detected in the video."""


class OutputError(RunformError):
    """Results could not be written (read-only, full disk, would overwrite input)."""


class ProfileError(RunformError):
    """A scoring profile file is missing or invalid."""


class ResultReadError(RunformError):
    """A saved result folder is missing a file or holds one that cannot be read."""
