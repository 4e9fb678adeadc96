"""Analytic pose tracks of an idealised treadmill runner, with exact gait events.

:func:`synthetic_run` builds a :class:`~runform.pose.track.PoseTrack` (pixels, y
down, real seconds) of a runner on a treadmill seen from the side (or from the
front or rear), together with the truth it was built from: every initial
contact (IC) and toe-off (TO) per foot, the facing, the stride period and the
pixel scale. No MediaPipe is involved, so tests get exact answers.

Typical use::

    run = synthetic_run(cadence_spm=172, fps=30, duration_s=8, facing="left",
                        noise_px=1.5, seed=3)
    events = detect_events(clean_track(run.track))
    truth = run.ic_times("right")

The motion model
----------------
* The pelvis stays put horizontally (treadmill) and bobs vertically, lowest at
  mid-stance of each foot (``vertical_oscillation_cm`` peak to peak).
* Each foot is a rigid heel-ankle-toe piece. In stance its contact point is
  carried backwards at belt speed: after a rearfoot landing it rotates about the
  heel until flat (after a forefoot landing, about the toe), stays flat, then
  rolls over the toe until toe-off at ``toe_off_angle_deg``.
* In swing the foot's lowest point rises and comes down again to land with a
  downward speed (``landing_speed_cm_s``); the heel swings forward past the
  landing point (the foot is furthest ahead of the pelvis in late swing, before
  contact) and is pulled back at ``retraction_cm_s`` when it lands. The foot's
  lowest point touches the ground exactly at IC, leaves it exactly at TO, and is
  strictly above it in between (checked when the track is built).
* Knees come from two-link inverse kinematics of the hip-to-ankle line (the knee
  bends forward); arms swing opposite to the legs with a fixed elbow angle.
* Side view: left and right landmarks coincide in x-y except that the far side
  is shrunk by ``perspective`` about the image centre; MediaPipe-like ``depth``
  is smaller on the near side (facing right shows the right side). Front and
  rear views put the lateral body axis along image x (front: the runner's left
  appears on the image's right).

Body proportions are Winter's (2009) fractions of stature ``H``, after Drillis &
Contini (1966): hip joint 0.530 H, shoulder 0.818 H and ankle 0.039 H above the
floor, thigh 0.245 H, shank 0.246 H, foot 0.152 H, upper arm 0.186 H, forearm
0.146 H, shoulder width 0.259 H, hip width 0.191 H.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from runform.pose.schema import LANDMARK_INDEX, LANDMARK_NAMES
from runform.pose.track import PoseTrack

FloatArray = npt.NDArray[np.float64]

LEG_PARTS: tuple[str, ...] = ("knee", "ankle", "heel", "foot_index")
"""Leg landmarks (without the side prefix) whose labels a leg swap exchanges."""
ARM_PARTS: tuple[str, ...] = ("elbow", "wrist", "pinky", "index", "thumb")
"""Arm landmarks (without the side prefix) whose labels an arm swap exchanges."""

# Winter (2009) / Drillis & Contini (1966) fractions of stature.
HIP_HEIGHT, SHOULDER_HEIGHT, ANKLE_HEIGHT = 0.530, 0.818, 0.039
THIGH, SHANK, FOOT, UPPER_ARM, FOREARM = 0.245, 0.246, 0.152, 0.186, 0.146
SHOULDER_WIDTH, HIP_WIDTH = 0.259, 0.191


@dataclass(frozen=True)
class Contact:
    """One true foot contact (times in real seconds)."""

    foot: str
    ic_time: float
    to_time: float

    @property
    def contact_s(self) -> float:
        """Contact time in seconds."""
        return self.to_time - self.ic_time


@dataclass(frozen=True)
class SyntheticRun:
    """A synthetic track and the truth it was built from."""

    track: PoseTrack
    contacts: tuple[Contact, ...]
    """Every contact whose IC and TO both lie inside the clip, in time order."""
    facing: str
    view: str
    cadence_spm: float
    stride_period_s: float
    contact_time_s: float
    height_px: float
    """Standing height of the runner in pixels."""
    px_per_cm: float
    leg_length_px: float
    """Hip-to-ankle length of the straight leg (thigh + shank) in pixels."""
    leg_swapped: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Frames whose left/right leg labels were swapped on purpose."""
    arm_swapped: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    """Frames whose left/right arm labels were swapped on purpose."""
    clean_position: FloatArray = field(default_factory=lambda: np.zeros((0, 33, 2)))
    """Positions before noise, swaps and gaps (pixels), shape (T, 33, 2)."""

    def ic_times(self, foot: str) -> FloatArray:
        """True IC times of one foot (``"left"`` or ``"right"``)."""
        return np.array([c.ic_time for c in self.contacts if c.foot == foot])

    def to_times(self, foot: str) -> FloatArray:
        """True TO times of one foot."""
        return np.array([c.to_time for c in self.contacts if c.foot == foot])


