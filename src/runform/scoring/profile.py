"""Scoring profiles: the thresholds, texts and sources of the rules, loaded from TOML.

A profile is data, not code. The shipped one is ``profile_default.toml`` next
to this module; every field is documented there. A user profile
(``--profile FILE``) only needs the fields it changes: it is merged onto the
shipped profile (tables merge key by key, arrays and values replace), unless
it sets ``inherit = false`` at the top, in which case it must be complete.
The merged result is validated as a whole and any problem raises
:class:`runform.errors.ProfileError` naming the field, what was expected and
what was found.
"""

from __future__ import annotations

import math
import string
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from runform.errors import ProfileError

EVIDENCE_GRADES = ("strong", "moderate", "limited", "coaching")
"""Evidence grades, strongest first (research grades A, B, C, F)."""
VIEWS = ("side", "front", "rear")
RULE_KINDS = ("range", "descriptor", "category")
SOURCE_KINDS = ("article", "study", "review", "vendor", "reference")
ADVICE_FIELDS = frozenset({"value", "plus5", "plus10", "good_min", "good_max"})
"""Placeholders an advice text may use (see :func:`advice_fields`)."""
DEFAULT_PROFILE = "profile_default.toml"


@dataclass(frozen=True)
class Band:
    """Good and fair limits of one rule (``None`` = open on that side).

    A value inside ``[good_min, good_max]`` is good; inside
    ``[fair_min, fair_max]`` but outside the good band it is fair; beyond it
    is poor. ``poor_span`` is how far beyond the fair limit the score
    reaches 0.
    """

    good_min: float | None = None
    good_max: float | None = None
    fair_min: float | None = None
    fair_max: float | None = None
    poor_span: float = 1.0


@dataclass(frozen=True)
class PaceBand:
    """Limits that apply at belt speeds in ``[min_kmh, max_kmh)``."""

    min_kmh: float
    max_kmh: float
    band: Band

    def contains(self, speed_kmh: float) -> bool:
        """Whether ``speed_kmh`` falls in this pace band."""
        return self.min_kmh <= speed_kmh < self.max_kmh

    def label(self) -> str:
        """Return the speed range in words, e.g. ``"9-12 km/h"`` or ``"18 km/h and faster"``."""
        if math.isinf(self.max_kmh):
            return f"{self.min_kmh:g} km/h and faster"
        if self.min_kmh <= 0:
            return f"below {self.max_kmh:g} km/h"
        return f"{self.min_kmh:g}-{self.max_kmh:g} km/h"


