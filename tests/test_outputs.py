"""Review files of a result: annotated video, steps and frames tables, landmarks reader, schema."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import av
import jsonschema
import numpy as np
import pytest

from runform.annotate import build_scene, scene_from_measurement
from runform.errors import ResultReadError
from runform.output.landmarks import write_landmarks_csv
from runform.output.landmarks_reader import read_landmarks_csv
from runform.output.schema import summary_schema
from runform.output.tables import step_columns, write_frames_csv, write_steps_csv
from runform.output.video import read_frames, write_annotated_video
from runform.pose.track import PoseTrack
from runform.scoring import load_profile, score_summary
from runform.video.reader import probe_video
from tests.metrics_support import measure_run
from tests.runner_video import write_runner_video
from tests.synthetic_tracks import synthetic_run
from tests.videos import write_video


def decoded(path: Path) -> dict:
    """What a player sees: codec, pixel format, size, rotation, every frame's time."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(video=0))
        return {"codec": stream.codec_context.name, "pix_fmt": stream.codec_context.pix_fmt,
                "size": (stream.width, stream.height), "rate": float(stream.average_rate),
                "times": [f.time for f in frames], "rotation": frames[0].rotation,
                "duration": float(stream.duration * stream.time_base)}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A rendered 4 s side-view clip at 30 fps, its measurement and its scored summary."""
    folder = tmp_path_factory.mktemp("clip")
    run = synthetic_run(cadence_spm=170, fps=30, duration_s=4.0, facing="left", width=426,
                        height=240, height_px=200, noise_px=0.3, seed=2)
    video = write_runner_video(folder / "run.mp4", run.track)
    measurement = measure_run(run, speed_kmh=11.0)
    summary = score_summary({"view": "side", **measurement.to_summary()}, load_profile(),
                            speed_kmh=11.0)
    return {"run": run, "video": video, "measurement": measurement, "summary": summary}


# ----------------------------------------------------------------- video


def test_annotated_video_has_the_inputs_frames_times_duration_and_codec(clip, tmp_path):
    scene = scene_from_measurement(clip["measurement"], clip["summary"])
    out = tmp_path / "annotated.mp4"
    stills = write_annotated_video(clip["video"], out, scene, stills={5, 60})
    src, dst = decoded(clip["video"]), decoded(out)
    assert dst["codec"] == "h264" and dst["pix_fmt"] == "yuv420p"
    assert len(dst["times"]) == len(src["times"]) == 120
    assert dst["times"] == pytest.approx(src["times"], abs=1e-4)
    assert dst["duration"] == pytest.approx(src["duration"], abs=1e-3)
    assert dst["rate"] == pytest.approx(src["rate"])
    assert dst["size"] == src["size"]
    assert set(stills) == {5, 60}
    raw = read_frames(clip["video"], [60])[60]
    assert np.abs(stills[60].astype(int) - raw).mean() < 1.0  # unannotated copy


def test_annotated_frames_carry_the_drawing(clip, tmp_path):
    measurement = clip["measurement"]
    scene = scene_from_measurement(measurement, clip["summary"])
    out = tmp_path / "annotated.mp4"
    write_annotated_video(clip["video"], out, scene)
    contact = scene.contacts[len(scene.contacts) // 2]
    index = contact.ic_frame
    raw = read_frames(clip["video"], [index])[index].astype(int)
    drawn = read_frames(out, [index])[index].astype(int)
    assert np.abs(drawn - raw).mean() > 2.0
    knee = measurement.cleaned.track.xy(f"{scene.near}_knee")[index]
    hip = measurement.cleaned.track.xy(f"{scene.near}_hip")[index]
    x, y = np.round((knee + hip) / 2).astype(int)  # middle of the near thigh
    from runform.annotate.style import SIDE_COLORS

    assert np.abs(drawn[y, x] - np.array(SIDE_COLORS[scene.near])).max() < 60


def test_large_inputs_are_annotated_at_1080p_with_the_drawing_scaled(clip, tmp_path):
    from runform.annotate.style import SIDE_COLORS
    from runform.output.video import output_size

    assert output_size(3840, 2160, 1080) == (1920, 1080)
    assert output_size(2160, 3840, 1080) == (1080, 1920)  # portrait stays portrait
    assert output_size(1920, 1080, 1080) == (1920, 1080)
    assert output_size(1000, 999, 500) == (500, 500)  # even sides for yuv420p
    assert output_size(3840, 2160, None) == (3840, 2160)
    measurement = clip["measurement"]
    scene = scene_from_measurement(measurement, clip["summary"])
    out = tmp_path / "small.mp4"
    write_annotated_video(clip["video"], out, scene, max_short_side=200)
    dst, src = decoded(out), decoded(clip["video"])
    assert dst["size"] == (356, 200)
    assert dst["times"] == pytest.approx(src["times"], abs=1e-4)
    index = scene.contacts[1].ic_frame
    frame = read_frames(out, [index])[index].astype(int)
    track = measurement.cleaned.track
    mid = (track.xy(f"{scene.near}_knee")[index] + track.xy(f"{scene.near}_hip")[index]) / 2
    x, y = np.round(mid * 200 / 240).astype(int)  # where the near thigh is after scaling
    patch = frame[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3)  # 2 px lines at this size
    assert np.abs(patch - np.array(SIDE_COLORS[scene.near])).max(axis=1).min() < 70


def test_variable_frame_rate_portrait_clip_keeps_its_times_and_stays_upright(tmp_path):
    times = np.cumsum(np.r_[0.0, np.where(np.arange(44) % 3 == 0, 0.05, 0.025)])
    stored = write_video(tmp_path / "phone.mp4", times.tolist(), width=320, height=180,
                         rotation=-90)
    info = probe_video(stored)
    assert (info.width, info.height) == (180, 320)  # upright portrait
    run = synthetic_run(fps=40, duration_s=2.0, width=180, height=320, height_px=250)
    pos = run.track.position[: times.size]
    track = PoseTrack.from_arrays(times, pos, width=180, height=320)
    scene = build_scene(track, facing="right", near="right", steps=[], series={})
    out = tmp_path / "annotated.mp4"
    write_annotated_video(stored, out, scene)
    dst = decoded(out)
    assert dst["size"] == (180, 320) and dst["rotation"] == 0
    assert dst["times"] == pytest.approx(times.tolist(), abs=1e-4)
    assert probe_video(out).rotation == 0


# ---------------------------------------------------------------- tables


def test_steps_csv_has_one_row_per_contact_with_the_summary_values(clip, tmp_path):
    steps = clip["summary"]["steps"]
    path = tmp_path / "steps.csv"
    write_steps_csv(path, steps)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(steps) == len(clip["run"].contacts)
    assert list(rows[0])[:4] == ["foot", "near", "time_s", "frame"]
    assert set(step_columns(steps)) == set(steps[0])
    for row, step in zip(rows, steps, strict=True):
        assert row["foot"] == step["foot"]
        assert float(row["time_s"]) == pytest.approx(step["time_s"])
        assert float(row["contact_ms"]) == pytest.approx(step["contact_ms"])
        assert row["near"] in ("0", "1")
    write_steps_csv(tmp_path / "none.csv", [])
    assert (tmp_path / "none.csv").read_text().splitlines() == [
        "foot,near,time_s,frame,toe_off_s,toe_off_frame,contact_ms"]


def test_frames_csv_has_one_row_per_frame_with_angles_contacts_and_landmarks(clip, tmp_path):
    m = clip["measurement"]
    track = m.cleaned.track
    path = tmp_path / "frames.csv"
    write_frames_csv(path, track, m.series, clip["summary"]["steps"])
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(track)
    cols = list(rows[0])
    assert cols[:5] == ["frame", "time_s", "detected", "contact_left", "contact_right"]
    assert "trunk_lean_deg" in cols and "nose_x" in cols and "right_foot_index_y" in cols
    i = 37
    assert float(rows[i]["time_s"]) == pytest.approx(track.time[i], abs=1e-6)
    assert float(rows[i]["trunk_lean_deg"]) == pytest.approx(m.series["trunk_lean_deg"][i],
                                                             abs=1e-3)
    assert float(rows[i]["left_hip_x"]) == pytest.approx(track.xy("left_hip")[i, 0], abs=0.01)
    for foot in ("left", "right"):
        flags = np.array([r[f"contact_{foot}"] == "1" for r in rows])
        truth = np.zeros(len(track), bool)
        for c in clip["run"].contacts:
            if c.foot == foot:
                truth |= (track.time >= c.ic_time - 0.02) & (track.time <= c.to_time + 0.02)
        assert flags.sum() > 0
        assert (flags & ~truth).sum() == 0  # never flagged outside a true contact


# ------------------------------------------------------------- landmarks


def _awkward_track(n: int = 40, seed: int = 0) -> PoseTrack:
    """Random landmarks with gaps, infinities, signed zeros and huge and tiny values."""
    rng = np.random.default_rng(seed)
    pos = rng.normal(0, 1e3, (n, 33, 2))
    pos[rng.random(pos.shape) < 0.2] = np.nan
    pos[0, 0], pos[1, 0], pos[2, 0] = [-0.0001, -0.0], [1e12, -1e-12], [np.inf, -np.inf]
    pos[3, 1], pos[4, 1] = [0.0005, 0.0015], [2.5e-3, -2.5e-3]
    depth = rng.normal(0, 5, (n, 33))
    depth[5], depth[6, 0] = np.nan, np.inf
    vis = rng.random((n, 33))
    vis[7] = np.nan
    time = 1234.5 + np.cumsum(rng.uniform(0.001, 0.1, n))
    return PoseTrack.from_arrays(time, pos, width=10, height=10, depth=depth, visibility=vis)


def _reference_csv(path: Path, header: list[str], rows: list[list[str]]) -> bytes:
    """What :mod:`csv` writes cell by cell (the format the fast writers must keep)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path.read_bytes()


