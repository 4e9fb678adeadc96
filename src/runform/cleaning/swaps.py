"""Repair left/right label swaps of the legs and arms before any smoothing.

In a side view MediaPipe often gives the near leg the far leg's label for a few
frames, typically when the legs cross. A swap leaves a trace in the motion: the
labelled point jumps to the other limb, or, when the limbs cross, keeps its
position but reverses its velocity (the swing foot moves forward, the stance
foot backward with the belt).

For each limb group (knees; ankle-heel-toe; elbows; wrist and hand) a Viterbi
search finds the per-frame labelling (kept or exchanged) with the least
*acceleration*: states are the labellings of two consecutive frames, so every
transition scores the second difference of both chains at one frame. Costs are
robust (a squared error in units of the typical acceleration, clipped so an
outlier cannot force a swap). Weaker per-frame evidence is added:

* keeping MediaPipe's labels is slightly preferred, so a symmetric case stays as
  it was;
* in a side view the near limb (the runner's left when facing left) should be
  nearer the camera (smaller depth) and more visible;
* for the feet, the shank (knee to ankle, with the knees already repaired)
  should keep its typical length.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from runform.cleaning.filters import nanmedian_small
from runform.pose.schema import LANDMARK_INDEX

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

LIMB_GROUPS: dict[str, tuple[str, ...]] = {
    "knee": ("knee",),
    "foot": ("ankle", "heel", "foot_index"),
    "elbow": ("elbow",),
    "hand": ("wrist", "pinky", "index", "thumb"),
}
"""Landmark parts (without side prefix) whose labels swap together."""

_CLIP = 16.0
"""Largest cost of one landmark's acceleration (squared units of its typical size)."""
_KEEP_PRIOR = 0.5
"""Cost per frame of exchanging MediaPipe's labels without evidence."""
_NEAR_WEIGHT = 0.1
"""Cost per frame when the exchanged labels put the near limb further away (depth
and visibility, each)."""
_SHANK_WEIGHT = 1.0
"""Cost per frame and unit of relative shank-length mismatch, squared."""
_PERIODIC_WEIGHT = 2.0
"""Cost per frame and unit of periodicity evidence (prediction error difference
in units of its typical size)."""
_PERIODIC_CLIP = 5.0
"""Largest periodicity evidence per frame, in units of its typical size."""
_VITERBI_CHUNK = 4096
"""Frames turned into Python floats at a time by the labelling recursion."""


@dataclass(frozen=True)
class SwapResult:
    """Swap states per limb group (True = labels exchanged in that frame)."""

    states: dict[str, BoolArray]

    @property
    def episodes(self) -> int:
        """Distinct swap episodes: runs of frames where legs or arms were exchanged."""
        total = 0
        for groups in (("knee", "foot"), ("elbow", "hand")):
            mask = np.zeros(0, bool)
            for g in groups:
                s = self.states.get(g)
                if s is not None:
                    mask = s if mask.size == 0 else (mask | s)
            if mask.size:
                total += int(np.sum(np.diff(np.concatenate([[0], mask.astype(int)])) == 1))
        return total


def _indices(parts: Sequence[str]) -> tuple[list[int], list[int]]:
    return ([LANDMARK_INDEX[f"left_{p}"] for p in parts],
            [LANDMARK_INDEX[f"right_{p}"] for p in parts])


def _accel_scale(pos: FloatArray, idx: list[int]) -> float:
    """Typical size of a frame's second difference (robust), pixels."""
    acc = pos[2:, idx] - 2 * pos[1:-1, idx] + pos[:-2, idx]
    mag = np.linalg.norm(acc, axis=-1)
    mag = mag[~np.isnan(mag)]
    if mag.size == 0:
        return 1.0
    return max(float(np.median(mag)) * 1.4826, 1e-3)


def _transition_costs(pos: FloatArray, li: list[int], ri: list[int]) -> FloatArray:
    """Cost (T, 2, 2, 2) of labellings (a, b, c) at frames t-2, t-1, t (index t)."""
    n = pos.shape[0]
    scale = _accel_scale(pos, li + ri)
    cost = np.zeros((n, 2, 2, 2))
    if n < 3:
        return cost
    left, right = pos[:, li], pos[:, ri]
    chains = (np.stack([left, right]), np.stack([right, left]))  # state 0 / state 1
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                acc = chains[c][:, 2:] - 2 * chains[b][:, 1:-1] + chains[a][:, :-2]
                err = np.sum(acc ** 2, axis=-1) / scale ** 2  # (2 chains, T-2, parts)
                err = np.where(np.isnan(err), 0.0, np.minimum(err, _CLIP))
                cost[2:, a, b, c] = err.sum(axis=(0, 2))
    return cost


