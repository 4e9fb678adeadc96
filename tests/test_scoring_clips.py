"""Scoring regression on rendered video: the real pipeline tells the runners apart like a coach.

Four synthetic clips (``tests/data/scoring_clips/``, made by
``tests/data/render_scoring_clips.py``): good form, clear overstriding (foot
far ahead of the hips, near-straight knee at contact, low cadence), a strong
forward lean that grows over the clip, and straight arms with a forward head.
Each is analysed once, end to end (``runform.pipeline.analyze``, lite model,
the mannequin's height), and the scored ``summary.json`` must separate them:
good form scores clearly higher, each fault is ``poor`` on its own metric,
no other metric is ``poor``, and the top three cues name the fault.

Known miss, not asserted: on the overstride clip the knee at contact reads
about 12 deg for a true 5 deg (fair, not poor). The mannequin's own 2D
landmark points give about 9 deg at the true contacts (surface points, not
joint centres, so no 2D method can see 5 deg here), and the near foot's
contacts are found about 10 ms late, which adds about 4 deg (the knee bends
about 0.8 deg/ms just after this landing). The overstride is flagged by the
foot position and the shin angle (poor) and the cadence (fair) instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runform.config import AnalysisConfig
from runform.pipeline import analyze

CLIPS = Path(__file__).parent / "data" / "scoring_clips"
FAULTY = ("overstride", "growing_lean", "arms_head")
NAMES = ("good_form", *FAULTY)

FAULTS: dict[str, set[str]] = {
    "good_form": set(),
    "overstride": {"foot_ahead_of_hip_leg", "foot_ahead_of_hip_cm",
                   "shank_angle_at_contact_deg"},
    "growing_lean": {"trunk_lean_deg", "drift.trunk_lean_deg"},
    "arms_head": {"elbow_angle_deg", "head_forward_deg"},
}
"""Metrics that must be poor on each clip."""
SAME_FAULT: dict[str, set[str]] = {
    "overstride": {"cadence_spm", "knee_flexion_at_contact_deg", "foot_strike"},
}
"""Metrics of the same fault that may also be flagged (never required)."""
FAULT_CUES = {"overstride": {"overstride"}, "growing_lean": {"posture", "fatigue"},
              "arms_head": {"head", "arms"}}
"""Cues that must be among the top three of each faulty clip."""
MARGIN = 8.0
"""Overall points by which good form must beat every faulty clip."""

Scored = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Scored:
    """``summary.json`` of a clip, analysed once per test module on first use."""
    cache: dict[str, dict[str, Any]] = {}

    def get(name: str) -> dict[str, Any]:
        if name not in cache:
            truth = json.loads((CLIPS / f"{name}.json").read_text())
            config = AnalysisConfig(model="lite", write_video=False,
                                    height_cm=truth["height_cm"])
            out = tmp_path_factory.mktemp(name)
            analyze(CLIPS / f"{name}.mp4", config, out_dir=out)
            cache[name] = json.loads((out / "summary.json").read_text())
        return cache[name]

    return get


def statuses(summary: dict[str, Any]) -> dict[str, str]:
    """Status of every metric and drift check (``drift.<key>`` for the latter)."""
    out = {key: entry["status"] for key, entry in summary["metrics"].items()}
    out.update({f"drift.{key}": entry["status"] for key, entry in summary["drift"].items()})
    return out


def described(summary: dict[str, Any]) -> str:
    """The clip's values and statuses, for assertion messages."""
    rows = [f"{k}={e.get('value')!r}:{e['status']}" for k, e in summary["metrics"].items()]
    rows += [f"drift.{k}={e.get('value')!r}:{e['status']}" for k, e in summary["drift"].items()]
    return f"overall={summary['score']['overall']} " + ", ".join(rows)


@pytest.mark.slow
def test_good_form_has_no_flag(scored: Scored) -> None:
    summary = scored("good_form")
    flagged = {k: s for k, s in statuses(summary).items() if s in ("fair", "poor")}
    assert not flagged, described(summary)
    assert summary["score"]["overall"] >= 90.0
    assert all(cue["kind"] == "maintenance" for cue in summary["score"]["top_cues"])


@pytest.mark.slow
@pytest.mark.parametrize("name", FAULTY)
def test_each_fault_is_poor_on_its_own_metric(scored: Scored, name: str) -> None:
    summary = scored(name)
    got = statuses(summary)
    assert {k: got[k] for k in FAULTS[name]} == dict.fromkeys(FAULTS[name], "poor"), \
        described(summary)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_no_false_alarm_on_the_other_metrics(scored: Scored, name: str) -> None:
    summary = scored(name)
    poor = {k for k, s in statuses(summary).items() if s == "poor"}
    assert poor <= FAULTS[name] | SAME_FAULT.get(name, set()), described(summary)


@pytest.mark.slow
def test_overstride_also_flags_the_low_cadence(scored: Scored) -> None:
    # 152 spm is low but not extreme (no validated cut-off): at least fair
    summary = scored("overstride")
    assert statuses(summary)["cadence_spm"] in ("fair", "poor"), described(summary)


@pytest.mark.slow
@pytest.mark.parametrize("name", FAULTY)
def test_good_form_scores_clearly_higher(scored: Scored, name: str) -> None:
    good, faulty = scored("good_form")["score"]["overall"], scored(name)["score"]["overall"]
    assert good - faulty >= MARGIN, (good, faulty)


@pytest.mark.slow
@pytest.mark.parametrize("name", FAULTY)
def test_top_three_cues_name_the_fault(scored: Scored, name: str) -> None:
    cues = scored(name)["score"]["top_cues"]
    top = [cue["cue"] for cue in cues[:3]]
    assert FAULT_CUES[name] <= set(top), top
    assert cues[0]["cue"] in FAULT_CUES[name] and cues[0]["kind"] == "fault", top


def test_clips_are_the_ones_the_script_renders() -> None:
    """The committed truth matches ``render_scoring_clips.py`` (params, facing, size, length)."""
    from tests.data.render_scoring_clips import CLIPS as RECIPES
    from tests.data.render_scoring_clips import FPS, HEIGHT, WIDTH

    assert set(RECIPES) == set(NAMES)
    for name, recipe in RECIPES.items():
        truth = json.loads((CLIPS / f"{name}.json").read_text())
        video = truth["video"]
        assert truth["params"] == recipe.params.to_dict(), name
        assert truth["generator"]["seed"] == recipe.seed
        assert (video["facing"], video["width"], video["height"], video["fps"]) == (
            recipe.facing, WIDTH, HEIGHT, FPS)
        assert video["duration_s"] == pytest.approx(recipe.duration_s)
        assert (CLIPS / f"{name}.mp4").stat().st_size < 1_500_000