@dataclass(frozen=True)
class _Gait:
    stride: float  # stride period, s
    duty: float  # contact share of the stride
    belt: float  # belt speed, px/s
    strike: float  # foot angle at IC, rad, toe up positive
    toe_off: float  # foot angle at TO, rad (negative: heel up)
    ic_ahead: float  # first contact point ahead of the hip at IC, px
    retraction: float  # backward heel speed at IC, px/s
    lift: float  # swing lift of the lowest point, px
    land_speed: float  # downward speed of the lowest point at IC, px/s
    foot: float  # heel-to-toe length, px


def _hermite(s: FloatArray, p0: float, p1: float, m0: float, m1: float) -> FloatArray:
    s2, s3 = s * s, s * s * s
    return ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0 + (-2 * s3 + 3 * s2) * p1
            + (s3 - s2) * m1)


def _stance(t: FloatArray, g: _Gait) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heel forward position, heel height and foot angle, ``t`` seconds after IC."""
    tc = g.duty * g.stride
    flat_at, heel_off_at = 0.15 * tc, 0.55 * tc
    alpha = np.where(t < flat_at, g.strike * (1 - t / flat_at) ** 2, 0.0)
    push = np.clip((t - heel_off_at) / (tc - heel_off_at), 0.0, 1.0)
    alpha = np.where(t >= heel_off_at, g.toe_off * push ** 1.5, alpha)
    toe_at_ic = g.ic_ahead + (g.foot if g.strike >= 0 else 0.0)
    toe_u = toe_at_ic - g.belt * t
    heel_pivot = (t < heel_off_at) & (g.strike >= 0)
    heel_u = np.where(heel_pivot, g.ic_ahead - g.belt * t, toe_u - g.foot * np.cos(alpha))
    heel_h = np.where(heel_pivot, 0.0, -g.foot * np.sin(alpha))
    return heel_u, heel_h, alpha


def _swing(s: FloatArray, g: _Gait) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heel forward position, heel height and foot angle; ``s`` is swing progress 0..1."""
    ts = (1 - g.duty) * g.stride
    to_u, _, _ = _stance(np.array([g.duty * g.stride]), g)
    ic_u, _, _ = _stance(np.array([0.0]), g)
    # Foot angle: from the toe-off angle to the strike angle.
    alpha = _hermite(s, g.toe_off, g.strike, 0.0, 0.0)
    # Lowest point: leaves upward, lands downward at land_speed, peak early in swing.
    m_land = g.land_speed * ts
    lowest = s * (1 - s) * (m_land + g.lift * 4.0 * (1 - s) ** 2)
    heel_h = np.where(alpha >= 0, lowest, lowest - g.foot * np.sin(alpha))
    # Heel forward: leaves backward with the belt, lands moving back at retraction speed.
    heel_u = _hermite(s, float(to_u[0]), float(ic_u[0]), -0.5 * g.belt * ts, -g.retraction * ts)
    return heel_u, heel_h, alpha


def _foot_path(t: FloatArray, t_ic: float, g: _Gait) -> tuple[FloatArray, ...]:
    """Heel (u, h), foot angle and in-contact flag of one foot whose ICs are at t_ic + kT."""
    ph = np.mod(t - t_ic, g.stride)
    tc = g.duty * g.stride
    su, sh, sa = _stance(np.minimum(ph, tc), g)
    s = np.clip((ph - tc) / ((1 - g.duty) * g.stride), 0.0, 1.0)
    wu, wh, wa = _swing(s, g)
    stance = ph < tc
    return (np.where(stance, su, wu), np.where(stance, sh, wh), np.where(stance, sa, wa),
            stance)


