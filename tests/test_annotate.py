"""Annotators on hand-built poses: what is drawn where, for both facings and frame sizes."""

from __future__ import annotations

import numpy as np
import pytest

from runform.annotate import (
    ContactAnnotator,
    ElbowAnnotator,
    OverstrideAnnotator,
    PanelAnnotator,
    SkeletonAnnotator,
    Style,
    TrunkAnnotator,
    annotate_frame,
    build_scene,
    default_annotators,
    value_classifier,
)
from runform.annotate.contact import contact_label
from runform.annotate.scene import trailing_mean, window_mean
from runform.annotate.style import ACCENT, INK, SIDE_COLORS, STATUS_COLORS, dim
from runform.annotate.text import text_size
from runform.pose.schema import LANDMARK_INDEX, LANDMARK_NAMES
from runform.pose.track import PoseTrack
from runform.scoring import load_profile

N = len(LANDMARK_NAMES)


Pose = dict[str, tuple[float, float]]


def standing_pose(width: int, height: int, facing: str = "right") -> Pose:
    """A side-view runner in the middle of the frame; the far limbs are offset backwards.

    Sizes are fractions of the frame height so the pose scales with the frame.
    """
    s = height / 720.0
    cx, sign = width / 2.0, 1.0 if facing == "right" else -1.0
    pts = {
        "nose": (cx + sign * 30 * s, 150 * s),
        "shoulder": (cx, 220 * s), "elbow": (cx, 320 * s), "wrist": (cx + sign * 90 * s, 320 * s),
        "hip": (cx, 420 * s), "knee": (cx, 540 * s), "ankle": (cx, 660 * s),
        "heel": (cx - sign * 20 * s, 675 * s), "foot_index": (cx + sign * 50 * s, 675 * s),
        "ear": (cx, 160 * s),
    }
    out: Pose = {"nose": pts["nose"]}
    far = "left" if facing == "right" else "right"
    for side in ("left", "right"):
        dx = -sign * 120 * s if side == far else 0.0
        for part, (x, y) in pts.items():
            if part != "nose":
                out[f"{side}_{part}"] = (x + dx, y)
    return out


def track_of(pose: Pose, width: int, height: int, n: int = 10,
             fps: float = 30.0) -> PoseTrack:
    pos = np.full((n, N, 2), np.nan)
    for name, xy in pose.items():
        pos[:, LANDMARK_INDEX[name]] = xy
    return PoseTrack.from_arrays(np.arange(n) / fps, pos, width=width, height=height)


def scene_of(width: int = 1280, height: int = 720, facing: str = "right", steps=(), series=None,
             metrics=None, classify=None, n: int = 10):
    near = "right" if facing == "right" else "left"
    track = track_of(standing_pose(width, height, facing), width, height, n)
    return build_scene(track, facing=facing, near=near, steps=list(steps), series=series or {},
                       metrics=metrics, classify=classify)


def blank(width: int = 1280, height: int = 720) -> np.ndarray:
    return np.full((height, width, 3), 128, dtype=np.uint8)


def pixel(frame: np.ndarray, xy: tuple[float, float]) -> tuple[int, int, int]:
    x, y = xy
    r, g, b = frame[round(y), round(x)]
    return int(r), int(g), int(b)


def colored(frame: np.ndarray, color: tuple[int, int, int], tol: int = 0) -> np.ndarray:
    return (np.abs(frame.astype(int) - np.array(color)) <= tol).all(axis=-1)


# ------------------------------------------------------------------- style


def test_style_scales_with_the_short_side_and_stays_readable_at_480p():
    small, hd, uhd = (Style.for_frame(854, 480), Style.for_frame(1280, 720),
                      Style.for_frame(3840, 2160))
    assert hd.scale == 1.0 and uhd.scale == 3.0
    assert uhd.font_px == pytest.approx(3 * hd.font_px, abs=1)
    assert uhd.line == pytest.approx(3 * hd.line, abs=1)
    assert small.font_px >= 12  # readable on a phone
    assert Style.for_frame(480, 854).font_px == small.font_px  # portrait = landscape
    _, height = text_size("Trunk +7°", small.font_px)
    assert height >= 12
    with pytest.raises(ValueError, match="positive frame size"):
        Style.for_frame(0, 480)


