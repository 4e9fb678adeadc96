"""Score a ``summary.json`` against a profile: statuses, scores, messages, cues.

:func:`score_summary` is pure: it returns a new summary and never changes
the one it was given. It accepts any summary, however incomplete: missing
keys, ``None`` or non-numeric values and missing confidences become
``unknown`` with a reason instead of errors.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from runform.scoring import messages as msg
from runform.scoring.profile import Band, PaceBand, Profile, Rule
from runform.scoring.rules import STATUS_ORDER, Side, judge, where_in_typical

FACINGS = ("left", "right")
METHOD = (
    "Each metric is compared with the typical range of the profile (pace-specific where the "
    "research says it depends on speed, when --speed-kmh is given): 100 inside the typical "
    "range, {top:g} down to {bottom:g} across the fair band, {bottom:g} down to 0 beyond it. "
    "The overall score is the weighted mean of the scored metrics and drift checks, with the "
    "profile's weights renormalised over those that could be measured; descriptors (foot "
    "strike, contact time, flight time, duty factor, step length) are never scored, and a "
    "metric with a more precise alternative (e.g. leg lengths vs cm) is counted once. "
    "It needs at least {coverage:.0%} of the total weight to be measurable. Cues are ranked "
    "by weight x shortfall (100 - score), summed over the metrics that share a cue."
)


@dataclass
class _Ctx:
    """What every rule needs to judge one clip."""

    profile: Profile
    speed_kmh: float | None
    view: str | None
    values: dict[str, float] = field(default_factory=dict)
    """Known (trusted) numeric metric values, for relative rules."""


def score_summary(summary: dict[str, Any], profile: Profile, *, speed_kmh: float | None,
                  facing: str | None = None) -> dict[str, Any]:
    """Score every metric and drift entry of a summary against a profile.

    Parameters
    ----------
    summary
        A ``summary.json`` dict with ``metrics``, ``drift`` and ``view``
        (any of them may be missing).
    profile
        From :func:`runform.scoring.load_profile`.
    speed_kmh
        Treadmill belt speed (selects the pace bands of cadence, vertical
        oscillation and the typical contact time), or None.
    facing
        Running direction ``left``/``right`` (default: ``summary["facing"]``);
        recorded only, since the metrics are already signed forward.

    Returns
    -------
    dict
        A new summary. Each metric and drift entry gains ``status``,
        ``score``, ``message``, ``advice``, ``sources``, ``evidence``,
        ``evidence_note``, ``typical_range``, ``value_text``, ``kind``,
        ``weight`` and ``counted``; ``score`` holds ``overall``,
        ``weights``, ``top_cues`` and ``method``; ``health_note`` is added
        once.

    Raises
    ------
    ValueError
        If ``speed_kmh`` is not a positive finite number or ``facing`` is
        not ``left``/``right``.
    """
    if speed_kmh is not None and (isinstance(speed_kmh, bool) or not math.isfinite(speed_kmh)
                                  or speed_kmh <= 0):
        raise ValueError(f"Expected speed_kmh to be a positive number or None, "
                         f"but got {speed_kmh!r}.")
    facing = facing if facing is not None else _text_or_none(summary.get("facing"))
    if facing is not None and facing not in FACINGS:
        raise ValueError(f"Expected facing 'left' or 'right', but got {facing!r}.")
    out = copy.deepcopy(summary)
    ctx = _Ctx(profile, speed_kmh, _text_or_none(out.get("view")))
    metrics = _entries(out.get("metrics"))
    drift = _entries(out.get("drift"))
    ctx.values = _trusted_values(metrics, profile.rules, ctx)
    out["metrics"] = _score_section(metrics, profile.rules, ctx)
    out["drift"] = _score_section(drift, profile.drift, ctx)
    _resolve_alternatives(out["metrics"], profile.rules)
    _apply_flags(out["metrics"], profile)
    out["score"] = _overall(out["metrics"], out["drift"], ctx, facing)
    out["health_note"] = {"text": profile.health_note,
                          "sources": profile.cite(profile.health_sources)}
    return out


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _entries(raw: Any) -> dict[str, dict[str, Any]]:
    """Normalise a metrics/drift mapping: every entry a dict with a ``value``."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for key, entry in raw.items():
        if isinstance(entry, dict):
            out[str(key)] = dict(entry)
        else:
            out[str(key)] = {"value": entry}
    return out


