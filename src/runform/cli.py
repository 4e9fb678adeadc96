"""The ``runform`` command line: parse options, call the pipeline, map errors to exit codes.

Exit codes: 0 success, 1 a problem with the input, model or output (one-line
message on stderr), 2 a usage mistake (typer's own message).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from runform import __version__

app = typer.Typer(
    name="runform",
    help=(
        "Check running form from a side-view treadmill video.\n\n"
        "Film the runner from the side (camera at hip height, 3-5 m away, whole body in view, "
        "60 fps or more if you can), then run `runform analyze VIDEO`. runform finds the body "
        "landmarks in every frame, detects foot contacts, measures cadence, trunk lean, head "
        "position, arm carriage, overstriding, foot strike, knee flexion, vertical oscillation "
        "and contact time, scores them against published guidance (saying plainly where no "
        "validated cut-off exists) and writes summary.json, CSVs, an annotated video and an "
        "HTML report."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


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


@app.command()
def analyze(
    video: Annotated[Path, typer.Argument(help="Side-view running video (mp4, mov, ...).",
                                          show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Result folder. Default: runform-output/<video name>/.",
        show_default=False)] = None,
    model: ModelOpt = "full",
    height_cm: HeightOpt = None,
    speed_kmh: SpeedOpt = None,
    slowmo: SlowmoOpt = 1.0,
    no_video: Annotated[bool, typer.Option("--no-video",
                                           help="Skip the annotated video (faster).")] = False,
    profile: ProfileOpt = None,
    open_report: OpenOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse one running video and write its result folder.

    Example: runform analyze sample_videos/good_form.mp4 --height-cm 178 --speed-kmh 12
    """
    from runform.config import AnalysisConfig
    from runform.errors import RunformError
    from runform.pipeline import analyze as run_analysis
    from runform.pipeline import default_output_dir
    from runform.scoring import render_scorecard

    config = AnalysisConfig(model=model, height_cm=height_cm, speed_kmh=speed_kmh,
                            slowmo=slowmo, write_video=not no_video, profile=profile)
    target = out or default_output_dir(video)
    try:
        with _progress(quiet, video.name) as progress:
            analysis = run_analysis(video, config, out_dir=target, progress=progress)
    except RunformError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err.print("[red]interrupted:[/red] no result was written for this clip.")
        raise typer.Exit(code=130) from None
    if not quiet:
        _print_outputs(analysis.outputs, analysis.detection_rate, analysis.warnings,
                       to_stderr=as_json)
        Console(stderr=as_json).print(render_scorecard(analysis.summary))
    _finish(analysis.summary, analysis.outputs, as_json=as_json, open_report=open_report)


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="Folder of running videos.", show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Output folder: one result folder per clip (mirroring its path in "
        "FOLDER), batch.csv, batch.json and index.html. Default: "
        "runform-output/batch-<folder name>/.", show_default=False)] = None,
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
    no_video: Annotated[bool, typer.Option("--no-video",
                                           help="Skip the annotated videos (faster).")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse every clip in a folder, in parallel and resumable, and tabulate the results.

    Exit code 0 when every clip succeeded (or was reused), 1 when any failed.

    Example: runform batch squad/ --recursive --height-cm 175 --out squad-results
    """
    from rich.markup import escape

    from runform.batch import DEFAULT_PATTERNS, BatchInterrupted, BatchOptions, run_batch
    from runform.config import AnalysisConfig
    from runform.errors import RunformError

    config = AnalysisConfig(model=model, height_cm=height_cm, speed_kmh=speed_kmh,
                            slowmo=slowmo, write_video=not no_video)
    options = BatchOptions(folder=folder, out=out, config=config,
                           patterns=tuple(pattern or DEFAULT_PATTERNS), recursive=recursive,
                           workers=workers, resume=resume, scheduler=scheduler)
    try:
        report = run_batch(options, show_progress=not quiet)
    except RunformError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    except BatchInterrupted as exc:
        err.print(f"[red]interrupted:[/red] {exc.report.summary_line()}. Finished clips are "
                  "complete; run the same command again to analyse the rest.")
        raise typer.Exit(code=130) from None
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
    no_video: Annotated[bool, typer.Option(
        "--no-video", help="Rebuild the report without the annotated video.")] = False,
    open_report: OpenOpt = False,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Rebuild the annotated video and the report of a saved result, without the pose model.

    The pose track saved in landmarks.csv is measured and scored again with the current
    profile, then annotated.mp4, report.html, steps.csv, frames.csv and summary.json are
    rewritten.

    Example: runform report runform-output/good_form --profile my_profile.toml
    """
    from runform.errors import RunformError
    from runform.rebuild import rebuild_report
    from runform.scoring import render_scorecard

    try:
        with _progress(quiet, f"{result_dir.name} (video)") as progress:
            rebuilt = rebuild_report(result_dir, profile=profile, video=video,
                                     write_video=not no_video, progress=progress)
    except RunformError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        err.print("[red]interrupted:[/red] files already rewritten are complete; run again.")
        raise typer.Exit(code=130) from None
    if not quiet:
        _print_outputs(rebuilt.outputs, rebuilt.summary.get("detection_rate") or 0.0,
                       rebuilt.warnings, to_stderr=as_json)
        Console(stderr=as_json).print(render_scorecard(rebuilt.summary))
    _finish(rebuilt.summary, rebuilt.outputs, as_json=as_json, open_report=open_report)


def _finish(summary: dict[str, object], outputs: dict[str, Path], *, as_json: bool,
            open_report: bool) -> None:
    """Print the summary as JSON on stdout and/or open the report, as asked."""
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


def _progress(quiet: bool, name: str):  # type: ignore[no-untyped-def]
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


def main() -> None:
    """Console-script entry point."""
    app()
