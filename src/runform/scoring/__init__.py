"""Score the measured metrics against published guidance and turn them into advice.

Public API::

    from runform.scoring import load_profile, score_summary, render_scorecard

    profile = load_profile(path)          # None = the shipped profile_default.toml
    scored = score_summary(summary, profile, speed_kmh=12.0, facing="left")
    console.print(render_scorecard(scored))

Thresholds, texts, sources and weights live in the profile (TOML), not in code.
"""

from __future__ import annotations

from runform.scoring.engine import score_summary
from runform.scoring.profile import EVIDENCE_GRADES, Profile, Rule, load_profile
from runform.scoring.render import render_scorecard

__all__ = ["EVIDENCE_GRADES", "Profile", "Rule", "load_profile", "render_scorecard",
           "score_summary"]
