"""Gait: track cleaning results, view and facing, scale, and gait events."""

from runform.gait.types import CleanedTrack, Facing, Foot, GaitEvents, Step, View

__all__ = ["CleanedTrack", "Facing", "Foot", "GaitEvents", "Step", "View"]