def _foot_points(heel_u: FloatArray, heel_h: FloatArray, alpha: FloatArray,
                 g: _Gait, ankle_h: float) -> dict[str, FloatArray]:
    """(u, up) of heel, ankle and toe; the ankle sits above the back quarter of the foot."""
    c, s = np.cos(alpha), np.sin(alpha)
    ax, ay = 0.22 * g.foot, ankle_h
    return {
        "heel": np.stack([heel_u, heel_h], -1),
        "ankle": np.stack([heel_u + ax * c - ay * s, heel_h + ax * s + ay * c], -1),
        "foot_index": np.stack([heel_u + g.foot * c, heel_h + g.foot * s], -1),
    }


def _knee(hip: FloatArray, ankle: FloatArray, thigh: float, shank: float) -> FloatArray:
    """Knee (u, up) by two-link IK, bending forward (+u)."""
    d = ankle - hip
    dist = np.clip(np.linalg.norm(d, axis=-1), 1e-9, 0.999 * (thigh + shank))
    cos_b = np.clip((thigh ** 2 + dist ** 2 - shank ** 2) / (2 * thigh * dist), -1, 1)
    beta = np.arccos(cos_b)
    unit = d / np.linalg.norm(d, axis=-1, keepdims=True)
    cb, sb = np.cos(beta)[:, None], np.sin(beta)[:, None]
    rot = np.stack([unit[:, 0] * cb[:, 0] - unit[:, 1] * sb[:, 0],
                    unit[:, 0] * sb[:, 0] + unit[:, 1] * cb[:, 0]], -1)
    return hip + thigh * rot


def _rotate(v: FloatArray, angle: FloatArray) -> FloatArray:
    """Rotate (u, up) vectors counter-clockwise (toward forward when pointing down)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.stack([v[..., 0] * c - v[..., 1] * s, v[..., 0] * s + v[..., 1] * c], -1)


@dataclass(frozen=True)
class _Scene:
    h: float  # stature, px
    lean: float  # rad
    arm_swing: float  # rad, half amplitude
    elbow: float  # interior angle, rad
    vo: float  # vertical oscillation peak to peak, px


def _body_points(t: FloatArray, g: _Gait, sc: _Scene,
                 t_ic: dict[str, float]) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Every landmark in (u, up) body coordinates (hip at u = 0, ground at up = 0).

    Returns the points and each foot's in-contact flag.
    """
    h = sc.h
    thigh, shank = THIGH * h, SHANK * h
    feet = {side: _foot_path(t, t_ic[side], g) for side in ("left", "right")}
    pts: dict[str, FloatArray] = {}
    contact: dict[str, FloatArray] = {}
    for side, (hu, hh, al, st) in feet.items():
        for part, xy in _foot_points(hu, hh, al, g, ANKLE_HEIGHT * h).items():
            pts[f"{side}_{part}"] = xy
        contact[side] = st
    # Pelvis height: lowest at mid-stance of either foot, never overstretching a leg.
    mid = t_ic["right"] + 0.5 * g.duty * g.stride
    osc = -0.5 * sc.vo * np.cos(2 * np.pi * (t - mid) / (0.5 * g.stride))
    reach = 0.97 * (thigh + shank)
    base = np.inf
    for side in ("left", "right"):
        du, ah = pts[f"{side}_ankle"][:, 0], pts[f"{side}_ankle"][:, 1]
        base = min(base, float(np.min(np.sqrt(reach ** 2 - du ** 2) + ah - osc)))
    hip = np.stack([np.zeros_like(t), base + osc], -1)
    for side in ("left", "right"):
        pts[f"{side}_hip"] = hip
        pts[f"{side}_knee"] = _knee(hip, pts[f"{side}_ankle"], thigh, shank)
    _upper_body(t, g, sc, t_ic, hip, pts)
    return pts, contact


