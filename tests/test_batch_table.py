"""The batch table and index read summaries defensively; the progress display counts clips."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from runform.batch.index import squad_plot, write_index
from runform.batch.jobs import ClipJob, ClipResult, one_line
from runform.batch.progress import BatchDisplay, batch_display
from runform.batch.table import COLUMNS, clip_row, write_batch_json, write_csv
from runform.config import AnalysisConfig

FULL_SUMMARY: dict[str, Any] = {
    "input": {"duration_s": 12.0},
    "detection_rate": 0.9876,
    "warnings": ["runner partly out of frame", "low frame rate"],
    "metrics": {
        "cadence_spm": {"value": 171.234, "unit": "steps/min", "confidence": 0.9,
                        "status": "good"},
        "trunk_lean_deg": {"value": 7.06, "unit": "deg", "status": "good"},
        "foot_ahead_of_hip_cm": {"value": None, "status": "unknown"},
        "foot_ahead_of_hip_leg": {"value": 0.1234, "status": "fair"},
        "foot_strike": {"value": "rearfoot", "unit": "class", "status": "unknown"},
    },
    "score": {"overall": 76.94, "weights": {}},
}


def result(key: str, summary: dict[str, Any], out: Path, status: str = "ok") -> ClipResult:
    return ClipResult(key, status, out / key, summary=summary, elapsed_s=3.21)  # type: ignore[arg-type]


def test_row_reads_metrics_score_and_input(tmp_path: Path) -> None:
    (tmp_path / "anna" / "run.mp4").mkdir(parents=True)
    (tmp_path / "anna" / "run.mp4" / "report.html").write_text("<html></html>")
    row = clip_row(result("anna/run.mp4", FULL_SUMMARY, tmp_path), tmp_path)
    assert list(row) == [c.key for c in COLUMNS]
    assert row["cadence_spm"] == 171.2 and row["trunk_lean_deg"] == 7.1
    assert row["foot_ahead_of_hip_cm"] is None and row["foot_ahead_of_hip_leg"] == 0.123
    assert row["foot_strike"] == "rearfoot" and row["score"] == 77.0
    assert row["duration_s"] == 12.0 and row["detection_rate"] == 0.988
    assert row["warnings"] == "runner partly out of frame | low frame rate"
    assert row["elapsed_s"] == 3.2 and row["status"] == "ok"
    assert row["result_dir"] == "anna/run.mp4" and row["report"] == "anna/run.mp4/report.html"


def test_row_survives_missing_and_malformed_keys(tmp_path: Path) -> None:
    odd = {"metrics": {"cadence_spm": 170, "trunk_lean_deg": {"status": "unknown"},
                       "foot_strike": {"value": {"left": "heel"}}},
           "score": 55, "input": "not a dict", "detection_rate": float("nan"),
           "warnings": None}
    for summary in ({}, odd, {"metrics": None, "score": None}):
        row = clip_row(result("x.mp4", summary, tmp_path), tmp_path)
        assert row["trunk_lean_deg"] is None and row["duration_s"] is None
        assert row["foot_strike"] is None and row["detection_rate"] is None
        assert row["report"] == ""  # nothing on disk to link
    row = clip_row(result("x.mp4", odd, tmp_path), tmp_path)
    assert row["cadence_spm"] == 170.0 and row["score"] == 55.0
    failed = clip_row(result("x.mp4", {}, tmp_path, status="failed"), tmp_path)
    assert failed["elapsed_s"] == 3.2 and failed["report"] == ""
    skipped = clip_row(result("x.mp4", FULL_SUMMARY, tmp_path, status="skipped"), tmp_path)
    assert skipped["elapsed_s"] is None and skipped["cadence_spm"] == 171.2


def test_csv_and_json_write_empty_cells_and_valid_json(tmp_path: Path) -> None:
    rows = [clip_row(result("a.mp4", FULL_SUMMARY, tmp_path), tmp_path),
            clip_row(result("b.mp4", {}, tmp_path, status="failed"), tmp_path)]
    write_csv(tmp_path / "batch.csv", rows)
    write_batch_json(tmp_path / "batch.json", {"complete": True}, rows)
    with (tmp_path / "batch.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["cadence_spm"] == "171.2" and table[1]["cadence_spm"] == ""
    data = json.loads((tmp_path / "batch.json").read_text())
    assert data["complete"] is True and data["clips"][1]["cadence_spm"] is None
    assert not list(tmp_path.glob(".*partial*"))


def test_squad_plot_only_when_there_is_data(tmp_path: Path) -> None:
    assert squad_plot([]) == ""
    failed = clip_row(result("b.mp4", {}, tmp_path, status="failed"), tmp_path)
    assert squad_plot([failed]) == ""
    rows = [clip_row(result(f"{i}.mp4", FULL_SUMMARY, tmp_path), tmp_path) for i in range(3)]
    uri = squad_plot(rows)
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert uri.startswith("data:image/svg+xml;base64,") and "<svg" in svg
    assert "Cadence (steps/min), n=3" in svg and "Foot strike, n=3" in svg
    assert "Overstride (cm)" not in svg  # no clip has it: no empty panel


def test_index_escapes_names_and_quotes_links(tmp_path: Path) -> None:
    key = "a b/<script>#1.mp4"
    (tmp_path / "a b" / "<script>#1.mp4").mkdir(parents=True)
    (tmp_path / "a b" / "<script>#1.mp4" / "report.html").write_text("")
    rows = [clip_row(result(key, FULL_SUMMARY, tmp_path), tmp_path)]
    header = {"runform_version": "0", "input_folder": "x", "input_folder_name": "x",
              "settings": {"config": {"model": "lite"}}, "backend": "", "updated": "",
              "counts": {"ok": 1, "failed": 0, "skipped": 0, "pending": 0},
              "complete": True, "running": False, "total": 1}
    write_index(tmp_path / "index.html", header, rows)
    html = (tmp_path / "index.html").read_text()
    assert "<script>#1" not in html and "&lt;script&gt;#1.mp4" in html
    assert 'href="a%20b/%3Cscript%3E%231.mp4/report.html"' in html


def test_one_line_errors() -> None:
    assert one_line("bad\n  input\tfile") == "bad input file"
    assert len(one_line("x" * 1000)) == 300


def test_display_tracks_running_and_failed_clips(tmp_path: Path) -> None:
    jobs = [ClipJob(tmp_path / f"{k}.mp4", f"{k}.mp4", tmp_path / k, AnalysisConfig())
            for k in "abc"]
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with batch_display(enabled=True, console=console) as display:
        display.start(3, "2 local workers")
        display.clip_started(jobs[0])
        display.clip_started(jobs[1])
        assert display.running == ["a.mp4", "b.mp4"]
        display.clip_finished(ClipResult("a.mp4", "failed", tmp_path, error="x"))
        assert display.running == ["b.mp4"] and display.failed == 1
    assert "2 local workers" in console.file.getvalue()  # type: ignore[attr-defined]
    quiet = Console(file=io.StringIO(), force_terminal=True)
    with batch_display(enabled=False, console=quiet) as display:
        display.start(3, "x")
        display.clip_started(jobs[0])
    assert quiet.file.getvalue() == ""  # type: ignore[attr-defined]
    pipe = Console(file=io.StringIO())  # not a terminal: silent even when enabled
    with batch_display(enabled=True, console=pipe) as display:
        display.start(1, "x")
    assert isinstance(display, BatchDisplay) and pipe.file.getvalue() == ""  # type: ignore[attr-defined]