def test_landmarks_csv_is_exactly_the_cell_by_cell_format(tmp_path):
    from runform.output.landmarks import landmark_columns

    track = _awkward_track()
    write_landmarks_csv(tmp_path / "fast.csv", track)
    block = np.concatenate([track.position, track.depth[..., None],
                            track.visibility[..., None]], axis=-1).reshape(len(track), -1)
    rows = [[f"{t:.6f}", *("" if np.isnan(v) else f"{v:.3f}" for v in row)]
            for t, row in zip(track.time, block, strict=True)]
    want = _reference_csv(tmp_path / "ref.csv", landmark_columns(), rows)
    assert (tmp_path / "fast.csv").read_bytes() == want
    assert ",inf," in want.decode() and ",-0.000," in want.decode()  # the cases are exercised


def test_frames_csv_is_exactly_the_cell_by_cell_format(tmp_path):
    from runform.output.tables import contact_mask, frame_columns

    track = _awkward_track(seed=1)
    t, n = track.time, len(track)
    rng = np.random.default_rng(1)
    series = {"a": rng.normal(0, 100, n), "b": np.where(rng.random(n) < 0.3, np.nan, -0.0004),
              "c": np.full(n, -np.inf), "other_length": np.zeros(3)}
    steps = [{"foot": "left", "time_s": float(t[3]), "toe_off_s": float(t[9])},
             {"foot": "right", "time_s": float(t[12]), "toe_off_s": None},
             {"foot": "left", "time_s": float(t[20]) + 1e-4, "toe_off_s": float(t[25]) - 1e-9},
             {"foot": "right", "time_s": float(t[33]), "toe_off_s": float(t[30])},
             {"foot": "right", "time_s": "not a time"}]
    write_frames_csv(tmp_path / "fast.csv", track, series, steps)

    def num(v: float, d: int) -> str:
        return f"{v:.{d}f}" if np.isfinite(v) else ""

    def flags(foot: str) -> np.ndarray:  # the whole-clip mask per step, as it was
        mask = np.zeros(n, bool)
        for s in steps:
            ic, to = s.get("time_s"), s.get("toe_off_s")
            if s["foot"] != foot or not isinstance(ic, float):
                continue
            if isinstance(to, float) and to >= ic:
                mask |= (t >= ic) & (t <= to)
            else:
                mask[int(np.argmin(np.abs(t - ic)))] = True
        return mask

    left, right = flags("left"), flags("right")
    assert np.array_equal(contact_mask(steps, "left", t), left)
    assert np.array_equal(contact_mask(steps, "right", t), right)
    points = track.position.reshape(n, -1)
    rows = [[str(i), f"{t[i]:.6f}", str(int(track.detected[i])), str(int(left[i])),
             str(int(right[i])), *(num(series[k][i], 3) for k in "abc"),
             *(num(v, 2) for v in points[i])] for i in range(n)]
    want = _reference_csv(tmp_path / "ref.csv", frame_columns(["a", "b", "c"]), rows)
    assert (tmp_path / "fast.csv").read_bytes() == want




