"""Plain-words texts: values with units, typical ranges, messages and advice.

Every text is built from the profile's words and the numbers, so a profile
can re-word (or translate) the output without touching code.
"""

from __future__ import annotations

from runform.scoring.profile import ADVICE_FIELDS, Band, PaceBand, Profile, Rule
from runform.scoring.rules import Side

NO_SPACE_UNITS = frozenset({"°", "%"})


def format_number(rule: Rule, value: float, *, signed: bool | None = None,
                  unit: bool = True) -> str:
    """``value`` scaled for display, rounded to the rule's decimals, with its unit.

    ``signed`` (default: the rule's ``signed``) prints a leading ``+`` on
    positive numbers, as drift changes need; ``unit=False`` leaves the unit out.
    """
    shown = value * rule.display_scale
    sign = "+" if (rule.signed if signed is None else signed) else ""
    text = f"{shown:{sign}.{rule.decimals}f}"
    if text.lstrip("+-").strip("0.") == "":
        text = f"{0:.{rule.decimals}f}"
    if not rule.unit or not unit:
        return text
    return f"{text}{rule.unit}" if rule.unit in NO_SPACE_UNITS else f"{text} {rule.unit}"


def value_text(rule: Rule, value: float | str, angle: float | None = None) -> str:
    """Short display text of a metric value (the table's Value column)."""
    if isinstance(value, str):
        if angle is None:
            return value
        return f"{value} ({angle:+.0f}°)"
    return format_number(rule, value)


def value_words(rule: Rule, value: float) -> str:
    """Return the value in words, e.g. ``"18.2° forward"`` or ``"148 steps per minute"``."""
    if rule.positive_words and value > 0:
        return f"{_magnitude(rule, value)} {rule.positive_words}"
    if rule.negative_words and value < 0:
        return f"{_magnitude(rule, -value)} {rule.negative_words}"
    if rule.unit_words:
        return f"{format_number(rule, value, unit=False)} {rule.unit_words}"
    return format_number(rule, value)


def _magnitude(rule: Rule, value: float) -> str:
    return format_number(rule, value, signed=False)


def typical_text(rule: Rule, band: Band | None, pace: PaceBand | None,
                 speed_kmh: float | None) -> str:
    """Return the typical (good) range in plain words, with the pace it applies to.

    Examples: ``"160 spm or more at any pace"``, ``"2.0 to 12.0°"``,
    ``"up to 8.6% at 12 km/h"``.
    """
    if rule.typical_text:
        core = rule.typical_text
    elif band is None:
        return "no typical range"
    else:
        core = _range_words(rule, band)
    if not rule.pace:
        return core
    if pace is not None and speed_kmh is not None:
        return f"{core} at {speed_kmh:g} km/h"
    return f"{core} at any pace"


PACE_HINT = "Give the treadmill speed (--speed-kmh) for a pace-specific range."


def pace_hint(rule: Rule, speed_kmh: float | None) -> str:
    """Return a hint to give the speed, for pace-dependent rules judged without it."""
    return PACE_HINT if rule.pace and speed_kmh is None else ""


def _range_words(rule: Rule, band: Band) -> str:
    lo, hi = band.good_min, band.good_max
    if lo is not None and hi is not None:
        low = format_number(rule, lo)
        high = format_number(rule, hi)
        if rule.unit and low.endswith(rule.unit) and high.endswith(rule.unit):
            low = low[: -len(rule.unit)].rstrip()
        return f"{low} to {high}"
    if lo is not None:
        return f"{format_number(rule, lo)} or more"
    assert hi is not None
    return f"up to {format_number(rule, hi)}"


def judged_message(rule: Rule, profile: Profile, *, status: str, side: Side | None,
                   words: str, typical: str, extra: str = "", hint: str = "") -> str:
    """Message of a scored (range) rule: what was seen, the typical range, the verdict."""
    if status == "good":
        verdict = "Within the typical range."
    else:
        degree = "A little" if status == "fair" else "Well"
        where = "below" if side == "low" else "above"
        what = rule.low_words if side == "low" else rule.high_words
        verdict = f"{degree} {where} the typical range" + (f": {what}." if what else ".")
    return _join(f"{rule.label}: {words}{extra}; typical {typical}.", verdict, hint,
                 profile.evidence_caveats.get(rule.evidence, ""))


def descriptor_message(rule: Rule, *, side: Side | None, words: str, typical: str,
                       hint: str = "", verdict: bool = True) -> str:
    """Message of a descriptor: the value, the typical range, and why it is not a fault.

    ``verdict=False`` leaves out the "within/below/above the typical range"
    sentence (for categories, which have no range).
    """
    where = {"low": "Below", "high": "Above"}.get(side or "", "Within")
    return _join(f"{rule.label}: {words}; typical {typical}.",
                 f"{where} the typical range." if verdict else "", hint, rule.evidence_note)


def unknown_message(label: str, reason: str) -> str:
    """Message of a metric that could not be judged, with the reason."""
    return f"{label}: not scored, {reason.rstrip('.')}."


def advice_fields(rule: Rule, value: float | None, band: Band | None) -> dict[str, str]:
    """Values an advice text may use: the number, +5 % / +10 % of it, the good limits."""
    def fmt(v: float | None) -> str:
        return format_number(rule, v, signed=False) if v is not None else "?"

    fields = {
        "value": fmt(value),
        "plus5": fmt(value * 1.05 if value is not None else None),
        "plus10": fmt(value * 1.10 if value is not None else None),
        "good_min": fmt(band.good_min if band else None),
        "good_max": fmt(band.good_max if band else None),
    }
    assert set(fields) == ADVICE_FIELDS
    return fields


def advice_text(rule: Rule, status: str, side: Side | None, value: float | None,
                band: Band | None) -> str:
    """Return the rule's advice for this verdict, with its placeholders filled in."""
    if status == "good" or side is None:
        template = rule.advice_good
    elif side == "low":
        template = rule.advice_low or rule.advice_good
    else:
        template = rule.advice_high or rule.advice_good
    return template.format(**advice_fields(rule, value, band))


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())
