"""Which way the runner faces and where the camera stands, from the body itself.

On a treadmill the runner does not travel across the frame, so direction is
never taken from motion. The facing comes from two body cues that hold in every
frame of a side view: the nose is ahead of the ears, and each foot's toe
(``foot_index``) is ahead of its heel. The view comes from how wide the
shoulders and hips look relative to the trunk: in a side view left and right
overlap; from the front or rear they are a trunk's width apart, and the
runner's left appears on the image's right when the runner faces the camera.
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt

from runform.gait.types import Facing, View
from runform.pose.schema import LANDMARK_INDEX
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

SIDE_MAX_WIDTH = 0.4
"""Largest median shoulder/hip width, as a fraction of the trunk length, for a side view.
Winter's proportions give about 0.9 (shoulders) and 0.66 (hips) from the front,
and near 0 from the side; a three-quarter view falls between."""


def _nanmedian(x: FloatArray) -> float:
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _x_offsets(track: PoseTrack, pairs: tuple[tuple[str, str], ...]) -> FloatArray:
    """``x(a) - x(b)`` for each landmark pair ``(a, b)``, all frames of all pairs in one array."""
    return np.concatenate([track.xy(a)[:, 0] - track.xy(b)[:, 0] for a, b in pairs])


_TOES_AHEAD = (("left_foot_index", "left_heel"), ("right_foot_index", "right_heel"))
"""Toe minus heel of each foot: positive when the runner faces image-right."""
_LEFT_OF_RIGHT = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))
"""The runner's left minus right shoulder and hip: about 0 from the side."""


def trunk_length_px(track: PoseTrack) -> float:
    """Median distance from the hip midpoint to the shoulder midpoint, pixels (NaN if unseen)."""
    trunk = track.midpoint("left_shoulder", "right_shoulder") - track.midpoint(
        "left_hip", "right_hip")
    return _nanmedian(np.hypot(trunk[:, 0], trunk[:, 1]))


def facing_evidence(track: PoseTrack) -> float:
    """Signed evidence for the facing: positive = right, negative = left, 0 = none.

    The sum of two medians over all frames, each in trunk lengths: nose ahead of
    the ear midpoint, and toe ahead of heel (both feet). In a side view each
    cue is about 0.3-0.5 in size; values near 0 mean the body gives no clear
    direction (front or rear view, or too few landmarks).

    Parameters
    ----------
    track
        A pose track in pixels.

    Returns
    -------
    float
        The evidence (never NaN).
    """
    scale = trunk_length_px(track)
    if not np.isfinite(scale) or scale <= 0:
        scale = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ears = np.nanmean(np.stack([track.xy("left_ear")[:, 0], track.xy("right_ear")[:, 0]]),
                          axis=0)
    head = _nanmedian(track.xy("nose")[:, 0] - ears)
    foot = _nanmedian(_x_offsets(track, _TOES_AHEAD))
    total = sum(v / scale for v in (head, foot) if np.isfinite(v))
    return float(total) if np.isfinite(total) else 0.0


def detect_facing(track: PoseTrack) -> Facing:
    """Tell the running direction in the image (``"left"`` or ``"right"``) from the body.

    Uses :func:`facing_evidence` (nose ahead of the ears, toes ahead of the
    heels); never the runner's travel across the frame. When the body gives no
    evidence at all (no head or foot landmarks) the answer is ``"right"``;
    check :func:`facing_evidence` if that matters.

    Parameters
    ----------
    track
        A pose track in pixels.

    Returns
    -------
    Facing
        ``"left"`` or ``"right"``.
    """
    return "left" if facing_evidence(track) < 0 else "right"


def lateral_width(track: PoseTrack) -> float:
    """Median apparent shoulder and hip width over the trunk length (NaN if unseen)."""
    trunk = trunk_length_px(track)
    if not np.isfinite(trunk) or trunk <= 0:
        return float("nan")
    return _nanmedian(np.abs(_x_offsets(track, _LEFT_OF_RIGHT))) / trunk


def detect_view(track: PoseTrack) -> View:
    """Camera view of the runner: ``"side"``, ``"front"`` or ``"rear"``.

    Side when the median apparent shoulder/hip width is below
    :data:`SIDE_MAX_WIDTH` trunk lengths (or cannot be measured). Otherwise
    front when the runner's left shoulder and hip appear right of the right ones
    (the runner faces the camera), rear when they appear left of them; a tie
    is broken by the nose being nearer the camera than the ears (front).

    Parameters
    ----------
    track
        A pose track in pixels.

    Returns
    -------
    View
        ``"side"``, ``"front"`` or ``"rear"``.
    """
    width = lateral_width(track)
    if not np.isfinite(width) or width < SIDE_MAX_WIDTH:
        return "side"
    order = _nanmedian(_x_offsets(track, _LEFT_OF_RIGHT))
    if np.isfinite(order) and order != 0:
        return "front" if order > 0 else "rear"
    depth = {n: track.depth[:, LANDMARK_INDEX[n]] for n in ("nose", "left_ear", "right_ear")}
    nose_ahead = _nanmedian(0.5 * (depth["left_ear"] + depth["right_ear"]) - depth["nose"])
    return "rear" if np.isfinite(nose_ahead) and nose_ahead < 0 else "front"
