"""Write the result folder of one analysis; the one place that knows the files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runform import __version__
from runform.errors import OutputError
from runform.output.atomic import write_json
from runform.output.landmarks import write_landmarks_csv

if TYPE_CHECKING:
    from runform.pipeline import Analysis
    from runform.pose.selection import SelectionReport

SCHEMA_VERSION = "0.1"
RESULT_FILES = ("summary.json", "landmarks.csv", "steps.csv", "frames.csv", "annotated.mp4",
                "report.html")
"""File names a result folder may hold (checked so the input is never overwritten)."""


def build_summary(analysis: Analysis) -> dict[str, Any]:
    """Assemble the ``summary.json`` content (before scoring) from an analysis."""
    info = analysis.video
    summary = {
        "schema_version": SCHEMA_VERSION,
        "runform_version": __version__,
        "input": {
            "path": str(info.path),
            "sha256": analysis.input_sha256,
            "codec": info.codec,
            "fps": info.fps,
            "frame_count": len(analysis.track),
            "duration_s": info.duration_s,
            "width": info.width,
            "height": info.height,
            "rotation": info.rotation,
        },
        "model": analysis.model.to_dict(),
        "config": analysis.config.to_dict(),
        "detection_rate": analysis.detection_rate,
        "people": {
            "seen": analysis.selection.people_seen,
            "max_in_one_frame": analysis.selection.max_simultaneous,
            "others_present": analysis.selection.people_seen > 1,
        },
        "warnings": list(analysis.warnings),
    }
    if analysis.measurement is not None:
        summary.update(analysis.measurement.to_summary())
    summary["warnings"] = list(analysis.warnings) + _people_warnings(analysis.selection)
    return summary


def _people_warnings(selection: SelectionReport) -> list[str]:
    """One line when someone besides the runner was in view (the summary's ``people``)."""
    if selection.max_simultaneous <= 1:
        return []
    others = max(selection.people_seen - 1, 1)
    who = "another person was" if others == 1 else f"{others} other people were"
    return [f"Besides the runner, {who} in view (up to {selection.max_simultaneous} people in "
            "one frame); runform measured the person who was largest in view over the clip. "
            "Check in the annotated video that this is the runner."]


def write_results(analysis: Analysis, out: Path, *,
                  progress: Callable[[int, int], None] | None = None) -> None:
    """Write every result file of ``analysis`` into ``out`` (atomically, one by one).

    ``summary.json`` is written last, so its presence means the folder is complete.
    ``progress`` reports (frames done, frames expected) while the annotated
    video is drawn.

    Raises
    ------
    OutputError
        If an earlier run's ``summary.json`` cannot be removed first (it would
        otherwise vouch for a folder that is being rewritten).
    """
    summary_path = out / "summary.json"
    try:
        summary_path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"Could not replace {summary_path}: {exc.strerror or exc}.") from exc
    landmarks = out / "landmarks.csv"
    write_landmarks_csv(landmarks, analysis.track)
    analysis.outputs["landmarks"] = landmarks
    if analysis.measurement is not None:
        from runform.output.review import write_review_files
        from runform.scoring import load_profile

        analysis.outputs.update(write_review_files(
            out, measurement=analysis.measurement, summary=analysis.summary,
            video=analysis.video.path, profile=load_profile(analysis.config.profile),
            speed_kmh=analysis.config.speed_kmh, write_video=analysis.config.write_video,
            progress=progress))
    write_json(summary_path, analysis.summary)
    analysis.outputs["summary"] = summary_path
