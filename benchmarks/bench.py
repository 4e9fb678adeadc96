"""Speed and memory benchmark of ``runform analyze`` against the pose model's own limit.

Run from the repository root::

    python benchmarks/bench.py                       # lite, full (and heavy if built)
    python benchmarks/bench.py --models lite --reps 1 --long-seconds 0

For each model, on the same 1920x1080 30 fps clips, it measures in one run:

* the pure inference rate: the same :class:`~runform.pose.estimator.MediaPipePoseEstimator`
  that ``analyze`` builds (:func:`runform.pipeline.pose_estimator`, same options,
  same timestamps, the same upright RGB frames in the same order) timed on
  frames decoded beforehand, so decoding is not counted. Only the ``detect``
  calls are timed (model loading is not); this is the limit, nothing end to
  end can be faster;
* ``runform analyze --no-video`` and ``runform analyze`` (with the annotated
  video) end to end, each a fresh process timed from launch to exit, so
  Python start-up, imports and model loading count against them;
* peak RSS of those processes, for a short and a long clip (flat memory check);
* how much CPU other processes used during each run (from ``/proc/stat``), so a
  table measured on a busy machine says so.

Each (pure, no-video, video) triple runs back to back ``--reps`` times; a
ratio is end-to-end time over the pure-inference time of the same repetition
and the table shows medians. The long clip runs once per model. The load
average (1 min) before each run is recorded: the machine may be shared, and
ratios measured under load are not comparable with quiet ones.

Clips are built once from ``--source`` (looped at its real speed and scaled to
1080p) and cached in ``~/.cache/runform/bench``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import islice
from pathlib import Path

import av

from runform.config import AnalysisConfig
from runform.errors import ModelError
from runform.pose.models import resolve_model
from runform.video import iter_frames

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO / "sample_videos" / "good_form.mp4"
CACHE = Path.home() / ".cache" / "runform" / "bench"
CHUNK = 150
"""Frames decoded ahead at a time for the pure-inference run (about 0.9 GB at 1080p)."""


def make_clip(source: Path, target: Path, *, seconds: float, width: int = 1920,
              height: int = 1080, fps: int = 30) -> Path:
    """Write a ``width``x``height`` H.264 clip of ``seconds`` at ``fps`` by looping ``source``.

    Frames are picked by time (a 60 fps source gives every other frame), so the
    runner moves at real speed and the clip's gait is the source's.
    """
    n_frames = int(round(seconds * fps))
    with av.open(str(target), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"crf": "20", "preset": "veryfast"}
        written, offset = 0, 0.0
        while written < n_frames:
            last = 0.0
            for frame in iter_frames(source):
                last = frame.time_s
                if offset + frame.time_s + 1e-6 < written / fps:
                    continue  # a faster source: skip to the next output time
                img = av.VideoFrame.from_ndarray(frame.image, format="rgb24")
                img = img.reformat(width=width, height=height)
                img.pts = written
                for packet in stream.encode(img):
                    out.mux(packet)
                written += 1
                if written == n_frames:
                    break
            offset += last + 1.0 / fps
        for packet in stream.encode():
            out.mux(packet)
    return target


def cached_clip(source: Path, seconds: float) -> Path:
    """Return the benchmark clip of ``seconds`` made from ``source``, building it once."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target = CACHE / f"{source.stem}-{digest}-1920x1080-30fps-{seconds:g}s.mp4"
    if not target.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial.mp4")
        make_clip(source, partial, seconds=seconds)
        partial.replace(target)
    return target


def pure_inference_s(clip: Path, model: str) -> tuple[float, int]:
    """Seconds spent in the estimator's ``detect`` over every frame, and the frame count.

    Frames are decoded :data:`CHUNK` at a time before their inference, so memory
    stays bounded on long clips and decoding never overlaps the timed calls.
    """
    from runform.pipeline import estimator_time_ms, pose_estimator

    config = AnalysisConfig(model=model)
    estimator = pose_estimator(resolve_model(model), config)
    frames = iter_frames(clip)
    spent, n = 0.0, 0
    try:
        while chunk := [(f.image, f.time_s) for f in islice(frames, CHUNK)]:
            start = time.perf_counter()
            for image, t in chunk:
                estimator.detect(image, estimator_time_ms(t))
            spent += time.perf_counter() - start
            n += len(chunk)
    finally:
        estimator.close()
    return spent, n


@dataclass(frozen=True)
class Child:
    """What one child process cost and what else ran on the machine meanwhile."""

    wall_s: float
    peak_rss_mb: float
    others_cores: float
    """CPU used by other processes during the run, in cores (0 = the machine was ours)."""
    stdout: str


