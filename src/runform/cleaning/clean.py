"""Clean a raw pose track: gate, repair swaps, drop outliers, fill short gaps, smooth."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from runform.cleaning.filters import (
    design_cutoff,
    fill_short_gaps,
    hampel_mask,
    lowpass,
    sample_rate,
)
from runform.cleaning.period import stride_period
from runform.cleaning.swaps import apply_swaps, find_swaps, periodic_outliers
from runform.gait.types import CleanedTrack
from runform.gait.view import detect_facing, detect_view, trunk_length_px
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

DEFAULT_CUTOFF_HZ = 10.0
"""Default low-pass cutoff, Hz of real time.

Running at 150-195 steps per minute has its stride at 1.25-1.6 Hz and the
foot's path carries harmonics up to about 8-10 Hz; Winter (2009) and most
running studies smooth marker positions at 6-12 Hz. 10 Hz keeps the landing
(the sharpest event) within about one frame at 30 fps while removing most of
MediaPipe's frame-to-frame jitter; angles can be smoothed further downstream.
"""

SWAP_MIN_SEPARATION = 0.05
"""Swaps of limbs never further apart than this fraction of the trunk length are ignored."""
PERIODIC_K = 5.0
"""Rhythm outliers: robust SDs from the point's prediction one (half) stride away."""
PERIODIC_FLOOR = 0.15
"""Rhythm outliers must also be this fraction of the trunk length from the prediction."""
OUTLIER_WINDOW_S = 0.1
"""Running-median window of the outlier test, real seconds."""
OUTLIER_K = 6.0
"""Outlier threshold in robust standard deviations of the distance from the running median."""
OUTLIER_FLOOR = 0.25
"""Distances from the running median below this fraction of the trunk length are kept."""


def clean_track(track: PoseTrack, *, cutoff_hz: float = DEFAULT_CUTOFF_HZ,
                min_visibility: float = 0.5, max_gap_s: float = 0.25) -> CleanedTrack:
    """Gate, repair left/right swaps, remove outliers, fill short gaps and smooth a track.

    Steps, in order (all in pixels; the input is never modified):

    1. Facing and view are detected on the raw track (:mod:`runform.gait.view`).
    2. Confidence gating: points with visibility below ``min_visibility`` become
       missing (NaN visibility, as from a synthetic source, is not gated).
    3. Left/right swap repair of knees, feet, elbows and hands
       (:mod:`runform.cleaning.swaps`), applied to positions, depth, visibility
       and world landmarks, before any smoothing.
    4. Outliers: a point further from its running median (``OUTLIER_WINDOW_S``)
       than ``OUTLIER_K`` robust SDs, and than ``OUTLIER_FLOOR`` trunk lengths,
       becomes missing.
    5. Gaps of at most ``max_gap_s`` (between the samples around them, minus
       one frame) are filled by a cubic spline; longer gaps and gaps at the
       clip's ends stay missing.
    6. Zero-lag low-pass: 2nd-order Butterworth run forward and backward
       (4th order overall), -3 dB at ``cutoff_hz`` of real time, per
       contiguous run of samples.

    Parameters
    ----------
    track
        Raw pose track (pixels, real seconds).
    cutoff_hz
        Low-pass -3 dB frequency in Hz of real time; see :data:`DEFAULT_CUTOFF_HZ`.
        At or above 95 % of the Nyquist frequency no smoothing is done.
    min_visibility
        Points less visible than this are treated as missing before cleaning.
    max_gap_s
        Longest gap (seconds) filled by interpolation.

    Returns
    -------
    CleanedTrack
        The cleaned track with facing, view, swap count and notes.

    Notes
    -----
    NaN behaviour: a point missing in the input, gated, or flagged as an
    outlier stays NaN unless it lies in a short interior gap; frames where the
    runner is absent for longer than ``max_gap_s`` stay NaN (never invented).
    The cleaned ``visibility`` is 0 where a point was filled by interpolation
    (it was not seen) and NaN where the point is missing. ``depth`` and
    ``world`` are swap-repaired but not smoothed or filled.
    """
    facing, view = detect_facing(track), detect_view(track)
    notes: list[str] = []
    pos = track.position.copy()
    vis = track.visibility.copy()
    with np.errstate(invalid="ignore"):
        gated = vis < min_visibility
    pos[gated] = np.nan
    present = np.asarray(~np.isnan(track.position).any(axis=-1), dtype=bool)
    _note_share(notes, gated, present,
                f"below visibility {min_visibility:g}")
    trunk = trunk_length_px(track)
    period, _ = stride_period(track.with_position(pos), facing)
    swaps = find_swaps(pos, track.depth, track.visibility,
                       near=facing if view == "side" else None,
                       min_separation=SWAP_MIN_SEPARATION * trunk if np.isfinite(trunk) else 0.0,
                       time=track.time, period=period)
    pos = apply_swaps(pos, swaps)
    vis = apply_swaps(vis, swaps)
    depth, world = apply_swaps(track.depth, swaps), apply_swaps(track.world, swaps)
    if swaps.episodes:
        notes.append(f"{swaps.episodes} left/right limb swap episode(s) repaired.")
    pos = _remove_outliers(track, pos, notes)
    pos = _remove_periodic_outliers(track, pos, period, trunk, notes)
    pos, filled = _fill(pos, track.time, max_gap_s, notes)
    pos = _smooth(pos, track.time, cutoff_hz, notes)
    vis = np.where(np.isnan(pos).any(-1), np.nan, np.where(filled, 0.0, vis))
    cleaned = PoseTrack.from_arrays(track.time, pos, width=track.width, height=track.height,
                                    depth=depth, visibility=vis, world=world)
    return CleanedTrack(track=cleaned, facing=facing, view=view,
                        swaps_repaired=swaps.episodes, notes=notes)