def _viterbi(unary: FloatArray, trans: FloatArray) -> BoolArray:
    """Best binary labelling given per-frame costs (T, 2) and triple costs (T, 2, 2, 2).

    The recursion runs on Python floats, a chunk of frames at a time: it runs
    for every frame of the clip, and NumPy calls on 2 x 2 arrays cost far more
    than their arithmetic. Ties (and NaN) resolve as ``numpy.argmin`` does.
    """
    n = unary.shape[0]
    if n == 0:
        return np.zeros(0, bool)
    if n == 1:
        return np.array([unary[0, 1] < unary[0, 0]])
    # d[b][c] (here d00, d01, d10, d11): best cost of frames 0..t with labels b at t-1, c at t.
    (u0, u1), (v0, v1) = unary[0].tolist(), unary[1].tolist()
    d00, d01, d10, d11 = u0 + v0, u0 + v1, u1 + v0, u1 + v1
    back = np.zeros((n, 4), dtype=np.int8)
    flat = trans.reshape(n, 8)  # [a, b, c] -> 4a + 2b + c
    for start in range(2, n, _VITERBI_CHUNK):
        stop = min(n, start + _VITERBI_CHUNK)
        chosen: list[int] = []
        for (t000, t001, t010, t011, t100, t101, t110, t111), (w0, w1) in zip(
                flat[start:stop].tolist(), unary[start:stop].tolist(), strict=True):
            # new d[b][c] = min over a of d[a][b] + trans[a, b, c], then + unary[c].
            a00, e00 = _first_min(d00 + t000, d10 + t100)
            a01, e01 = _first_min(d00 + t001, d10 + t101)
            a10, e10 = _first_min(d01 + t010, d11 + t110)
            a11, e11 = _first_min(d01 + t011, d11 + t111)
            chosen += (a00, a01, a10, a11)
            d00, d01, d10, d11 = e00 + w0, e01 + w1, e10 + w0, e11 + w1
        back[start:stop] = np.asarray(chosen, dtype=np.int8).reshape(-1, 4)
    b, c = divmod(_first_index_of_min((d00, d01, d10, d11)), 2)
    states = np.zeros(n, dtype=bool)
    states[-1], states[-2] = bool(c), bool(b)
    for t in range(n - 1, 1, -1):
        states[t - 2] = bool(back[t, 2 * int(states[t - 1]) + int(states[t])])
    return states


def _first_min(x: float, y: float) -> tuple[int, float]:
    """Index and value of the smaller of two, as ``numpy.argmin``: the first on a tie or NaN."""
    if y < x or (y != y and x == x):  # y != y: y is NaN
        return 1, y
    return 0, x


def _first_index_of_min(values: tuple[float, ...]) -> int:
    """``numpy.argmin`` of a few floats (the first minimum; the first NaN wins)."""
    return int(np.argmin(np.array(values)))


