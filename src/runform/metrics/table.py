"""The metric table as data: one :class:`MetricSpec` per key of ``summary.json["metrics"]``.

Reports, the README table and the scoring stage read this table instead of
repeating units, labels and definitions. Angles are degrees; "forward" is the
running direction; image y points down.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Requirement = Literal["height", "speed"]


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is defined and what it needs to be measured."""

    key: str
    """Key in ``summary.json["metrics"]`` and in each step of ``summary.json["steps"]``."""
    unit: str
    """Unit of ``value``: deg, cm, ms, steps/min, fraction, %, class."""
    label: str
    """Short human label."""
    definition: str
    """One-line definition, as computed."""
    sign: str
    """Sign convention in plain words ("" when the value has no sign)."""
    needs: tuple[Requirement, ...] = ()
    """Inputs the user must give: ``height`` (``--height-cm``), ``speed`` (``--speed-kmh``)."""
    side_view_only: bool = True
    """Only meaningful from a side view (not reported from front/rear views)."""
    min_fps: float = 15.0
    """Below this real-time frame rate the value is not reported."""
    full_fps: float = 30.0
    """At or above this frame rate, fps does not lower the confidence."""
    at_contact: bool = False
    """Sampled at initial contact (sensitive to contact timing)."""
    per_step: bool = False
    """Also reported per step in ``summary.json["steps"]``."""
    drift: bool = False
    """Reported in ``summary.json["drift"]`` (last third minus first third)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the spec as JSON-ready data."""
        data = asdict(self)
        data["needs"] = list(self.needs)
        return data


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("cadence_spm", "steps/min", "Cadence",
               "Steps per minute, both feet: 120 divided by the stride period fitted "
               "to each foot's initial-contact times.", "", side_view_only=False,
               min_fps=10.0, full_fps=25.0, drift=True),
    MetricSpec("trunk_lean_deg", "deg", "Trunk lean",
               "Mean angle between vertical and the hip-midpoint-to-shoulder-midpoint "
               "line over whole strides.", "positive = shoulders ahead of hips (forward lean)",
               min_fps=10.0, full_fps=25.0, drift=True),
    MetricSpec("head_forward_deg", "deg", "Head position",
               "Mean angle between vertical and the shoulder-midpoint-to-ear-midpoint line "
               "over whole strides.", "positive = head ahead of the shoulders (or dropped)",
               min_fps=10.0, full_fps=25.0),
    MetricSpec("elbow_angle_deg", "deg", "Elbow angle",
               "Mean interior shoulder-elbow-wrist angle of the arm nearer the camera over "
               "whole strides; 180 = straight arm.", "", min_fps=10.0, full_fps=25.0),
    MetricSpec("arm_swing_deg", "deg", "Arm swing",
               "Range (max - min) per stride of the upper arm's angle to the trunk line, "
               "mean over strides and measurable arms.",
               "forward part = flexion ahead of the trunk line, backward part = extension",
               min_fps=15.0, full_fps=30.0),
    MetricSpec("shank_angle_at_contact_deg", "deg", "Shank angle at contact",
               "Angle of the knee-to-ankle line from vertical at initial contact, mean over "
               "the near leg's contacts.", "positive = ankle ahead of the knee",
               min_fps=20.0, full_fps=60.0, at_contact=True, per_step=True),
    MetricSpec("knee_flexion_at_contact_deg", "deg", "Knee flexion at contact",
               "180 minus the interior hip-knee-ankle angle at initial contact, mean over the "
               "near leg's contacts.", "positive = flexed", min_fps=20.0, full_fps=60.0,
               at_contact=True, per_step=True, drift=True),
    MetricSpec("foot_ahead_of_hip_cm", "cm", "Foot ahead of hip at contact",
               "Horizontal distance from the hip midpoint to the landing foot's ankle at "
               "initial contact, mean over the near leg's contacts.",
               "positive = ankle ahead of the hips", needs=("height",), min_fps=20.0,
               full_fps=60.0, at_contact=True, per_step=True),
    MetricSpec("foot_ahead_of_hip_leg", "leg lengths", "Foot ahead of hip (leg lengths)",
               "foot_ahead_of_hip distance divided by the leg length (hip to ankle, "
               "extended leg); needs no scale.", "positive = ankle ahead of the hips",
               min_fps=20.0, full_fps=60.0, at_contact=True, per_step=True),
    MetricSpec("foot_strike", "class", "Foot strike",
               "rearfoot / midfoot / forefoot from the foot angle at contact (heel-to-toe "
               "line relative to the same foot flat in mid-stance): rearfoot > 8.0 deg, "
               "forefoot < -1.6 deg (Altman & Davis 2012).", "angle_deg positive = toes up",
               min_fps=20.0, full_fps=60.0, at_contact=True, per_step=True),
    MetricSpec("vertical_oscillation_cm", "cm", "Vertical oscillation",
               "Peak-to-peak vertical travel of the trunk per step (mean height of the hip, "
               "shoulder and ear midpoints, which rise and fall together), median over "
               "steps.", "", needs=("height",), min_fps=15.0, full_fps=30.0, per_step=True,
               drift=True),
    MetricSpec("contact_time_ms", "ms", "Ground contact time",
               "Toe-off minus initial contact of the same foot, median over steps.", "",
               side_view_only=False, min_fps=20.0, full_fps=120.0, per_step=True),
    MetricSpec("flight_time_ms", "ms", "Flight time",
               "Next initial contact (other foot) minus toe-off, median over steps.", "",
               side_view_only=False, min_fps=20.0, full_fps=120.0, per_step=True),
    MetricSpec("duty_factor", "fraction", "Duty factor",
               "Contact time divided by stride time (Patoz 2019).", "", side_view_only=False,
               min_fps=20.0, full_fps=120.0),
    MetricSpec("step_length_cm", "cm", "Step length",
               "Belt speed times step time (60 / cadence).", "", needs=("speed",),
               side_view_only=False, min_fps=10.0, full_fps=25.0),
    MetricSpec("vertical_ratio_pct", "%", "Vertical ratio",
               "Vertical oscillation divided by step length, in percent.", "",
               needs=("height", "speed"), min_fps=15.0, full_fps=30.0),
)
"""Every metric reported in ``summary.json["metrics"]``, in report order."""

METRIC_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS)
DRIFT_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS if m.drift)
_BY_KEY: dict[str, MetricSpec] = {m.key: m for m in METRICS}


def spec(key: str) -> MetricSpec:
    """Return the spec of one metric.

    Raises
    ------
    KeyError
        If ``key`` is not a known metric, naming the known keys.
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"Unknown metric {key!r}; expected one of {METRIC_KEYS}.") from None


def markdown_table() -> str:
    """Render the metric table as Markdown (key, unit, definition, sign, needs)."""
    rows = ["| key | unit | definition | sign | needs |", "|---|---|---|---|---|"]
    for m in METRICS:
        needs = ", ".join(f"--{n}-{'cm' if n == 'height' else 'kmh'}" for n in m.needs)
        rows.append(f"| `{m.key}` | {m.unit} | {m.definition} | {m.sign or '-'} | "
                    f"{needs or '-'} |")
    return "\n".join(rows)
