"""Parametric treadmill running gait driving the mannequin.

The hip midpoint stays at the origin horizontally and oscillates vertically
(lowest at mid-stance, twice per stride). Each foot lands at a chosen
distance ahead of the hips and is then carried backwards by the belt: the
foot rolls on its sole (heel first for a rearfoot strike, toes first for a
forefoot strike) without slipping, lies flat, and finally rises onto its
toes, which stay flat on the belt until toe-off. The leg follows from 2-link
inverse kinematics during stance and from smooth joint-angle splines during
swing (C1 at toe-off; the swing ends with the knee still, the thigh retracting
and the foot at its landing pitch, and the stance starts with the impact: the
hips keep descending and the foot slaps down about its contact point). The
arms swing opposite to the legs.

Angles are radians internally. Sagittal angles of hanging segments (thigh,
shank, arm) are measured forward from the downward vertical; the foot pitch
is measured up from horizontal; see :mod:`tools.synthrun.body` for axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from .body import (
    BODY_JOINTS,
    LANDMARK_VERTICES,
    PREFIX,
    SIDES,
    Body,
    FloatArray,
    LegGeometry,
    Side,
    rotate2,
    sagittal,
    sagittal_rotation,
)
from .params import GaitParams

LOADING_SHARE = 0.18
"""Fraction of the contact from initial contact to foot flat."""
HEEL_OFF_SHARE = 0.65
"""Fraction of the contact at which the heel starts to rise."""
SWING_KNOTS = (0.35, 0.5, 0.75, 0.8)
"""Swing fractions of: thigh half-way forward, peak knee flexion, peak hip flexion
(the thigh then retracts to its landing angle), and knee three-quarters extended."""
RETRACTION = np.radians(8.0)
"""Least thigh retraction from peak hip flexion to initial contact."""
SWEEP_CLEARANCE_M = 0.035
"""Ankle height above the flat-foot ankle height when the shank sweeps through
vertical in late swing (needed when the foot lands ahead of the knee)."""
ANKLE_KNOTS = (0.5, 0.9)
"""Swing fractions at which the ankle is dorsiflexed by ``SWING_DORSIFLEXION``
(the foot then turns from following the shank to its landing pitch) and at
which the foot holds its landing pitch."""
SWING_DORSIFLEXION = np.radians(15.0)
"""Ankle dorsiflexion (foot relative to shank) at mid-swing."""
TOE_RELEASE_SHARE = 0.4
"""Fraction of the swing over which the toes go from level to straight."""
ARM_PEAK_PHASE = 0.45
"""Stride phase after the same side's initial contact at which the arm is most forward."""
PELVIS_LEAN_SHARE = 0.5
"""Share of the mean trunk lean taken by a constant forward pelvis tilt."""
REACH_LIMIT = 0.9995
"""Largest stance hip-to-ankle distance as a fraction of the straight leg."""
CLEARANCE_TOLERANCE_M = 0.002
"""How far the swing foot's sole may dip below the belt before a gait is refused."""
DERIVATIVE_STEP_S = 1e-5


@dataclass(frozen=True)
class Step:
    """One foot contact: initial contact (IC) and toe-off (TO) times, seconds."""

    foot: Side
    ic_time_s: float
    to_time_s: float


@dataclass(frozen=True)
class LegAngles:
    """Sagittal angles of one leg, radians, each of shape (N,).

    Attributes
    ----------
    thigh, shank
        Forward angle from the downward vertical.
    pitch
        Foot pitch, positive toes up.
    toe
        Toe bend relative to the foot, positive toes up.
    """

    thigh: FloatArray
    shank: FloatArray
    pitch: FloatArray
    toe: FloatArray


@dataclass(frozen=True)
class BodyPose:
    """World rotations and pelvis position of the body at N times.

    Attributes
    ----------
    world
        World rotation of every body joint, shape (N, 24, 3, 3).
    root
        World position of the pelvis joint, shape (N, 3).
    stance
        Whether each foot is on the belt, side -> shape (N,).
    """

    world: FloatArray
    root: FloatArray
    stance: dict[Side, np.ndarray]