def _upper_body(t: FloatArray, g: _Gait, sc: _Scene, t_ic: dict[str, float],
                hip: FloatArray, pts: dict[str, FloatArray]) -> None:
    h = sc.h
    trunk_dir = np.array([np.sin(sc.lean), np.cos(sc.lean)])
    shoulder = hip + (SHOULDER_HEIGHT - HIP_HEIGHT) * h * trunk_dir
    ear = shoulder + 0.13 * h * trunk_dir + np.array([-0.005 * h, 0.0])
    nose = ear + np.array([0.085 * h, -0.015 * h])
    eye = ear + np.array([0.06 * h, 0.02 * h])
    mouth = ear + np.array([0.07 * h, -0.04 * h])
    pts["nose"] = nose
    for side in ("left", "right"):
        pts[f"{side}_shoulder"] = shoulder
        pts[f"{side}_ear"] = ear
        for part in ("eye_inner", "eye", "eye_outer"):
            pts[f"{side}_{part}"] = eye
        pts[f"mouth_{side}"] = mouth
        # The arm swings opposite to the same-side leg: furthest back at that foot's IC.
        phase = 2 * np.pi * (t - t_ic[side]) / g.stride
        psi = sc.lean - sc.arm_swing * np.cos(phase)
        down = np.stack([np.zeros_like(t), -np.ones_like(t)], -1)
        upper = _rotate(down, psi)
        elbow = shoulder + UPPER_ARM * h * upper
        fore = _rotate(upper, np.full_like(t, np.pi - sc.elbow))
        wrist = elbow + FOREARM * h * fore
        pts[f"{side}_elbow"] = elbow
        pts[f"{side}_wrist"] = wrist
        for part, off in (("pinky", 0.035), ("index", 0.045), ("thumb", 0.03)):
            pts[f"{side}_{part}"] = wrist + off * h * fore