def _number(value: Any) -> float | None:
    """Return a finite float, or None for anything else (None, NaN, text, bool, inf)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _trusted_values(entries: dict[str, dict[str, Any]], rules: dict[str, Rule],
                    ctx: _Ctx) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, entry in entries.items():
        rule = rules.get(key)
        value = _number(entry.get("value"))
        if rule is not None and value is not None and _unknown(rule, entry, ctx) is None:
            out[key] = value
    return out


def _score_section(entries: dict[str, dict[str, Any]], rules: dict[str, Rule],
                   ctx: _Ctx) -> dict[str, dict[str, Any]]:
    """Score the entries in the profile's order; entries without a rule follow, unscored."""
    out: dict[str, dict[str, Any]] = {}
    for key, rule in rules.items():
        if key in entries:
            out[key] = {**entries[key], **_score_entry(rule, entries[key], ctx)}
    for key, entry in entries.items():
        if key not in rules:
            out[key] = {**entry, **_no_rule(key)}
    return out


def _no_rule(key: str) -> dict[str, Any]:
    return {"status": "unknown", "score": None, "kind": "unscored", "weight": 0.0,
            "counted": False, "evidence": None, "evidence_note": "", "sources": [],
            "typical_range": "", "value_text": "",
            "message": f"{key}: measured, but the scoring profile has no rule for it.",
            "advice": ""}


@dataclass(frozen=True)
class _Unknown:
    """Why an entry cannot be judged: the reason in words, and whether the view is to blame."""

    reason: str
    wrong_view: bool = False


def _unknown(rule: Rule, entry: dict[str, Any], ctx: _Ctx) -> _Unknown | None:
    """Return why the entry cannot be judged, or None when it can."""
    if ctx.view is not None and ctx.view not in rule.views:
        return _Unknown(f"it needs a {' or '.join(rule.views)} view and this clip is a "
                        f"{ctx.view} view", wrong_view=True)
    reason = _why_unusable(rule, entry)
    return _Unknown(reason) if reason else None


def _why_unusable(rule: Rule, entry: dict[str, Any]) -> str | None:
    """Return why the value or its confidence cannot be used, or None."""
    value = entry.get("value")
    if value is None:
        reason = entry.get("reason")
        if isinstance(reason, str) and reason.strip():
            return f"not measured: {reason[0].lower()}{reason[1:]}"
        return "not measured"
    if rule.kind == "category":
        if not isinstance(value, str) or value not in rule.categories:
            return f"unexpected value {value!r} (expected one of {', '.join(rule.categories)})"
    elif _number(value) is None:
        return f"unexpected value {value!r} (expected a number)"
    conf = entry.get("confidence", 1.0)
    conf_num = _number(conf) if conf is not None else 1.0
    if conf_num is None:
        return f"unexpected confidence {conf!r}"
    if conf_num < rule.min_confidence:
        return (f"the measurement confidence {conf_num:.2f} is below the profile's "
                f"minimum of {rule.min_confidence:.2f}")
    return None


def _common(rule: Rule, ctx: _Ctx) -> dict[str, Any]:
    return {"kind": rule.kind, "label": rule.label, "weight": rule.weight, "cue": rule.cue,
            "evidence": rule.evidence, "evidence_note": rule.evidence_note,
            "sources": ctx.profile.cite(rule.sources)}


def _score_entry(rule: Rule, entry: dict[str, Any], ctx: _Ctx) -> dict[str, Any]:
    band, pace = rule.band_for(ctx.speed_kmh)
    typical = msg.typical_text(rule, band, pace, ctx.speed_kmh)
    if rule.relative_to:
        typical = f"{typical} vs {ctx.profile.rules[rule.relative_to].label.lower()}"
    base = {**_common(rule, ctx), "typical_range": typical,
            "pace_band": pace.label() if pace else None}
    unknown = _unknown(rule, entry, ctx)
    if unknown is not None:
        advice = ctx.profile.advice_view if unknown.wrong_view else ctx.profile.advice_unknown
        return {**base, "status": "unknown", "score": None, "counted": False,
                "value_text": "", "message": msg.unknown_message(rule.label, unknown.reason),
                "advice": advice}
    if rule.kind == "category":
        return {**base, **_score_category(rule, entry)}
    value = _number(entry.get("value"))
    assert value is not None
    if rule.kind == "descriptor":
        return {**base, **_score_descriptor(rule, value, band, typical, ctx)}
    return {**base, **_score_range(rule, value, entry, band, pace, typical, ctx)}


