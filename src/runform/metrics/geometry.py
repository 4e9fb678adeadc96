"""Sagittal-plane geometry shared by the metric modules.

Conventions (all functions): positions are pixels with x to the right and
y pointing DOWN (image coordinates); ``facing`` is the running direction in
the image (``"right"`` = towards +x). "Forward" is the running direction, so
every signed angle is positive when something is ahead in the running
direction, whichever way the runner faces. Angles are in degrees. NaN in any
input gives NaN in the output at that frame.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from runform.gait.types import Facing

FloatArray = npt.NDArray[np.float64]


def forward_sign(facing: Facing) -> float:
    """Return +1 when the runner faces image-right (+x), -1 when facing left.

    Raises
    ------
    ValueError
        If ``facing`` is neither ``"left"`` nor ``"right"``.
    """
    if facing == "right":
        return 1.0
    if facing == "left":
        return -1.0
    raise ValueError(f"Expected facing 'left' or 'right', but got {facing!r}.")


def tilt_from_vertical_up(base: FloatArray, tip: FloatArray, facing: Facing) -> FloatArray:
    """Angle of the segment ``base -> tip`` from the upward vertical, degrees.

    Parameters
    ----------
    base, tip
        Pixel positions, shape (..., 2); ``tip`` is normally above ``base``
        (e.g. hip midpoint -> shoulder midpoint).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Degrees in (-180, 180]; 0 when ``tip`` is straight above ``base``,
        positive when ``tip`` is ahead of ``base`` in the running direction.
    """
    d = np.asarray(tip, dtype=np.float64) - np.asarray(base, dtype=np.float64)
    return np.degrees(np.arctan2(forward_sign(facing) * d[..., 0], -d[..., 1]))


def tilt_from_vertical_down(base: FloatArray, tip: FloatArray, facing: Facing) -> FloatArray:
    """Angle of the segment ``base -> tip`` from the downward vertical, degrees.

    Parameters
    ----------
    base, tip
        Pixel positions, shape (..., 2); ``tip`` is normally below ``base``
        (e.g. knee -> ankle, shoulder -> elbow).
    facing
        Running direction in the image.

    Returns
    -------
    numpy.ndarray
        Degrees in (-180, 180]; 0 when ``tip`` hangs straight below ``base``,
        positive when ``tip`` is ahead of ``base`` in the running direction.
    """
    d = np.asarray(tip, dtype=np.float64) - np.asarray(base, dtype=np.float64)
    return np.degrees(np.arctan2(forward_sign(facing) * d[..., 0], d[..., 1]))


def interior_angle(a: FloatArray, vertex: FloatArray, c: FloatArray) -> FloatArray:
    """Interior angle ``a - vertex - c`` in degrees, 0..180 (180 = straight line).

    Parameters
    ----------
    a, vertex, c
        Pixel positions, shape (..., 2).

    Returns
    -------
    numpy.ndarray
        Degrees; NaN where a segment has zero length or an input is NaN.
    """
    u = np.asarray(a, dtype=np.float64) - vertex
    v = np.asarray(c, dtype=np.float64) - vertex
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = np.sum(u * v, axis=-1)
    with np.errstate(invalid="ignore"):
        ang = np.degrees(np.arctan2(np.abs(cross), dot))
    degenerate = (np.hypot(*np.moveaxis(u, -1, 0)) == 0) | (np.hypot(*np.moveaxis(v, -1, 0)) == 0)
    return np.where(degenerate, np.nan, ang)


def inclination_from_horizontal(back: FloatArray, front: FloatArray, facing: Facing) -> FloatArray:
    """Angle of the segment ``back -> front`` above the horizontal, degrees.

    Parameters
    ----------
    back, front
        Pixel positions, shape (..., 2) (e.g. heel -> toe).
    facing
        Running direction; ``front`` is normally ahead of ``back``.

    Returns
    -------
    numpy.ndarray
        Degrees in (-180, 180]; positive when ``front`` is higher than
        ``back`` ("toes up"), 0 when level.
    """
    d = np.asarray(front, dtype=np.float64) - np.asarray(back, dtype=np.float64)
    return np.degrees(np.arctan2(-d[..., 1], forward_sign(facing) * d[..., 0]))


def sample_at(time: FloatArray, series: FloatArray, t: float) -> float:
    """Linearly interpolate a per-frame series at time ``t`` (seconds).

    Parameters
    ----------
    time
        Frame times, shape (T,), increasing.
    series
        Values per frame, shape (T,).
    t
        Time to sample, e.g. a sub-frame initial contact.

    Returns
    -------
    float
        The interpolated value; NaN outside the clip or when either
        neighbouring frame is NaN.
    """
    if time.size == 0 or not time[0] <= t <= time[-1]:
        return float("nan")
    i = int(np.searchsorted(time, t, side="right")) - 1
    i = min(max(i, 0), time.size - 2) if time.size > 1 else 0
    if time.size == 1:
        return float(series[0])
    w = (t - time[i]) / (time[i + 1] - time[i])
    if w == 0.0:
        return float(series[i])
    if w == 1.0:
        return float(series[i + 1])
    return float((1.0 - w) * series[i] + w * series[i + 1])


def finite_mean(values: FloatArray) -> float:
    """Mean of the finite values; NaN when there are none."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(finite.mean()) if finite.size else float("nan")
