"""The MediaPipe estimator's scouting: multi-person search only when it is needed."""

from pathlib import Path

import numpy as np
import pytest

from runform.pose.estimator import MediaPipePoseEstimator
from runform.pose.models import resolve_model
from runform.video import iter_frames

SAMPLE = Path(__file__).parent.parent / "sample_videos" / "good_form.mp4"


@pytest.fixture(scope="module")
def runner_image() -> np.ndarray:
    frame = next(iter_frames(SAMPLE))
    return frame.image[:, 320:960]  # the runner, 640x720


@pytest.mark.slow
def test_one_person_drops_to_single_person_tracking_after_scouting(runner_image):
    with MediaPipePoseEstimator(resolve_model("lite").path, max_people=2,
                                scout_s=1.0) as estimator:
        people = [len(estimator.detect(runner_image, t)) for t in (0, 500, 1001, 1500)]
        assert not estimator.scouting
    assert people == [1, 1, 1, 1]


@pytest.mark.slow
def test_two_people_keep_the_multi_person_search(runner_image):
    pair = np.ascontiguousarray(np.concatenate([runner_image, runner_image[:, ::-1]], axis=1))
    with MediaPipePoseEstimator(resolve_model("lite").path, max_people=2,
                                scout_s=1.0) as estimator:
        people = [len(estimator.detect(pair, t)) for t in (0, 500, 1001, 1500)]
        assert not estimator.scouting
    assert max(people) == 2 and people[-1] == 2