def _note_share(notes: list[str], mask: npt.NDArray[np.bool_],
                present: npt.NDArray[np.bool_], what: str) -> None:
    total = int(present.sum())
    if total and mask.any():
        notes.append(f"{100.0 * mask.sum() / total:.1f} % of landmark points {what} "
                     "were treated as missing.")


def _remove_outliers(track: PoseTrack, pos: FloatArray, notes: list[str]) -> FloatArray:
    fs = sample_rate(track.time)
    window = max(5, int(round(OUTLIER_WINDOW_S * fs)) | 1) if fs > 0 else 5
    trunk = trunk_length_px(track)
    floor = OUTLIER_FLOOR * trunk if np.isfinite(trunk) else 0.0
    out = pos.copy()
    flagged = 0
    for j in range(pos.shape[1]):
        bad = hampel_mask(pos[:, j], window, floor=floor)
        out[bad, j] = np.nan
        flagged += int(bad.sum())
    if flagged:
        notes.append(f"{flagged} outlying landmark point(s) removed.")
    return out


def _remove_periodic_outliers(track: PoseTrack, pos: FloatArray, period: float | None,
                              trunk: float, notes: list[str]) -> FloatArray:
    floor = PERIODIC_FLOOR * trunk if np.isfinite(trunk) else 0.0
    bad = periodic_outliers(pos, track.time, period, k=PERIODIC_K, floor=floor)
    out = pos.copy()
    out[bad] = np.nan
    if bad.any():
        notes.append(f"{int(bad.sum())} limb point(s) far from the gait's rhythm removed.")
    return out


def _fill(pos: FloatArray, time: FloatArray, max_gap_s: float,
          notes: list[str]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    out = pos.copy()
    filled = np.zeros(pos.shape[:2], bool)
    for j in range(pos.shape[1]):
        col = pos[:, j].copy()
        col[np.isnan(col).any(-1)] = np.nan
        out[:, j], filled[:, j] = fill_short_gaps(col, time, max_gap_s)
    if filled.any():
        notes.append(f"{int(filled.sum())} missing landmark point(s) in gaps up to "
                     f"{max_gap_s:g} s filled by interpolation.")
    absent = np.isnan(out).all(axis=(1, 2))
    if absent.any():
        notes.append(f"The runner is missing in {int(absent.sum())} frame(s) "
                     "(gaps too long to fill).")
    return out, filled


def _smooth(pos: FloatArray, time: FloatArray, cutoff_hz: float,
            notes: list[str]) -> FloatArray:
    fs = sample_rate(time)
    flat = pos.reshape(pos.shape[0], int(np.prod(pos.shape[1:])))
    out = lowpass(flat, time, cutoff_hz).reshape(pos.shape)
    if fs > 0 and not design_cutoff(cutoff_hz, fs) < 0.95 * 0.5 * fs:
        notes.append(f"No smoothing: the {cutoff_hz:g} Hz cutoff is too close to the "
                     f"{0.5 * fs:.1f} Hz Nyquist frequency of this clip.")
    return out
