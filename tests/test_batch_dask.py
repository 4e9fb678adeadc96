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


def test_dask_cluster_gives_the_same_table_as_local_workers(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "in")
    common = {"config": CONFIG, "recursive": True, "estimator_factory": FakeEstimatorFactory()}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        report = run_batch(BatchOptions(folder=folder, out=tmp_path / "dask",
                                        scheduler=cluster.scheduler_address, **common),
                           show_progress=False)
        workers = {r.worker for r in report.results if r.status == "ok"}
        dask_rows = rows(tmp_path / "dask" / "batch.csv")
        # Resume works the same way: only the failed clips are sent again.
        again = run_batch(BatchOptions(folder=folder, out=tmp_path / "dask",
                                       scheduler=cluster.scheduler_address, **common),
                          show_progress=False)
    assert again.summary_line() == "0 ok, 2 failed, 4 skipped"
    local = run_batch(BatchOptions(folder=folder, out=tmp_path / "local", workers=2, **common),
                      show_progress=False)

    assert report.summary_line() == local.summary_line() == "4 ok, 2 failed, 0 skipped"
    assert report.backend.startswith("Dask cluster inproc://")
    assert {r.key: r.status for r in report.results} == {
        **dict.fromkeys(GOOD, "ok"), **dict.fromkeys(BAD, "failed")}
    assert len(workers) == 1  # all ran in the cluster's single (in-process) worker
    local_rows = rows(tmp_path / "local" / "batch.csv")
    for key in dask_rows:
        assert {**dask_rows[key], "elapsed_s": ""} == {**local_rows[key], "elapsed_s": ""}
    for key, (_, cadence) in GOOD.items():
        assert float(dask_rows[key]["cadence_spm"]) == pytest.approx(cadence, abs=1.0)
        assert (tmp_path / "dask" / key / "summary.json").is_file()



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