def _lateral(name: str) -> float:
    """Signed lateral offset (runner's left positive) as a fraction of stature."""
    side = 1.0 if name.startswith("left") or name == "mouth_left" else -1.0
    if not (name.startswith(("left", "right")) or name.startswith("mouth")):
        return 0.0
    if any(k in name for k in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")):
        return side * 0.5 * SHOULDER_WIDTH
    if any(k in name for k in ("eye", "mouth")):
        return side * 0.03
    if "ear" in name:
        return side * 0.075
    return side * 0.5 * HIP_WIDTH


def _project(pts: dict[str, FloatArray], *, view: str, facing: str, width: int, height: int,
             perspective: float, ground_y: float, h: float) -> tuple[FloatArray, FloatArray]:
    """Body (u, up) points to image pixels and depth, shape (T, 33, 2) and (T, 33)."""
    f = 1.0 if facing == "right" else -1.0
    near = "right" if facing == "right" else "left"
    cx, cy = 0.5 * width, 0.5 * height
    n = len(next(iter(pts.values())))
    pos = np.full((n, len(LANDMARK_NAMES), 2), np.nan)
    dep = np.full((n, len(LANDMARK_NAMES)), np.nan)
    for name, p in pts.items():
        i = LANDMARK_INDEX[name]
        lat = _lateral(name)
        y = ground_y - p[:, 1]
        if view == "side":
            x = cx + f * p[:, 0]
            far_side = "left" if near == "right" else "right"
            far = name.startswith(far_side) or name == f"mouth_{far_side}"
            if far:
                x, y = cx + (x - cx) * (1 - perspective), cy + (y - cy) * (1 - perspective)
            # Near side (same as facing) has the smaller depth.
            sign = -1.0 if (lat > 0) == (near == "left") else 1.0
            dep[:, i] = np.full(n, sign * abs(lat) * h)
        else:
            front = view == "front"
            x = cx + (lat if front else -lat) * h * np.ones(n)
            dep[:, i] = (-p[:, 0] if front else p[:, 0])
        pos[:, i, 0], pos[:, i, 1] = x, y
    return pos, dep


def _visibility(view: str, facing: str, far_leg: float, far_arm: float) -> FloatArray:
    vis = np.full(len(LANDMARK_NAMES), 0.99)
    if view != "side":
        return vis
    far = "left" if facing == "right" else "right"
    for part in LEG_PARTS + ("hip",):
        vis[LANDMARK_INDEX[f"{far}_{part}"]] = far_leg
    for part in ARM_PARTS + ("shoulder",):
        vis[LANDMARK_INDEX[f"{far}_{part}"]] = far_arm
    return vis


def _mask(time: FloatArray, spans: Sequence[tuple[float, float]]) -> npt.NDArray[np.bool_]:
    out = np.zeros(time.size, bool)
    for a, b in spans:
        out |= (time >= a) & (time < b)
    return out


def _swap(arr: FloatArray, rows: npt.NDArray[np.bool_], parts: Sequence[str]) -> None:
    for part in parts:
        i, j = LANDMARK_INDEX[f"left_{part}"], LANDMARK_INDEX[f"right_{part}"]
        a = arr[rows, i].copy()
        arr[rows, i] = arr[rows, j]
        arr[rows, j] = a


def synthetic_run(*, cadence_spm: float = 170.0, fps: float = 30.0, duration_s: float = 8.0,
                  facing: str = "right", view: str = "side", duty_factor: float = 0.36,
                  speed_kmh: float = 11.0, height_cm: float = 178.0, height_px: float = 600.0,
                  width: int = 1280, height: int = 720, strike_angle_deg: float = 12.0,
                  toe_off_angle_deg: float = -35.0, ic_ahead_cm: float = 22.0,
                  retraction_cm_s: float = 60.0, landing_speed_cm_s: float = 80.0,
                  lift_cm: float = 30.0, vertical_oscillation_cm: float = 8.0,
                  trunk_lean_deg: float = 6.0, arm_swing_deg: float = 30.0,
                  elbow_deg: float = 85.0, perspective: float = 0.03, first_ic_s: float = 0.1,
                  t0: float = 0.0, noise_px: float = 0.0, leg_swaps: Sequence[
                      tuple[float, float]] = (), arm_swaps: Sequence[tuple[float, float]] = (),
                  swap_depth_with_label: bool = True, gaps: Sequence[tuple[float, float]] = (),
                  nan_rate: float = 0.0, outlier_rate: float = 0.0,
                  far_leg_visibility: float = 0.8, far_arm_visibility: float = 0.6,
                  seed: int = 0) -> SyntheticRun:
    """Build a synthetic treadmill runner's pose track with exact gait events.

    Parameters
    ----------
    cadence_spm
        Steps per minute (both feet); the stride period is ``120 / cadence``.
    fps
        Frames per second of *real* time (a 240 fps slow-motion capture is 240).
    duration_s
        Clip length in real seconds; frames are at ``t0 + k / fps``.
    facing
        Running direction in the image, ``"left"`` or ``"right"``.
    view
        ``"side"``, ``"front"`` (runner faces the camera) or ``"rear"``.
    duty_factor
        Contact time as a share of the stride (below 0.5: flight phases).
    speed_kmh, height_cm, height_px
        Belt speed, the runner's stature and that stature in pixels (the scale
        is ``height_px / height_cm`` px per cm).
    width, height
        Frame size in pixels; the runner stands in the middle, feet at 88 %.
    strike_angle_deg
        Foot angle at IC, toe up positive (rearfoot > 8, forefoot < -1.6).
    toe_off_angle_deg
        Foot angle at TO (negative: heel up).
    ic_ahead_cm
        First contact point (heel, or toe for a forefoot landing) ahead of the
        hip at IC.
    retraction_cm_s, landing_speed_cm_s, lift_cm
        Backward heel speed and downward speed of the foot at IC; swing lift.
    vertical_oscillation_cm, trunk_lean_deg, arm_swing_deg, elbow_deg
        Pelvis bob (peak to peak), forward trunk lean, half amplitude of the
        upper-arm swing, interior elbow angle.
    perspective
        Side view: the far side is shrunk by this fraction about the image centre.
    first_ic_s
        Time of the first right-foot IC (real seconds, may be before ``t0``);
        the left foot lands half a stride later.
    t0
        Time of the first frame.
    noise_px
        Standard deviation of Gaussian noise added to every coordinate.
    leg_swaps, arm_swaps
        Time spans ``(start, end)`` during which the left and right leg (knee,
        ankle, heel, toe) or arm labels are exchanged, as MediaPipe does when
        the limbs cross.
    swap_depth_with_label
        If True, depth and visibility are swapped along with the positions (the
        model believes its labels); if False they stay with the physical limb.
    gaps
        Time spans during which the runner is not detected (all NaN).
    nan_rate
        Probability that any single landmark is missing in a frame.
    outlier_rate
        Probability that a single landmark jumps by 15-30 % of stature.
    far_leg_visibility, far_arm_visibility
        Visibility scores of the far-side limbs in a side view.
    seed
        Random seed for noise, NaNs and outliers.

    Returns
    -------
    SyntheticRun
        The track and its truth.
    """
    if facing not in ("left", "right") or view not in ("side", "front", "rear"):
        raise ValueError(f"Expected facing left/right and view side/front/rear, got "
                         f"{facing!r} and {view!r}.")
    rng = np.random.default_rng(seed)
    px_cm = height_px / height_cm
    stride = 120.0 / cadence_spm
    g = _Gait(stride=stride, duty=duty_factor, belt=speed_kmh / 3.6 * 100 * px_cm,
              strike=np.radians(strike_angle_deg), toe_off=np.radians(toe_off_angle_deg),
              ic_ahead=ic_ahead_cm * px_cm, retraction=retraction_cm_s * px_cm,
              lift=lift_cm * px_cm, land_speed=landing_speed_cm_s * px_cm,
              foot=FOOT * height_px)
    sc = _Scene(h=height_px, lean=np.radians(trunk_lean_deg), arm_swing=np.radians(arm_swing_deg),
                elbow=np.radians(elbow_deg), vo=vertical_oscillation_cm * px_cm)
    n = max(int(round(duration_s * fps)), 1)
    time = t0 + np.arange(n) / fps
    t_ic = {"right": first_ic_s, "left": first_ic_s + 0.5 * stride}
    pts, _ = _body_points(time, g, sc, t_ic)
    _check_ground(g)
    pos, dep = _project(pts, view=view, facing=facing, width=width, height=height,
                        perspective=perspective, ground_y=0.88 * height, h=height_px)
    vis = np.tile(_visibility(view, facing, far_leg_visibility, far_arm_visibility), (n, 1))
    clean = pos.copy()
    pos = pos + rng.normal(0.0, noise_px, pos.shape) if noise_px > 0 else pos
    leg_rows, arm_rows = _mask(time, leg_swaps), _mask(time, arm_swaps)
    for rows, parts in ((leg_rows, LEG_PARTS), (arm_rows, ARM_PARTS)):
        _swap(pos, rows, parts)
        if swap_depth_with_label:
            _swap(dep, rows, parts)
            _swap(vis, rows, parts)
    _corrupt(pos, dep, vis, rng, time, gaps, nan_rate, outlier_rate, height_px)
    track = PoseTrack.from_arrays(time, pos, width=width, height=height, depth=dep,
                                  visibility=vis)
    contacts = _contacts(t_ic, stride, duty_factor, float(time[0]), float(time[-1]))
    return SyntheticRun(track=track, contacts=contacts, facing=facing, view=view,
                        cadence_spm=cadence_spm, stride_period_s=stride,
                        contact_time_s=duty_factor * stride, height_px=height_px,
                        px_per_cm=px_cm, leg_length_px=(THIGH + SHANK) * height_px,
                        leg_swapped=leg_rows, arm_swapped=arm_rows, clean_position=clean)


def _corrupt(pos: FloatArray, dep: FloatArray, vis: FloatArray, rng: np.random.Generator,
             time: FloatArray, gaps: Sequence[tuple[float, float]], nan_rate: float,
             outlier_rate: float, height_px: float) -> None:
    if outlier_rate > 0:
        hit = rng.random(pos.shape[:2]) < outlier_rate
        jump = rng.uniform(0.15, 0.3, hit.sum()) * height_px
        ang = rng.uniform(0, 2 * np.pi, hit.sum())
        pos[hit] += np.stack([jump * np.cos(ang), jump * np.sin(ang)], -1)
    missing = rng.random(pos.shape[:2]) < nan_rate if nan_rate > 0 else np.zeros(
        pos.shape[:2], bool)
    missing |= _mask(time, gaps)[:, None]
    pos[missing] = np.nan
    dep[missing] = np.nan
    vis[missing] = np.nan


def _contacts(t_ic: dict[str, float], stride: float, duty: float, start: float,
              end: float) -> tuple[Contact, ...]:
    out = []
    for foot, first in t_ic.items():
        k = np.ceil((start - first) / stride - 1e-9)
        ic = first + k * stride
        while ic + duty * stride <= end + 1e-9:
            out.append(Contact(foot=foot, ic_time=float(ic), to_time=float(ic + duty * stride)))
            ic += stride
    return tuple(sorted(out, key=lambda c: c.ic_time))


def _check_ground(g: _Gait) -> None:
    """Raise if the foot's lowest point dips below the ground in swing."""
    s = np.linspace(1e-3, 1 - 1e-3, 999)
    _, hh, al = _swing(s, g)
    low = np.minimum(hh, hh + g.foot * np.sin(al))
    if np.any(low <= 0):
        raise ValueError("The swing path touches the ground before IC; raise lift_cm.")