def _near_cost(values: FloatArray, li: list[int], ri: list[int], near_left: bool,
               smaller_is_near: bool) -> FloatArray:
    """Per-frame cost (T, 2) when a labelling puts the near limb on the far side."""
    delta = values[:, li] - values[:, ri]
    seen = ~np.isnan(delta)
    diff = np.where(seen, delta, 0.0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    left_nearer = diff < 0 if smaller_is_near else diff > 0
    ok = left_nearer == near_left
    kept = np.where(ok | (diff == 0), 0.0, _NEAR_WEIGHT)
    swapped = np.where(~ok | (diff == 0), 0.0, _NEAR_WEIGHT)
    return np.stack([kept, swapped], -1)


def _shank_cost(pos: FloatArray, li: list[int], ri: list[int]) -> FloatArray:
    """Per-frame cost (T, 2) of shank-length mismatch for the foot group."""
    kl, kr = pos[:, LANDMARK_INDEX["left_knee"]], pos[:, LANDMARK_INDEX["right_knee"]]
    al, ar = pos[:, li[0]], pos[:, ri[0]]
    lengths = {(k, a): np.linalg.norm(pos_k - pos_a, axis=-1)
               for k, pos_k in (("l", kl), ("r", kr)) for a, pos_a in (("l", al), ("r", ar))}
    ref_l = np.nanmedian(lengths["l", "l"]) if np.isfinite(lengths["l", "l"]).any() else np.nan
    ref_r = np.nanmedian(lengths["r", "r"]) if np.isfinite(lengths["r", "r"]).any() else np.nan
    if not (np.isfinite(ref_l) and np.isfinite(ref_r)) or ref_l <= 0 or ref_r <= 0:
        return np.zeros((pos.shape[0], 2))
    kept = ((lengths["l", "l"] / ref_l - 1) ** 2 + (lengths["r", "r"] / ref_r - 1) ** 2)
    swapped = ((lengths["l", "r"] / ref_l - 1) ** 2 + (lengths["r", "l"] / ref_r - 1) ** 2)
    out = _SHANK_WEIGHT * np.stack([kept, swapped], -1)
    return np.where(np.isnan(out), 0.0, np.minimum(out, _CLIP))


def _shifted(x: FloatArray, time: FloatArray, shift: float) -> FloatArray:
    """Values (T, ...) at ``time + shift``, interpolated between the two nearest frames.

    NaN outside the clip or where a neighbouring frame is missing.
    """
    q = time + shift
    j = np.searchsorted(time, q)
    inside = (j > 0) & (j < time.size)
    j = np.clip(j, 1, max(time.size - 1, 1))
    span = time[j] - time[j - 1]
    w = np.where(span > 0, (q - time[j - 1]) / np.where(span > 0, span, 1.0), 0.0)
    w = w.reshape((-1,) + (1,) * (x.ndim - 1))
    out = x[j - 1] * (1 - w) + x[j] * w
    out[~inside] = np.nan
    return out


def _periodic_cost(pos: FloatArray, time: FloatArray, li: list[int], ri: list[int],
                   period: float, reference: FloatArray | None = None) -> FloatArray:
    """Per-frame cost (T, 2) from the gait's periodicity.

    Each foot repeats itself one stride later and mirrors the other foot half a
    stride later, so the labelled points at ``t`` are predicted (median of
    four) from ``t +- T`` (same label) and ``t +- T/2`` (other label), relative
    to the hip midpoint. The labelling far from its prediction pays.
    Predictions come from ``reference`` (the current best labelling; by
    default ``pos``), costs are for the labels of ``pos``.
    """
    if time.size < 3 or not np.isfinite(period) or period <= 0:
        return np.zeros((pos.shape[0], 2))
    hip = _hip_mid(pos)
    left, right = pos[:, li] - hip[:, None, :], pos[:, ri] - hip[:, None, :]
    ref = pos if reference is None else reference
    ref_l, ref_r = ref[:, li] - hip[:, None, :], ref[:, ri] - hip[:, None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pred_l = nanmedian_small(np.stack([_shifted(ref_l, time, -period),
                                           _shifted(ref_l, time, period),
                                           _shifted(ref_r, time, -period / 2),
                                           _shifted(ref_r, time, period / 2)]), axis=0)
        pred_r = nanmedian_small(np.stack([_shifted(ref_r, time, -period),
                                           _shifted(ref_r, time, period),
                                           _shifted(ref_l, time, -period / 2),
                                           _shifted(ref_l, time, period / 2)]), axis=0)

    def dist(a: FloatArray, b: FloatArray) -> FloatArray:
        d = np.linalg.norm(a - b, axis=-1)
        return np.where(np.isnan(d), 0.0, d).sum(axis=-1)

    keep = dist(left, pred_l) + dist(right, pred_r)
    swap = dist(left, pred_r) + dist(right, pred_l)
    both = np.minimum(keep, swap)
    scale = float(np.median(both[both > 0])) if np.any(both > 0) else 0.0
    if scale <= 0:
        return np.zeros((pos.shape[0], 2))
    gap = np.clip((keep - swap) / scale, -_PERIODIC_CLIP, _PERIODIC_CLIP) * _PERIODIC_WEIGHT
    return np.stack([np.maximum(gap, 0.0), np.maximum(-gap, 0.0)], -1)


def periodic_outliers(position: FloatArray, time: FloatArray, period: float | None, *,
                      k: float = 5.0, floor: float = 0.0) -> BoolArray:
    """Flag limb points far from where the gait's periodicity puts them.

    Each limb point is predicted (median of four) from the same point one
    stride earlier and later and the other side's point half a stride earlier
    and later, relative to the hip midpoint (see :func:`_periodic_cost`). A
    point further from its prediction than ``k`` robust SDs of all such
    distances for that point, and than ``floor`` pixels, is flagged. This
    catches MediaPipe's brief glitches when the legs cross (one label jumping
    between the feet, or both labels on one foot) that a running median
    misses.

    Returns
    -------
    numpy.ndarray
        Boolean (T, 33), True for outliers; nothing is flagged without a period.
    """
    out = np.zeros(position.shape[:2], bool)
    if period is None or not np.isfinite(period) or period <= 0 or time.size < 3:
        return out
    hip = _hip_mid(position)
    for parts in LIMB_GROUPS.values():
        li, ri = _indices(parts)
        left, right = position[:, li] - hip[:, None, :], position[:, ri] - hip[:, None, :]
        for idx, own, other in ((li, left, right), (ri, right, left)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                pred = nanmedian_small(np.stack([
                    _shifted(own, time, -period), _shifted(own, time, period),
                    _shifted(other, time, -period / 2), _shifted(other, time, period / 2)]),
                    axis=0)
            dist = np.linalg.norm(own - pred, axis=-1)
            for j, col in enumerate(idx):
                d = dist[:, j]
                seen = np.isfinite(d)
                if seen.sum() < 8:
                    continue
                scale = 1.4826 * float(np.median(d[seen]))
                with np.errstate(invalid="ignore"):
                    out[:, col] = seen & (d > max(k * scale, floor))
    return out


def _hip_mid(pos: FloatArray) -> FloatArray:
    hips = pos[:, [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]]
    seen = ~np.isnan(hips)
    hip = np.where(seen, hips, 0.0).sum(axis=1) / np.maximum(seen.sum(axis=1), 1)
    hip[~seen.any(axis=1)] = np.nan
    return hip


def find_swaps(position: FloatArray, depth: FloatArray, visibility: FloatArray, *,
               near: str | None, min_separation: float = 0.0, time: FloatArray | None = None,
               period: float | None = None) -> SwapResult:
    """Find the frames whose left/right limb labels should be exchanged.

    Parameters
    ----------
    position
        Pixels, shape (T, 33, 2), NaN where missing (gated, not yet smoothed).
    depth, visibility
        Shape (T, 33); NaN where unknown.
    near
        ``"left"`` or ``"right"``: the side nearer the camera in a side view, or
        None (front and rear views) to ignore depth and visibility.
    min_separation
        Swap episodes in which the left and right points never get further
        apart than this (pixels) are ignored: exchanging coinciding points
        changes nothing and is not reported.
    time, period
        Frame times (seconds) and the stride period; when both are given the
        gait's periodicity is used as evidence too (two passes).

    Returns
    -------
    SwapResult
        Swap states per limb group; apply them with :func:`apply_swaps`.
    """
    periodic = time is not None and period is not None and time.size == position.shape[0]
    result = SwapResult(states={})
    for _ in range(2 if periodic else 1):
        reference = apply_swaps(position, result) if result.states else position
        states: dict[str, BoolArray] = {}
        work = position.copy()
        for group, parts in LIMB_GROUPS.items():
            li, ri = _indices(parts)
            unary = np.zeros((work.shape[0], 2))
            unary[:, 1] += _KEEP_PRIOR
            if near is not None:
                unary += _near_cost(depth, li, ri, near == "left", smaller_is_near=True)
                unary += _near_cost(visibility, li, ri, near == "left", smaller_is_near=False)
            if group == "foot":
                unary += _shank_cost(work, li, ri)
            if periodic and time is not None and period is not None:
                unary += _periodic_cost(position, time, li, ri, period, reference)
            state = _viterbi(unary, _transition_costs(work, li, ri))
            state = _drop_ineffective(state, work, li, ri, min_separation)
            states[group] = state
            _exchange(work, state, li, ri)
        result = SwapResult(states=states)
    return result



def _drop_ineffective(state: BoolArray, pos: FloatArray, li: list[int], ri: list[int],
                      min_separation: float) -> BoolArray:
    out = state.copy()
    sep = np.linalg.norm(pos[:, li] - pos[:, ri], axis=-1)
    for a, b in _runs(state):
        seen = sep[a:b][np.isfinite(sep[a:b])]
        if seen.size == 0 or float(np.max(seen)) <= min_separation:
            out[a:b] = False
    return out


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    m = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(m))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _exchange(arr: FloatArray, rows: BoolArray, li: list[int], ri: list[int]) -> None:
    if not rows.any():
        return
    left = arr[rows][:, li].copy()
    sub = arr[rows]
    sub[:, li] = sub[:, ri]
    sub[:, ri] = left
    arr[rows] = sub


def apply_swaps(arr: FloatArray, result: SwapResult) -> FloatArray:
    """Return a copy of a per-landmark array (T, 33, ...) with the swaps applied."""
    out = np.array(arr, copy=True)
    for group, parts in LIMB_GROUPS.items():
        state = result.states.get(group)
        if state is not None and state.size == out.shape[0]:
            li, ri = _indices(parts)
            _exchange(out, state, li, ri)
    return out
