"""Foot strike: the foot's angle at contact relative to the treadmill belt.

The classic reference for the angle (Altman & Davis 2012) is the same foot
lying flat. runform first took it from the foot in mid-stance, but MediaPipe
misplaces the heel and toe of a loaded foot: a flat foot in mid-stance read
4-22 deg toes-down on the validation clips and 9-33 deg on the real treadmill
clip, which made every landing look 5-8 deg more toes-up than it was. The
belt is a steadier "flat": both ends of each contact rest on it, so the line
from where the foot lands to where its toe leaves gives the belt's slope in the
image (and with it any camera roll). The heel -> toe line of a flat foot is
taken as parallel to the belt.

The foot's angle "at contact" is read from the end of swing, the last
:data:`SWING_WINDOW_S` before the initial contact, not from the contact frames
themselves. A landing foot rotates fast (a heel strike slaps flat within about
40 ms), so in the frames at and after IC MediaPipe reads the struck, loading
foot 4-9 deg more toes-down than it is (validation tuning clips), the
zero-lag filter of the cleaning spreads that rotation into the frames just
before IC, and at low frame rates the frame after IC (foot already rotating)
weighs heavily in a sub-frame sample. In the last tens of milliseconds of
swing the foot is held in its landing posture and moves smoothly, so its
angle there is the better estimate of the angle it lands with.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from runform.gait.types import Facing, Foot, Step
from runform.metrics.base import FloatArray, MetricContext, contact_entry, unmeasured
from runform.metrics.geometry import inclination_from_horizontal, sample_at

KEY = "foot_strike"
REARFOOT_ABOVE_DEG = 8.0
"""Altman & Davis 2012: foot-strike angle above 8.0 deg = rearfoot strike."""
FOREFOOT_BELOW_DEG = -1.6
"""Altman & Davis 2012: foot-strike angle below -1.6 deg = forefoot strike."""
NEAR_THRESHOLD_DEG = 3.0
"""Within this distance of a threshold the class may be the adjacent one."""
MIN_BELT_STEPS = 3
"""Steps with a toe-off needed to measure the belt's slope; fewer: the image horizontal is used."""
TOLERANCE_DEG = 1.5
SWING_WINDOW_S = (0.06, 0.02)
"""The landing angle is the foot's mean angle from this long (s) before IC to this long before.

The window ends 20 ms before contact, outside the reach of the cleaning's
10 Hz zero-lag filter into the fast landing rotation; it is 40 ms long so
that even a 25 fps clip has a frame in it."""
SWING_SAMPLES = 9
"""Evenly spaced samples of the frame-to-frame interpolated angle over the window."""
CAVEAT = ("Measured against the belt, taking the heel-to-toe line of a flat foot as level, "
          "from the foot's angle in the last 60-20 ms of swing. On the held-out validation "
          "clips it read 1.3 deg more toes-down than the truth on average (mean error 2.2 deg; "
          "one steep heel strike, +17 deg, read as nearly flat), and a shoe's raised heel can "
          "make a flat landing read a few degrees toes-down: a result within a few degrees of "
          "a class threshold may belong to the adjacent class.")
"""Shown with every foot-strike result (see the validation table in the README)."""

StrikeClass = Literal["rearfoot", "midfoot", "forefoot"]


def foot_angle_series(heel: FloatArray, toe: FloatArray, facing: Facing) -> FloatArray:
    """Angle of the heel -> toe (foot_index) line above horizontal per frame, degrees.

    Returns
    -------
    numpy.ndarray
        Degrees, shape (T,); positive = toes up (dorsiflexed foot).
    """
    return inclination_from_horizontal(heel, toe, facing)


def classify(angle_deg: float) -> StrikeClass:
    """Foot-strike class from the strike angle (Altman & Davis 2012 thresholds).

    Parameters
    ----------
    angle_deg
        Foot angle at contact minus the flat-foot angle, positive toes up.

    Returns
    -------
    str
        ``rearfoot`` above 8.0 deg, ``forefoot`` below -1.6 deg, else
        ``midfoot``.
    """
    if angle_deg > REARFOOT_ABOVE_DEG:
        return "rearfoot"
    if angle_deg < FOREFOOT_BELOW_DEG:
        return "forefoot"
    return "midfoot"


