"""Status of a single live value, judged by the same profile rules as the scorecard."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from runform.annotate.scene import Classifier
from runform.scoring import Profile
from runform.scoring.rules import judge


def value_classifier(summary: Mapping[str, Any], profile: Profile, *,
                     speed_kmh: float | None = None) -> Classifier:
    """Return ``classify(key, value) -> status`` for the live panel of ``annotated.mp4``.

    A value is judged against the band of its metric's rule (the pace band
    at ``speed_kmh`` when the rule has one), relative to the clip's value of
    another metric when the rule says so (head position relative to the
    trunk), exactly like :func:`runform.scoring.score_summary` judges the
    clip's mean. Descriptors (contact time) are never faults: ``good``.
    When the clip-level metric is ``unknown`` (too little confidence, wrong
    view) its live values are ``unknown`` too.

    Parameters
    ----------
    summary
        The scored summary (``metrics`` with ``status`` and ``value``).
    profile
        The scoring profile the summary was scored with.
    speed_kmh
        Treadmill speed, or None.
    """
    metrics: Mapping[str, Mapping[str, Any]] = summary.get("metrics") or {}

    def classify(key: str, value: float) -> str:
        rule = profile.rules.get(key)
        clip_status = (metrics.get(key) or {}).get("status")
        if rule is None or clip_status in (None, "unknown") or not math.isfinite(value):
            return "unknown"
        if rule.kind != "range":
            return str(clip_status)
        band, _ = rule.band_for(speed_kmh)
        if band is None:
            return "unknown"
        scored = value
        if rule.relative_to:
            ref = (metrics.get(rule.relative_to) or {}).get("value")
            if isinstance(ref, int | float) and math.isfinite(ref):
                scored = value - float(ref)
            else:
                scored = value - (rule.relative_fallback or 0.0)
        return judge(scored, band, fair_top=profile.fair_top,
                     fair_bottom=profile.fair_bottom).status

    return classify
