"""The real treadmill clip (MIT, see tests/data/README.md) through the real pose model."""

from pathlib import Path

import numpy as np
import pytest

from runform.config import AnalysisConfig
from runform.pipeline import extract_pose
from runform.pose.models import resolve_model
from runform.video import probe_video

REAL_CLIP = Path(__file__).parent / "data" / "treadmill_side_home.mp4"


@pytest.fixture(scope="session")
def real_track():
    info = probe_video(REAL_CLIP)
    track, report = extract_pose(REAL_CLIP, info, AnalysisConfig(model="lite"),
                                 resolve_model("lite"))
    return info, track, report


@pytest.mark.slow
def test_runner_found_in_every_frame_upright_and_in_pixels(real_track):
    info, track, report = real_track
    assert (info.width, info.height, info.fps, info.frame_count) == (720, 1280, 30.0, 360)
    assert len(track) == 360 and track.detection_rate == 1.0
    assert report.people_seen == 1
    np.testing.assert_allclose(np.diff(track.time), 1 / 30, atol=1e-6)
    nose_y = np.nanmedian(track.xy("nose")[:, 1])
    ankle_y = np.nanmedian(track.midpoint("left_ankle", "right_ankle")[:, 1])
    hip = track.midpoint("left_hip", "right_hip")
    assert nose_y < ankle_y  # upright: head above feet
    assert 0 < np.nanmedian(hip[:, 0]) < 720 and 0 < np.nanmedian(hip[:, 1]) < 1280
    # Body height spans a large part of the portrait frame, measured in pixels.
    assert 300 < ankle_y - nose_y < 1280
