"""Pixel scale from the runner's own body: leg length and pixels per centimetre.

Segment lengths are fractions of standing height (stature ``H``) from Winter
(2009, *Biomechanics and Motor Control of Human Movement*, 4th ed., Fig. 4.1),
which reproduces Drillis & Contini (1966):

============================  ========  ====================================
Segment (MediaPipe landmarks)  ratio    Winter's landmarks
============================  ========  ====================================
thigh (hip -> knee)            0.245 H  greater trochanter (0.530) to knee (0.285)
shank (knee -> ankle)          0.246 H  knee (0.285) to lateral malleolus (0.039)
trunk (hip mid -> shoulder mid) 0.288 H  greater trochanter (0.530) to acromion (0.818)
============================  ========  ====================================

Lengths are measured in frames where the body is upright (trunk within
:data:`MAX_TRUNK_TILT_DEG` of vertical) and the leg is extended (knee angle at
least :data:`MIN_KNEE_DEG`), where a side view shows the segments at their full
length; the median over those frames is robust to jitter and to the odd bad
frame. The segments are in the sagittal plane, so a side view sees them nearly
unforeshortened; MediaPipe's hip and shoulder points are joint-centre
estimates, so expect a few per cent of error (measured in the validation set).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from runform.gait.view import detect_facing
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

THIGH_RATIO = 0.245
"""Thigh length over stature (Winter 2009; Drillis & Contini 1966)."""
SHANK_RATIO = 0.246
"""Shank length over stature."""
TRUNK_RATIO = 0.288
"""Hip-to-shoulder height over stature (0.818 - 0.530)."""
MIN_KNEE_DEG = 150.0
"""Interior knee angle from which the leg counts as extended."""
MAX_TRUNK_TILT_DEG = 25.0
"""Largest trunk angle from vertical for an upright frame."""
MIN_FRAMES = 5
"""Fewer qualifying frames than this fall back to all frames with the segments seen."""


def _leg(track: PoseTrack, side: str) -> tuple[FloatArray, FloatArray]:
    """Per-frame thigh + shank length and interior knee angle (degrees) of one leg."""
    hip, knee, ankle = (track.xy(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
    a, b = hip - knee, ankle - knee
    la, lb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(a * b, axis=-1) / (la * lb)
    angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return la + lb, angle


def _near_first(track: PoseTrack) -> tuple[str, str]:
    near = detect_facing(track)
    return (near, "left" if near == "right" else "right")


def _median_of(values: FloatArray, preferred: npt.NDArray[np.bool_]) -> float | None:
    ok = np.isfinite(values) & (values > 0)
    pick = ok & preferred
    chosen = values[pick] if pick.sum() >= MIN_FRAMES else values[ok]
    return float(np.median(chosen)) if chosen.size else None


def leg_length_px(track: PoseTrack) -> float | None:
    """Length of the straight leg (hip to knee plus knee to ankle), pixels.

    The near leg (the side the runner faces, in a side view) is used when it is
    seen in enough frames, else the other leg. The value is the median of the
    per-frame thigh + shank length over frames with the knee extended
    (interior angle at least :data:`MIN_KNEE_DEG`), or over all frames when
    fewer than :data:`MIN_FRAMES` qualify.

    Parameters
    ----------
    track
        A pose track in pixels (cleaned or raw).

    Returns
    -------
    float or None
        The leg length in pixels, or None when no leg is seen.
    """
    for side in _near_first(track):
        length, knee = _leg(track, side)
        with np.errstate(invalid="ignore"):
            value = _median_of(length, knee >= MIN_KNEE_DEG)
        if value is not None and np.isfinite(length).sum() >= MIN_FRAMES:
            return value
    return None


def estimate_px_per_cm(track: PoseTrack, height_cm: float) -> float | None:
    """Pixels per centimetre from body segments and the runner's standing height.

    For each frame, the stature in pixels is estimated as (thigh + shank of the
    near leg + trunk) / (0.245 + 0.246 + 0.288); the median over upright,
    extended frames (see the module notes) divided by ``height_cm`` is the
    scale.

    Parameters
    ----------
    track
        A pose track in pixels.
    height_cm
        The runner's standing height in centimetres (positive).

    Returns
    -------
    float or None
        Pixels per centimetre, or None when the body is not seen well enough.

    Raises
    ------
    ValueError
        If ``height_cm`` is not a positive finite number.
    """
    if not np.isfinite(height_cm) or height_cm <= 0:
        raise ValueError(f"Expected a positive height in cm, but got {height_cm}.")
    trunk_vec = track.midpoint("left_shoulder", "right_shoulder") - track.midpoint(
        "left_hip", "right_hip")
    trunk = np.hypot(trunk_vec[:, 0], trunk_vec[:, 1])
    with np.errstate(invalid="ignore"):
        tilt = np.degrees(np.arctan2(np.abs(trunk_vec[:, 0]), -trunk_vec[:, 1]))
        upright = tilt <= MAX_TRUNK_TILT_DEG
    for side in _near_first(track):
        leg, knee = _leg(track, side)
        stature = (leg + trunk) / (THIGH_RATIO + SHANK_RATIO + TRUNK_RATIO)
        if np.isfinite(stature).sum() < MIN_FRAMES:
            continue
        with np.errstate(invalid="ignore"):
            value = _median_of(np.where(upright, stature, np.nan), knee >= MIN_KNEE_DEG)
        if value is not None:
            return value / height_cm
    return None
