"""``runform analyze`` end to end on a bundled synthetic clip, checked against its exact truth."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from runform.cli import app

SAMPLE = Path(__file__).parent.parent / "sample_videos" / "good_form.mp4"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("good_form")
    run = CliRunner().invoke(app, ["analyze", str(SAMPLE), "--model", "lite", "--no-video",
                                   "--height-cm", "178", "--out", str(out),
                                   "--quiet"])
    assert run.exit_code == 0, run.output
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    with (out / "landmarks.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return truth, summary, rows


def _points(rows, name):
    return np.array([[float(r[f"{name}_x"] or "nan"), float(r[f"{name}_y"] or "nan")]
                     for r in rows])


@pytest.mark.slow
def test_runner_found_in_every_frame_with_the_clips_own_timestamps(result):
    truth, summary, rows = result
    video = truth["video"]
    assert summary["detection_rate"] >= 0.99
    assert summary["input"]["frame_count"] == video["n_frames"] == len(rows)
    assert summary["input"]["fps"] == pytest.approx(video["fps"])
    times = np.array([float(r["time_s"]) for r in rows])
    np.testing.assert_allclose(times, truth["frames"]["time_s"], atol=1e-3)


@pytest.mark.slow
def test_hip_landmarks_follow_the_renderers_truth(result):
    truth, _, rows = result
    for name in ("left_hip", "right_hip"):
        error = _points(rows, name) - np.array(truth["frames"]["points"][name])
        distance = np.hypot(*error.T)
        # MediaPipe's hip sits a little above the mannequin's skeletal hip joint: a constant
        # offset of 10-15 px at this size (body ~520 px tall). Frame-to-frame it tracks the
        # truth to a few pixels once that offset is removed.
        assert np.nanmedian(distance) < 18
        residual = np.hypot(*(error - np.nanmedian(error, axis=0)).T)
        assert np.nanmedian(residual) < 6


@pytest.mark.slow
def test_headline_metrics_match_the_truth(result):
    truth, summary, _ = result
    metrics = summary["metrics"]
    assert summary["facing"] == truth["video"]["facing"]
    assert summary["view"] == "side"
    assert metrics["cadence_spm"]["value"] == pytest.approx(truth["metrics"]["cadence_spm"],
                                                            abs=1.0)
    assert metrics["trunk_lean_deg"]["value"] == pytest.approx(
        truth["metrics"]["trunk_lean_deg"], abs=1.5)
    # Contacts away from the clip's ends (the first/last can't be confirmed) are found, near
    # their true time (tools/validate.py measures the timing error properly).
    end = truth["video"]["duration_s"] - 0.3
    true_ic = np.array([s["ic_time_s"] for s in truth["steps"] if 0.3 < s["ic_time_s"] < end])
    found = np.array([s["time_s"] for s in summary["steps"]])
    nearest = np.abs(found[None, :] - true_ic[:, None]).min(axis=1)
    assert np.mean(nearest < 0.05) >= 0.9
    assert np.median(nearest) < 0.025
