"""Typed, frozen configuration of one analysis."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AnalysisConfig:
    """Settings of one ``runform analyze`` run.

    Attributes are validated in ``__post_init__``; invalid values raise
    ``ValueError`` with the expected range.
    """

    model: str = "full"
    """Pose model: ``lite``, ``full``, ``heavy`` or a path to a ``.task`` file."""
    height_cm: float | None = None
    """Runner's standing height in cm; gives the pixel-to-cm scale."""
    speed_kmh: float | None = None
    """Treadmill belt speed in km/h; enables step length and vertical ratio."""
    slowmo: float = 1.0
    """Capture fps divided by playback fps (e.g. 240 fps shown at 30 fps = 8)."""
    write_video: bool = True
    """Write the annotated video (``annotated.mp4``)."""
    max_people: int = 2
    """Number of people MediaPipe looks for per frame; the runner is chosen among them."""
    profile: Path | None = None
    """Scoring profile TOML overriding the built-in one."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free-form settings recorded in the summary (e.g. batch context)."""

    def __post_init__(self) -> None:
        if self.height_cm is not None and not 80.0 <= self.height_cm <= 250.0:
            raise ValueError(f"Expected height_cm between 80 and 250, but got {self.height_cm}.")
        if self.speed_kmh is not None and not 3.0 <= self.speed_kmh <= 40.0:
            raise ValueError(f"Expected speed_kmh between 3 and 40, but got {self.speed_kmh}.")
        if not 1.0 <= self.slowmo <= 64.0:
            raise ValueError(f"Expected slowmo between 1 and 64, but got {self.slowmo}.")
        if not 1 <= self.max_people <= 6:
            raise ValueError(f"Expected max_people between 1 and 6, but got {self.max_people}.")

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as JSON-ready data."""
        data = asdict(self)
        data["profile"] = str(self.profile) if self.profile else None
        return data
