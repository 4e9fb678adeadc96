import numpy as np
import pytest

from runform.pose import LANDMARK_NAMES, PersonPose, PoseTrack, RunnerSelector
from runform.pose.schema import mirror_name, side_of

N = len(LANDMARK_NAMES)


def _positions(n_frames: int, offset=(100.0, 50.0)) -> np.ndarray:
    base = np.stack([np.arange(N, dtype=float), 2.0 * np.arange(N)], axis=-1) + offset
    return np.repeat(base[None], n_frames, axis=0)


def test_landmarks_are_addressed_by_name():
    pos = _positions(3)
    track = PoseTrack.from_arrays([0.0, 0.1, 0.2], pos, width=640, height=480)
    hip = LANDMARK_NAMES.index("left_hip")
    np.testing.assert_array_equal(track.xy("left_hip"), pos[:, hip])
    mid = track.midpoint("left_hip", "right_hip")
    np.testing.assert_allclose(mid[0], 0.5 * (pos[0, hip] + pos[0, hip + 1]))
    assert len(track) == 3
    with pytest.raises(KeyError, match="Unknown landmark 'left_hoof'"):
        track.xy("left_hoof")


def test_missing_frames_are_nan_and_lower_the_detection_rate():
    pos = _positions(4)
    pos[1] = np.nan
    track = PoseTrack.from_arrays([0, 1, 2, 3], pos, width=10, height=10)
    assert track.detected.tolist() == [True, False, True, True]
    assert track.detection_rate == pytest.approx(0.75)
    assert np.isnan(track.vis("nose")[1]) and track.vis("nose")[0] == 1.0


@pytest.mark.parametrize(
    ("time", "shape", "match"),
    [
        ([0.0, 0.1], (3, N, 2), "position of shape"),
        ([0.0, 0.0, 0.1], (3, N, 2), "strictly increasing"),
        ([0.0, 0.1], (2, N, 3), "position of shape"),
    ],
)
def test_invalid_arrays_are_rejected_with_what_was_expected(time, shape, match):
    with pytest.raises(ValueError, match=match):
        PoseTrack.from_arrays(time, np.zeros(shape), width=1, height=1)


def test_subset_and_with_position_keep_everything_aligned():
    track = PoseTrack.from_arrays([0, 1, 2], _positions(3), width=5, height=5)
    part = track.subset(slice(1, 3))
    np.testing.assert_array_equal(part.time, [1, 2])
    moved = track.with_position(track.position + 1)
    np.testing.assert_array_equal(moved.position - track.position, 1)
    with pytest.raises(ValueError, match="Expected position of shape"):
        track.with_position(track.position[:2])


def test_names_mirror_and_sides():
    assert mirror_name("left_knee") == "right_knee"
    assert mirror_name("right_foot_index") == "left_foot_index"
    assert mirror_name("nose") == "nose"
    assert side_of("left_heel") == "left" and side_of("nose") is None


def _person(cx: float, cy: float, scale: float) -> PersonPose:
    unit = np.stack([np.linspace(-0.3, 0.3, N), np.linspace(-1, 1, N)], axis=-1)
    pos = unit * scale + (cx, cy)
    return PersonPose(position=pos, depth=np.zeros(N), visibility=np.ones(N),
                      world=np.zeros((N, 3)))


def test_runner_is_the_large_person_present_throughout_not_the_first_listed():
    selector = RunnerSelector()
    for i in range(30):
        walker = _person(50 + 4 * i, 200, 60)   # small, walks across, listed first
        runner = _person(400, 240, 200)         # large, stays on the treadmill
        people = [walker, runner] if i < 20 else [walker]
        if i in (5, 6):
            people = [walker]                   # runner briefly lost
        selector.add(i / 30, people)
    track, report = selector.result(640, 480)
    assert report.max_simultaneous == 2
    assert report.people_seen == 2
    assert track.detection_rate == pytest.approx(18 / 30)
    np.testing.assert_allclose(np.nanmean(track.position[0], axis=0), (400, 240))
    assert not track.detected[5] and not track.detected[25]


def test_selector_with_nobody_gives_an_all_nan_track():
    selector = RunnerSelector()
    for i in range(5):
        selector.add(i * 0.1, [])
    track, report = selector.result(100, 100)
    assert track.detection_rate == 0.0 and report.people_seen == 0