def aim_angle(
    origin: FloatArray, direction: FloatArray, center: FloatArray, arm: FloatArray
) -> FloatArray:
    """Rotation putting ``center + rotate2(arm, angle)`` on the ray ``origin + s direction``.

    Parameters
    ----------
    origin, direction
        Ray start and unit direction, shape (N, 2).
    center
        Centre of rotation, shape (N, 2).
    arm
        Vector rotated about the centre, shape (2,) or (N, 2).

    Returns
    -------
    numpy.ndarray
        Radians, shape (N,); the farther of the two intersections is used.

    Raises
    ------
    ValueError
        If the circle swept by the arm misses the ray.
    """
    offset = origin - center
    along = np.sum(offset * direction, axis=-1)
    discriminant = along**2 - np.sum(offset**2, axis=-1) + np.sum(arm**2, axis=-1)
    if np.any(discriminant < 0):
        raise ValueError("Cannot reach the requested angle with this body geometry.")
    reach = -along + np.sqrt(discriminant)
    target = offset + reach[:, None] * direction
    arm = np.broadcast_to(arm, target.shape)
    cross = arm[:, 0] * target[:, 1] - arm[:, 1] * target[:, 0]
    return np.arctan2(cross, np.sum(arm * target, axis=-1))


def two_link_ik(
    hip: FloatArray, ankle: FloatArray, leg: LegGeometry
) -> tuple[FloatArray, FloatArray]:
    """Thigh and shank angles placing the ankle, knee flexed forward.

    Parameters
    ----------
    hip, ankle
        Sagittal positions, shape (N, 2).
    leg
        Segment lengths.

    Returns
    -------
    tuple of numpy.ndarray
        Thigh and shank forward angles from the downward vertical, (N,).
    """
    delta = ankle - hip
    reach = np.linalg.norm(delta, axis=-1)
    cos_interior = (leg.thigh**2 + leg.shank**2 - reach**2) / (2 * leg.thigh * leg.shank)
    flexion = np.pi - np.arccos(np.clip(cos_interior, -1.0, 1.0))
    cos_offset = (leg.thigh**2 + reach**2 - leg.shank**2) / (2 * leg.thigh * reach)
    thigh = np.arctan2(delta[:, 0], -delta[:, 1]) + np.arccos(np.clip(cos_offset, -1.0, 1.0))
    return thigh, thigh - flexion


