"""Loading, overriding and validating scoring profiles."""

import tomllib
from importlib import resources

import pytest

from runform.errors import ProfileError
from runform.scoring import load_profile, score_summary
from runform.scoring.profile import EVIDENCE_GRADES
from tests.scoring_helpers import summary, with_metric


def write(tmp_path, text, name="profile.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profile_loads_and_covers_every_metric_key():
    profile = load_profile(None)
    assert profile.path == "built-in"
    expected = {"cadence_spm", "trunk_lean_deg", "head_forward_deg", "elbow_angle_deg",
                "arm_swing_deg", "shank_angle_at_contact_deg", "knee_flexion_at_contact_deg",
                "foot_ahead_of_hip_cm", "foot_ahead_of_hip_leg", "foot_strike",
                "vertical_oscillation_cm", "contact_time_ms", "flight_time_ms", "duty_factor",
                "step_length_cm", "vertical_ratio_pct"}
    assert set(profile.rules) == expected
    assert set(profile.drift) == {"trunk_lean_deg", "cadence_spm",
                                  "knee_flexion_at_contact_deg", "vertical_oscillation_cm"}
    assert {r.evidence for r in profile.rules.values()} <= set(EVIDENCE_GRADES)


def test_shipped_profile_matches_the_metric_table_of_the_measuring_code():
    table = pytest.importorskip("runform.metrics.table")
    assert set(load_profile(None).rules) == set(table.METRIC_KEYS)
    assert set(load_profile(None).drift) == set(table.DRIFT_KEYS)


def test_descriptors_carry_no_weight_and_all_five_articles_are_cited():
    profile = load_profile(None)
    for key in ("foot_strike", "contact_time_ms", "flight_time_ms", "duty_factor"):
        assert profile.rules[key].kind in ("descriptor", "category")
        assert profile.rules[key].weight == 0
    articles = {k for k, s in profile.sources.items() if s.kind == "article"}
    assert articles == {"manders", "dack", "sciaticalm", "bjc", "sinicropi"}
    cited = {s for r in [*profile.rules.values(), *profile.drift.values()] for s in r.sources}
    cited |= {s for c in profile.cues.values() for s in c.sources}
    assert articles <= cited


def test_every_field_of_the_shipped_profile_is_documented_in_its_header():
    text = resources.files("runform.scoring").joinpath("profile_default.toml").read_text("utf-8")
    header = text.split("name = ")[0]
    data = tomllib.loads(text)
    fields = {f for rule in data["metrics"].values() for f in rule}
    fields |= {f for rule in data["drift"].values() for f in rule}
    for field in fields:
        assert field in header, f"field {field!r} is not documented in the profile header"


def test_override_changes_only_what_it_names(tmp_path):
    path = write(tmp_path, "[metrics.cadence_spm.bands]\ngood_min = 170\n")
    profile = load_profile(path)
    assert profile.path == str(path)
    band = profile.rules["cadence_spm"].band
    assert band is not None and band.good_min == 170 and band.fair_min == 150
    assert profile.rules["trunk_lean_deg"] == load_profile(None).rules["trunk_lean_deg"]
    scored = score_summary(with_metric(summary(), "cadence_spm", 165.0), profile, speed_kmh=None)
    assert scored["metrics"]["cadence_spm"]["status"] == "fair"
    assert scored["score"]["profile_path"] == str(path)


def test_override_of_weights_changes_the_overall_score(tmp_path):
    base = with_metric(summary(), "elbow_angle_deg", 170.0)
    default = score_summary(base, load_profile(None), speed_kmh=12.0)["score"]["overall"]
    path = write(tmp_path, "[metrics.elbow_angle_deg]\nweight = 10.0\n")
    heavier = score_summary(base, load_profile(path), speed_kmh=12.0)["score"]["overall"]
    assert heavier < default < 100


def test_override_replaces_pace_bands_and_texts(tmp_path):
    path = write(tmp_path, """
[metrics.cadence_spm]
label = "Step rate"
[[metrics.cadence_spm.pace]]
min_kmh = 10
good_min = 175
fair_min = 170
""")
    profile = load_profile(path)
    assert len(profile.rules["cadence_spm"].pace) == 1
    got = score_summary(with_metric(summary(), "cadence_spm", 172.0), profile,
                        speed_kmh=12.0)["metrics"]["cadence_spm"]
    assert got["status"] == "fair"
    assert got["message"].startswith("Step rate: 172 steps per minute")


def test_a_complete_profile_without_inheritance(tmp_path):
    text = resources.files("runform.scoring").joinpath("profile_default.toml").read_text("utf-8")
    path = write(tmp_path, "inherit = false\n" + text.replace('name = "default"',
                                                              'name = "mine"'))
    assert load_profile(path).name == "mine"
    path = write(tmp_path, 'inherit = false\nname = "bare"\n', "bare.toml")
    with pytest.raises(ProfileError, match="defaults"):
        load_profile(path)


@pytest.mark.parametrize(("text", "match"), [
    ("this is = not [toml", "not valid TOML"),
    ("[metrics.cadence_spm.bands]\ngood_min = 'fast'\n", r"good_min must be a number"),
    ("[metrics.cadence_spm.bands]\nfair_min = 170\n", r"fair_min must be at most good_min"),
    ("[metrics.trunk_lean_deg.bands]\ngood_min = 20\n",
     r"good_min must be at most good_max \(12\)"),
    ("[metrics.cadence_spm]\nevidence = 'proven'\n", "evidence must be one of strong"),
    ("[metrics.cadence_spm]\nweigth = 3\n", r"unknown field\(s\) weigth"),
    ("[metrics.cadence_spm]\nsources = ['nobody2020']\n", "source 'nobody2020' is not in"),
    ("[metrics.cadence_spm]\ncue = 'nothing'\n", "cue 'nothing' is not in"),
    ("[metrics.cadence_spm]\nweight = -1\n", "weight must be a number between 0"),
    ("[metrics.contact_time_ms]\nweight = 1\n", "weight must be 0 for a descriptor"),
    ("[metrics.cadence_spm]\nviews = ['top']\n", "views must be a non-empty list"),
    ("[metrics.cadence_spm]\nadvice_low = 'go {faster}'\n", "only the placeholders"),
    ("[metrics.new_metric]\nlabel = 'New'\nevidence = 'limited'\nevidence_note = 'x'\n"
     "advice_good = 'ok'\n", r"\[metrics.new_metric\] bands must be given"),
    ("nmae = 'typo'\n", r"The top level has unknown field\(s\) nmae"),
    ("[[metrics.cadence_spm.pace]]\nmin_kmh = 12\nmax_kmh = 10\ngood_min = 1\n",
     "max_kmh must be greater than min_kmh"),
    ("[[metrics.cadence_spm.pace]]\nmax_kmh = 12\ngood_min = 1\n"
     "[[metrics.cadence_spm.pace]]\nmin_kmh = 11\ngood_min = 1\n", "non-overlapping"),
    ("[defaults]\nmin_confidence = 2\n", "min_confidence must be a number between 0 and 1"),
    ("[metrics.head_forward_deg]\nrelative_to = 'ear_deg'\n", "'ear_deg', which has no rule"),
    ("inherit = 'yes'\n", "'inherit' must be true or false"),
    ("[metrics.cadence_spm.bands]\ngood_min = nan\n", "good_min must be a number"),
])
def test_bad_profiles_raise_a_clear_profile_error(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError, match=match) as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_missing_and_unreadable_profiles(tmp_path):
    with pytest.raises(ProfileError, match="does not exist"):
        load_profile(tmp_path / "nope.toml")
    with pytest.raises(ProfileError, match="does not exist or is not a file"):
        load_profile(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"name = '\xe9'\n")
    with pytest.raises(ProfileError, match="Could not read"):
        load_profile(bad)


def test_the_example_profile_in_the_docs_works(tmp_path):
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "scoring.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n")[1].split("```")[0]
    profile = load_profile(write(tmp_path, example))
    band = profile.rules["cadence_spm"].band
    assert band is not None and (band.good_min, band.fair_min) == (165, 155)
    scored = score_summary(with_metric(summary(), "elbow_angle_deg", 170.0), profile,
                           speed_kmh=None)
    elbow = scored["metrics"]["elbow_angle_deg"]
    assert elbow["status"] == "poor" and not elbow["counted"]
    assert scored["score"]["overall"] == 100.0
