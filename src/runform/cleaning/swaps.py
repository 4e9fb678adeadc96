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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
    """Best binary labelling given per-frame costs (T, 2) and triple costs (T, 2, 2, 2)."""
    n = unary.shape[0]
    if n == 0:
        return np.zeros(0, bool)
    if n == 1:
        return np.array([unary[0, 1] < unary[0, 0]])
    # d[b, c]: best cost of frames 0..t with labels b at t-1 and c at t.
    d = unary[0][:, None] + unary[1][None, :]
    back = np.zeros((n, 2, 2), dtype=np.int8)
    for t in range(2, n):
        # total[a, b, c] = d[a, b] + trans[t, a, b, c]
        total = d[:, :, None] + trans[t]
        back[t] = np.argmin(total, axis=0)
        d = np.min(total, axis=0) + unary[t][None, :]
    b, c = np.unravel_index(int(np.argmin(d)), d.shape)
    states = np.zeros(n, dtype=bool)
    states[-1], states[-2] = bool(c), bool(b)
    for t in range(n - 1, 1, -1):
        a = back[t, int(states[t - 1]), int(states[t])]
        states[t - 2] = bool(a)
    return states


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


def find_swaps(position: FloatArray, depth: FloatArray, visibility: FloatArray, *,
               near: str | None, min_separation: float = 0.0) -> SwapResult:
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

    Returns
    -------
    SwapResult
        Swap states per limb group; apply them with :func:`apply_swaps`.
    """
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
        state = _viterbi(unary, _transition_costs(work, li, ri))
        state = _drop_ineffective(state, work, li, ri, min_separation)
        states[group] = state
        _exchange(work, state, li, ri)
    return SwapResult(states=states)


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