# ---------------------------------------------------------------- skeleton


@pytest.mark.parametrize("facing", ["right", "left"])
def test_skeleton_emphasises_the_near_side_and_dims_the_far_side(facing):
    scene = scene_of(facing=facing)
    frame = SkeletonAnnotator(Style.for_frame(1280, 720)).annotate(blank(), scene, 0)
    pose = standing_pose(1280, 720, facing)
    near, far = scene.near, ("left" if scene.near == "right" else "right")

    def mid(side: str) -> tuple[float, float]:
        (x0, y0), (x1, y1) = pose[f"{side}_hip"], pose[f"{side}_knee"]
        return (x0 + x1) / 2, (y0 + y1) / 2

    assert pixel(frame, mid(near)) == SIDE_COLORS[near]
    far_px = np.array(pixel(frame, mid(far)))
    assert np.abs(far_px - np.array(dim(SIDE_COLORS[far], 0.5))).max() <= 2
    assert far_px.sum() < 0.7 * sum(SIDE_COLORS[near])


def test_skeleton_lines_are_three_times_thicker_at_4k_than_at_720p():
    widths = []
    for w, h in ((1280, 720), (3840, 2160)):
        scene = scene_of(w, h)
        frame = SkeletonAnnotator(Style.for_frame(w, h)).annotate(blank(w, h), scene, 0)
        knee, hip = standing_pose(w, h)["right_knee"], standing_pose(w, h)["right_hip"]
        row = frame[round((knee[1] + hip[1]) / 2)]
        widths.append(int(colored(row[None], SIDE_COLORS["right"]).sum()))
    assert widths[0] >= 3
    assert widths[1] / widths[0] == pytest.approx(3.0, rel=0.35)


def test_skeleton_skips_missing_landmarks():
    pose = standing_pose(1280, 720)
    del pose["right_knee"]
    track = track_of(pose, 1280, 720)
    scene = build_scene(track, facing="right", near="right", steps=[], series={})
    frame = SkeletonAnnotator(Style.for_frame(1280, 720)).annotate(blank(), scene, 0)
    (x0, y0), (_, y1) = pose["right_hip"], pose["right_ankle"]
    assert pixel(frame, (x0, (y0 + y1) / 2)) == (128, 128, 128)  # no line through the gap


# ------------------------------------------------------------ trunk, elbow


