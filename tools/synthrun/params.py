"""Gait parameters of the synthetic runner and the named presets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

SHAPE_COEFFICIENTS = 10


@dataclass(frozen=True)
class GaitParams:
    """Parametric treadmill running gait.

    Angles are in degrees and positive in the running direction ("forward")
    or, for the foot, toes up. The defaults give good recreational form.

    Attributes
    ----------
    cadence_spm
        Steps per minute (both feet counted).
    speed_kmh
        Treadmill belt speed.
    duty_factor
        Contact time divided by stride time (below 0.5 gives flight phases).
    trunk_lean_deg
        Mean over the clip of the forward lean of the hip-midpoint to
        shoulder-midpoint line from vertical.
    trunk_lean_drift_deg
        Linear change of the trunk lean from the start to the end of the clip
        (the lean runs from ``trunk_lean_deg - drift/2`` to
        ``trunk_lean_deg + drift/2``).
    foot_ahead_at_ic_cm
        Horizontal distance from the hip midpoint to the landing ankle at
        initial contact (overstride), positive ahead.
    knee_flexion_at_ic_deg
        Knee flexion (180 minus the hip-knee-ankle angle) at initial
        contact; with ``foot_ahead_at_ic_cm`` it sets the hip height.
    foot_strike_angle_deg
        Heel-to-toe line angle at initial contact relative to the flat foot,
        positive toes up: about +15 rearfoot, 0 midfoot, -8 forefoot.
    vertical_oscillation_cm
        Peak-to-peak vertical excursion of the hip midpoint per step.
    elbow_angle_deg
        Interior shoulder-elbow-wrist angle (90 bent, 180 straight).
    arm_swing_deg
        Range of the upper arm's angle relative to the trunk line.
    arm_swing_forward_share
        Fraction of ``arm_swing_deg`` in front of the trunk line.
    head_forward_deg
        Angle from vertical of the shoulder-midpoint to ear-midpoint line.
    swing_knee_flexion_deg
        Peak knee flexion in the swing phase (heel recovery).
    toe_off_foot_pitch_deg
        Foot pitch at toe-off (negative = heel up); the toes stay flat on the
        belt while the heel rises.
    body_shape
        SMPL-X shape coefficients (up to ten; missing ones are zero).
    height_cm
        Standing height of the mannequin (top of head to sole); when given,
        the first shape coefficient is solved for it.
    """

    cadence_spm: float = 174.0
    speed_kmh: float = 9.0
    duty_factor: float = 0.32
    trunk_lean_deg: float = 6.0
    trunk_lean_drift_deg: float = 0.0
    foot_ahead_at_ic_cm: float = 10.0
    knee_flexion_at_ic_deg: float = 20.0
    foot_strike_angle_deg: float = 5.0
    vertical_oscillation_cm: float = 8.0
    elbow_angle_deg: float = 90.0
    arm_swing_deg: float = 60.0
    arm_swing_forward_share: float = 0.4
    head_forward_deg: float = 5.0
    swing_knee_flexion_deg: float = 100.0
    toe_off_foot_pitch_deg: float = -50.0
    body_shape: tuple[float, ...] = ()
    height_cm: float | None = None

    def __post_init__(self) -> None:
        checks = {
            "cadence_spm": 120.0 <= self.cadence_spm <= 230.0,
            "speed_kmh": 3.0 <= self.speed_kmh <= 30.0,
            "duty_factor": 0.15 <= self.duty_factor <= 0.6,
            "knee_flexion_at_ic_deg": 0.5 <= self.knee_flexion_at_ic_deg <= 60.0,
            "foot_strike_angle_deg": -30.0 <= self.foot_strike_angle_deg <= 30.0,
            "vertical_oscillation_cm": 0.0 <= self.vertical_oscillation_cm <= 20.0,
            "elbow_angle_deg": 30.0 <= self.elbow_angle_deg <= 180.0,
            "arm_swing_deg": 0.0 <= self.arm_swing_deg <= 150.0,
            "arm_swing_forward_share": 0.0 <= self.arm_swing_forward_share <= 1.0,
            "swing_knee_flexion_deg": 30.0 <= self.swing_knee_flexion_deg <= 150.0,
            "toe_off_foot_pitch_deg": -80.0 <= self.toe_off_foot_pitch_deg <= -5.0,
            "body_shape": len(self.body_shape) <= SHAPE_COEFFICIENTS,
            "height_cm": self.height_cm is None or 120.0 <= self.height_cm <= 220.0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(f"GaitParams out of range: {values}.")

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-ready dictionary."""
        values = dataclasses.asdict(self)
        values["body_shape"] = list(self.body_shape)
        return values


PRESETS: dict[str, GaitParams] = {
    "good_form": GaitParams(
        cadence_spm=176.0,
        trunk_lean_deg=6.0,
        foot_ahead_at_ic_cm=10.0,
        knee_flexion_at_ic_deg=20.0,
        foot_strike_angle_deg=6.0,
        elbow_angle_deg=90.0,
        head_forward_deg=5.0,
    ),
    "overstride": GaitParams(
        cadence_spm=152.0,
        speed_kmh=9.0,
        duty_factor=0.40,
        trunk_lean_deg=3.0,
        foot_ahead_at_ic_cm=35.0,
        knee_flexion_at_ic_deg=7.0,
        foot_strike_angle_deg=18.0,
        vertical_oscillation_cm=4.0,
        swing_knee_flexion_deg=105.0,
        arm_swing_deg=50.0,
    ),
    "forward_lean": GaitParams(
        cadence_spm=168.0,
        trunk_lean_deg=14.0,
        trunk_lean_drift_deg=12.0,
        foot_ahead_at_ic_cm=14.0,
        knee_flexion_at_ic_deg=16.0,
        foot_strike_angle_deg=10.0,
        elbow_angle_deg=160.0,
        arm_swing_deg=40.0,
        head_forward_deg=30.0,
    ),
}
"""Named parameter sets used for the sample clips and the CLI ``--preset``."""


def preset(name: str, **overrides: Any) -> GaitParams:
    """Return a named preset, optionally with some fields replaced.

    Parameters
    ----------
    name
        A key of :data:`PRESETS`.
    **overrides
        Field values replacing the preset's.

    Returns
    -------
    GaitParams
        The (possibly modified) parameters.

    Raises
    ------
    KeyError
        If ``name`` is not a preset.
    """
    if name not in PRESETS:
        raise KeyError(f"Unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
    return dataclasses.replace(PRESETS[name], **overrides)
