"""Speed and memory benchmark of ``runform analyze`` against the pose model's own limit.

Run from the repository root::

    python benchmarks/bench.py                       # lite, full (and heavy if built)
    python benchmarks/bench.py --models lite --seconds 10 --long-seconds 60

For each model, on the same 1080p 30 fps clip, it measures in one run:

* the pure inference rate of the pose model on frames decoded beforehand
  (the limit: nothing else can be faster than this);
* ``runform analyze --no-video`` and ``runform analyze`` (with the annotated
  video) end to end, as subprocesses;
* peak RSS of ``analyze`` for a short and a long clip (flat memory check).

It prints a table with frames per second, each end-to-end run's ratio to the
pure-inference time, and peak RSS. Timings are noisy on shared machines: run
it on an idle machine and compare numbers from the same run only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av

from runform.config import AnalysisConfig
from runform.errors import ModelError
from runform.pose.estimator import MediaPipePoseEstimator
from runform.pose.models import resolve_model
from runform.video import iter_frames

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO / "sample_videos" / "good_form.mp4"


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


def pure_inference_fps(clip: Path, model: str) -> tuple[float, int]:
    """Pose-model frames per second on frames already decoded into memory."""
    frames = [(f.image, f.time_s) for f in iter_frames(clip)]
    estimator = MediaPipePoseEstimator(resolve_model(model).path,
                                       max_people=AnalysisConfig().max_people)
    estimator.detect(frames[0][0], 0)  # warm-up outside the timing
    start = time.perf_counter()
    for image, t in frames[1:]:
        estimator.detect(image, int(round(t * 1000)))
    elapsed = time.perf_counter() - start
    estimator.close()
    return (len(frames) - 1) / elapsed, len(frames)


def run_analyze(clip: Path, model: str, *, video: bool) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one ``runform analyze`` subprocess."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "runform", "analyze", str(clip), "--model", model,
               "--out", out, "--quiet"] + ([] if video else ["--no-video"])
        start = time.perf_counter()
        proc = subprocess.Popen(cmd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"analyze failed ({status}): {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024.0


def main() -> None:
    """Parse arguments, build the clips, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--models", nargs="+", default=None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--long-seconds", type=float, default=60.0)
    args = parser.parse_args()
    models = args.models or [m for m in ("lite", "full", "heavy") if _available(m)]
    with tempfile.TemporaryDirectory() as tmp:
        short = make_clip(args.source, Path(tmp) / "short.mp4", seconds=args.seconds)
        long = make_clip(args.source, Path(tmp) / "long.mp4", seconds=args.long_seconds)
        print(f"clip: 1920x1080 30 fps, {args.seconds:g} s and {args.long_seconds:g} s, "
              f"from {args.source.name}; {os.cpu_count()} cores")
        header = (f"{'model':<6} {'pure fps':>8} {'no-video fps':>12} {'ratio':>6} "
                  f"{'video fps':>9} {'ratio':>6} {'RSS short':>9} {'RSS long':>9}")
        print(header)
        for model in models:
            print(_row(model, short, long), flush=True)


def _row(model: str, short: Path, long: Path) -> str:
    limit_fps, n = _pure_inference_in_child(short, model)
    t_novideo, rss_short = run_analyze(short, model, video=False)
    t_video, _ = run_analyze(short, model, video=True)
    _, rss_long = run_analyze(long, model, video=False)
    limit_s = n / limit_fps
    return (f"{model:<6} {limit_fps:8.1f} {n / t_novideo:12.1f} {t_novideo / limit_s:6.2f} "
            f"{n / t_video:9.1f} {t_video / limit_s:6.2f} {rss_short:8.0f}M {rss_long:8.0f}M")


def _pure_inference_in_child(clip: Path, model: str) -> tuple[float, int]:
    """Run :func:`pure_inference_fps` in a child process.

    Its decoded frames (gigabytes at 1080p) must not live in this process: forked
    children would count them in their own peak RSS.
    """
    code = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]); "
            "from bench import pure_inference_fps; "
            "print(*pure_inference_fps(Path(sys.argv[1]), sys.argv[2]))")
    out = subprocess.run([sys.executable, "-c", code, str(clip), model,
                          str(Path(__file__).parent)], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[-2]), int(out[-1])


def _available(model: str) -> bool:
    try:
        resolve_model(model)
    except ModelError:
        return False
    return True


if __name__ == "__main__":
    main()
