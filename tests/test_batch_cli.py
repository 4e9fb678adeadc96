"""``runform batch`` on the command line, with the real MediaPipe model."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runform.cli import app
from tests.batch_fakes import NOBODY, REAL_CLIP, trim_clip, write_clip

runner = CliRunner()


def batch(folder: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--model", "lite",
                                 "--no-video", *extra])
    return result.exit_code, result.stdout, result.stderr


def test_failed_clips_are_listed_and_the_exit_code_is_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_clip(folder / "nobody.mp4", grey=NOBODY, seconds=0.5)
    (folder / "broken.MOV").write_bytes(b"\x00" * 2048)
    code, stdout, stderr = batch(folder, tmp_path / "out", "--workers", "1")
    assert code == 1
    assert stdout.splitlines()[0] == "0 ok, 2 failed, 0 skipped"
    assert "index.html" in stdout
    failures = [line for line in stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == 2 and "Traceback" not in stderr
    assert any(line.startswith("failed: nobody.mp4: ") and "no person" in line
               for line in failures)
    code, stdout, _ = batch(folder, tmp_path / "out", "--workers", "1", "--quiet")
    assert code == 1 and stdout == ""  # --quiet: errors only


def test_batch_level_errors_are_one_line(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    write_clip(folder / "sub" / "a.mp4", seconds=0.2)
    code, _, stderr = batch(folder, tmp_path / "out")
    assert code == 1 and "found none (add --recursive" in stderr
    code, _, stderr = batch(folder, tmp_path / "out", "--pattern", "*.avi", "--recursive")
    assert code == 1 and "matching *.avi" in stderr
    code, _, stderr = batch(folder, tmp_path / "out", "--workers", "0")
    assert code == 2  # usage mistake: typer's own message
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, stderr = batch(folder, tmp_path / "out", "-r", "--scheduler", "tcp://x:8786")
    assert code == 1 and "pip install 'runform[cluster]'" in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_real_clip_and_an_empty_clip_through_mediapipe(tmp_path: Path) -> None:
    folder, out = tmp_path / "squad", tmp_path / "out"
    trim_clip(REAL_CLIP, folder / "anna" / "treadmill.mp4", seconds=4.0)
    write_clip(folder / "ben" / "empty.mp4", grey=NOBODY, seconds=1.0)

    code, stdout, stderr = batch(folder, out, "--recursive", "--workers", "2")
    assert code == 1, stderr
    assert stdout.splitlines()[0] == "1 ok, 1 failed, 0 skipped"
    with (out / "batch.csv").open(newline="") as handle:
        rows = {r["clip"]: r for r in csv.DictReader(handle)}
    real = rows["anna/treadmill.mp4"]
    assert real["status"] == "ok" and float(real["detection_rate"]) >= 0.95
    assert float(real["duration_s"]) == pytest.approx(4.0, abs=0.1)
    assert 150 <= float(real["cadence_spm"]) <= 190  # the README's plausible 165-178, widened
    assert "no person was detected" in rows["ben/empty.mp4"]["error"]
    assert (out / "anna" / "treadmill.mp4" / "summary.json").is_file()

    code, stdout, _ = batch(folder, out, "--recursive")
    assert (code, stdout.splitlines()[0]) == (1, "0 ok, 1 failed, 1 skipped")
    (folder / "ben" / "empty.mp4").unlink()
    code, stdout, _ = batch(folder, out, "--recursive")
    assert (code, stdout.splitlines()[0]) == (0, "0 ok, 0 failed, 1 skipped")