@dataclass(frozen=True)
class Source:
    """One citable source: an article of the coaching guidance, a study or a vendor page."""

    key: str
    kind: str
    citation: str
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form: id, kind, citation and url."""
        return {"id": self.key, "kind": self.kind, "citation": self.citation, "url": self.url}


@dataclass(frozen=True)
class Cue:
    """A thing to work on, shared by the rules that point to it."""

    key: str
    title: str
    advice: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StrikeFlag:
    """When a descriptor category becomes worth mentioning (heavy heel strike + overstride)."""

    category: str
    min_angle_deg: float
    with_poor: tuple[str, ...]
    status: str
    advice: str


@dataclass(frozen=True)
class Rule:
    """How one metric (or one drift entry) is judged and explained."""

    key: str
    section: str
    """``metrics`` or ``drift``."""
    label: str
    kind: str
    """``range`` (scored), ``descriptor`` (numeric, never a fault) or ``category``."""
    unit: str
    unit_words: str
    decimals: int
    display_scale: float
    signed: bool
    weight: float
    cue: str | None
    evidence: str
    evidence_note: str
    sources: tuple[str, ...]
    views: tuple[str, ...]
    min_confidence: float
    band: Band | None
    pace: tuple[PaceBand, ...]
    positive_words: str
    negative_words: str
    low_words: str
    high_words: str
    advice_good: str
    advice_low: str
    advice_high: str
    typical_text: str
    alternative_of: str | None
    show_with: str | None
    relative_to: str | None
    relative_fallback: float | None
    relative_words: str
    categories: dict[str, str] = field(default_factory=dict)
    flag: StrikeFlag | None = None

    def band_for(self, speed_kmh: float | None) -> tuple[Band | None, PaceBand | None]:
        """Return the band that applies at ``speed_kmh`` and its pace band (if any)."""
        if speed_kmh is not None:
            for pace in self.pace:
                if pace.contains(speed_kmh):
                    return pace.band, pace
        return self.band, None


@dataclass(frozen=True)
class Profile:
    """A validated scoring profile."""

    name: str
    description: str
    path: str
    """Where it was loaded from (``"built-in"`` for the shipped profile)."""
    min_confidence: float
    min_coverage: float
    fair_top: float
    fair_bottom: float
    drift_noise_se: float
    advice_unknown: str
    advice_view: str
    evidence_words: dict[str, str]
    evidence_caveats: dict[str, str]
    sources: dict[str, Source]
    cues: dict[str, Cue]
    maintenance: tuple[Cue, ...]
    health_note: str
    health_sources: tuple[str, ...]
    rules: dict[str, Rule]
    drift: dict[str, Rule]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def cite(self, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        """JSON citations of some source keys, articles first, then studies and others."""
        order = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
        found = [self.sources[k] for k in keys]
        return [s.to_dict() for s in sorted(found, key=lambda s: order[s.kind])]


def load_profile(path: Path | None = None) -> Profile:
    """Load a scoring profile, validated.

    Parameters
    ----------
    path
        A TOML file overriding the shipped profile, or None for the shipped
        profile itself.

    Returns
    -------
    Profile
        The merged, validated profile.

    Raises
    ------
    ProfileError
        If the file is missing, is not valid TOML, or a field is missing,
        unknown, of the wrong type or inconsistent (the message names it).
    """
    base = _read_toml_text(
        resources.files("runform.scoring").joinpath(DEFAULT_PROFILE).read_text("utf-8"),
        "built-in profile")
    if path is None:
        return parse_profile(base, "built-in")
    user = _read_user_file(Path(path))
    inherit = user.pop("inherit", True)
    if not isinstance(inherit, bool):
        raise ProfileError(f"{path}: 'inherit' must be true or false, but got {inherit!r}.")
    data = merge_tables(base, user) if inherit else user
    return parse_profile(data, str(path))


def merge_tables(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` onto ``base``: tables merge key by key, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = value
    return out


def _read_user_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ProfileError(f"Scoring profile {path} does not exist or is not a file.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Could not read scoring profile {path}: {exc}.") from exc
    return _read_toml_text(text, str(path))


def _read_toml_text(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where} is not valid TOML: {exc}.") from exc


class _Table:
    """Typed, checked access to one TOML table; :meth:`done` rejects unknown keys."""

    def __init__(self, data: Any, where: str, origin: str) -> None:
        if not isinstance(data, dict):
            raise ProfileError(f"{origin}: [{where}] must be a table, but got {data!r}.")
        self.data = data
        self.where = where
        self.origin = origin
        self.used: set[str] = set()

    def fail(self, key: str, expected: str, got: Any) -> ProfileError:
        where = f"[{self.where}] " if self.where else ""
        return ProfileError(f"{self.origin}: {where}{key} must be {expected}, but got {got!r}.")

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key)

    def number(self, key: str, default: float | None = None, *, required: bool = False,
               lo: float = -math.inf, hi: float = math.inf) -> float | None:
        value = self.get(key)
        if value is None:
            if required:
                raise self.fail(key, "given (a number)", None)
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value) or not lo <= value <= hi:
            raise self.fail(key, f"a number between {lo:g} and {hi:g}", value)
        return float(value)

    def req_number(self, key: str, *, lo: float = -math.inf, hi: float = math.inf) -> float:
        value = self.number(key, required=True, lo=lo, hi=hi)
        assert value is not None
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key)
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(key, "a non-empty string", value)
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(key) if self.has(key) else default
        if value not in options:
            raise self.fail(key, f"one of {', '.join(options)}", value)
        return str(value)

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "a list of strings", value)
        return tuple(value)

    def optional_text(self, key: str) -> str | None:
        value = self.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "a string", value)
        return value

    def sub(self, key: str) -> _Table:
        self.used.add(key)
        where = f"{self.where}.{key}" if self.where else key
        return _Table(self.data.get(key, {}), where, self.origin)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            where = f"[{self.where}]" if self.where else "The top level"
            raise ProfileError(f"{self.origin}: {where} has unknown field(s) "
                               f"{', '.join(unknown)}; check the spelling against "
                               "profile_default.toml.")


def parse_profile(data: dict[str, Any], origin: str) -> Profile:
    """Validate raw TOML data (already merged) into a :class:`Profile`.

    Raises
    ------
    ProfileError
        On any missing, unknown, mistyped or inconsistent field.
    """
    top = _Table(data, "", origin)
    top.get("inherit")
    defaults = top.sub("defaults")
    min_conf = defaults.req_number("min_confidence", lo=0.0, hi=1.0)
    parts = _parse_common(top, origin)
    ctx = _RuleDefaults(min_conf, parts["sources"], parts["cues"])
    rules = _parse_rules(top.sub("metrics"), "metrics", ctx)
    drift = _parse_rules(top.sub("drift"), "drift", ctx)
    profile = Profile(
        name=top.text("name"), description=top.text("description", ""), path=origin,
        min_confidence=min_conf,
        min_coverage=defaults.req_number("min_coverage", lo=0.0, hi=1.0),
        fair_top=defaults.req_number("fair_top_score", lo=0.0, hi=100.0),
        fair_bottom=defaults.req_number("fair_bottom_score", lo=0.0, hi=100.0),
        drift_noise_se=defaults.req_number("drift_noise_se", lo=0.0, hi=10.0),
        advice_unknown=defaults.text("advice_unknown"),
        advice_view=defaults.text("advice_view"),
        rules=rules, drift=drift, raw=data, **parts)
    defaults.done()
    top.done()
    _check_links(profile, origin)
    return profile


def _parse_common(top: _Table, origin: str) -> dict[str, Any]:
    sources = _parse_sources(top.sub("sources"))
    ev = top.sub("evidence")
    words: dict[str, str] = {}
    caveats: dict[str, str] = {}
    for grade in EVIDENCE_GRADES:
        g = ev.sub(grade)
        words[grade] = g.text("meaning")
        caveats[grade] = g.text("caveat", "")
        g.done()
    ev.done()
    cues_table = top.sub("cues")
    cues = {key: _parse_cue(cues_table.sub(key), key) for key in list(cues_table.data)}
    cues_table.done()
    maint = top.get("maintenance")
    if not isinstance(maint, list) or not maint:
        raise ProfileError(f"{origin}: [[maintenance]] must be a non-empty array of tables, "
                           f"but got {maint!r}.")
    maintenance = tuple(_parse_cue(_Table(m, f"maintenance.{i}", origin), f"maintenance_{i}")
                        for i, m in enumerate(maint))
    health = top.sub("health_note")
    note, health_sources = health.text("text"), health.strings("sources")
    health.done()
    return {"sources": sources, "cues": cues, "maintenance": maintenance,
            "evidence_words": words, "evidence_caveats": caveats, "health_note": note,
            "health_sources": health_sources}


def _parse_sources(table: _Table) -> dict[str, Source]:
    out: dict[str, Source] = {}
    for key in list(table.data):
        t = table.sub(key)
        out[key] = Source(key=key, kind=t.choice("kind", SOURCE_KINDS),
                          citation=t.text("citation"), url=t.optional_text("url"))
        t.done()
    table.done()
    return out


def _parse_cue(t: _Table, key: str) -> Cue:
    cue = Cue(key=key, title=t.text("title"), advice=t.text("advice"),
              sources=t.strings("sources"))
    t.done()
    return cue


@dataclass(frozen=True)
class _RuleDefaults:
    min_confidence: float
    sources: dict[str, Source]
    cues: dict[str, Cue]


def _parse_rules(table: _Table, section: str, ctx: _RuleDefaults) -> dict[str, Rule]:
    rules = {key: _parse_rule(table.sub(key), key, section, ctx) for key in list(table.data)}
    table.done()
    return rules


def _parse_rule(t: _Table, key: str, section: str, ctx: _RuleDefaults) -> Rule:
    kind = t.choice("kind", RULE_KINDS, "range")
    band = _parse_band(t.sub("bands"), kind) if t.has("bands") else None
    pace = _parse_pace(t, kind)
    if kind == "range" and band is None:
        raise t.fail("bands", "given for a scored (range) rule", None)
    flag = _parse_flag(t.sub("flag")) if t.has("flag") else None
    rule = Rule(
        key=key, section=section, label=t.text("label"), kind=kind,
        unit=t.text("unit", ""), unit_words=t.text("unit_words", ""),
        decimals=int(t.number("decimals", 1, lo=0, hi=4) or 0),
        display_scale=t.number("display_scale", 1.0, lo=1e-6, hi=1e6) or 1.0,
        signed=_bool(t, "signed", False),
        weight=t.number("weight", 0.0, lo=0.0, hi=100.0) or 0.0,
        cue=t.optional_text("cue"), evidence=t.choice("evidence", EVIDENCE_GRADES),
        evidence_note=t.text("evidence_note"), sources=t.strings("sources"),
        views=t.strings("views", ("side",)),
        min_confidence=t.number("min_confidence", ctx.min_confidence, lo=0.0, hi=1.0) or 0.0,
        band=band, pace=pace, positive_words=t.text("positive_words", ""),
        negative_words=t.text("negative_words", ""), low_words=t.text("low_words", ""),
        high_words=t.text("high_words", ""), advice_good=t.text("advice_good"),
        advice_low=t.text("advice_low", ""), advice_high=t.text("advice_high", ""),
        typical_text=t.text("typical_text", ""), alternative_of=t.optional_text("alternative_of"),
        show_with=t.optional_text("show_with"), relative_to=t.optional_text("relative_to"),
        relative_fallback=t.number("relative_fallback"),
        relative_words=t.text("relative_words", ""),
        categories=_parse_categories(t) if kind == "category" else {}, flag=flag)
    t.done()
    _check_rule(rule, t)
    return rule


def _bool(t: _Table, key: str, default: bool) -> bool:
    value = t.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise t.fail(key, "true or false", value)
    return value


def _parse_band(t: _Table, kind: str) -> Band:
    band = Band(good_min=t.number("good_min"), good_max=t.number("good_max"),
                fair_min=t.number("fair_min"), fair_max=t.number("fair_max"),
                poor_span=t.number("poor_span", 1.0, lo=1e-9) or 1.0)
    t.done()
    if band.good_min is None and band.good_max is None:
        raise t.fail("good_min/good_max", "given (at least one of them)", None)
    if (band.good_min is not None and band.good_max is not None
            and band.good_min > band.good_max):
        raise t.fail("good_min", f"at most good_max ({band.good_max:g})", band.good_min)
    if kind == "range":
        _check_fair_side(t, "fair_min", band.fair_min, band.good_min, lower=True)
        _check_fair_side(t, "fair_max", band.fair_max, band.good_max, lower=False)
    return band


def _check_fair_side(t: _Table, key: str, fair: float | None, good: float | None,
                     *, lower: bool) -> None:
    if fair is None:
        return
    if good is None:
        raise t.fail(key, f"left out, because good_{key[5:]} is not given (open side)", fair)
    if (lower and fair > good) or (not lower and fair < good):
        relation = "at most" if lower else "at least"
        raise t.fail(key, f"{relation} good_{key[5:]} ({good:g})", fair)


def _parse_pace(t: _Table, kind: str) -> tuple[PaceBand, ...]:
    raw = t.get("pace")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise t.fail("pace", "an array of tables ([[...pace]])", raw)
    bands = []
    for i, item in enumerate(raw):
        p = _Table(item, f"{t.where}.pace.{i}", t.origin)
        lo = p.number("min_kmh", 0.0, lo=0.0) or 0.0
        hi = p.number("max_kmh", math.inf, lo=0.0)
        hi = math.inf if hi is None else hi
        if hi <= lo:
            raise p.fail("max_kmh", f"greater than min_kmh ({lo:g})", hi)
        inner = {k: p.get(k) for k in list(p.data) if k not in ("min_kmh", "max_kmh")}
        band = _parse_band(_Table(inner, p.where, t.origin), kind)
        p.done()
        bands.append(PaceBand(lo, hi, band))
    bands.sort(key=lambda b: b.min_kmh)
    for a, b in zip(bands, bands[1:], strict=False):
        if b.min_kmh < a.max_kmh:
            raise t.fail("pace", f"non-overlapping speed ranges ({a.label()} overlaps "
                                 f"{b.label()})", raw)
    return tuple(bands)


def _parse_categories(t: _Table) -> dict[str, str]:
    c = t.sub("categories")
    out = {key: c.text(key) for key in list(c.data)}
    c.done()
    if not out:
        raise t.fail("categories", "a table of category names and their meaning", {})
    return out


def _parse_flag(t: _Table) -> StrikeFlag:
    flag = StrikeFlag(category=t.text("category"),
                      min_angle_deg=t.req_number("min_angle_deg"),
                      with_poor=t.strings("with_poor"),
                      status=t.choice("status", ("fair", "poor")), advice=t.text("advice"))
    t.done()
    return flag


def _check_rule(rule: Rule, t: _Table) -> None:
    bad_views = [v for v in rule.views if v not in VIEWS]
    if bad_views or not rule.views:
        raise t.fail("views", f"a non-empty list of {', '.join(VIEWS)}", list(rule.views))
    if rule.kind == "range" and rule.weight > 0 and not rule.cue:
        raise t.fail("cue", "given for a rule with a weight", None)
    if rule.kind != "range" and rule.weight > 0:
        raise t.fail("weight", "0 for a descriptor (descriptors are never scored)",
                     rule.weight)
    if rule.relative_to and rule.relative_fallback is None:
        raise t.fail("relative_fallback", "given when relative_to is set", None)
    for name in ("advice_good", "advice_low", "advice_high"):
        _check_template(getattr(rule, name), t, name)


def _check_template(text: str, t: _Table, key: str) -> None:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise t.fail(key, "a text with valid {placeholders}", text) from exc
    unknown = names - ADVICE_FIELDS
    if unknown:
        raise t.fail(key, f"a text using only the placeholders "
                          f"{', '.join(sorted(ADVICE_FIELDS))}", text)


def _check_links(profile: Profile, origin: str) -> None:
    problems: list[str] = []
    every = [*profile.rules.values(), *profile.drift.values()]
    for rule in every:
        where = f"[{rule.section}.{rule.key}]"
        problems += [f"{where} source '{s}' is not in [sources]" for s in rule.sources
                     if s not in profile.sources]
        if rule.cue and rule.cue not in profile.cues:
            problems.append(f"{where} cue '{rule.cue}' is not in [cues]")
        for link in (rule.alternative_of, rule.show_with, rule.relative_to):
            if link and link not in profile.rules:
                problems.append(f"{where} refers to '{link}', which has no rule in [metrics]")
        if rule.flag:
            problems += [f"{where} flag refers to '{k}', which has no rule in [metrics]"
                         for k in rule.flag.with_poor if k not in profile.rules]
    for cue in [*profile.cues.values(), *profile.maintenance]:
        problems += [f"cue '{cue.key}' source '{s}' is not in [sources]" for s in cue.sources
                     if s not in profile.sources]
    problems += [f"[health_note] source '{s}' is not in [sources]"
                 for s in profile.health_sources if s not in profile.sources]
    if profile.fair_bottom > profile.fair_top:
        problems.append("[defaults] fair_bottom_score must be at most fair_top_score")
    if problems:
        raise ProfileError(f"{origin}: " + "; ".join(problems) + ".")