def belt_inclination(heels: dict[Foot, FloatArray], toes: dict[Foot, FloatArray],
                     time: FloatArray, steps: tuple[Step, ...], facing: Facing) -> float | None:
    """Slope of the treadmill belt in the image, degrees, positive when it rises to the front.

    In the first frame of a contact the lower of heel and toe is on the belt,
    in its last frame the toe still is; the belt carried the foot backwards in
    between, so the line from the one to the other runs along it.

    Parameters
    ----------
    heels, toes
        Per-frame heel and toe (foot_index) positions of each foot, pixels, shape (T, 2).
    time
        Frame times, seconds, shape (T,).
    steps
        Contacts in time order.
    facing
        Running direction.

    Returns
    -------
    float or None
        Median over steps with a toe-off; None when fewer than
        :data:`MIN_BELT_STEPS` give one.
    """
    slopes = []
    for step in steps:
        if step.to_time is None:
            continue
        # Frames inside the contact, so both points are surely down (no blend with the air).
        first = int(np.searchsorted(time, step.ic_time, side="left"))
        last = int(np.searchsorted(time, step.to_time, side="right")) - 1
        if not 0 <= first < last < time.size:
            continue
        heel, toe = heels[step.foot][first], toes[step.foot][first]
        landing = heel if heel[1] >= toe[1] else toe  # image y points down
        slopes.append(float(inclination_from_horizontal(toes[step.foot][last], landing, facing)))
    finite = [a for a in slopes if np.isfinite(a)]
    return float(np.median(finite)) if len(finite) >= MIN_BELT_STEPS else None


def swing_end_angle(time: FloatArray, angle: FloatArray, ic_time: float,
                    window_s: tuple[float, float] = SWING_WINDOW_S) -> float:
    """Return the foot's angle at the end of swing: its mean over a window before contact.

    Parameters
    ----------
    time
        Frame times, seconds, shape (T,), increasing.
    angle
        Per-frame foot angle above the image horizontal (see
        :func:`foot_angle_series`), degrees, NaN where unseen.
    ic_time
        Initial contact, seconds (sub-frame).
    window_s
        From how long before IC to how long before IC the angle is averaged,
        seconds (start > end >= 0).

    Returns
    -------
    float
        Time average of the frame-to-frame interpolated angle over
        ``[ic_time - window_s[0], ic_time - window_s[1]]``, degrees; NaN when
        fewer than half of its samples are seen or the window leaves the clip.
    """
    start, end = window_s
    samples = np.array([sample_at(time, angle, ic_time - w)
                        for w in np.linspace(start, end, SWING_SAMPLES)])
    seen = np.isfinite(samples)
    if 2 * seen.sum() < samples.size:
        return float("nan")
    return float(np.mean(samples[seen]))


def strike_angles(time: FloatArray, angles: dict[Foot, FloatArray],
                  steps: tuple[Step, ...], belt_deg: float) -> FloatArray:
    """Foot-strike angle of each step: the foot's landing angle above the belt.

    Parameters
    ----------
    time
        Frame times, shape (T,).
    angles
        Per-frame foot angle of each foot above the image horizontal (see
        :func:`foot_angle_series`).
    steps
        Contacts in time order.
    belt_deg
        The belt's slope in the image (:func:`belt_inclination`), degrees.

    Returns
    -------
    numpy.ndarray
        Degrees per step, positive = toes up at contact. The landing angle
        is the foot's angle at the end of swing (:func:`swing_end_angle`).
    """
    return np.array([swing_end_angle(time, angles[step.foot], step.ic_time) - belt_deg
                     for step in steps], dtype=np.float64)


def strike_angles_of(ctx: MetricContext) -> FloatArray:
    """Foot-strike angle of each step of the context, degrees (belt, else image horizontal)."""
    sides: tuple[Foot, Foot] = ("left", "right")
    heels = {side: ctx.limb(side, "heel") for side in sides}
    toes = {side: ctx.limb(side, "foot_index") for side in sides}
    angles = {side: foot_angle_series(heels[side], toes[side], ctx.facing) for side in sides}
    belt = belt_inclination(heels, toes, ctx.track.time, ctx.steps, ctx.facing)
    return strike_angles(ctx.track.time, angles, ctx.steps, 0.0 if belt is None else belt)


def measure_foot_strike(ctx: MetricContext, per_step: FloatArray) -> dict[str, Any]:
    """Build the ``foot_strike`` entry: class of the near foot's mean strike angle.

    Extras: ``angle_deg`` (mean strike angle, positive toes up), ``counts``
    (steps per class), ``near_threshold`` (the angle is within 3 deg of a
    class threshold, so the adjacent class is plausible).
    """
    entry = contact_entry(ctx, KEY, per_step, TOLERANCE_DEG)
    angle = entry["value"]
    if angle is None:
        return unmeasured(KEY, "The heel and toe were not found at any contact.")
    finite = per_step[np.isfinite(per_step)]
    entry["value"] = classify(angle)
    entry["angle_deg"] = angle
    entry["counts"] = {c: int(sum(classify(a) == c for a in finite))
                       for c in ("rearfoot", "midfoot", "forefoot")}
    entry["near_threshold"] = bool(min(abs(angle - REARFOOT_ABOVE_DEG),
                                       abs(angle - FOREFOOT_BELOW_DEG)) < NEAR_THRESHOLD_DEG)
    entry["caveat"] = CAVEAT
    return entry