def _score_range(rule: Rule, value: float, entry: dict[str, Any], band: Band | None,
                 pace: PaceBand | None, typical: str, ctx: _Ctx) -> dict[str, Any]:
    assert band is not None
    scored, extra = _relative(rule, value, ctx)
    shown = msg.value_text(rule, value)
    if rule.relative_to:
        ref_label = ctx.profile.rules[rule.relative_to].label.lower()
        shown = f"{msg.format_number(rule, scored, signed=True)} vs {ref_label}"
    verdict = judge(scored, band, fair_top=ctx.profile.fair_top,
                    fair_bottom=ctx.profile.fair_bottom)
    status, side, score = verdict.status, verdict.side, verdict.score
    noise = ""
    if rule.section == "drift" and status != "good" and _within_noise(entry, value, ctx):
        status, side, score = "good", None, 100.0
        noise = (" The change is within the measurement noise (under "
                 f"{ctx.profile.drift_noise_se:g} standard errors).")
    message = msg.judged_message(rule, ctx.profile, status=status, side=side,
                                 words=msg.value_words(rule, scored), typical=typical,
                                 extra=extra, hint=msg.pace_hint(rule, ctx.speed_kmh)) + noise
    return {"status": status, "score": round(score, 1), "counted": rule.weight > 0,
            "scored_value": scored, "value_text": shown, "typical_range": typical,
            "message": message,
            "advice": msg.advice_text(rule, status, side, scored, band)}


def _relative(rule: Rule, value: float, ctx: _Ctx) -> tuple[float, str]:
    """Return the value to judge (relative to another metric if the rule says so) and a note."""
    if not rule.relative_to:
        return value, ""
    ref_rule = ctx.profile.rules[rule.relative_to]
    ref = ctx.values.get(rule.relative_to)
    raw = msg.format_number(rule, value, signed=True)
    if ref is None:
        assert rule.relative_fallback is not None
        ref, how = rule.relative_fallback, "assumed typical"
    else:
        how = "measured"
    ref_text = msg.format_number(ref_rule, ref, signed=True)
    note = (f" ({raw} from vertical, {ref_rule.label.lower()} {ref_text} {how}"
            + (f"; {rule.relative_words}" if rule.relative_words else "") + ")")
    return value - ref, note


def _within_noise(entry: dict[str, Any], value: float, ctx: _Ctx) -> bool:
    se = _number(entry.get("standard_error"))
    return se is not None and abs(value) <= ctx.profile.drift_noise_se * se


def _score_descriptor(rule: Rule, value: float, band: Band | None, typical: str,
                      ctx: _Ctx) -> dict[str, Any]:
    side: Side | None = where_in_typical(value, band) if band else None
    message = msg.descriptor_message(rule, side=side, words=msg.value_words(rule, value),
                                     typical=typical, hint=msg.pace_hint(rule, ctx.speed_kmh))
    return {"status": "good", "score": None, "counted": False,
            "value_text": msg.value_text(rule, value), "message": message,
            "advice": msg.advice_text(rule, "good", None, value, band)}


def _score_category(rule: Rule, entry: dict[str, Any]) -> dict[str, Any]:
    value = str(entry.get("value"))
    angle = _number(entry.get("angle_deg"))
    seen = f"{value} ({rule.categories[value]}"
    seen += f", foot {angle:+.1f}° toes-up at contact)" if angle is not None else ")"
    typical = rule.typical_text or ", ".join(rule.categories)
    message = msg.descriptor_message(rule, side=None, words=seen, typical=typical,
                                     verdict=False)
    return {"status": "good", "score": None, "counted": False, "typical_range": typical,
            "value_text": msg.value_text(rule, value, angle), "message": message,
            "advice": rule.advice_good}


def _resolve_alternatives(entries: dict[str, dict[str, Any]], rules: dict[str, Rule]) -> None:
    """Count a metric with a preferred alternative only when that alternative is unknown.

    Also sets ``shown``: the table hides an alternative whose preferred
    metric is known, and an unknown preferred metric whose alternative is
    known; ``show_with`` appends the hidden partner's value to the row.
    """
    for key, entry in entries.items():
        entry.setdefault("shown", True)
        rule = rules.get(key)
        if rule is None or not rule.alternative_of:
            continue
        primary = entries.get(rule.alternative_of)
        primary_known = primary is not None and primary.get("status") != "unknown"
        if primary is not None and not primary_known and entry.get("status") == "unknown":
            entry["shown"] = False
        elif primary_known:
            entry["counted"] = False
            entry["shown"] = False
            if entry.get("status") != "unknown":
                entry["message"] += (" Not counted twice: the overall score uses "
                                     f"{rule.alternative_of} for this.")
        elif primary is not None and entry.get("status") != "unknown":
            primary["shown"] = False
    for key, entry in entries.items():
        rule = rules.get(key)
        partner = entries.get(rule.show_with) if rule and rule.show_with else None
        if partner and partner.get("value_text") and entry.get("value_text"):
            entry["value_text"] += f" ({partner['value_text']})"


