from runform.metrics.table import DRIFT_KEYS, METRIC_KEYS, METRICS, markdown_table, spec

ISSUE_KEYS = {
    "cadence_spm", "trunk_lean_deg", "head_forward_deg", "elbow_angle_deg", "arm_swing_deg",
    "shank_angle_at_contact_deg", "knee_flexion_at_contact_deg", "foot_ahead_of_hip_cm",
    "foot_ahead_of_hip_leg", "foot_strike", "vertical_oscillation_cm", "contact_time_ms",
    "flight_time_ms", "duty_factor", "step_length_cm", "vertical_ratio_pct",
}


def test_table_lists_every_metric_once() -> None:
    assert set(METRIC_KEYS) == ISSUE_KEYS
    assert len(METRIC_KEYS) == len(set(METRIC_KEYS))
    assert set(DRIFT_KEYS) == {"cadence_spm", "trunk_lean_deg", "knee_flexion_at_contact_deg",
                               "vertical_oscillation_cm"}


def test_requirements() -> None:
    assert spec("foot_ahead_of_hip_cm").needs == ("height",)
    assert spec("step_length_cm").needs == ("speed",)
    assert set(spec("vertical_ratio_pct").needs) == {"height", "speed"}
    assert spec("contact_time_ms").full_fps >= 120
    assert not spec("cadence_spm").side_view_only
    for m in METRICS:
        assert m.definition.endswith(".") and m.unit and m.label
        assert m.min_fps <= m.full_fps
        assert m.to_dict()["key"] == m.key


def test_markdown_table_has_a_row_per_metric() -> None:
    md = markdown_table()
    assert md.count("\n") == len(METRICS) + 1
    assert "`foot_strike`" in md and "--height-cm" in md


def test_unknown_key_names_the_known_ones() -> None:
    import pytest

    with pytest.raises(KeyError, match="cadence_spm"):
        spec("cadense")
