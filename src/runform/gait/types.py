"""Data passed between track cleaning, event detection and the metric modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from runform.pose.track import PoseTrack

Foot = Literal["left", "right"]
Facing = Literal["left", "right"]
View = Literal["side", "front", "rear"]


@dataclass(frozen=True)
class Step:
    """One foot contact: initial contact (IC) to toe-off (TO).

    Times are real seconds on the track's clock, refined below one frame;
    frames are the nearest frame indices.
    """

    foot: Foot
    ic_time: float
    ic_frame: int
    to_time: float | None = None
    to_frame: int | None = None

    @property
    def contact_s(self) -> float | None:
        """Contact time in seconds, or None without a toe-off."""
        return None if self.to_time is None else self.to_time - self.ic_time


@dataclass(frozen=True)
class GaitEvents:
    """Initial contacts and toe-offs of both feet, in time order."""

    steps: tuple[Step, ...]
    stride_period_s: float | None
    """Dominant stride period from the gait's periodicity (one left + one right step)."""
    reliable: bool
    """False when the clip is too short or unclear for trustworthy events."""
    reason: str | None = None
    """Why the events are not reliable (plain words), else None."""
    dropped: int = 0
    """Candidate steps dropped because they broke the running order or timing."""


@dataclass(frozen=True)
class CleanedTrack:
    """A pose track after gating, swap repair, gap filling and zero-lag smoothing."""

    track: PoseTrack
    """Cleaned positions in pixels; NaN where a gap was too long to fill."""
    facing: Facing
    """Running direction in the image, from the body itself."""
    view: View
    """Camera view of the runner."""
    swaps_repaired: int = 0
    """Number of left/right swap episodes corrected."""
    notes: list[str] = field(default_factory=list)
    """Plain-words notes on data quality (gaps, low confidence)."""