@pytest.mark.parametrize("facing", ["right", "left"])
def test_trunk_line_and_label_sit_behind_the_runner(facing):
    scene = scene_of(facing=facing)
    frame = TrunkAnnotator(Style.for_frame(1280, 720)).annotate(blank(), scene, 0)
    pose = standing_pose(1280, 720, facing)
    hip_mid_x = (pose["left_hip"][0] + pose["right_hip"][0]) / 2
    shoulder_y, hip_y = pose["right_shoulder"][1], pose["right_hip"][1]
    assert pixel(frame, (hip_mid_x, (shoulder_y + hip_y) / 2)) == ACCENT
    chip = tuple(128 // 4 + round(0.75 * c) for c in INK)  # translucent dark label box
    ys, xs = np.nonzero(colored(frame, chip, tol=3))
    assert xs.size > 0
    behind = xs < hip_mid_x if facing == "right" else xs > hip_mid_x
    assert behind.mean() > 0.95
    assert (ys < hip_y - 100).mean() > 0.95  # at the top of the vertical reference


def test_elbow_arc_and_label_and_nothing_without_a_wrist():
    style = Style.for_frame(1280, 720)
    scene = scene_of()
    frame = ElbowAnnotator(style).annotate(blank(), scene, 0)
    assert colored(frame, ACCENT, tol=10).sum() > 50  # arc + text
    pose = standing_pose(1280, 720)
    del pose["right_wrist"]
    bare = build_scene(track_of(pose, 1280, 720), facing="right", near="right", steps=[],
                       series={})
    assert (ElbowAnnotator(style).annotate(blank(), bare, 0) == 128).all()


# ----------------------------------------------------------------- contacts


def _steps():
    return [{"foot": "right", "time_s": 3 / 30, "frame": 3, "toe_off_frame": 6, "toe_off_s": 0.2,
             "contact_ms": 231.4, "foot_ahead_of_hip_cm": 12.0,
             "knee_flexion_at_contact_deg": 18.0, "shank_angle_at_contact_deg": 4.0}]


def test_contact_marks_show_from_initial_contact_to_toe_off_only():
    scene = scene_of(steps=_steps())
    annotator = ContactAnnotator(Style.for_frame(1280, 720))
    drawn = [not (annotator.annotate(blank(), scene, i) == 128).all() for i in range(10)]
    assert drawn == [False, False, False, True, True, True, True, False, False, False]
    frame = annotator.annotate(blank(), scene, 3)
    assert colored(frame, SIDE_COLORS["right"]).sum() > 100


def test_contact_label_names_the_foot_and_the_contact_time():
    scene = scene_of(steps=[*_steps(), {"foot": "left", "time_s": 0.3, "frame": 9,
                                        "contact_ms": None}])
    assert contact_label(scene.contacts[0]) == "R · 231 ms"
    assert contact_label(scene.contacts[1]) == "L contact"
    assert scene.contacts[1].end_frame == 9  # the clip ends first


def test_overstride_still_draws_only_on_the_contact_frame():
    scene = scene_of(steps=_steps())
    annotator = OverstrideAnnotator(Style.for_frame(1280, 720))
    assert (annotator.annotate(blank(), scene, 2) == 128).all()
    frame = annotator.annotate(blank(), scene, 3)
    assert colored(frame, ACCENT, tol=10).sum() > 100


# -------------------------------------------------------------------- panel


def _lean_scene(status: str, width: int = 1280, height: int = 720):
    series = {"trunk_lean_deg": np.full(10, 7.0)}
    return scene_of(width, height, series=series, classify=lambda key, value: status)


@pytest.mark.parametrize("status", ["good", "fair", "poor"])
def test_panel_values_take_the_colour_of_their_status(status):
    frame = PanelAnnotator(Style.for_frame(1280, 720)).annotate(blank(), _lean_scene(status), 5)
    for other, color in STATUS_COLORS.items():
        if other in (status, "unknown"):
            continue
        assert colored(frame, color).sum() == 0, other
    assert colored(frame, STATUS_COLORS[status]).sum() > 20


def test_panel_goes_to_the_corner_away_from_the_runner():
    width, height = 1280, 720
    pose = {k: (x - 400.0, y - 130.0)  # left half, head near the top
            for k, (x, y) in standing_pose(width, height).items()}
    scene = build_scene(track_of(pose, width, height), facing="right", near="right", steps=[],
                        series={"trunk_lean_deg": np.full(10, 7.0)})
    frame = PanelAnnotator(Style.for_frame(width, height)).annotate(blank(), scene, 0)
    changed = (frame != 128).any(axis=-1)
    ys, xs = np.nonzero(changed)
    assert xs.min() > width / 2 and ys.max() < height / 2  # top-right


def test_panel_is_readable_at_480p_and_scales_to_4k():
    boxes = []
    for w, h in ((854, 480), (3840, 2160)):
        scene = _lean_scene("good", w, h)
        frame = PanelAnnotator(Style.for_frame(w, h)).annotate(blank(w, h), scene, 5)
        ys, xs = np.nonzero((frame != 128).any(axis=-1))
        boxes.append((xs.max() - xs.min(), ys.max() - ys.min()))
    assert boxes[0][1] >= 60  # header + a line of text, not a smudge
    assert boxes[0][0] < 854 / 2  # leaves most of a 480p frame free
    assert boxes[1][0] / boxes[0][0] == pytest.approx(4.5, rel=0.2)


# -------------------------------------------------------------------- scene


def test_live_cadence_from_the_last_two_strides():
    steps = [{"foot": "right" if i % 2 == 0 else "left", "time_s": i * 0.35,
              "frame": round(i * 0.35 * 100), "contact_ms": 250.0} for i in range(8)]
    width, height = 1280, 720
    track = track_of(standing_pose(width, height), width, height, n=300, fps=100.0)
    scene = build_scene(track, facing="right", near="right", steps=steps, series={})
    texts = scene.cadence.texts
    assert texts[139] == "– spm"  # four contacts so far
    assert texts[140] == f"{4 * 60 / 1.4:.0f} spm"
    assert texts[299] == "171 spm"


def test_panel_rows_hold_the_last_contact_value_and_skip_unmeasured_metrics():
    scene = scene_of(steps=_steps(), series={"trunk_lean_deg": np.full(10, 5.0)})
    rows = {r.key: r for r in scene.rows}
    assert set(rows) == {"trunk_lean_deg", "knee_flexion_at_contact_deg",
                         "foot_ahead_of_hip_cm", "contact_time_ms"}
    assert rows["knee_flexion_at_contact_deg"].texts[2] == "–"
    assert rows["knee_flexion_at_contact_deg"].texts[3] == "18°"
    assert rows["knee_flexion_at_contact_deg"].texts[9] == "18°"
    assert rows["contact_time_ms"].texts[5] == "231 ms"
    assert rows["foot_ahead_of_hip_cm"].texts[3] == "12 cm"


def test_trailing_and_centred_means_ignore_nan_and_need_half_the_window():
    t = np.arange(10) * 0.1
    v = np.arange(10.0)
    assert trailing_mean(t, v, 0.25)[3] == pytest.approx(2.0)  # frames 1, 2, 3
    assert window_mean(t, v, 0.15, 0.15)[5] == pytest.approx(5.0)
    v[2:5] = np.nan
    out = trailing_mean(t, v, 0.25)
    assert np.isnan(out[4]) and np.isnan(out[5])  # 1 finite value of 3
    assert out[6] == pytest.approx(5.5)  # frames 4, 5, 6: two finite of three


def test_value_classifier_judges_live_values_with_the_profile():
    profile = load_profile()
    summary = {"metrics": {"trunk_lean_deg": {"value": 6.0, "status": "good"},
                           "head_forward_deg": {"value": 6.0, "status": "good"},
                           "elbow_angle_deg": {"value": 90.0, "status": "unknown"},
                           "contact_time_ms": {"value": 250.0, "status": "good"}}}
    classify = value_classifier(summary, profile)
    band = profile.rules["trunk_lean_deg"].band
    assert classify("trunk_lean_deg", (band.good_min + band.good_max) / 2) == "good"
    assert classify("trunk_lean_deg", band.fair_max + 5.0) == "poor"
    head = profile.rules["head_forward_deg"].band
    assert classify("head_forward_deg", 6.0 + head.good_max - 0.5) == "good"  # relative to trunk
    assert classify("head_forward_deg", 6.0 + head.fair_max + 5.0) == "poor"
    assert classify("elbow_angle_deg", 90.0) == "unknown"  # clip value not trusted
    assert classify("contact_time_ms", 400.0) == "good"  # descriptors are never faults
    assert classify("no_such_metric", 1.0) == "unknown"


def test_default_annotators_draw_and_frames_past_the_track_stay_bare():
    scene = scene_of(steps=_steps(), series={"trunk_lean_deg": np.full(10, 5.0)})
    annotators = default_annotators(Style.for_frame(1280, 720))
    assert not (annotate_frame(blank(), scene, 3, annotators) == 128).all()
    assert (annotate_frame(blank(), scene, 10, annotators) == 128).all()
