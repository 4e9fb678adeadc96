"""Gait: track cleaning results, view and facing, scale, and gait events."""

from runform.gait.events import detect_events, stride_period
from runform.gait.scale import estimate_px_per_cm, leg_length_px
from runform.gait.types import CleanedTrack, Facing, Foot, GaitEvents, Step, View
from runform.gait.view import detect_facing, detect_view, facing_evidence

__all__ = [
    "CleanedTrack",
    "Facing",
    "Foot",
    "GaitEvents",
    "Step",
    "View",
    "detect_events",
    "detect_facing",
    "detect_view",
    "estimate_px_per_cm",
    "facing_evidence",
    "leg_length_px",
    "stride_period",
]
