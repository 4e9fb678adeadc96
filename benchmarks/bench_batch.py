"""Throughput of ``runform batch``: clips per minute for 1, 2 and N local workers and Dask.

Run from the repository root::

    python benchmarks/bench_batch.py                      # 6 clips of 4 s, full model
    python benchmarks/bench_batch.py --clips 8 --seconds 6 --model lite --rounds 3
    python benchmarks/bench_batch.py --folder my_clips/   # your own clips

It cuts the clips from the real treadmill clip (720x1280, 30 fps; different
segments, so the clips differ), then analyses the same folder with each
setting, ``--rounds`` times, interleaved (1, 2, N, Dask, 1, 2, N, Dask...) so
that a change in the machine's load hits every setting alike. It prints the
median wall time and clips per minute of each setting, the load average seen,
and the worker count that the default of ``--workers`` should follow.

Local runs include starting the worker processes (what every ``runform batch``
pays); the Dask cluster (``--dask-workers`` processes, one thread each) is
started once before timing, as a long-lived cluster would be. Timings are
noisy on shared machines: compare numbers from the same run only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av

from runform.batch import BatchOptions, default_workers, run_batch
from runform.config import AnalysisConfig

REPO = Path(__file__).resolve().parent.parent
REAL_CLIP = Path("/work/shared/real-clips/treadmill_side_home.mp4")


def cut(source: Path, target: Path, *, start: float, seconds: float) -> Path:
    """Re-encode ``seconds`` of ``source`` from ``start`` (wrapping around) to H.264."""
    with av.open(str(source)) as probe:
        total = float(probe.streams.video[0].duration * probe.streams.video[0].time_base)
    start %= max(total - seconds, 1e-3)
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        video = inp.streams.video[0]
        stream = out.add_stream("libx264", rate=video.average_rate or 30)
        stream.width, stream.height = video.codec_context.width, video.codec_context.height
        stream.pix_fmt, stream.time_base = "yuv420p", video.time_base
        for frame in inp.decode(video):
            if frame.time is None or frame.time < start:
                continue
            if frame.time >= start + seconds:
                break
            frame.pts -= int(round(start / float(video.time_base)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return target


def make_folder(folder: Path, *, clips: int, seconds: float) -> Path:
    """Cut ``clips`` clips of ``seconds`` from the real clip, at staggered start times."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(clips):
        cut(REAL_CLIP, folder / f"runner{i:02d}.mp4", start=i * 1.7, seconds=seconds)
    return folder


def timed_run(folder: Path, out: Path, config: AnalysisConfig, *, workers: int | None = None,
              scheduler: str | None = None) -> float:
    """Analyse the whole folder from scratch; return the wall time in seconds."""
    options = BatchOptions(folder=folder, out=out, config=config, workers=workers,
                           resume=False, scheduler=scheduler)
    started = time.perf_counter()
    report = run_batch(options, show_progress=False)
    elapsed = time.perf_counter() - started
    if report.failed:
        sys.exit(f"benchmark clip failed: {report.failed[0].key}: {report.failed[0].error}")
    return elapsed


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="Use these clips instead of cutting some.")
    parser.add_argument("--clips", type=int, default=6, help="Clips to cut (default 6).")
    parser.add_argument("--seconds", type=float, default=4.0, help="Length of each clip.")
    parser.add_argument("--model", default="full", help="Pose model (default full).")
    parser.add_argument("--no-video", action="store_true", help="Skip annotated videos.")
    parser.add_argument("--workers", default=f"1,2,{2 * (cpus or 1)}",
                        help="Local worker counts to time, comma-separated (default 1,2,2xCPUs).")
    parser.add_argument("--dask-workers", type=int, default=cpus or 1,
                        help="Processes of the local Dask cluster (default: CPUs); 0 skips Dask.")
    parser.add_argument("--rounds", type=int, default=2, help="Repetitions (median reported).")
    return parser.parse_args()


def start_dask(workers: int) -> tuple[object | None, str | None]:
    """Start a LocalCluster of ``workers`` single-threaded processes, or skip without Dask."""
    if workers <= 0:
        return None, None
    try:
        from distributed import LocalCluster
    except ImportError:
        print("Dask is not installed (pip install 'runform[cluster]'): Dask path skipped.")
        return None, None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return cluster, str(cluster.scheduler_address)


def main() -> None:
    """Time every setting and print the table and the recommendation."""
    args = parse_args()
    config = AnalysisConfig(model=args.model, write_video=not args.no_video)
    counts = sorted({int(w) for w in args.workers.split(",")})
    with tempfile.TemporaryDirectory(prefix="runform-bench-batch-") as tmp:
        folder = args.folder or make_folder(Path(tmp) / "clips", clips=args.clips,
                                            seconds=args.seconds)
        n_clips = len([p for p in folder.iterdir() if p.is_file()])
        cluster, address = start_dask(args.dask_workers)
        settings: list[tuple[str, int | None, str | None]] = [
            (f"local, {w} worker{'s' * (w > 1)}", w, None) for w in counts]
        if address:
            settings.append((f"Dask, {args.dask_workers} processes", None, address))
        times: dict[str, list[float]] = {name: [] for name, _, _ in settings}
        loads: list[float] = []
        try:
            for round_ in range(args.rounds):
                for name, workers, scheduler in settings:
                    loads.append(os.getloadavg()[0])
                    out = Path(tmp) / f"out-{round_}-{len(loads)}"
                    times[name].append(timed_run(folder, out, config, workers=workers,
                                                 scheduler=scheduler))
                    print(f"  round {round_ + 1}: {name}: {times[name][-1]:.1f} s", flush=True)
        finally:
            if cluster is not None:
                cluster.close()  # type: ignore[attr-defined]
    report(times, n_clips, args, loads)


def report(times: dict[str, list[float]], n_clips: int, args: argparse.Namespace,
           loads: list[float]) -> None:
    """Print the table of medians and the recommended worker count."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n{n_clips} clips of {args.seconds:g} s, model {args.model}, "
          f"video {'off' if args.no_video else 'on'}, {cpus} CPUs, {args.rounds} rounds, "
          f"load average {min(loads):.1f}-{max(loads):.1f} during the runs")
    print(f"{'setting':<24} {'median s':>9} {'clips/min':>10} {'vs 1 worker':>12}")
    base = statistics.median(next(iter(times.values())))
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<24} {median:>9.1f} {60 * n_clips / median:>10.2f} "
              f"{base / median:>11.2f}x")
    local = {name: statistics.median(v) for name, v in times.items() if name.startswith("local")}
    best = min(local.values())
    pick = next(name for name, t in local.items() if t <= 1.05 * best)  # fewest within 5 %
    print(f"\nfewest local workers within 5 % of the fastest: {pick}; "
          f"runform's current default on this machine: {default_workers()} workers")


if __name__ == "__main__":
    main()
