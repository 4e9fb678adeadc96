"""The files a person or a program reviews: annotated video, report, steps and frames tables.

:func:`write_review_files` is what :func:`runform.output.results.write_results`
and ``runform report`` call once the summary is scored; ``summary.json``
itself is written by the caller, last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runform.annotate import scene_from_measurement, value_classifier
from runform.annotate.scene import contact_frame
from runform.output.plots import PlotBand, bands_from_profile
from runform.output.report import (
    Chart,
    ReportData,
    build_charts,
    build_stills,
    select_stills,
    write_report,
)
from runform.output.tables import write_frames_csv, write_steps_csv
from runform.output.video import read_frames, write_annotated_video

if TYPE_CHECKING:
    from runform.measure import Measurement
    from runform.scoring import Profile

ProgressCallback = Callable[[int, int], None]

VIDEO_FILE = "annotated.mp4"
REPORT_FILE = "report.html"
STEPS_FILE = "steps.csv"
FRAMES_FILE = "frames.csv"
REVIEW_FILES = (VIDEO_FILE, REPORT_FILE, STEPS_FILE, FRAMES_FILE)
"""Files written by :func:`write_review_files`."""

FILE_DESCRIPTIONS: dict[str, str] = {
    "summary.json": "the whole result (metrics, scores, steps, drift, settings, provenance)",
    STEPS_FILE: "one row per foot contact",
    FRAMES_FILE: "one row per frame: time, angles, cleaned landmarks (pixels)",
    "landmarks.csv": "the raw pose track from the pose model (pixels)",
    VIDEO_FILE: "the annotated video (H.264)",
}


def write_review_files(out: Path, *, measurement: Measurement, summary: Mapping[str, Any],
                       video: Path | None, profile: Profile | None = None,
                       speed_kmh: float | None = None, write_video: bool = True,
                       progress: ProgressCallback | None = None) -> dict[str, Path]:
    """Write ``annotated.mp4``, ``steps.csv``, ``frames.csv`` and ``report.html`` into ``out``.

    Parameters
    ----------
    out
        The result folder (must exist).
    measurement
        The clip's measurement (cleaned track, events, per-frame series).
    summary
        The scored summary, as it will be written to ``summary.json``.
    video
        The analysed video, decoded again for the annotated video and the
        report's still frames; None (or a missing file) skips both.
    profile
        The scoring profile the summary was scored with: gives the live
        panel's per-value colours and the charts' typical ranges.
    speed_kmh
        Treadmill speed, for pace-dependent ranges.
    write_video
        Write ``annotated.mp4`` (the report then embeds it).
    progress
        Optional (frames done, frames expected) callback for the video pass.

    Returns
    -------
    dict
        Paths written, by kind: ``video``, ``steps``, ``frames``, ``report``.
    """
    classify = value_classifier(summary, profile, speed_kmh=speed_kmh) if profile else None
    scene = scene_from_measurement(measurement, summary, classify=classify)
    steps = list(summary.get("steps") or measurement.steps)
    chosen = select_stills(steps)
    track = measurement.cleaned.track
    wanted = {contact_frame(step, track.time) for _, step in chosen}
    written: dict[str, Path] = {}
    source = video if video is not None and video.is_file() else None
    bands = bands_from_profile(profile, speed_kmh) if profile else {}
    # The tables and charts are Python work; the video pass (or the still frames' decoding)
    # spends its time in FFmpeg and OpenCV with the GIL released, so the two overlap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="runform-tables") as pool:
        tables = pool.submit(_write_tables_and_charts, out, measurement, summary, steps, bands)
        if source is not None and write_video:
            images = write_annotated_video(source, out / VIDEO_FILE, scene, stills=wanted,
                                           progress=progress)
            written["video"] = out / VIDEO_FILE
        else:
            images = (read_frames(source, wanted, frame_count=len(track))
                      if source is not None else {})
        charts = tables.result()
    written["steps"] = out / STEPS_FILE
    written["frames"] = out / FRAMES_FILE
    stills = build_stills(scene, images, chosen, summary.get("metrics"))
    present = [name for name in FILE_DESCRIPTIONS
               if name == "summary.json" or name in {p.name for p in written.values()}
               or (name == "landmarks.csv" and (out / name).is_file())]
    data = ReportData(summary=summary, charts=charts, stills=stills,
                      video=VIDEO_FILE if "video" in written else None,
                      files=[(name, FILE_DESCRIPTIONS[name]) for name in present])
    write_report(out / REPORT_FILE, data)
    written["report"] = out / REPORT_FILE
    return written


def _write_tables_and_charts(out: Path, measurement: Measurement, summary: Mapping[str, Any],
                             steps: list[Mapping[str, Any]],
                             bands: Mapping[str, PlotBand]) -> list[Chart]:
    """Write ``steps.csv`` and ``frames.csv`` and draw the report's charts."""
    write_steps_csv(out / STEPS_FILE, steps)
    track = measurement.cleaned.track
    write_frames_csv(out / FRAMES_FILE, track, measurement.series, steps)
    return build_charts(summary, track.time, measurement.series, bands,
                        stride_s=measurement.events.stride_period_s)