def run_child(cmd: list[str]) -> Child:
    """Run ``cmd`` to completion; measure its wall time, peak RSS and everyone else's CPU."""
    busy, start = _busy_cpu_s(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    others = (_busy_cpu_s() - busy - usage.ru_utime - usage.ru_stime) / wall
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return Child(wall, usage.ru_maxrss / 1024.0, max(0.0, others), stdout)


def _busy_cpu_s() -> float:
    """CPU seconds all processes have used since boot (from ``/proc/stat``)."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def pure_inference_in_child(clip: Path, model: str) -> tuple[float, int, float]:
    """Run :func:`pure_inference_s` in a child process, away from this one's memory.

    Returns the inference seconds, the frame count and the other processes' CPU (cores).
    """
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
            "from bench import pure_inference_s; "
            "print(*pure_inference_s(Path(sys.argv[1]), sys.argv[2]))")
    child = run_child([sys.executable, "-c", code, str(clip), model,
                       str(Path(__file__).parent)])
    out = child.stdout.split()
    return float(out[-2]), int(out[-1]), child.others_cores


def run_analyze(clip: Path, model: str, *, video: bool) -> Child:
    """Run one ``runform analyze`` process (wall time from launch to exit)."""
    with tempfile.TemporaryDirectory() as out:
        return run_child([sys.executable, "-m", "runform", "analyze", str(clip), "--model",
                          model, "--out", out, "--quiet"] + ([] if video else ["--no-video"]))


@dataclass
class Runs:
    """Measurements of one model on one clip."""

    frames: int = 0
    pure: list[float] = field(default_factory=list)
    no_video: list[float] = field(default_factory=list)
    video: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)
    others: list[float] = field(default_factory=list)

    def fps(self, times: list[float]) -> float:
        """Frames per second of the median time."""
        return self.frames / statistics.median(times)

    def ratio(self, times: list[float]) -> float:
        """Median of each run's time over the pure-inference time of its repetition."""
        return statistics.median(t / p for t, p in zip(times, self.pure, strict=True))


def measure(clip: Path, model: str, reps: int, log: list[dict[str, object]]) -> Runs:
    """Run (pure, no-video, video) ``reps`` times back to back on ``clip``."""
    runs = Runs()
    for rep in range(reps):
        for kind in ("pure", "no_video", "video"):
            load = os.getloadavg()[0]
            runs.load.append(load)
            rss: float | None = None
            if kind == "pure":
                seconds, runs.frames, others = pure_inference_in_child(clip, model)
            else:
                child = run_analyze(clip, model, video=kind == "video")
                seconds, rss, others = child.wall_s, child.peak_rss_mb, child.others_cores
                runs.rss.append(rss)
            runs.others.append(others)
            getattr(runs, kind).append(seconds)
            log.append({"model": model, "clip": clip.name, "rep": rep, "run": kind,
                        "seconds": round(seconds, 3), "peak_rss_mb": rss, "load_1min": load,
                        "others_cores": round(others, 2)})
            print(f"  {model} {clip.name} rep {rep + 1} {kind}: {seconds:.2f} s"
                  + (f", {rss:.0f} MB" if rss else "")
                  + f", load {load:.2f}, others {others:.2f} cores",
                  file=sys.stderr, flush=True)
    return runs


def main() -> None:
    """Parse arguments, build the clips, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--long-seconds", type=float, default=60.0,
                        help="long clip for the memory check (0 skips it)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    args = parser.parse_args()
    models = args.models or [m for m in ("lite", "full", "heavy") if _available(m)]
    short = cached_clip(args.source, args.seconds)
    long = cached_clip(args.source, args.long_seconds) if args.long_seconds > 0 else None
    log: list[dict[str, object]] = []
    rows = []
    for model in models:
        runs = measure(short, model, args.reps, log)
        long_runs = measure(long, model, 1, log) if long is not None else None
        rows.append((model, runs, long_runs))
    _print_table(args, rows)
    if args.json:
        args.json.write_text(json.dumps(log, indent=1))


def _print_table(args: argparse.Namespace, rows: list[tuple[str, Runs, Runs | None]]) -> None:
    loads = [x for _, r, lr in rows for x in r.load + (lr.load if lr else [])]
    others = [x for _, r, lr in rows for x in r.others + (lr.others if lr else [])]
    print(f"clip: 1920x1080 30 fps from {args.source.name}, {args.seconds:g} s "
          f"(median of {args.reps})" + (f" and {args.long_seconds:g} s (once)"
                                        if args.long_seconds > 0 else "")
          + f"; {os.cpu_count()} cores; load average (1 min) before runs "
          f"{min(loads):.2f}-{max(loads):.2f}; other processes used "
          f"{statistics.median(others):.2f} cores (median, max {max(others):.2f}) during runs")
    print(f"{'model':<6} {'pure fps':>8} {'no-video fps':>12} {'ratio':>6} {'video fps':>9} "
          f"{'ratio':>6} {'long ratios':>12} {'RSS short':>9} {'RSS long':>9}")
    for model, runs, long_runs in rows:
        long_ratios = (f"{long_runs.ratio(long_runs.no_video):.2f} / "
                       f"{long_runs.ratio(long_runs.video):.2f}" if long_runs else "-")
        rss_long = f"{max(long_runs.rss):8.0f}M" if long_runs else f"{'-':>9}"
        print(f"{model:<6} {runs.fps(runs.pure):8.1f} {runs.fps(runs.no_video):12.1f} "
              f"{runs.ratio(runs.no_video):6.2f} {runs.fps(runs.video):9.1f} "
              f"{runs.ratio(runs.video):6.2f} {long_ratios:>12} {max(runs.rss):8.0f}M "
              f"{rss_long}")


def _available(model: str) -> bool:
    try:
        resolve_model(model)
    except ModelError:
        return False
    return True


if __name__ == "__main__":
    main()
