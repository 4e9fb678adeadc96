"""The analysis pipeline: video -> pose track -> measurements -> result files.

:func:`analyze` is the public entry point used by the CLI, the batch runner and
notebooks.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runform.config import AnalysisConfig
from runform.errors import NoRunnerError, OutputError
from runform.output.atomic import ensure_dir
from runform.pose.estimator import MediaPipePoseEstimator, PoseEstimator
from runform.pose.models import ModelFile, resolve_model, sha256_file
from runform.pose.selection import RunnerSelector, SelectionReport
from runform.pose.track import PoseTrack
from runform.scoring import load_profile, score_summary
from runform.video.prefetch import prefetch
from runform.video.reader import ReadReport, VideoInfo, iter_frames, probe_video

if TYPE_CHECKING:
    from runform.measure import Measurement

ProgressCallback = Callable[[int, int], None]
"""Called with (frames done, frames expected) while the pose model runs."""


@dataclass
class Analysis:
    """Everything one analysis produced."""

    video: VideoInfo
    input_sha256: str
    model: ModelFile
    config: AnalysisConfig
    track: PoseTrack
    """The runner's raw pose track (time in real seconds)."""
    selection: SelectionReport
    measurement: Measurement | None = None
    """Cleaned track, gait events and metrics (None only before measuring)."""
    summary: dict[str, Any] = field(default_factory=dict)
    """The content of ``summary.json``."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """Files written, by kind (``summary``, ``landmarks``...)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def detection_rate(self) -> float:
        """Share of frames with the runner found."""
        return self.track.detection_rate


def default_output_dir(video: Path) -> Path:
    """``runform-output/<video stem>/`` in the current folder."""
    return Path("runform-output") / video.stem


def analyze(video: str | Path, config: AnalysisConfig | None = None, *,
            out_dir: str | Path | None = None, estimator: PoseEstimator | None = None,
            progress: ProgressCallback | None = None) -> Analysis:
    """Analyse one side-view running clip and write the result folder.

    Parameters
    ----------
    video
        Path to the video file (any format FFmpeg reads).
    config
        Analysis settings; defaults to :class:`AnalysisConfig`.
    out_dir
        Result folder; defaults to :func:`default_output_dir`.
    estimator
        Pose estimator to use instead of MediaPipe (tests feed synthetic
        landmarks this way).
    progress
        Optional callback reporting frames processed.

    Returns
    -------
    Analysis
        The pose track, the summary and the paths written.

    Raises
    ------
    runform.errors.RunformError
        For any problem with the input, the model or the output folder.
    """
    config = config or AnalysisConfig()
    path = Path(video)
    info = probe_video(path)
    out = Path(out_dir) if out_dir is not None else default_output_dir(path)
    _refuse_overwriting_input(path, out)
    model = resolve_model(config.model)
    profile = load_profile(config.profile)
    read = ReadReport()
    input_sha256 = _Background(sha256_file, path)  # hashlib releases the GIL: a free core does it
    owned = estimator is None
    est = estimator or pose_estimator(model, config)
    try:
        # Started once the model has loaded, so that these imports (which hold the GIL) do not
        # slow down importing MediaPipe; they overlap the pose model instead.
        warm = _warm_up_imports()
        track, selection = extract_pose(path, info, config, model, estimator=est,
                                        progress=progress, read_report=read)
    finally:
        if owned:
            est.close()
    warm.join()
    from runform.measure import measure
    from runform.output.results import build_summary, write_results

    if not track.detected.any():
        raise NoRunnerError(f"Expected a runner in {path.name}, but no person was detected in "
                            f"any of its {len(track)} frames.")
    measurement = measure(track, config)
    analysis = Analysis(video=info, input_sha256=input_sha256.result(), model=model,
                        config=config,
                        track=track, selection=selection, measurement=measurement,
                        warnings=_read_warnings(read, path) + measurement.warnings)
    analysis.summary = score_summary(build_summary(analysis), profile,
                                     speed_kmh=config.speed_kmh,
                                     facing=measurement.cleaned.facing)
    ensure_dir(out)
    write_results(analysis, out)
    return analysis


def extract_pose(path: Path, info: VideoInfo, config: AnalysisConfig, model: ModelFile, *,
                 estimator: PoseEstimator | None = None,
                 progress: ProgressCallback | None = None,
                 read_report: ReadReport | None = None) -> tuple[PoseTrack, SelectionReport]:
    """Run the pose estimator over every frame and keep the runner.

    Times passed to the estimator are on the video clock (milliseconds); the
    returned track is on the real clock (divided by ``config.slowmo``). Pass a
    ``read_report`` to learn afterwards whether the file decoded whole.
    """
    owned = estimator is None
    est: PoseEstimator = estimator or pose_estimator(model, config)
    selector = RunnerSelector()
    try:
        for frame in prefetch(iter_frames(path, report=read_report)):
            people = est.detect(frame.image, estimator_time_ms(frame.time_s))
            selector.add(frame.time_s / config.slowmo, people)
            if progress is not None:
                progress(frame.index + 1, info.frame_count)
    finally:
        if owned:
            est.close()
    return selector.result(info.width, info.height)


def pose_estimator(model: ModelFile, config: AnalysisConfig) -> MediaPipePoseEstimator:
    """Return the MediaPipe estimator :func:`extract_pose` runs, with its options.

    ``benchmarks/bench.py`` builds its pure-inference baseline here too, so the
    baseline drives MediaPipe exactly as an analysis does.
    """
    return MediaPipePoseEstimator(model.path, max_people=config.max_people)


def estimator_time_ms(time_s: float) -> int:
    """Return the estimator timestamp (ms) of a frame shown at ``time_s`` on the video clock."""
    return int(round(time_s * 1000.0))


_AFTER_POSE_MODULES = ("runform.measure", "runform.output.results", "runform.output.review")
"""Imported while the pose model runs: scipy, matplotlib and friends take 1-2 s to load."""


def _warm_up_imports() -> threading.Thread:
    """Import the post-pose stages in a background thread, overlapping the pose model."""

    def load() -> None:
        try:
            for name in _AFTER_POSE_MODULES:
                importlib.import_module(name)
        except ImportError:
            return  # the pipeline imports them again after the pose model and reports it

    thread = threading.Thread(target=load, name="runform-imports", daemon=True)
    thread.start()
    return thread


class _Background:
    """Run ``fn(*args)`` in a daemon thread; :meth:`result` waits and returns (or re-raises)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = fn(*args)
            except BaseException as exc:  # handed to the caller of result(), not swallowed
                self._error = exc

        self._thread = threading.Thread(target=run, name="runform-background", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        """Wait for the call to finish and return its value, or raise its exception."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _read_warnings(read: ReadReport, path: Path) -> list[str]:
    warning = read.warning(path.name)
    return [warning] if warning else []


def _refuse_overwriting_input(video: Path, out: Path) -> None:
    from runform.output.results import RESULT_FILES

    target = video.resolve()
    for name in RESULT_FILES:
        if (out / name).resolve() == target:
            raise OutputError(f"Refusing to write {name} over the input video; choose another "
                              "--out folder.")
