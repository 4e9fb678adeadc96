"""Rebuild a saved result without running the pose model again (``runform report``).

The raw pose track is read back from ``landmarks.csv``; the track is cleaned,
measured and scored again with the current code and profile, and the review
files (annotated video, report, tables) and ``summary.json`` are rewritten.
Use it after changing the scoring profile, or to add the annotated video to
a result analysed with ``--no-video``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runform import __version__
from runform.config import AnalysisConfig
from runform.errors import InputNotFoundError, ResultReadError
from runform.output.atomic import write_json
from runform.output.landmarks_reader import read_landmarks_csv

ProgressCallback = Callable[[int, int], None]

MEASURED_KEYS = ("view", "facing", "near_side", "scale", "events", "cleaning", "metrics",
                 "steps", "drift", "score", "health_note")
"""Summary keys recomputed by a rebuild; every other key (input, model, people...) is kept."""


@dataclass
class Rebuilt:
    """What :func:`rebuild_report` wrote."""

    summary: dict[str, Any]
    """The new ``summary.json`` content."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """Files written, by kind (``video``, ``report``, ``steps``, ``frames``, ``summary``)."""
    warnings: list[str] = field(default_factory=list)


def read_summary(result_dir: Path) -> dict[str, Any]:
    """Load ``summary.json`` of a result folder.

    Raises
    ------
    ResultReadError
        If the folder or the file is missing, or the file is not a runform
        summary.
    """
    if not result_dir.is_dir():
        raise ResultReadError(f"Expected a runform result folder, but {result_dir} is not a "
                              "folder.")
    path = result_dir / "summary.json"
    if not path.is_file():
        raise ResultReadError(f"Expected {path} in the result folder, but it is missing (was "
                              "the analysis interrupted?).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultReadError(f"Expected JSON in {path}, but it could not be read: {exc}.") \
            from exc
    if not isinstance(data, dict) or not isinstance(data.get("input"), dict):
        raise ResultReadError(f"Expected a runform summary with an 'input' section in {path}, "
                              "but found something else.")
    return data


def config_from_summary(summary: dict[str, Any], *, profile: Path | None = None,
                        write_video: bool = True) -> AnalysisConfig:
    """Return the analysis settings recorded in a summary, with a new profile if given.

    Raises
    ------
    ResultReadError
        If the recorded settings are invalid.
    """
    saved = summary.get("config") or {}
    saved_profile = saved.get("profile")
    try:
        return AnalysisConfig(
            model=str(saved.get("model") or "full"), height_cm=saved.get("height_cm"),
            speed_kmh=saved.get("speed_kmh"), slowmo=float(saved.get("slowmo") or 1.0),
            write_video=write_video, max_people=int(saved.get("max_people") or 2),
            profile=profile or (Path(saved_profile) if saved_profile else None),
            extra=dict(saved.get("extra") or {}))
    except (TypeError, ValueError) as exc:
        raise ResultReadError(f"Expected valid settings in summary.json, but {exc}") from exc


def rebuild_report(result_dir: Path, *, profile: Path | None = None, video: Path | None = None,
                   write_video: bool = True, check_video: bool = True,
                   progress: ProgressCallback | None = None) -> Rebuilt:
    """Re-measure and re-score a saved result and rewrite its review files.

    Parameters
    ----------
    result_dir
        A folder written by ``runform analyze`` (holds ``summary.json`` and
        ``landmarks.csv``).
    profile
        Scoring profile to use instead of the one recorded (None keeps the
        recorded one, or the built-in profile).
    video
        The analysed video, when it is no longer at the path recorded in
        ``summary.json``.
    write_video
        Rewrite ``annotated.mp4``. Without it (or without the video) the
        report has no video and no still frames.
    check_video
        Refuse a video whose sha256 differs from the analysed one.
    progress
        Optional (frames done, frames expected) callback for the video pass.

    Returns
    -------
    Rebuilt
        The new summary and the files written; ``summary.json`` last.

    Raises
    ------
    ResultReadError
        If the result folder is incomplete or unreadable.
    InputNotFoundError
        If the video is needed but missing, or is not the analysed video.
    runform.errors.ProfileError
        If the profile is invalid.
    """
    from runform.measure import measure
    from runform.output.review import write_review_files
    from runform.scoring import load_profile, score_summary

    old = read_summary(result_dir)
    config = config_from_summary(old, profile=profile, write_video=write_video)
    scoring_profile = load_profile(config.profile)
    source = _video_source(old, video, needed=write_video, check=check_video)
    info = old["input"]
    track = read_landmarks_csv(result_dir / "landmarks.csv", width=int(info["width"]),
                               height=int(info["height"]))
    measurement = measure(track, config)
    summary = {k: v for k, v in old.items() if k not in MEASURED_KEYS}
    summary.update(measurement.to_summary())
    summary["runform_version"] = __version__
    summary["config"] = config.to_dict()
    summary["warnings"] = list(dict.fromkeys([*old.get("warnings", []),
                                              *measurement.warnings]))
    scored = score_summary(summary, scoring_profile, speed_kmh=config.speed_kmh,
                           facing=measurement.cleaned.facing)
    outputs = write_review_files(result_dir, measurement=measurement, summary=scored,
                                 video=source, profile=scoring_profile,
                                 speed_kmh=config.speed_kmh,
                                 write_video=write_video and source is not None,
                                 progress=progress)
    write_json(result_dir / "summary.json", scored)
    outputs["summary"] = result_dir / "summary.json"
    return Rebuilt(summary=scored, outputs=outputs, warnings=list(scored["warnings"]))


def _video_source(summary: dict[str, Any], video: Path | None, *, needed: bool,
                  check: bool) -> Path | None:
    """Return the analysed video (``video`` if given, else the recorded path), or None."""
    recorded = summary["input"].get("path")
    path = video or (Path(recorded) if recorded else None)
    if path is None or not path.is_file():
        if not needed:
            return None
        where = f"{path}" if path is not None else "no path recorded"
        raise InputNotFoundError(f"Expected the analysed video to draw the annotated video, "
                                 f"but it is not there ({where}); pass --video PATH, or "
                                 "--no-video for a report without video.")
    expected = summary["input"].get("sha256")
    if check and expected:
        from runform.pose.models import sha256_file

        found = sha256_file(path)
        if found != expected:
            raise InputNotFoundError(f"Expected the analysed video (sha256 {expected[:12]}...), "
                                     f"but {path.name} is a different file (sha256 "
                                     f"{found[:12]}...).")
    return path
