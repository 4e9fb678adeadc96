"""Where the time of one ``runform analyze`` goes: wall and CPU seconds per stage.

Run from the repository root::

    python benchmarks/stages.py CLIP [--model full] [--no-video]

It runs :func:`runform.pipeline.analyze` in this process with every stage
wrapped in a timer (wall seconds and process CPU seconds, all threads), then
prints one line per stage in the order they ran, the threads' CPU seconds
during the pose pass (how many cores MediaPipe keeps busy), and the load
average. Stages that run concurrently (the post-pose imports overlap the pose
pass) each show their own wall time; CPU seconds of overlapping stages are
the whole process's. Use it to compare variants on a shared machine: CPU
seconds are much less sensitive to other people's jobs than wall seconds.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
CPU0 = time.process_time()

ROWS: list[tuple[str, float, float, float]] = []
"""(stage, start wall s since launch, wall s, process CPU s)."""


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``fn`` so each call adds a row to :data:`ROWS`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            ROWS.append((name, start - T0, time.perf_counter() - start,
                         time.process_time() - cpu))

    return wrapper


def patch(module: Any, attr: str, name: str | None = None) -> None:
    """Replace ``module.attr`` by a timed wrapper."""
    setattr(module, attr, timed(name or attr, getattr(module, attr)))


def thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of each thread of this process, by thread name and id."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
            comm = (task / "comm").read_text().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        out[f"{comm}/{task.name}"] = (int(fields[11]) + int(fields[12])) / tick
    return out


def main() -> None:
    """Instrument the pipeline, run one analysis, print the stage table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clip", type=Path)
    parser.add_argument("--model", default="full")
    parser.add_argument("--no-video", action="store_true")
    args = parser.parse_args()
    load_start = os.getloadavg()

    import runform.pipeline as pipeline
    from runform.config import AnalysisConfig

    ROWS.append(("import runform.pipeline", 0.0, time.perf_counter() - T0,
                 time.process_time() - CPU0))
    _instrument(pipeline)
    config = AnalysisConfig(model=args.model, write_video=not args.no_video)
    with tempfile.TemporaryDirectory() as out:
        start, cpu = time.perf_counter(), time.process_time()
        analysis = pipeline.analyze(args.clip, config, out_dir=out)
        total = (time.perf_counter() - start, time.process_time() - cpu)
    n = len(analysis.track)
    print(f"{args.clip.name}: {n} frames {analysis.video.width}x{analysis.video.height}, "
          f"model {args.model}, video {'no' if args.no_video else 'yes'}, "
          f"load {load_start[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"{'stage':<34} {'start':>6} {'wall s':>7} {'cpu s':>7}")
    for name, at, wall, cpu_s in ROWS:
        print(f"{name:<34} {at:6.2f} {wall:7.3f} {cpu_s:7.3f}")
    print(f"{'analyze() total':<34} {'':>6} {total[0]:7.3f} {total[1]:7.3f}   "
          f"({n / total[0]:.1f} fps)")
    print(f"process since launch: wall {time.perf_counter() - T0:.2f} s")
    print("threads' CPU seconds during the pose pass:")
    for name, cpu_s in sorted(POSE_THREADS.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:<28} {cpu_s:7.2f}")


POSE_THREADS: dict[str, float] = {}


def _instrument(pipeline: Any) -> None:
    original = pipeline.extract_pose

    def extract_pose(*args: Any, **kwargs: Any) -> Any:
        first = thread_cpu()
        seen = dict(first)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                seen.update(thread_cpu())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            return original(*args, **kwargs)
        finally:
            done.set()
            sampler.join()
            seen.update(thread_cpu())
            POSE_THREADS.update({k: v - first.get(k, 0.0) for k, v in seen.items()})

    pipeline.extract_pose = timed("pose pass (decode + inference)", extract_pose)
    for attr in ("probe_video", "resolve_model", "load_profile", "sha256_file",
                 "score_summary"):
        patch(pipeline, attr)
    # Older trees built the estimator inside extract_pose.
    loader = "pose_estimator" if hasattr(pipeline, "pose_estimator") else "MediaPipePoseEstimator"
    patch(pipeline, loader, "model load (import + init)")
    warm = pipeline._warm_up_imports

    def warm_up() -> Any:
        thread = warm()
        join = thread.join

        def join_then_instrument(timeout: float | None = None) -> None:
            start, cpu = time.perf_counter(), time.process_time()
            join(timeout)
            ROWS.append(("wait for post-pose imports", start - T0, time.perf_counter() - start,
                         time.process_time() - cpu))
            _instrument_outputs()

        thread.join = join_then_instrument
        return thread

    pipeline._warm_up_imports = warm_up


def _instrument_outputs() -> None:
    """Wrap the post-pose stages once their modules are imported (after the pose pass)."""
    import runform.measure
    import runform.output.results as results
    import runform.output.review as review

    patch(runform.measure, "measure")
    patch(results, "build_summary")
    patch(results, "write_results", "write_results (all outputs)")
    patch(results, "write_landmarks_csv", "  landmarks.csv")
    patch(results, "write_json", "  summary.json")
    for attr in ("scene_from_measurement", "write_steps_csv", "write_frames_csv",
                 "build_charts", "build_stills", "write_report", "read_frames",
                 "write_annotated_video"):
        patch(review, attr, f"  {attr}")


if __name__ == "__main__":
    sys.path.append(str(Path(__file__).resolve().parent.parent / "src"))  # if not installed
    main()
