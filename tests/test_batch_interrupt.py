"""An interrupted or killed batch leaves complete clips and a table; running again finishes.

The batch runs in a child process (its own session, so the signal reaches it
and its workers like Ctrl-C in a terminal) with a slowed-down fake estimator.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runform.batch import BatchOptions, run_batch
from runform.config import AnalysisConfig
from tests.batch_fakes import FakeEstimatorFactory, write_clip

REPO = Path(__file__).resolve().parent.parent
CONFIG = AnalysisConfig(model="lite", write_video=False)
CLIPS = [f"clip{i}.mp4" for i in range(6)]

SCRIPT = """
import sys
from pathlib import Path
from runform.batch import BatchInterrupted, BatchOptions, run_batch
from runform.config import AnalysisConfig
from tests.batch_fakes import FakeEstimatorFactory

if __name__ == "__main__":
    options = BatchOptions(folder=Path(sys.argv[1]), out=Path(sys.argv[2]), workers=2,
                           config=AnalysisConfig(model="lite", write_video=False),
                           estimator_factory=FakeEstimatorFactory(delay_s=0.04))
    try:
        report = run_batch(options, show_progress=False)
    except BatchInterrupted as exc:
        print("INTERRUPTED", exc.report.summary_line(), flush=True)
        sys.exit(130)
    print("DONE", report.summary_line(), flush=True)
"""


def start_batch(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    folder, out = tmp_path / "in", tmp_path / "out"
    for name in CLIPS:
        write_clip(folder / name, seconds=2.0)
    script = tmp_path / "run_batch.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}
    proc = subprocess.Popen([sys.executable, str(script), str(folder), str(out)], cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    return proc, folder, out


def wait_for_summaries(proc: subprocess.Popen[str], out: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list(out.glob("*/summary.json"))) < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"batch ended or stalled before {count} clips: {proc.communicate()}")
        time.sleep(0.1)


def finished_clips(out: Path) -> set[str]:
    """Clips whose folder has a summary, checked to be complete, valid JSON."""
    done = set()
    for path in out.glob("*/summary.json"):
        summary = json.loads(path.read_text())
        assert summary["input"]["path"].endswith(path.parent.name)
        assert (path.parent / "landmarks.csv").is_file()
        done.add(path.parent.name)
    return done


def partial_files(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*") if "partial" in p.name]


def rerun(folder: Path, out: Path) -> tuple[int, int, int]:
    report = run_batch(BatchOptions(folder=folder, out=out, config=CONFIG, workers=2,
                                    estimator_factory=FakeEstimatorFactory()),
                       show_progress=False)
    return report.count("ok"), report.count("failed"), report.count("skipped")


def test_ctrl_c_keeps_finished_clips_and_the_table(tmp_path: Path) -> None:
    proc, folder, out = start_batch(tmp_path)
    wait_for_summaries(proc, out, 2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the whole foreground group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "INTERRUPTED" in stdout and "not analysed" in stdout
    assert "Traceback" not in stderr

    done = finished_clips(out)
    assert 2 <= len(done) < len(CLIPS)
    assert partial_files(out) == []  # running clips were stopped cleanly
    with (out / "batch.csv").open(newline="") as handle:
        rows = {r["clip"]: r["status"] for r in csv.DictReader(handle)}
    assert set(rows) <= done and set(rows.values()) == {"ok"}
    table = json.loads((out / "batch.json").read_text())
    assert table["complete"] is False
    assert set(table["pending"]) == set(CLIPS) - set(rows)
    assert "was interrupted" in (out / "index.html").read_text()

    ok, failed, skipped = rerun(folder, out)
    assert (ok + skipped, failed, skipped) == (len(CLIPS), 0, len(done))
    assert json.loads((out / "batch.json").read_text())["complete"] is True


def test_a_killed_batch_is_finished_by_the_next_run(tmp_path: Path) -> None:
    proc, folder, out = start_batch(tmp_path)
    wait_for_summaries(proc, out, 2)
    os.killpg(proc.pid, signal.SIGKILL)  # no chance to clean up: main and workers die
    proc.communicate(timeout=60)

    done = finished_clips(out)  # every summary present is complete
    with (out / "batch.csv").open(newline="") as handle:  # the table of a killed batch
        rows = {r["clip"]: r["status"] for r in csv.DictReader(handle)}
    assert rows and set(rows) <= done and set(rows.values()) == {"ok"}

    ok, failed, skipped = rerun(folder, out)
    assert (ok + skipped, failed, skipped) == (len(CLIPS), 0, len(done))
    assert partial_files(out) == []  # leftovers of the killed clips were cleared