def test_landmarks_csv_round_trip_keeps_values_and_gaps(tmp_path):
    run = synthetic_run(fps=30, duration_s=1.0, gaps=[(0.3, 0.45)], seed=4)
    track = run.track
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, track)
    back = read_landmarks_csv(path, width=track.width, height=track.height)
    assert back.time == pytest.approx(track.time, abs=1e-6)
    assert np.array_equal(np.isnan(back.position), np.isnan(track.position))
    ok = ~np.isnan(track.position)
    assert np.abs(back.position[ok] - track.position[ok]).max() <= 5e-4
    assert np.nanmax(np.abs(back.visibility - track.visibility)) <= 5e-4
    assert (back.width, back.height) == (track.width, track.height)


def test_landmarks_reader_reads_empty_cells_anywhere_and_any_line_ending(tmp_path):
    track = _awkward_track(seed=5)
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, track)
    back = read_landmarks_csv(path, width=10, height=10)
    assert np.array_equal(np.isnan(back.position), np.isnan(track.position))
    finite = np.isfinite(track.position)
    assert np.abs(back.position[finite] - track.position[finite]).max() <= 5e-4 + 1e-9
    assert np.array_equal(back.position[np.isinf(track.position)],
                          track.position[np.isinf(track.position)])
    assert np.isinf(back.depth[6, 0]) and np.isnan(back.visibility[7]).all()
    # Unix line ends, no final newline, a row whose first landmark cells are empty.
    lines = path.read_text().splitlines()
    cells = lines[2].split(",")
    lines[2] = ",".join([cells[0], "", "", *cells[3:-1], ""])
    path.write_text("\n".join(lines))
    again = read_landmarks_csv(path, width=10, height=10)
    assert np.isnan(again.position[1, 0]).all() and np.isnan(again.visibility[1, -1])
    assert np.array_equal(again.position[2:], back.position[2:], equal_nan=True)


