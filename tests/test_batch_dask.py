"""The Dask path: the same batch on a real ``distributed.LocalCluster``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from runform.batch import BatchOptions, run_batch
from runform.batch.cluster import ClusterError, DaskCluster
from runform.config import AnalysisConfig
from tests.batch_fakes import BAD, GOOD, FakeEstimatorFactory, make_folder

distributed = pytest.importorskip("distributed", reason="the 'cluster' extra is not installed")

CONFIG = AnalysisConfig(model="lite", write_video=False)


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {r["clip"]: r for r in csv.DictReader(handle)}


def test_dask_cluster_runs_the_batch_like_local_workers(tmp_path: Path) -> None:
    folder, out = make_folder(tmp_path / "in"), tmp_path / "out"
    common = {"config": CONFIG, "recursive": True, "estimator_factory": FakeEstimatorFactory()}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        report = run_batch(BatchOptions(folder=folder, out=out,
                                        scheduler=cluster.scheduler_address, **common),
                           show_progress=False)
        table = rows(out / "batch.csv")
        # Resume works the same way: only the failed clips are sent again.
        again = run_batch(BatchOptions(folder=folder, out=out,
                                       scheduler=cluster.scheduler_address, **common),
                          show_progress=False)

    assert report.summary_line() == "4 ok, 2 failed, 0 skipped"
    assert report.backend.startswith("Dask cluster inproc://")
    assert {r.key: r.status for r in report.results} == {
        **dict.fromkeys(GOOD, "ok"), **dict.fromkeys(BAD, "failed")}
    assert len({r.worker for r in report.results if r.status == "ok"}) == 1  # the one worker
    for failure in report.failed:
        assert BAD[failure.key] in failure.error and "\n" not in failure.error
    for key, (seconds, cadence) in GOOD.items():
        assert table[key]["status"] == "ok"
        assert float(table[key]["duration_s"]) == pytest.approx(seconds, abs=0.05)
        assert float(table[key]["cadence_spm"]) == pytest.approx(cadence, abs=1.0)
        assert (out / key / "summary.json").is_file()
    assert again.summary_line() == "0 ok, 2 failed, 4 skipped"


def test_unreachable_scheduler_is_a_clear_error() -> None:
    cluster = DaskCluster("tcp://127.0.0.1:9", timeout_s=2)
    with pytest.raises(ClusterError, match=r"Expected a Dask scheduler at tcp://127\.0\.0\.1:9"):
        cluster.__enter__()


def test_missing_dask_says_how_to_install(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    folder = make_folder(tmp_path / "in")
    with pytest.raises(ClusterError, match=r"pip install 'runform\[cluster\]'"):
        run_batch(BatchOptions(folder=folder, out=tmp_path / "out", config=CONFIG,
                               scheduler="tcp://127.0.0.1:8786"), show_progress=False)