def _apply_flags(entries: dict[str, dict[str, Any]], profile: Profile) -> None:
    """Raise a descriptor to fair/poor when its flag holds (heel strike + overstride)."""
    for key, rule in profile.rules.items():
        entry = entries.get(key)
        flag = rule.flag
        if flag is None or entry is None or entry.get("status") == "unknown":
            continue
        angle = _number(entry.get("angle_deg"))
        poor = [k for k in flag.with_poor if entries.get(k, {}).get("status") == "poor"]
        if entry.get("value") == flag.category and angle is not None \
                and angle >= flag.min_angle_deg and poor:
            entry["status"] = flag.status
            entry["advice"] = flag.advice
            entry["flagged_with"] = poor
            labels = ", ".join(profile.rules[k].label.lower() for k in poor)
            entry["message"] += (f" Flagged because a heavy heel landing comes together with "
                                 f"overstriding ({labels}).")


def _overall(metrics: dict[str, dict[str, Any]], drift: dict[str, dict[str, Any]], ctx: _Ctx,
             facing: str | None) -> dict[str, Any]:
    counted = {**{k: e for k, e in metrics.items() if e.get("counted")},
               **{f"drift.{k}": e for k, e in drift.items() if e.get("counted")}}
    weights = {k: float(e["weight"]) for k, e in counted.items()}
    total = _total_weight(metrics, drift, ctx.profile)
    known = sum(weights.values())
    coverage = known / total if total > 0 else 0.0
    overall = None
    if known > 0 and coverage >= ctx.profile.min_coverage:
        overall = round(sum(weights[k] * counted[k]["score"] for k in counted) / known, 1)
    return {"overall": overall, "weights": weights, "coverage": round(coverage, 3),
            "top_cues": _top_cues(counted, ctx.profile), "profile": ctx.profile.name,
            "profile_path": ctx.profile.path, "speed_kmh": ctx.speed_kmh, "view": ctx.view,
            "facing": facing,
            "method": METHOD.format(top=ctx.profile.fair_top, bottom=ctx.profile.fair_bottom,
                                    coverage=ctx.profile.min_coverage)}


def _total_weight(metrics: dict[str, dict[str, Any]], drift: dict[str, dict[str, Any]],
                  profile: Profile) -> float:
    """Weight of every scored rule present in the summary, alternatives counted once.

    A metric whose preferred alternative is also present is left out: its
    slot is the alternative's.
    """
    total = 0.0
    for section, rules in ((metrics, profile.rules), (drift, profile.drift)):
        for key, rule in rules.items():
            if key in section and rule.kind == "range" and not (
                    rule.alternative_of and rule.alternative_of in section):
                total += rule.weight
    return total


def _top_cues(counted: dict[str, dict[str, Any]], profile: Profile) -> list[dict[str, Any]]:
    """Rank the three things to work on, most important first; maintenance cues fill up."""
    groups: dict[str, dict[str, Any]] = {}
    for key, entry in counted.items():
        if entry["status"] not in ("fair", "poor") or not entry.get("cue"):
            continue
        importance = entry["weight"] * (100.0 - entry["score"]) / 100.0
        group = groups.setdefault(entry["cue"], {"importance": 0.0, "metrics": [],
                                                 "statuses": [], "worst": None})
        group["importance"] += importance
        group["metrics"].append(key)
        group["statuses"].append(entry["status"])
        worst = group["worst"]
        if worst is None or importance > worst[0]:
            group["worst"] = (importance, entry)
    ranked = sorted(groups.items(), key=lambda kv: -kv[1]["importance"])
    cues = [_cue_item(profile, cue_key, g) for cue_key, g in ranked[:3]]
    for cue in profile.maintenance[: max(0, 3 - len(cues))]:
        cues.append({"cue": cue.key, "kind": "maintenance", "title": cue.title,
                     "advice": cue.advice, "importance": 0.0, "metrics": [],
                     "status": "good", "because": "", "sources": profile.cite(cue.sources)})
    return cues


def _cue_item(profile: Profile, cue_key: str, group: dict[str, Any]) -> dict[str, Any]:
    cue = profile.cues[cue_key]
    worst_entry = group["worst"][1]
    status = min(group["statuses"], key=lambda s: STATUS_ORDER[s])
    return {"cue": cue_key, "kind": "fault", "title": cue.title, "advice": cue.advice,
            "importance": round(group["importance"], 3), "metrics": group["metrics"],
            "status": status, "because": worst_entry["message"],
            "sources": profile.cite(cue.sources)}
