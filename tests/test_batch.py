"""Batch runs on local worker processes with the fake estimator (see tests/batch_fakes.py)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePosixPath

import pytest

from runform.batch import BatchOptions, BatchReport, discover_clips, run_batch
from runform.batch.discover import result_dir
from runform.batch.jobs import ClipJob
from runform.batch.local import WORKER_DIED, LocalPool
from runform.batch.runner import output_lock
from runform.config import AnalysisConfig
from runform.errors import InputNotFoundError, OutputError
from tests.batch_fakes import BAD, CRASH, GOOD, FakeEstimatorFactory, make_folder, write_clip

CONFIG = AnalysisConfig(model="lite", write_video=False)


def options(folder: Path, out: Path, **kwargs: object) -> BatchOptions:
    settings: dict[str, object] = {"config": CONFIG, "recursive": True, "workers": 2,
                                   "estimator_factory": FakeEstimatorFactory()}
    settings.update(kwargs)
    return BatchOptions(folder=folder, out=out, **settings)  # type: ignore[arg-type]


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["clip"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BatchReport]:
    """The mixed folder of tests/batch_fakes.py, analysed once with 2 workers."""
    root = tmp_path_factory.mktemp("mixed")
    folder, out = make_folder(root / "in"), root / "out"
    return folder, out, run_batch(options(folder, out), show_progress=False)


def test_discovery_matches_video_extensions_in_any_case(tmp_path: Path) -> None:
    make_folder(tmp_path)
    write_clip(tmp_path / "deep" / "er" / "CLIP.Mp4", seconds=0.2)
    top = [c.key for c in discover_clips(tmp_path)]
    assert top == ["a.mp4", "corrupt.mp4"]
    deep = [c.key for c in discover_clips(tmp_path, recursive=True)]
    assert deep == ["a.mp4", "corrupt.mp4", "deep/er/CLIP.Mp4", "sub1/nobody.mp4",
                    "sub1/run.mp4", "sub2/run.MOV", "sub2/run.mp4"]
    mov = [c.key for c in discover_clips(tmp_path, patterns=("*.MOV",), recursive=True)]
    assert mov == ["sub2/run.MOV"]
    in_sub1 = discover_clips(tmp_path, patterns=("sub1/*",), recursive=True)
    assert [c.key for c in in_sub1] == ["sub1/nobody.mp4", "sub1/run.mp4"]


def test_discovery_skips_the_output_folder_inside_the_input(tmp_path: Path) -> None:
    write_clip(tmp_path / "a.mp4", seconds=0.2)
    write_clip(tmp_path / "results" / "a.mp4" / "annotated.mp4", seconds=0.2)
    clips = discover_clips(tmp_path, recursive=True, exclude=(tmp_path / "results",))
    assert [c.key for c in clips] == ["a.mp4"]


def test_result_folders_mirror_the_input_and_never_collide(tmp_path: Path) -> None:
    keys = ["run.mp4", "run.mov", "a/run.mp4", "b/run.mp4", "a/b/run.mp4", "a b/rün #1.mp4"]
    folders = [result_dir(tmp_path, PurePosixPath(k)) for k in keys]
    assert len(set(folders)) == len(keys)
    assert folders[2] == tmp_path / "a" / "run.mp4"
    assert folders[5] == tmp_path / "a b" / "rün #1.mp4"


def test_missing_folder_no_clips_and_output_on_input_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="does not exist"):
        run_batch(options(tmp_path / "nope", tmp_path / "out"), show_progress=False)
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    write_clip(tmp_path / "empty" / "sub" / "a.mp4", seconds=0.2)
    with pytest.raises(InputNotFoundError, match=r"found none \(add --recursive"):
        run_batch(options(tmp_path / "empty", tmp_path / "out", recursive=False),
                  show_progress=False)
    with pytest.raises(OutputError, match="other than the input folder"):
        run_batch(options(tmp_path, tmp_path), show_progress=False)


def test_mixed_folder_isolates_failures(mixed: tuple[Path, Path, BatchReport]) -> None:
    folder, out, report = mixed
    assert report.summary_line() == "4 ok, 2 failed, 0 skipped"
    assert report.exit_code == 1 and report.pending == []
    assert {r.key: r.status for r in report.results} == {
        **dict.fromkeys(GOOD, "ok"), **dict.fromkeys(BAD, "failed")}
    for failure in report.failed:
        assert BAD[failure.key] in failure.error
        assert "\n" not in failure.error and "Traceback" not in failure.error
    # Colliding names: each good clip has its own complete folder, made from its own input.
    for key, (seconds, _) in GOOD.items():
        summary = json.loads((out / key / "summary.json").read_text())
        assert summary["input"]["path"] == str(folder / key)
        assert summary["input"]["duration_s"] == pytest.approx(seconds, abs=0.05)
    assert not (out / "sub1" / "nobody.mp4" / "summary.json").exists()


def test_batch_table_has_one_row_per_clip(mixed: tuple[Path, Path, BatchReport]) -> None:
    _, out, report = mixed
    rows = read_csv(out / "batch.csv")
    assert list(rows) == ["a.mp4", "corrupt.mp4", "sub1/nobody.mp4", "sub1/run.mp4",
                          "sub2/run.MOV", "sub2/run.mp4"]
    for key, (seconds, cadence) in GOOD.items():
        row = rows[key]
        assert row["status"] == "ok" and row["error"] == ""
        assert float(row["duration_s"]) == pytest.approx(seconds, abs=0.05)
        assert float(row["cadence_spm"]) == pytest.approx(cadence, abs=1.0)
        assert float(row["detection_rate"]) == 1.0
        assert row["result_dir"] == key
        assert row["report"] in (f"{key}/report.html", f"{key}/summary.json")
    errors = {r.key: r.error for r in report.failed}
    assert rows["corrupt.mp4"]["error"] == errors["corrupt.mp4"]
    assert rows["corrupt.mp4"]["duration_s"] == rows["corrupt.mp4"]["report"] == ""

    data = json.loads((out / "batch.json").read_text())
    assert data["complete"] is True and data["pending"] == []
    assert data["counts"] == {"ok": 4, "failed": 2, "skipped": 0, "pending": 0}
    assert [c["clip"] for c in data["clips"]] == list(rows)
    assert data["clips"][0]["cadence_spm"] == pytest.approx(160, abs=1.0)
    assert data["columns"]["cadence_spm"]["unit"] == "steps/min"


def test_index_is_self_contained_and_links_each_report(
        mixed: tuple[Path, Path, BatchReport]) -> None:
    _, out, _ = mixed
    html = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)"', html)
    assert sorted(link.rsplit("/", 1)[0] for link in links) == sorted(GOOD)
    assert all((out / link).is_file() for link in links)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the web
    assert "data:image/svg+xml;base64," in html  # the squad plot, inline
    assert "4 ok" in html and "2 failed" in html and "no person was detected" in html
    assert 'data-type="num"' in html and "aria-sort" in html  # the sortable table


def test_resume_reuses_only_identical_input_and_settings(
        mixed: tuple[Path, Path, BatchReport], tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(mixed[0], folder)
    shutil.copytree(mixed[1], out)
    stamps = {k: (out / k / "summary.json").stat().st_mtime_ns for k in GOOD}

    again = run_batch(options(folder, out), show_progress=False)
    assert again.summary_line() == "0 ok, 2 failed, 4 skipped"  # failures are retried
    assert {k: (out / k / "summary.json").stat().st_mtime_ns for k in GOOD} == stamps
    rows = read_csv(out / "batch.csv")
    assert rows["sub1/run.mp4"]["status"] == "skipped"
    assert float(rows["sub1/run.mp4"]["cadence_spm"]) == pytest.approx(170, abs=1.0)

    write_clip(folder / "sub2" / "run.mp4", seconds=2.0)  # same name, new content
    changed = run_batch(options(folder, out), show_progress=False)
    assert {r.key for r in changed.results if r.status == "ok"} == {"sub2/run.mp4"}
    summary = json.loads((out / "sub2" / "run.mp4" / "summary.json").read_text())
    assert summary["input"]["duration_s"] == pytest.approx(2.0, abs=0.05)

    taller = AnalysisConfig(model="lite", write_video=False, height_cm=180)
    new_settings = run_batch(options(folder, out, config=taller), show_progress=False)
    assert new_settings.count("ok") == 4 and new_settings.count("skipped") == 0

    forced = run_batch(options(folder, out, config=taller, resume=False), show_progress=False)
    assert forced.count("ok") == 4 and forced.count("skipped") == 0


def test_a_folder_without_summary_is_analysed_again(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    write_clip(folder / "a.mp4")
    leftover = out / "a.mp4"
    leftover.mkdir(parents=True)
    (leftover / "landmarks.csv").write_text("half of an earlier run")
    (leftover / ".summary.json.partial").write_text("{")
    report = run_batch(options(folder, out, workers=1), show_progress=False)
    assert report.summary_line() == "1 ok, 0 failed, 0 skipped"
    assert not list(leftover.glob(".*partial*"))
    assert (leftover / "landmarks.csv").read_text() != "half of an earlier run"


def test_a_killed_worker_fails_only_its_own_clip(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        write_clip(folder / name)
    write_clip(folder / "boom.mp4", grey=CRASH)
    report = run_batch(options(folder, out), show_progress=False)
    assert {r.key: r.status for r in report.results} == {
        "a.mp4": "ok", "b.mp4": "ok", "boom.mp4": "failed", "c.mp4": "ok"}
    assert report.failed[0].error == WORKER_DIED
    assert read_csv(out / "batch.csv")["boom.mp4"]["error"] == WORKER_DIED


class _BrokenPool:
    """A pool a worker has just died in: marked broken before its calls fail."""

    def submit(self, *args: object) -> None:
        raise BrokenProcessPool("A child process terminated abruptly")


def test_a_clip_submitted_to_a_pool_breaking_under_it_is_requeued(tmp_path: Path) -> None:
    jobs = deque(ClipJob(tmp_path / f"{k}.mp4", f"{k}.mp4", tmp_path / k, CONFIG) for k in "ab")
    started: list[str] = []
    broken = LocalPool._fill(_BrokenPool(), jobs, {}, 2,  # type: ignore[arg-type]
                             lambda job: started.append(job.key))
    assert broken
    assert [job.key for job in jobs] == ["a.mp4", "b.mp4"]
    assert started == []


def test_two_batches_cannot_write_the_same_output_folder(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    write_clip(folder / "a.mp4")
    out.mkdir()
    busy = pytest.raises(OutputError, match=r"another runform batch \(process \d+\)")
    with output_lock(out), busy:  # as if another batch were running
        run_batch(options(folder, out), show_progress=False)
    assert run_batch(options(folder, out, workers=1),
                     show_progress=False).summary_line() == "1 ok, 0 failed, 0 skipped"