@pytest.mark.parametrize(("text", "match"), [
    ("", "found an empty file"),
    ("time_s,nose_x\n0,1\n", "found 2 columns"),
])
def test_landmarks_reader_refuses_foreign_files(tmp_path, text, match):
    path = tmp_path / "landmarks.csv"
    path.write_text(text)
    with pytest.raises(ResultReadError, match=match):
        read_landmarks_csv(path, width=10, height=10)
    with pytest.raises(ResultReadError, match="does not exist"):
        read_landmarks_csv(tmp_path / "missing.csv", width=10, height=10)


def test_landmarks_reader_refuses_text_in_number_cells(tmp_path):
    run = synthetic_run(fps=30, duration_s=0.5)
    path = tmp_path / "landmarks.csv"
    write_landmarks_csv(path, run.track)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",", ",oops", 1)
    path.write_text("\n".join(lines))
    with pytest.raises(ResultReadError, match="Expected numbers"):
        read_landmarks_csv(path, width=run.track.width, height=run.track.height)


# ---------------------------------------------------------------- schema


def test_schema_is_valid_and_matches_the_summary_version():
    from runform.output.results import SCHEMA_VERSION

    schema = summary_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_schema_rejects_what_a_program_must_not_see(clip):
    base = {"schema_version": "0.1", "runform_version": "0.1.0",
            "input": {"path": "a.mp4", "sha256": "0" * 64, "fps": 30.0, "frame_count": 120,
                      "duration_s": 4.0, "width": 426, "height": 240},
            "model": {"name": "full", "sha256": "1" * 64},
            "config": {"model": "full", "height_cm": None, "speed_kmh": 11.0, "slowmo": 1.0},
            "detection_rate": 1.0, **clip["summary"]}
    validator = jsonschema.Draft202012Validator(summary_schema())
    assert not list(validator.iter_errors(base))
    bad = json.loads(json.dumps(base))
    bad["metrics"]["cadence_spm"]["status"] = "great"
    bad["steps"][0]["foot"] = "middle"
    bad["input"]["sha256"] = "xyz"
    bad["metrics"]["trunk_lean_deg"]["confidence"] = 1.5
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    for word in ("great", "middle", "xyz", "1.5"):
        assert word in messages


