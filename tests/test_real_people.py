"""Real people who are not running on a treadmill: the pipeline must not score them as runners.

The clips are the demo videos of Sports2D and Pose2Sim (BSD-3-Clause, see
tests/data/README.md). They are not committed: run ``python
tests/data/fetch_external.py`` once to put them in ``tests/data/external/``;
these tests skip without them. They run the full pose model.

* ``sports2d_demo.mp4``: outdoors, 1768x994 VP9 at 30 fps, 7.7 s; a man stands
  on a box and jumps down while a woman walks right to left across the whole
  frame (partly behind a tree). Two people, nobody running.
* ``pose2sim_single_cam01.mp4`` and ``cam02.mp4``: a lab, portrait 1080x1920 at
  60 fps, 1.7 s (100 frames), H.264 and VP9; a man on a force platform makes a
  lunging movement, seen obliquely (cam01) and from the front (cam02).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runform.config import AnalysisConfig
from runform.pipeline import Analysis, analyze

EXTERNAL = Path(__file__).parent / "data" / "external"
CLIPS = ("sports2d_demo.mp4", "pose2sim_single_cam01.mp4", "pose2sim_single_cam02.mp4")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Analysis, dict]]:
    missing = [c for c in CLIPS if not (EXTERNAL / c).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not fetched: run python tests/data/fetch_external.py")
    out: dict[str, tuple[Analysis, dict]] = {}
    for clip in CLIPS:
        folder = tmp_path_factory.mktemp(Path(clip).stem)
        analysis = analyze(EXTERNAL / clip, AnalysisConfig(model="full", write_video=False),
                           out_dir=folder)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        out[clip] = analysis, summary
    return out


def _scored(summary: dict[str, Any]) -> list[str]:
    """Metric and drift keys that received a verdict (a score or a non-unknown status)."""
    entries = {**summary["metrics"], **{f"drift.{k}": v for k, v in summary["drift"].items()}}
    return [k for k, v in entries.items()
            if v.get("score") is not None or v.get("status") not in (None, "unknown")]


@pytest.mark.parametrize("clip", CLIPS)
def test_real_people_run_through_analyze_and_get_no_running_verdict(results, clip):
    analysis, summary = results[clip]
    assert summary["input"]["frame_count"] == len(analysis.track) > 0
    assert analysis.detection_rate > 0.5
    assert summary["score"]["overall"] is None
    assert _scored(summary) == []
    assert summary["warnings"], "a clip with no running in it must say why"


def test_sports2d_walker_is_picked_and_the_other_person_reported(results):
    analysis, summary = results["sports2d_demo.mp4"]
    assert summary["people"]["others_present"] is True
    assert summary["people"]["max_in_one_frame"] == 2
    hip_x = analysis.track.midpoint("left_hip", "right_hip")[:, 0]
    # The woman crosses most of the 1768 px frame, right to left: the person chosen is her.
    assert np.nanmax(hip_x) - np.nanmin(hip_x) > 1000
    assert np.nanmedian(np.diff(hip_x)) < 0


def test_sports2d_walker_is_recognised_as_not_running_on_a_treadmill(results):
    _analysis, summary = results["sports2d_demo.mp4"]
    assert summary["events"]["reliable"] is False
    assert any(re.search(r"walk|not running|across the frame|treadmill", w, re.IGNORECASE)
               for w in summary["warnings"]), summary["warnings"]
    assert summary["activity"]["running"] is False
    assert summary["activity"]["hip_travel_body_heights"] > 2  # she crosses the frame
    assert [v["value"] for v in summary["metrics"].values()] == [None] * len(summary["metrics"])
    assert all(v["reason"].startswith("Not running on a treadmill")
               for v in summary["metrics"].values())


def test_pose2sim_lunge_seen_from_the_side_is_not_running(results):
    """cam01 sees the lunge obliquely (taken as a side view): no stride rhythm, so nothing."""
    _analysis, summary = results["pose2sim_single_cam01.mp4"]
    assert summary["view"] == "side"
    assert summary["activity"]["running"] is False
    assert [f["check"] for f in summary["activity"]["findings"]] == ["no_rhythm"]
    assert [v["value"] for v in summary["metrics"].values()] == [None] * len(summary["metrics"])
    assert any(w.startswith("Not running") for w in summary["warnings"])


def test_pose2sim_front_camera_is_seen_as_a_front_view(results):
    _analysis, summary = results["pose2sim_single_cam02.mp4"]
    assert summary["view"] == "front"
    assert any("front" in w for w in summary["warnings"])
    side_view = [k for k, v in summary["metrics"].items() if v["value"] is not None]
    assert side_view == []


@pytest.mark.parametrize("clip", ["pose2sim_single_cam01.mp4", "pose2sim_single_cam02.mp4"])
def test_pose2sim_lunge_has_no_contacts_and_says_so(results, clip):
    _analysis, summary = results[clip]
    assert summary["events"]["contacts"] == 0 and summary["events"]["reliable"] is False
    assert summary["metrics"]["cadence_spm"]["value"] is None
    assert any("rhythm" in w or "contacts" in w for w in summary["warnings"])