class GaitModel:
    """Periodic running gait of one mannequin over a clip.

    Parameters
    ----------
    params
        Gait parameters.
    body
        The mannequin's geometry.
    duration_s
        Clip duration (the trunk-lean drift runs over it).
    left_ic_s
        Time of one left initial contact; all others follow every stride,
        the right foot's half a stride later.

    Raises
    ------
    ValueError
        If the parameters cannot be reached by the mannequin's legs.
    """

    def __init__(
        self, params: GaitParams, body: Body, duration_s: float, left_ic_s: float = 0.0
    ) -> None:
        self.params = params
        self.body = body
        self.duration_s = duration_s
        self.stride_s = 120.0 / params.cadence_spm
        self.contact_s = params.duty_factor * self.stride_s
        self.speed_mps = params.speed_kmh / 3.6
        self.first_ic_s = {"left": left_ic_s, "right": left_ic_s + self.stride_s / 2}
        self.pelvis_tilt = np.radians(PELVIS_LEAN_SHARE * params.trunk_lean_deg)
        self.hip_offsets = {
            side: rotate2(sagittal(body.legs[side].hip_offset), -self.pelvis_tilt)
            for side in SIDES
        }
        self.landing_pitch = np.radians(params.foot_strike_angle_deg)
        self.foot_origin = {side: self._foot_origin(side) for side in SIDES}
        self.contact_heights = {side: self._contact_height(side) for side in SIDES}
        self._check_reach()
        self.swing = {side: self._swing_splines(side) for side in SIDES}
        self._check_swing()

    # ----------------------------------------------------------------- timing
    def steps(self, start_s: float, end_s: float) -> list[Step]:
        """Foot contacts whose initial contact lies in ``[start_s, end_s)``, by time."""
        steps = []
        for side in SIDES:
            first = np.ceil((start_s - self.first_ic_s[side]) / self.stride_s)
            ic = self.first_ic_s[side] + first * self.stride_s
            while ic < end_s:
                steps.append(Step(side, float(ic), float(ic + self.contact_s)))
                ic += self.stride_s
        return sorted(steps, key=lambda step: step.ic_time_s)

    def since_contact(self, side: Side, times: FloatArray) -> FloatArray:
        """Time since the side's latest initial contact, in ``[0, stride)``."""
        return np.mod(np.asarray(times, dtype=float) - self.first_ic_s[side], self.stride_s)

    def trunk_lean(self, times: FloatArray) -> FloatArray:
        """Trunk lean at each time, radians (linear drift centred on the clip)."""
        drift = self.params.trunk_lean_drift_deg * (np.asarray(times) / self.duration_s - 0.5)
        return np.radians(self.params.trunk_lean_deg + drift)

    @property
    def mean_hip_height(self) -> float:
        """Hip-midpoint height above the belt averaged over a stride, metres."""
        oscillation = self.params.vertical_oscillation_cm / 100.0
        contact = (self.contact_heights["left"] + self.contact_heights["right"]) / 2
        return contact + oscillation / 2 * np.cos(2 * np.pi * self.params.duty_factor)

    def hip_height(self, since_left: FloatArray) -> FloatArray:
        """Hip-midpoint height above the belt, metres.

        Lowest at each mid-stance (twice per stride); a small once-per-stride
        term gives each leg the hip height it needs at its own initial contact
        (the mannequin's legs differ slightly in length).
        """
        oscillation = self.params.vertical_oscillation_cm / 100.0
        duty = self.params.duty_factor
        left, right = self.contact_heights["left"], self.contact_heights["right"]
        phase = since_left / self.stride_s
        bounce = oscillation / 2 * np.cos(4 * np.pi * (phase - duty / 2))
        return self.mean_hip_height - bounce + (left - right) / 2 * np.cos(2 * np.pi * phase)

    # ----------------------------------------------------------------- stance
    def _stance_pitch(self, since: FloatArray) -> FloatArray:
        """Foot pitch in stance: strike angle, flat, heel rise to toe-off."""
        toe_off = np.radians(self.params.toe_off_foot_pitch_deg)
        loading = np.clip(since / (LOADING_SHARE * self.contact_s), 0.0, 1.0)
        heel_off = HEEL_OFF_SHARE * self.contact_s
        rising = np.clip((since - heel_off) / (self.contact_s - heel_off), 0.0, 1.0)
        landing = self.landing_pitch * (1 - np.sin(np.pi / 2 * loading))
        return landing + toe_off * rising**2 * (3 - 2 * rising)

    def _rolling_ankle(self, side: Side, belt: FloatArray, pitch: FloatArray) -> FloatArray:
        """Ankle of a foot rolling on its sole, flat-foot ankle at ``belt`` forward."""
        foot = self.body.legs[side].foot
        vertex = foot.contact_vertex(pitch)
        contact = np.stack([belt + foot.unrolled[vertex], np.zeros_like(belt)], axis=-1)
        return contact - rotate2(foot.hull[vertex], pitch)

    def _foot_origin(self, side: Side) -> float:
        """Flat-foot ankle position at IC so that the ankle lands at the set distance."""
        ankle = self._rolling_ankle(side, np.zeros(1), np.full(1, self.landing_pitch))
        return self.params.foot_ahead_at_ic_cm / 100.0 - float(ankle[0, 0])

    def stance_foot(self, side: Side, since: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Ankle position and toe bend of a foot on the belt.

        Parameters
        ----------
        side
            Which foot.
        since
            Time since initial contact, seconds, shape (N,).

        Returns
        -------
        tuple of numpy.ndarray
            Sagittal ankle position (N, 2) and toe bend (N,), radians.
        """
        foot = self.body.legs[side].foot
        pitch = self._stance_pitch(since)
        belt = self.foot_origin[side] - self.speed_mps * since
        rolling = self._rolling_ankle(side, belt, pitch)
        pivot = np.stack([belt, np.full_like(belt, foot.ankle_height)], -1) + foot.toe_joint
        rising = pivot - rotate2(foot.toe_joint, pitch)
        heel_up = since > HEEL_OFF_SHARE * self.contact_s
        ankle = np.where(heel_up[:, None], rising, rolling)
        return ankle, np.where(heel_up, -pitch, 0.0)

    def _hip(self, side: Side, since: FloatArray) -> FloatArray:
        """Sagittal position of one hip joint, shape (N, 2)."""
        since_left = since + (self.first_ic_s[side] - self.first_ic_s["left"])
        height = self.hip_height(since_left)
        return np.stack([np.zeros_like(height), height], -1) + self.hip_offsets[side]

    def _stance_angles(self, side: Side, since: FloatArray) -> LegAngles:
        ankle, toe = self.stance_foot(side, since)
        thigh, shank = two_link_ik(self._hip(side, since), ankle, self.body.legs[side])
        return LegAngles(thigh, shank, self._stance_pitch(since), toe)

    def _contact_height(self, side: Side) -> float:
        """Hip-midpoint height giving the set knee flexion at the side's IC."""
        leg = self.body.legs[side]
        flexion = np.radians(self.params.knee_flexion_at_ic_deg)
        reach = np.sqrt(leg.thigh**2 + leg.shank**2 + 2 * leg.thigh * leg.shank * np.cos(flexion))
        ankle = self.stance_foot(side, np.zeros(1))[0][0]
        offset = self.hip_offsets[side]
        across = offset[0] - ankle[0]
        if abs(across) >= reach:
            raise ValueError("The foot lands further ahead than the leg can reach.")
        return float(ankle[1] - offset[1] + np.sqrt(reach**2 - across**2))

    def _check_reach(self) -> None:
        """Raise if a stance leg would have to stretch beyond its length."""
        since = np.linspace(0.0, self.contact_s, 400)
        for side in SIDES:
            ankle, _ = self.stance_foot(side, since)
            reach = np.linalg.norm(ankle - self._hip(side, since), axis=-1)
            worst = float(np.max(reach / self.body.legs[side].length))
            if worst > REACH_LIMIT:
                raise ValueError(
                    f"The {side} stance leg would need {worst:.1%} of its length: the belt "
                    "carries the foot too far. Lower speed_kmh or duty_factor, raise "
                    "cadence_spm, or land the foot further ahead."
                )

    def _check_swing(self) -> None:
        """Raise if the swing knee hyperextends or the swing foot hits the belt."""
        since = np.linspace(self.contact_s, self.stride_s, 400)
        for side in SIDES:
            angles = self._swing_angles(side, since)
            if np.min(angles.thigh - angles.shank) < -1e-9:
                raise ValueError(f"The {side} knee would hyperextend in swing.")
            lowest = float(np.min(self._sole_heights(side, since, angles)))
            if lowest < -CLEARANCE_TOLERANCE_M:
                raise ValueError(
                    f"The {side} swing foot would dip {-1000 * lowest:.0f} mm into the belt; "
                    "raise swing_knee_flexion_deg or change the landing."
                )

    def _sole_heights(self, side: Side, since: FloatArray, angles: LegAngles) -> FloatArray:
        """Heights of the foot's sole-hull points (toes bent about the toe joint), (N, K)."""
        leg = self.body.legs[side]
        foot = leg.foot
        hip = self._hip(side, since)
        down = np.stack([np.sin(angles.thigh), -np.cos(angles.thigh)], -1) * leg.thigh
        shin = np.stack([np.sin(angles.shank), -np.cos(angles.shank)], -1) * leg.shank
        ankle = (hip + down + shin)[:, None, :]
        toes = foot.hull[:, 0] > foot.toe_joint[0]
        rigid = rotate2(foot.hull[None], angles.pitch[:, None])
        joint = rotate2(foot.toe_joint, angles.pitch[:, None])
        bent = joint + rotate2(
            foot.hull[None] - foot.toe_joint, (angles.pitch + angles.toe)[:, None]
        )
        return (ankle + np.where(toes[None, :, None], bent, rigid))[..., 1]

    # ------------------------------------------------------------------ swing
    def _stance_rates(self, side: Side, since: float, sign: float) -> tuple[LegAngles, LegAngles]:
        """Stance angles at ``since`` and their one-sided time derivatives."""
        step = sign * DERIVATIVE_STEP_S
        samples = self._stance_angles(side, since + step * np.arange(3.0))
        values = LegAngles(*(field[0] for field in _fields(samples)))
        rates = LegAngles(*((-3 * f[0] + 4 * f[1] - f[2]) / (2 * step) for f in _fields(samples)))
        return values, rates

    def _swing_splines(self, side: Side) -> dict[str, CubicSpline]:
        """Joint-angle splines over the swing, parameterised by swing fraction.

        They leave toe-off with the stance angles, the stance rates of the
        thigh and foot, and the knee momentarily still (it stops extending at
        toe-off). The knee flexes to its peak and extends again, the thigh
        swings forward past its landing angle and retracts, and the ankle
        dorsiflexes by mid-swing. At initial contact the knee is
        momentarily still, the thigh retracting and the foot at its landing
        pitch (see :meth:`_swing_angles`).
        """
        swing_s = self.stride_s - self.contact_s
        off, rate = self._stance_rates(side, self.contact_s, -1.0)
        land = self._stance_angles(side, np.zeros(1))
        land = LegAngles(*(float(angle[0]) for angle in _fields(land)))
        half, knee_peak, hip_peak, knee_late = SWING_KNOTS
        peak = self._peak_thigh(side, land)
        knee_off, knee_land = off.thigh - off.shank, land.thigh - land.shank
        knee_max = np.radians(self.params.swing_knee_flexion_deg)
        return {
            "thigh": CubicSpline(
                [0.0, half, hip_peak, 1.0],
                [off.thigh, (off.thigh + peak) / 2, peak, land.thigh],
                bc_type=(
                    (1, rate.thigh * swing_s),
                    (1, -2 * (peak - land.thigh) / (1 - hip_peak)),
                ),
            ),
            "knee": CubicSpline(
                [0.0, knee_peak, knee_late, 1.0],
                [knee_off, knee_max, knee_land + (knee_max - knee_land) / 4, knee_land],
                bc_type=((1, 0.0), (1, 0.0)),
            ),
            "ankle": CubicSpline(
                [0.0, ANKLE_KNOTS[0]],
                [off.pitch - off.shank, SWING_DORSIFLEXION],
                bc_type=((1, (rate.pitch - rate.thigh) * swing_s), (1, 0.0)),
            ),
        }

    def _peak_thigh(self, side: Side, land: LegAngles) -> float:
        """Peak swing hip flexion: the landing thigh angle plus the retraction.

        When the ankle lands ahead of the knee, the shank sweeps through
        vertical in late swing; the thigh is then raised enough for the foot to
        clear the belt at the lowest hip height of late swing.
        """
        peak = land.thigh + RETRACTION
        if land.shank <= 0:
            return peak
        leg = self.body.legs[side]
        late = self.contact_s + SWING_KNOTS[2] * (self.stride_s - self.contact_s)
        hip = self._hip(side, np.linspace(late, self.stride_s, 50))[:, 1].min()
        drop = hip - leg.shank - leg.foot.ankle_height - SWEEP_CLEARANCE_M
        return max(peak, float(np.arccos(np.clip(drop / leg.thigh, -1.0, 1.0))))

    def _swing_angles(self, side: Side, since: FloatArray) -> LegAngles:
        """Swing angles from the splines.

        The foot follows the shank (ankle spline) until mid-swing, then turns
        to its landing pitch; the toes, level with the belt at toe-off,
        straighten during early swing.
        """
        splines = self.swing[side]
        fraction = (since - self.contact_s) / (self.stride_s - self.contact_s)
        thigh = splines["thigh"](fraction)
        shank = thigh - splines["knee"](fraction)
        ankle = splines["ankle"](np.minimum(fraction, ANKLE_KNOTS[0]))
        turn = np.clip((fraction - ANKLE_KNOTS[0]) / (ANKLE_KNOTS[1] - ANKLE_KNOTS[0]), 0.0, 1.0)
        landing = turn**2 * (3 - 2 * turn)
        pitch = (1 - landing) * (ankle + shank) + landing * self.landing_pitch
        release = np.clip(fraction / TOE_RELEASE_SHARE, 0.0, 1.0)
        toe = -pitch * (1 - release**2 * (3 - 2 * release))
        return LegAngles(thigh, shank, pitch, toe)

    def leg_angles(self, side: Side, times: FloatArray) -> LegAngles:
        """Sagittal angles of one leg at the given clip times.

        Parameters
        ----------
        side
            Which leg.
        times
            Clip times, seconds, shape (N,).

        Returns
        -------
        LegAngles
            Angles in radians.
        """
        since = self.since_contact(side, times)
        stance = since < self.contact_s
        on, off = self._stance_angles(side, since), self._swing_angles(side, since)
        return LegAngles(
            *(np.where(stance, a, b) for a, b in zip(_fields(on), _fields(off), strict=True))
        )

    # ------------------------------------------------------------ upper body
    def arm_angle(self, side: Side, times: FloatArray) -> FloatArray:
        """Upper-arm angle relative to the trunk line, positive forward, radians."""
        swing = np.radians(self.params.arm_swing_deg)
        centre = swing * (self.params.arm_swing_forward_share - 0.5)
        phase = self.since_contact(side, times) / self.stride_s - ARM_PEAK_PHASE
        return centre + swing / 2 * np.cos(2 * np.pi * phase)

    def _trunk_angles(self, times: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Spine and neck rotations giving the set trunk lean and head carriage."""
        body = self.body
        spine_rest, neck_rest, head_rest = (body.joint(n) for n in ("Spine1", "Neck", "Head"))
        shoulders = body.joint("L_Shoulder", "R_Shoulder")
        ears = np.mean([body.vertices_rest[LANDMARK_VERTICES[f"{s}_ear"]] for s in SIDES], 0)
        hips = np.stack([np.zeros(len(times)), self.hip_height(self._since_left(times))], -1)
        spine = hips + rotate2(sagittal(spine_rest - body.hip_mid_rest), -self.pelvis_tilt)
        lean = self.trunk_lean(times)
        up = np.stack([np.sin(lean), np.cos(lean)], -1)
        trunk = aim_angle(hips, up, spine, sagittal(shoulders - spine_rest))
        shoulder_mid = spine + rotate2(sagittal(shoulders - spine_rest), trunk)
        neck = spine + rotate2(sagittal(neck_rest - spine_rest), trunk)
        head = np.radians(self.params.head_forward_deg)
        gaze = np.broadcast_to([np.sin(head), np.cos(head)], shoulder_mid.shape)
        centre = neck + sagittal(ears - head_rest)
        return trunk, aim_angle(shoulder_mid, gaze, centre, sagittal(head_rest - neck_rest))

    def _since_left(self, times: FloatArray) -> FloatArray:
        return self.since_contact("left", times)

    # ------------------------------------------------------------------- pose
    def pose(self, times: FloatArray) -> BodyPose:
        """Full-body pose at the given clip times.

        Parameters
        ----------
        times
            Clip times, seconds, shape (N,).

        Returns
        -------
        BodyPose
            World rotations, pelvis position and stance flags.
        """
        times = np.atleast_1d(np.asarray(times, dtype=float))
        world = np.broadcast_to(np.eye(3), (len(times), BODY_JOINTS, 3, 3)).copy()
        pelvis = sagittal_rotation(-self.pelvis_tilt)
        world[:, 0] = pelvis
        self._pose_trunk(world, times)
        for side in SIDES:
            self._pose_leg(world, side, times)
            self._pose_arm(world, side, times)
        hips = np.zeros((len(times), 3))
        hips[:, 1] = self.hip_height(self._since_left(times))
        root = hips - pelvis @ (self.body.hip_mid_rest - self.body.joints_rest[0])
        return BodyPose(world, root, self.stance(times))

    def stance(self, times: FloatArray) -> dict[Side, np.ndarray]:
        """Whether each foot is on the belt at the given times (IC <= t < TO)."""
        return {side: self.since_contact(side, times) < self.contact_s for side in SIDES}

    def _pose_trunk(self, world: FloatArray, times: FloatArray) -> None:
        """Set the spine, collar and neck world rotations (the head stays level)."""
        trunk, neck = self._trunk_angles(times)
        for joint in ("Spine1", "Spine2", "Spine3", "L_Collar", "R_Collar"):
            world[:, self.body.index(joint)] = sagittal_rotation(trunk)
        world[:, self.body.index("Neck")] = sagittal_rotation(neck)

    def _pose_leg(self, world: FloatArray, side: Side, times: FloatArray) -> None:
        """Set the hip, knee, ankle and toe world rotations of one leg."""
        index, frames, prefix = self.body.index, self.body.segment_frames, PREFIX[side]
        legs = self.leg_angles(side, times)
        foot = frames[f"{side}_foot"]
        world[:, index(prefix + "Hip")] = sagittal_rotation(legs.thigh) @ frames[f"{side}_thigh"]
        world[:, index(prefix + "Knee")] = sagittal_rotation(legs.shank) @ frames[f"{side}_shank"]
        world[:, index(prefix + "Ankle")] = sagittal_rotation(legs.pitch) @ foot
        world[:, index(prefix + "Foot")] = sagittal_rotation(legs.pitch + legs.toe) @ foot

    def _pose_arm(self, world: FloatArray, side: Side, times: FloatArray) -> None:
        """Set the shoulder, elbow, wrist and hand world rotations of one arm."""
        index, frames, prefix = self.body.index, self.body.segment_frames, PREFIX[side]
        upper = self.arm_angle(side, times) - self.trunk_lean(times)
        flexion = np.pi - np.radians(self.params.elbow_angle_deg)
        world[:, index(prefix + "Shoulder")] = (
            sagittal_rotation(upper) @ frames[f"{side}_upper_arm"]
        )
        forearm = sagittal_rotation(upper + flexion) @ frames[f"{side}_forearm"]
        for joint in ("Elbow", "Wrist", "Hand"):
            world[:, index(prefix + joint)] = forearm


def _fields(angles: LegAngles) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    return angles.thigh, angles.shank, angles.pitch, angles.toe
