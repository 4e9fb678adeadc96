"""The terminal scorecard: table rows, statuses, cues and the health note."""

from rich.console import Console

from runform.scoring import load_profile, render_scorecard, score_summary
from tests.scoring_helpers import summary

PROFILE = load_profile(None)


def render_text(s, width=140):
    console = Console(width=width, record=True, color_system=None)
    console.print(render_scorecard(s))
    return console.export_text()


def test_scorecard_lists_metric_value_range_status_then_three_cues():
    s = score_summary(summary({"cadence_spm": 148.0, "elbow_angle_deg": 170.0},
                              drift={"trunk_lean_deg": 5.0}), PROFILE, speed_kmh=12.0)
    text = render_text(s)
    header = next(line for line in text.splitlines() if "Metric" in line)
    for column in ("Metric", "Value", "Typical range", "Status"):
        assert column in header
    assert f"Running form score: {s['score']['overall']:.0f}/100" in text
    cadence = next(line for line in text.splitlines() if line.strip().startswith("Cadence "))
    assert "148 spm" in cadence and "160 spm or more at 12 km/h" in cadence and "poor" in cadence
    assert "over the clip: Trunk lean change" in text
    assert "not a fault" in text
    cues = text.split("Top things to work on")[1]
    titles = [c["title"] for c in s["score"]["top_cues"]]
    positions = [cues.index(t) for t in titles]
    assert positions == sorted(positions)
    assert cues.count("Health note") == 1
    assert text.count("tingling") == 1


def test_hidden_alternatives_are_not_shown_twice():
    s = score_summary(summary(), PROFILE, speed_kmh=12.0)
    text = render_text(s)
    assert text.count("Foot ahead of hip at landing") == 1
    assert "0.10 leg lengths (9.0 cm)" in text
    assert "Vertical oscillation " not in text.replace("Vertical oscillation change", "")


def test_scorecard_without_an_overall_score_or_scoring_fields():
    text = render_text(score_summary({"view": "front"}, PROFILE, speed_kmh=None))
    assert "too few metrics could be measured" in text
    assert "(0% of the weighted metrics)" in text
    raw = render_text({"metrics": {"cadence_spm": {"value": 170}}})
    assert "cadence_spm" in raw and "unknown" in raw
