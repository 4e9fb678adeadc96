"""The MediaPipe estimator: multi-person search only when needed, no temporal smoothing."""

from pathlib import Path

import numpy as np
import pytest

from runform.pose.estimator import MediaPipePoseEstimator
from runform.pose.models import resolve_model
from runform.pose.schema import LANDMARK_NAMES
from runform.video import iter_frames

SAMPLE = Path(__file__).parent.parent / "sample_videos" / "good_form.mp4"
HIPS = [LANDMARK_NAMES.index("left_hip"), LANDMARK_NAMES.index("right_hip")]


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


def _jumping_frames(sample_frame: np.ndarray, shift_px: int, count: int) -> list[np.ndarray]:
    """The runner's crop, alternately moved ``shift_px`` to the left and back."""
    crops = [sample_frame[:, 320:960], sample_frame[:, 320 + shift_px:960 + shift_px]]
    return [np.ascontiguousarray(crops[k % 2]) for k in range(count)]


@pytest.mark.slow
@pytest.mark.parametrize("shift_px", [12, 24])
def test_landmarks_follow_each_frame_without_mediapipe_smoothing(shift_px):
    """VIDEO mode's own one-euro filter would lag the jumps; runform's timestamps switch it off.

    Every other frame shows the (still) runner ``shift_px`` pixels further left,
    33 ms apart on the video clock. Unsmoothed landmarks jump by the full shift
    every frame (measured: 10.5 and 21.6 px for 12 and 24, the landmark model's
    own imprecision); MediaPipe's filter leaves a quarter to a third of it (2.9
    and 9.7 px).
    """
    frame = next(iter_frames(SAMPLE)).image
    frames = _jumping_frames(frame, shift_px, 24)
    with MediaPipePoseEstimator(resolve_model("lite").path, max_people=1) as estimator:
        hips = [estimator.detect(f, 33 * k)[0].position[HIPS].mean(axis=0)
                for k, f in enumerate(frames)]
    jumps = -np.diff(np.array(hips)[8:, 0]) * (-1.0) ** np.arange(8, len(hips) - 1)
    assert np.median(jumps) == pytest.approx(shift_px, rel=0.25)
