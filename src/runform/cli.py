"""The ``runform`` command line: parse options, call the pipeline, map errors to exit codes.

Exit codes: 0 success, 1 a problem with the input, model or output (one-line
message on stderr), 2 a usage mistake (typer's own message), 130 Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from runform import __version__

app = typer.Typer(
    name="runform",
    help=(
        "Check running form from a side-view treadmill video.\n\n"
        "Film the runner from the side: camera square to the belt at hip height, 3-5 m away, "
        "head to feet in frame, one runner, 60 fps or more if you can, 10-20 s of steady "
        "running.\n\n"
        "runform finds the body landmarks in every frame (MediaPipe Pose), detects each foot "
        "contact, measures cadence, trunk lean, head position, arm carriage, overstriding, foot "
        "strike, knee flexion, vertical oscillation and contact time, and scores them against "
        "published guidance, saying plainly where no validated cut-off exists.\n\n"
        "Each clip gets a result folder (default runform-output/<video name>/) holding "
        "report.html, an annotated video, summary.json and CSVs; the scorecard is also printed. "
        "Everything runs offline.\n\n"
        "Examples\n--------\n"
        "  runform analyze run.mp4 --height-cm 178 --speed-kmh 12\n"
        "  runform batch squad/ --recursive\n"
        "  runform report runform-output/run --profile my_profile.toml\n\n"
        "Exit codes: 0 success, 1 a problem with the input, model or output (one line on "
        "stderr), 2 a usage mistake, 130 interrupted."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_finished = False
"""Set once a command has written and closed every file it makes (see :func:`main`)."""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"runform {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Check running form from a side-view treadmill video."""


# The options shared by the commands, defined once. ``--out`` and ``--no-video`` mean
# something slightly different per command, so only their help text is per command.
ModelOpt = Annotated[str, typer.Option(
    "--model", "-m", help="Pose model: lite (fastest), full (default), heavy (most accurate, "
    "slow; build it first, see models/README.md) or a path to a Pose Landmarker .task file.")]
HeightOpt = Annotated[float | None, typer.Option(
    "--height-cm", min=80, max=250,
    help="Runner's height in cm. Gives distances in cm (overstride, vertical oscillation).")]
SpeedOpt = Annotated[float | None, typer.Option(
    "--speed-kmh", min=3, max=40,
    help="Treadmill speed in km/h. Enables step length, vertical ratio and pace-aware ranges.")]
