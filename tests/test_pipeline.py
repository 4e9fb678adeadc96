import csv
import json

import numpy as np
import pytest

from runform import AnalysisConfig, analyze
from runform.errors import NoRunnerError
from tests.fakes import StaticPersonEstimator
from tests.videos import write_video


def test_analyze_writes_summary_and_landmarks_with_real_slowmo_time(tmp_path):
    times = [i / 120 for i in range(12)]
    video = write_video(tmp_path / "clip é.mp4", times, width=96, height=64)
    fake = StaticPersonEstimator()
    out = tmp_path / "result dir"
    analysis = analyze(video, AnalysisConfig(slowmo=4.0, model="lite"), out_dir=out,
                       estimator=fake)
    assert fake.calls == [round(t * 1000) for t in times]  # video clock, in ms, to the model
    np.testing.assert_allclose(analysis.track.time, np.array(times) / 4.0, atol=1e-5)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["detection_rate"] == 1.0
    assert summary["input"]["frame_count"] == 12
    assert summary["input"]["width"] == 96 and summary["input"]["height"] == 64
    assert summary["model"]["name"] == "lite" and len(summary["model"]["sha256"]) == 64
    assert len(summary["input"]["sha256"]) == 64
    with (out / "landmarks.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert float(rows[3]["time_s"]) == pytest.approx(3 / 120 / 4, abs=1e-5)
    assert float(rows[0]["nose_x"]) == pytest.approx(48.0)
    assert not list(out.glob(".*partial*"))


def test_nobody_in_view_is_an_error_and_writes_no_summary(tmp_path):
    video = write_video(tmp_path / "empty.mp4", [0, 0.1, 0.2])
    with pytest.raises(NoRunnerError, match="no person was detected"):
        analyze(video, out_dir=tmp_path / "o", estimator=StaticPersonEstimator(present=False))
    assert not (tmp_path / "o" / "summary.json").exists()
