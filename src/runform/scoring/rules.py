"""Judge one number against a band: status and score, as pure functions.

Score curve (continuous within each status, documented in the profile):

- inside the good band: 100;
- in the fair band: from ``fair_top`` at the good limit down to
  ``fair_bottom`` at the fair limit, linearly;
- beyond the fair limit (poor): from ``fair_bottom`` down to 0 over
  ``poor_span``, linearly, then 0.

A side with no fair limit (``fair_min``/``fair_max`` left out while the good
limit is given) goes straight from good to poor at the good limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runform.scoring.profile import Band

Status = Literal["good", "fair", "poor", "unknown"]
Side = Literal["low", "high"]
STATUS_ORDER: dict[str, int] = {"poor": 0, "fair": 1, "good": 2, "unknown": 3}
"""Worst first, for sorting."""


@dataclass(frozen=True)
class Judgement:
    """Where a value falls in a band."""

    status: Status
    score: float
    side: Side | None
    """``low`` when below the good band, ``high`` when above, None inside it."""


def judge(value: float, band: Band, *, fair_top: float = 80.0,
          fair_bottom: float = 50.0) -> Judgement:
    """Status and score 0-100 of ``value`` against ``band``.

    Parameters
    ----------
    value
        The measured value, in the band's unit (finite).
    band
        Good/fair limits; ``None`` limits are open.
    fair_top, fair_bottom
        Score at the inner (good) and outer edge of the fair band.

    Returns
    -------
    Judgement
        ``good`` (score 100) inside ``[good_min, good_max]`` (limits
        included), ``fair`` inside the fair band, else ``poor``.
    """
    if band.good_min is not None and value < band.good_min:
        return _outside(band.good_min - value, band.good_min, band.fair_min, band.poor_span,
                        "low", fair_top, fair_bottom)
    if band.good_max is not None and value > band.good_max:
        return _outside(value - band.good_max, band.good_max, band.fair_max, band.poor_span,
                        "high", fair_top, fair_bottom)
    return Judgement("good", 100.0, None)


def _outside(distance: float, good: float, fair: float | None, span: float, side: Side,
             fair_top: float, fair_bottom: float) -> Judgement:
    width = abs(good - fair) if fair is not None else 0.0
    if distance <= width and width > 0:
        return Judgement("fair", fair_top - (fair_top - fair_bottom) * distance / width, side)
    beyond = distance - width
    return Judgement("poor", max(0.0, fair_bottom * (1.0 - beyond / span)), side)


def where_in_typical(value: float, band: Band) -> Side | None:
    """``low``/``high`` when a descriptor's value is outside its typical range, else None."""
    if band.good_min is not None and value < band.good_min:
        return "low"
    if band.good_max is not None and value > band.good_max:
        return "high"
    return None
