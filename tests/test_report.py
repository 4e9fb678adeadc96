"""report.html: content from the summary, self-contained, and rendered by a real browser."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser

import cv2
import jsonschema
import numpy as np
import pytest

from runform.annotate import scene_from_measurement
from runform.output.plots import PlotBand, bands_from_profile, envelope, series_chart
from runform.output.report import (
    ReportData,
    build_charts,
    build_stills,
    caveats,
    render_report,
    select_stills,
)
from runform.output.review import write_review_files
from runform.output.schema import summary_schema
from runform.output.video import read_frames
from runform.scoring import load_profile, score_summary
from tests.chromium import check_page, find_chromium
from tests.metrics_support import measure_run
from tests.runner_video import write_runner_video
from tests.synthetic_tracks import synthetic_run


class _Resources(HTMLParser):
    """Collects every URL the page would load (src, href, CSS url())."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "poster") and value:
                self.urls.append((tag, value))


def resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    parser.urls += [("css", u) for u in re.findall(r"url\(([^)]+)\)", html)]
    return parser


def data_uri_bytes(uri: str) -> tuple[str, bytes]:
    head, payload = uri.split(",", 1)
    return head, base64.b64decode(payload)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A rendered overstriding runner, measured, scored, with all review files written."""
    folder = tmp_path_factory.mktemp("result")
    run = synthetic_run(cadence_spm=160, fps=60, duration_s=6.0, facing="right", width=640,
                        height=360, height_px=300, ic_ahead_cm=34.0, noise_px=0.3, seed=5)
    video = write_runner_video(folder / "run.mp4", run.track)
    measurement = measure_run(run, speed_kmh=11.0)
    profile = load_profile()
    summary = score_summary({"view": "side", "input": {"path": str(video), "fps": 60.0,
                                                       "duration_s": 6.0, "width": 640,
                                                       "height": 360},
                             "config": {"height_cm": 178, "speed_kmh": 11.0, "slowmo": 1.0},
                             "detection_rate": 0.97, **measurement.to_summary()},
                            profile, speed_kmh=11.0)
    written = write_review_files(folder, measurement=measurement, summary=summary, video=video,
                                 profile=profile, speed_kmh=11.0)
    return {"folder": folder, "run": run, "video": video, "measurement": measurement,
            "summary": summary, "profile": profile, "written": written}


def test_review_files_are_all_written(analysed):
    assert set(analysed["written"]) == {"video", "steps", "frames", "report"}
    for path in analysed["written"].values():
        assert path.is_file() and path.stat().st_size > 0
    assert not list(analysed["folder"].glob(".*partial*"))


def test_report_is_self_contained_and_links_the_video_relatively(analysed):
    html = (analysed["folder"] / "report.html").read_text(encoding="utf-8")
    page = resources(html)
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    external = [u for _, u in page.urls
                if not u.startswith(("data:", "#")) and u not in {
                    "annotated.mp4", "summary.json", "steps.csv", "frames.csv",
                    "landmarks.csv"}]
    assert external == []
    assert ("video", "annotated.mp4") in page.urls
    images = [u for tag, u in page.urls if tag == "img"]
    assert len(images) == 4 + 4  # four charts, two stills per foot
    for uri in images:
        head, data = data_uri_bytes(uri)
        if head.startswith("data:image/svg+xml"):
            assert data.startswith(b"<?xml") and b"<svg" in data[:600]
        else:
            assert head == "data:image/jpeg;base64"
            image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            assert image is not None and image.shape[0] > 100


def test_report_shows_the_scorecard_advice_and_health_note(analysed):
    summary = analysed["summary"]
    html = (analysed["folder"] / "report.html").read_text(encoding="utf-8")
    shown = [k for k in ("foot_ahead_of_hip_cm", "foot_ahead_of_hip_leg")
             if summary["metrics"][k].get("shown") is not False]
    assert len(shown) == 1 and summary["metrics"][shown[0]]["status"] == "poor"
    assert f'class="card metric poor" id="m-{shown[0]}"' in html
    assert summary["score"]["top_cues"][0]["title"] in html
    assert f">{summary['score']['overall']:.0f}<" in html
    assert summary["health_note"]["text"] in html
    for key, entry in summary["metrics"].items():
        if entry.get("shown") is not False:
            assert f'id="m-{key}"' in html
    assert "How you run" in html  # descriptors apart from the scored measures
    poor = sum(1 for k, e in summary["metrics"].items()
               if e["status"] == "poor" and e.get("kind") == "range" and e.get("shown", True))
    assert f'<a class="count poor" href="#scorecard"><b>{poor}</b> poor</a>' in html
    assert "Form drift" in html and "Read this before acting on it" in html


def test_stills_pick_a_typical_and_the_worst_contact_of_each_foot():
    steps = [{"foot": f, "time_s": 0.1 * i, "frame": i, "foot_ahead_of_hip_cm": v,
              "near": f == "right"}
             for i, (f, v) in enumerate([("left", 10.0), ("right", 5.0), ("left", 12.0),
                                         ("right", 6.0), ("left", 30.0), ("right", 7.0),
                                         ("left", 11.0), ("left", 14.0)])]
    chosen = select_stills(steps)
    assert [(kind, s["foot"], s["foot_ahead_of_hip_cm"]) for kind, s in chosen] == [
        ("typical", "right", 6.0), ("worst", "right", 7.0),  # near foot first
        ("typical", "left", 12.0), ("worst", "left", 30.0)]
    no_values = [{**s, "foot_ahead_of_hip_cm": None} for s in steps]
    assert [(k, s["frame"]) for k, s in select_stills(no_values)] == [("typical", 3),
                                                                      ("typical", 4)]


def test_still_frames_are_cropped_to_the_runner_and_show_the_overstride(analysed):
    measurement, summary = analysed["measurement"], analysed["summary"]
    scene = scene_from_measurement(measurement, summary)
    chosen = select_stills(summary["steps"])[:1]
    index = scene.contacts[[c.values["time_s"] for c in scene.contacts].index(
        chosen[0][1]["time_s"])].ic_frame
    images = read_frames(analysed["video"], [index])
    (still,) = build_stills(scene, images, chosen, summary["metrics"])
    _, data = data_uri_bytes(still.uri)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    h, w = image.shape[:2]
    assert w / h == pytest.approx(0.8, abs=0.05) and h <= 360
    assert "cm ahead of the hips" in still.caption
    yellow = (np.abs(image.astype(int) - np.array([64, 214, 255])) < 40).all(axis=-1)  # BGR
    assert yellow.sum() > 50  # the overstride arrow and its label


def test_charts_shade_the_typical_range_and_skip_what_was_not_measured(analysed):
    m, summary = analysed["measurement"], analysed["summary"]
    bands = bands_from_profile(analysed["profile"], 11.0)
    assert bands["trunk_lean_deg"].good_min is not None
    assert "head_forward_deg" not in bands  # judged relative to the trunk: not its own unit
    charts = {c.key: c for c in build_charts(summary, m.cleaned.track.time, m.series, bands)}
    assert set(charts) == {"trunk_lean_deg", "cadence_spm", "vertical_oscillation_cm",
                           "arm_swing_deg"}
    assert all(c.uri for c in charts.values())
    no_scale = {**summary, "steps": [{**s, "vertical_oscillation_cm": None}
                                     for s in summary["steps"]]}
    chart = {c.key: c for c in build_charts(no_scale, m.cleaned.track.time, m.series,
                                            bands)}["vertical_oscillation_cm"]
    assert chart.uri is None and "--height-cm" in chart.reason
    t = np.linspace(0, 5, 50)
    assert series_chart(t, np.full(50, np.nan), ylabel="x") is None
    shaded = data_uri_bytes(series_chart(t, np.sin(t), ylabel="x",
                                         band=PlotBand(-0.5, 0.5, -0.8, 0.8)) or "")[1]
    plain = data_uri_bytes(series_chart(t, np.sin(t), ylabel="x") or "")[1]
    assert shaded.count(b"#34c76e") > plain.count(b"#34c76e")  # the green band


def test_long_series_are_drawn_as_their_envelope_with_gaps_kept():
    t = np.arange(36_000) / 30.0  # 20 minutes at 30 fps
    y = np.sin(t) + 0.01 * t
    y[5000] = 50.0  # one spike
    y[20_000:21_000] = np.nan  # a gap of 33 s
    tp, yp = envelope(t, y, max_points=1600)
    assert tp.size <= 1600 and np.all(np.diff(tp) >= 0)
    assert np.nanmax(yp) == 50.0 and np.nanmin(yp) == np.nanmin(y)
    inside_gap = (tp > t[20_050]) & (tp < t[20_950])
    assert inside_gap.any() and np.isnan(yp[inside_gap]).all()
    assert not np.isnan(yp[tp < t[19_900]]).any()
    short_t, short_y = envelope(t[:1600], y[:1600], max_points=1600)
    assert np.array_equal(short_t, t[:1600])
    assert np.array_equal(short_y, y[:1600])
    big = data_uri_bytes(series_chart(t, y, ylabel="x") or "")[1]
    assert len(big) < 400_000  # every frame drawn was ~1.5 MB of SVG


def test_caveats_name_view_frame_rate_detection_and_low_confidence():
    summary = {"view": "side", "facing": "left", "near_side": "left",
               "input": {"fps": 30.0}, "config": {"slowmo": 1.0}, "detection_rate": 0.83,
               "events": {"contacts": 9, "reliable": False, "reason": "too few strides"},
               "metrics": {"elbow_angle_deg": {"value": 91.0, "confidence": 0.3,
                                               "label": "Elbow angle"}},
               "warnings": ["Only 4 contacts of the near foot were found."]}
    text = " ".join(caveats(summary))
    for part in ("from the side", "facing left", "30 frames per second", "83% of frames",
                 "unreliable: too few strides", "Low confidence (under 50%): Elbow angle",
                 "Only 4 contacts", "not injured"):
        assert part in text


def test_minimal_summary_renders_without_video_or_score():
    html = render_report(ReportData(summary={"input": {"path": "/x/clip.mov"}}, video=None))
    assert "<title>Running form · clip.mov</title>" in html
    assert "<video" not in html and "--no-video" in html
    assert "not enough could be measured" in html


@pytest.mark.slow
def test_report_renders_in_headless_chromium_and_the_video_plays(analysed):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the "
                    "report's browser test needs it.")
    result = check_page(chromium, analysed["folder"] / "report.html")
    assert result["errors"] == []
    assert len(result["images"]) == 8
    assert all(image["ok"] for image in result["images"]), result["images"]
    video = result["video"]
    assert video["error"] is None and video["readyState"] >= 2, video
    assert video["duration"] == pytest.approx(6.0, abs=0.05)
    assert (video["width"], video["height"]) == (640, 360)
    assert video["play"] == "ok" and video["advanced"] > 0.2, video


@pytest.mark.slow
def test_real_portrait_clip_end_to_end_in_chromium(tmp_path):
    """The real MIT treadmill clip (portrait phone video) through the real pose model."""
    from pathlib import Path

    from runform import AnalysisConfig, analyze

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the "
                    "report's browser test needs it.")
    clip = Path(__file__).parent / "data" / "treadmill_side_home.mp4"
    analysis = analyze(clip, AnalysisConfig(model="lite", height_cm=175), out_dir=tmp_path)
    assert analysis.outputs["video"] == tmp_path / "annotated.mp4"
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, summary_schema())
    result = check_page(chromium, tmp_path / "report.html")
    assert result["errors"] == []
    assert result["images"] and all(image["ok"] for image in result["images"])
    video = result["video"]
    assert (video["width"], video["height"]) == (720, 1280)  # still portrait
    assert video["duration"] == pytest.approx(12.0, abs=0.05)
    assert video["error"] is None and video["play"] == "ok" and video["advanced"] > 0.2