# ------------------------------------------------- pipeline and rebuild


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """``runform.analyze`` run end to end on a rendered clip (poses from the known track)."""
    from runform import AnalysisConfig, analyze
    from tests.runner_video import TrackEstimator

    folder = tmp_path_factory.mktemp("analysed")
    run = synthetic_run(cadence_spm=172, fps=60, duration_s=6.0, facing="right", width=480,
                        height=270, height_px=230, noise_px=0.3, seed=8)
    video = write_runner_video(folder / "run.mp4", run.track)
    estimator = TrackEstimator(run.track)
    analysis = analyze(video, AnalysisConfig(height_cm=178, speed_kmh=11.0),
                       out_dir=folder / "out", estimator=estimator)
    return {"run": run, "video": video, "out": folder / "out", "analysis": analysis}


def test_analyze_writes_every_result_file_with_summary_last(result):
    from runform.output.results import RESULT_FILES

    out = result["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)
    times = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert times["summary.json"] == max(times.values())
    assert set(result["analysis"].outputs) >= {"video", "report", "steps", "frames",
                                               "landmarks", "summary"}
    assert len(decoded(out / "annotated.mp4")["times"]) == len(result["run"].track)


def test_real_summaries_validate_against_the_schema(result):
    summary = json.loads((result["out"] / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, summary_schema())
    assert summary["schema_version"] == "0.1"


def _copy_result(result, tmp_path) -> Path:
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(result["out"], target)
    return target


def test_rebuild_rescores_with_a_new_profile_without_the_pose_model(result, tmp_path,
                                                                    monkeypatch):
    from runform.pose import estimator
    from runform.rebuild import rebuild_report

    def no_model(*args, **kwargs):
        raise AssertionError("the pose model must not run on a rebuild")

    monkeypatch.setattr(estimator.MediaPipePoseEstimator, "__init__", no_model)
    folder = _copy_result(result, tmp_path)
    before = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    landmarks = (folder / "landmarks.csv").read_bytes()
    assert before["metrics"]["trunk_lean_deg"]["status"] == "good"
    profile = tmp_path / "strict.toml"
    profile.write_text("[metrics.trunk_lean_deg.bands]\ngood_min = 30.0\ngood_max = 40.0\n"
                       "fair_min = 25.0\nfair_max = 45.0\n")
    rebuilt = rebuild_report(folder, profile=profile)
    after = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert after["metrics"]["trunk_lean_deg"]["status"] == "poor"
    assert after["metrics"]["trunk_lean_deg"]["value"] == pytest.approx(  # CSV keeps 0.001 px
        before["metrics"]["trunk_lean_deg"]["value"], abs=0.01)
    assert after["config"]["profile"] == str(profile)
    assert after["input"] == before["input"] and after["model"] == before["model"]
    assert rebuilt.summary == after
    assert (folder / "landmarks.csv").read_bytes() == landmarks
    assert 'class="card metric poor" id="m-trunk_lean_deg"' in (
        folder / "report.html").read_text(encoding="utf-8")
    assert len(decoded(folder / "annotated.mp4")["times"]) == len(result["run"].track)
    jsonschema.validate(after, summary_schema())


def test_rebuild_needs_the_analysed_video_or_no_video(result, tmp_path):
    from runform.errors import InputNotFoundError
    from runform.rebuild import rebuild_report

    folder = _copy_result(result, tmp_path)
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data["input"]["path"] = str(tmp_path / "moved.mp4")
    (folder / "summary.json").write_text(json.dumps(data))
    with pytest.raises(InputNotFoundError, match="--video PATH"):
        rebuild_report(folder)
    other = write_video(tmp_path / "other.mp4", [0.0, 0.04, 0.08])
    with pytest.raises(InputNotFoundError, match="different file"):
        rebuild_report(folder, video=other)
    (folder / "annotated.mp4").unlink()
    rebuilt = rebuild_report(folder, write_video=False)
    assert "video" not in rebuilt.outputs and not (folder / "annotated.mp4").exists()
    assert "<video" not in (folder / "report.html").read_text(encoding="utf-8")
    rebuilt = rebuild_report(folder, video=result["video"])
    assert rebuilt.outputs["video"].is_file()


def test_rebuild_refuses_a_folder_that_is_not_a_result(tmp_path):
    from runform.rebuild import rebuild_report

    with pytest.raises(ResultReadError, match="not a folder"):
        rebuild_report(tmp_path / "nothing")
    with pytest.raises(ResultReadError, match="summary.json in the result folder"):
        rebuild_report(tmp_path)
    (tmp_path / "summary.json").write_text("[1, 2]")
    with pytest.raises(ResultReadError, match="'input' section"):
        rebuild_report(tmp_path)


# -------------------------------------------------------------------- CLI


def test_cli_analyze_json_prints_only_the_summary_and_open_opens_the_report(tmp_path,
                                                                            monkeypatch):
    from typer.testing import CliRunner

    from runform import pipeline
    from runform.cli import app
    from tests.runner_video import TrackEstimator

    run = synthetic_run(cadence_spm=170, fps=30, duration_s=4.0, width=426, height=240,
                        height_px=200, seed=3)
    video = write_runner_video(tmp_path / "run.mp4", run.track)
    monkeypatch.setattr(pipeline, "MediaPipePoseEstimator",
                        lambda *a, **k: TrackEstimator(run.track))
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(video), "--out", str(out), "--json",
                                      "--open", "--no-video"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # nothing but the JSON on stdout
    assert summary == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "report" in result.stderr and "Runner found" in result.stderr
    assert opened == [(out / "report.html").resolve().as_uri()]
    assert not (out / "annotated.mp4").exists()


def test_cli_report_rebuilds_a_saved_result(result, tmp_path):
    from typer.testing import CliRunner

    from runform.cli import app

    folder = _copy_result(result, tmp_path)
    (folder / "report.html").unlink()
    outcome = CliRunner().invoke(app, ["report", str(folder), "--no-video", "--json", "-q"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["schema_version"] == "0.1"
    assert (folder / "report.html").is_file()
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert "not a folder" in missing.stderr and "Traceback" not in missing.output


# ------------------------------------------- real pose model (slow tests)

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CLIPS = sorted((REPO / "sample_videos").glob("*.mp4"))


@pytest.mark.slow
@pytest.mark.parametrize("video", SAMPLE_CLIPS, ids=lambda p: p.name)
def test_schema_holds_for_every_sample_clip_through_the_real_pose_model(video, tmp_path):
    """Every sample clip (the real clip's summary is checked in test_report.py)."""
    from runform import AnalysisConfig, analyze

    analyze(video, AnalysisConfig(model="lite", height_cm=178, speed_kmh=10.0,
                                  write_video=False), out_dir=tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, summary_schema())
    with (tmp_path / "steps.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(summary["steps"]) > 0
    with (tmp_path / "frames.csv").open(newline="") as handle:
        assert sum(1 for _ in handle) == summary["input"]["frame_count"] + 1