SlowmoOpt = Annotated[float, typer.Option(
    "--slowmo", min=1, max=64,
    help="Slow-motion factor: capture fps / playback fps (240 fps played at 30 fps = 8).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
OpenOpt = Annotated[bool, typer.Option("--open", help="Open report.html in the web browser.")]
JsonOpt = Annotated[bool, typer.Option(
    "--json", help="Print summary.json to stdout and nothing else there (messages and "
    "progress go to stderr), e.g. to pipe into jq.")]
ProfileOpt = Annotated[Path | None, typer.Option(
    "--profile", exists=True, dir_okay=False,
    help="Scoring profile (TOML) overriding the built-in thresholds (see README, Scoring).",
    show_default=False)]


def _out_option(help_text: str) -> Any:
    """``--out/-o DIR``, the folder a command writes to."""
    return typer.Option("--out", "-o", help=help_text, show_default=False)


def _no_video_option(help_text: str) -> Any:
    """``--no-video``, skip writing annotated.mp4."""
    return typer.Option("--no-video", help=help_text)


@contextmanager
def _exit_codes(interrupted: str) -> Iterator[None]:
    """Turn what a command raises into one line on stderr and an exit code.

    A :class:`~runform.errors.RunformError` (bad input, model or output) prints
    ``error: <message>`` and exits 1. Ctrl-C prints ``interrupted: <interrupted>``
    and exits 130; an interrupt that carries a message (a
    :class:`~runform.batch.BatchInterrupted` carries the count of finished
    clips) has it printed first. Anything else is a bug and keeps its
    traceback. Usage mistakes never get here: typer rejects them, exit 2,
    before the command runs.

    Parameters
    ----------
    interrupted
        What the user should know after Ctrl-C (what was kept, what to do).
    """
    from runform.errors import RunformError

    try:
        yield
    except RunformError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt as exc:
        done = f"{exc}. " if str(exc) else ""
        err.print(f"[red]interrupted:[/red] {escape(done + interrupted)}")
        raise typer.Exit(code=130) from None


@app.command()
def analyze(
    video: Annotated[Path, typer.Argument(help="Side-view running video (mp4, mov, ...).",
                                          show_default=False)],
    out: Annotated[Path | None, _out_option(
        "Result folder. Default: runform-output/<video name>/.")] = None,
    model: ModelOpt = "full",
    height_cm: HeightOpt = None,
    speed_kmh: SpeedOpt = None,
    slowmo: SlowmoOpt = 1.0,
    no_video: Annotated[bool, _no_video_option("Skip the annotated video (faster).")] = False,
    profile: ProfileOpt = None,
    open_report: OpenOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse one running video and write its result folder.

    The folder gets report.html (open it in a browser), annotated.mp4,
    summary.json, steps.csv (one row per foot contact), frames.csv and
    landmarks.csv; the scorecard is printed here. Add --height-cm for
    distances in cm and --speed-kmh for step length and pace-aware ranges.

    Examples
    --------
      runform analyze sample_videos/good_form.mp4
      runform analyze run.mp4 --height-cm 178 --speed-kmh 12 --open
      runform analyze slowmo.mov --slowmo 8 --no-video
      runform analyze run.mp4 --json | jq .metrics.cadence_spm.value
    """
    from runform.config import AnalysisConfig
    from runform.pipeline import analyze as run_analysis
    from runform.pipeline import default_output_dir

    config = AnalysisConfig(model=model, height_cm=height_cm, speed_kmh=speed_kmh,
                            slowmo=slowmo, write_video=not no_video, profile=profile)
    target = out or default_output_dir(video)
    with (_exit_codes("no result was written for this clip."),
          _progress(quiet, video.name) as progress):
        analysis = run_analysis(video, config, out_dir=target, progress=progress)
    _show_result(analysis.summary, analysis.outputs, analysis.detection_rate,
                 analysis.warnings, quiet=quiet, as_json=as_json, open_report=open_report)
    _done()


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="Folder of running videos.", show_default=False)],
    out: Annotated[Path | None, _out_option(
        "Output folder: one result folder per clip (mirroring its path in FOLDER), batch.csv, "
        "batch.json and index.html. Default: batch-<folder name>/ in runform-output/.")] = None,
    recursive: Annotated[bool, typer.Option("--recursive", "-r",
                                            help="Also analyse clips in subfolders.")] = False,
    pattern: Annotated[list[str] | None, typer.Option(
        "--pattern", "-p", help="Glob of the clips to analyse, case-insensitive (repeat for "
        "several). Default: the usual video extensions (mp4, mov, m4v, avi, mkv, webm, mts, "
        "3gp...).", show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, help="Clips analysed at once on this machine. Default: "
        "the fastest setting measured on this kind of machine (see docs/batch.md).",
        show_default=False)] = None,
    resume: Annotated[bool, typer.Option(
        "--resume/--no-resume", help="Reuse the results of clips already analysed from the "
        "same file with the same settings.")] = True,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Send the clips to this Dask scheduler (tcp://host:8786 or a "
        "scheduler file) instead of local processes; needs pip install 'runform\\[cluster]'.",
        show_default=False)] = None,
    model: ModelOpt = "full",
    height_cm: HeightOpt = None,
    speed_kmh: SpeedOpt = None,
    slowmo: SlowmoOpt = 1.0,
    no_video: Annotated[bool, _no_video_option("Skip the annotated videos (faster).")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse every clip in a folder, in parallel and resumable, and tabulate the results.

    Each clip gets the result folder runform analyze would write, under
    --out at the clip's path in FOLDER; batch.csv and batch.json hold one
    row per clip and index.html links them all. Failed clips are listed on
    stderr and the rest carry on. Run the same command again to analyse
    only the clips that are new, changed or failed before.

    Exit code 0 when every clip succeeded (or was reused), 1 when any failed.

    Examples
    --------
      runform batch squad/ --recursive --height-cm 175 --out squad-results
      runform batch clips/ --pattern '*_side.mp4' --workers 2 --no-video
    """
    from runform.batch import DEFAULT_PATTERNS, BatchOptions, run_batch
    from runform.config import AnalysisConfig

    config = AnalysisConfig(model=model, height_cm=height_cm, speed_kmh=speed_kmh,
                            slowmo=slowmo, write_video=not no_video)
    options = BatchOptions(folder=folder, out=out, config=config,
                           patterns=tuple(pattern or DEFAULT_PATTERNS), recursive=recursive,
                           workers=workers, resume=resume, scheduler=scheduler)
    with _exit_codes("Finished clips are complete; run the same command again to analyse "
                     "the rest."):
        report = run_batch(options, show_progress=not quiet)
    for failed in report.failed:
        err.print(f"[red]failed:[/red] {escape(failed.key)}: {escape(failed.error)}")
    if not quiet:
        typer.echo(report.summary_line())
        typer.echo(f"  {'index':<10} {report.outputs['index']}")
    raise typer.Exit(code=report.exit_code)


@app.command()
def report(
    result_dir: Annotated[Path, typer.Argument(
        help="A result folder written by runform analyze.", show_default=False)],
    profile: ProfileOpt = None,
    video: Annotated[Path | None, typer.Option(
        "--video", exists=True, dir_okay=False,
        help="The analysed video, if it has moved since the analysis.",
        show_default=False)] = None,
    no_video: Annotated[bool, _no_video_option(
        "Rebuild the report without the annotated video.")] = False,
    open_report: OpenOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rebuild the annotated video and the report of a saved result, without the pose model.

    The pose track saved in landmarks.csv is measured and scored again by
    this version of runform (with --profile, against other thresholds;
    otherwise with the profile used before). annotated.mp4, report.html,
    steps.csv, frames.csv and summary.json are rewritten in place.

    Examples
    --------
      runform report runform-output/good_form --profile my_profile.toml --open
      runform report runform-output/good_form --video moved/good_form.mp4
    """
    from runform.rebuild import rebuild_report

    with (_exit_codes("files already rewritten are complete; run again."),
          _progress(quiet, f"{result_dir.name} (video)") as progress):
        rebuilt = rebuild_report(result_dir, profile=profile, video=video,
                                 write_video=not no_video, progress=progress)
    _show_result(rebuilt.summary, rebuilt.outputs, rebuilt.summary.get("detection_rate") or 0.0,
                 rebuilt.warnings, quiet=quiet, as_json=as_json, open_report=open_report)
    _done()


def _show_result(summary: dict[str, Any], outputs: dict[str, Path], detection_rate: float,
                 warnings: list[str], *, quiet: bool, as_json: bool, open_report: bool) -> None:
    """Print the files and scorecard, the summary as JSON on stdout, open the report, as asked.

    With ``as_json`` stdout holds the JSON only; everything else goes to stderr.
    """
    if not quiet:
        _print_outputs(outputs, detection_rate, warnings, to_stderr=as_json)
        from runform.scoring import render_scorecard

        Console(stderr=as_json).print(render_scorecard(summary))
    if as_json:
        import json

        from runform.output.atomic import to_jsonable

        typer.echo(json.dumps(to_jsonable(summary), ensure_ascii=False))
    report_path = outputs.get("report")
    if open_report and report_path is not None:
        import webbrowser

        if not webbrowser.open(report_path.resolve().as_uri()):
            err.print(f"[yellow]warning:[/yellow] no web browser found; open "
                      f"{escape(str(report_path))} yourself.")


def _progress(quiet: bool, name: str) -> AbstractContextManager[Callable[[int, int], None]]:
    from runform.progress import frame_progress

    return frame_progress(enabled=not quiet, description=name)


def _print_outputs(outputs: dict[str, Path], detection_rate: float, warnings: list[str], *,
                   to_stderr: bool = False) -> None:
    console = Console(stderr=to_stderr)
    for warning in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(f"Runner found in {detection_rate:.0%} of frames.")
    for kind, path in outputs.items():
        console.print(f"  {kind:<10} {path}")


def _done() -> None:
    """Record that the command finished: every result file is written, closed and renamed."""
    global _finished
    _finished = True


def main() -> None:
    """Console-script entry point.

    After ``analyze`` or ``report`` succeeded, the process ends without the
    interpreter's teardown (about 0.5 s of freeing MediaPipe, matplotlib and
    NumPy objects that nothing reads again): every result file has been written
    through :mod:`runform.output.atomic` or the video sink, closed and renamed
    by then, and stdout and stderr are flushed first. Every other outcome
    (errors, usage mistakes, ``batch``, whose worker pools clean up at exit)
    exits the ordinary way.
    """
    try:
        app()
    except SystemExit as exc:
        if not (_finished and exc.code in (None, 0)):
            raise
    if not _finished:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except OSError:  # e.g. stdout piped into a closed reader: let Python report it as usual
        return
    os._exit(0)
