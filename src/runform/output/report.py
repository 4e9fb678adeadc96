"""``report.html``: one self-contained page a runner or coach reads.

Everything the page needs is inside it (CSS, charts as SVG ``data:`` URIs,
still frames as JPEG ``data:`` URIs) except the annotated video, which is
referenced relatively (``annotated.mp4``) so the result folder can be moved
or zipped. Nothing is fetched from the network.

Build the parts with :func:`build_charts` and :func:`build_stills`, then
:func:`render_report` / :func:`write_report`.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import cv2
import jinja2
import numpy as np
import numpy.typing as npt

from runform import __version__
from runform.annotate import OverstrideAnnotator, Scene, SkeletonAnnotator, Style
from runform.annotate.scene import contact_frame, window_mean
from runform.output.atomic import write_text
from runform.output.plots import PlotBand, series_chart, steps_of

FloatArray = npt.NDArray[np.float64]
Image8 = npt.NDArray[np.uint8]

STILL_HEIGHT = 560
"""Height in pixels of each still frame in the report (before the browser scales it)."""
STILL_ASPECT = 0.8
"""Width / height of the still frames' crop (the same for all, so the cards line up)."""
STILL_ZOOM = 1.6
"""Stills are shown smaller than the video, so their drawing is magnified."""
FOOT_AHEAD_KEYS = ("foot_ahead_of_hip_cm", "foot_ahead_of_hip_leg")
STATUS_WORDS = {"good": "Good", "fair": "Fair", "poor": "Poor", "unknown": "Unknown"}


@dataclass(frozen=True)
class Chart:
    """One chart of the report."""

    key: str
    title: str
    caption: str
    uri: str | None
    """SVG data URI, or None when there is nothing to plot (see ``reason``)."""
    reason: str = ""
    status: str = "unknown"
    value_text: str = ""


@dataclass(frozen=True)
class Still:
    """One still frame at an initial contact."""

    title: str
    caption: str
    uri: str
    """JPEG data URI."""
    time_s: float
    status: str = "unknown"


@dataclass
class ReportData:
    """Everything :func:`render_report` shows."""

    summary: Mapping[str, Any]
    """The scored ``summary.json`` content."""
    charts: Sequence[Chart] = ()
    stills: Sequence[Still] = ()
    video: str | None = "annotated.mp4"
    """Relative path of the annotated video, or None when none was written."""
    files: Sequence[tuple[str, str]] = ()
    """(relative path, description) of the data files next to the report."""
    generated: str = field(default_factory=lambda: dt.datetime.now().strftime("%Y-%m-%d %H:%M"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("runform.output", "templates"),
                             autoescape=True, undefined=jinja2.ChainableUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["status_word"] = lambda s: STATUS_WORDS.get(str(s), "Unknown")
    env.filters["pct"] = lambda v: "-" if not _finite(v) else f"{100.0 * float(v):.0f}%"
    return env


def render_report(data: ReportData) -> str:
    """Render the report page as HTML text.

    Raises
    ------
    jinja2.TemplateError
        If the template is broken (a bug, not a user error).
    """
    s = data.summary
    context = {
        "s": s,
        "title": _clip_name(s),
        "overall": (s.get("score") or {}).get("overall"),
        "cards": (cards := metric_cards(s)),
        "tally": status_tally(cards),
        "cues": (s.get("score") or {}).get("top_cues") or [],
        "facts": quick_facts(s),
        "drift": drift_rows(s),
        "caveats": caveats(s),
        "health": s.get("health_note") or {},
        "charts": list(data.charts),
        "stills": list(data.stills),
        "video": data.video,
        "files": list(data.files),
        "generated": data.generated,
        "version": s.get("runform_version") or __version__,
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(path: Path, data: ReportData) -> None:
    """Render the report and write it atomically to ``path``."""
    write_text(path, render_report(data))


# ---------------------------------------------------------------- page parts


def _clip_name(s: Mapping[str, Any]) -> str:
    path = (s.get("input") or {}).get("path")
    return Path(str(path)).name if path else "Running clip"


def metric_cards(s: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the scorecard: one entry per shown metric, in summary order, measured ones first."""
    cards = []
    for key, entry in (s.get("metrics") or {}).items():
        if not isinstance(entry, Mapping) or entry.get("shown") is False:
            continue
        status = str(entry.get("status") or "unknown")
        descriptor = entry.get("kind") in ("descriptor", "category")
        cards.append({
            "key": key,
            "label": entry.get("label") or key.replace("_", " ").capitalize(),
            "value_text": entry.get("value_text") or _value_text(entry),
            "status": status,
            "pill": "Descriptor" if descriptor and status == "good" else
            STATUS_WORDS.get(status, "Unknown"),
            "tone": "descr" if descriptor and status == "good" else status,
            "typical": entry.get("typical_range") or "",
            "message": entry.get("message") or entry.get("reason") or "",
            "advice": entry.get("advice") or "",
            "evidence": entry.get("evidence") or "",
            "evidence_note": entry.get("evidence_note") or "",
            "confidence": entry.get("confidence"),
            "sources": [src for src in entry.get("sources") or [] if isinstance(src, Mapping)],
            "measured": entry.get("value") is not None,
            "group": "descriptor" if descriptor else "scored",
        })
    cards.sort(key=lambda c: not c["measured"])
    return cards


def status_tally(cards: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """Return how many scored measures are good, fair, poor and unknown (non-zero only)."""
    scored = [c["status"] for c in cards if c["group"] == "scored"]
    return [(status, scored.count(status)) for status in STATUS_WORDS if scored.count(status)]


def _value_text(entry: Mapping[str, Any]) -> str:
    value = entry.get("value")
    if value is None:
        return "-"
    unit = str(entry.get("unit") or "")
    if isinstance(value, int | float):
        unit = {"deg": "°", "steps/min": " spm"}.get(unit, f" {unit}" if unit else "")
        return f"{value:.1f}{unit}"
    return str(value)


def quick_facts(s: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the short facts shown beside the video."""
    info = s.get("input") or {}
    events = s.get("events") or {}
    config = s.get("config") or {}
    cadence = ((s.get("metrics") or {}).get("cadence_spm") or {})
    facts = [
        ("Cadence", cadence.get("value_text") or _value_text(cadence)),
        ("Contacts", f"{events.get('contacts_left', 0)} left · "
                     f"{events.get('contacts_right', 0)} right"),
        ("Clip", f"{_num(info.get('duration_s'), 1)} s · {_num(info.get('fps'), 0)} fps · "
                 f"{info.get('width', '?')}×{info.get('height', '?')}"),
        ("View", f"{s.get('view', '?')}, facing {s.get('facing', '?')}"),
        ("Runner found", f"{100.0 * float(s.get('detection_rate') or 0.0):.0f}% of frames"),
    ]
    extras = []
    if config.get("height_cm"):
        extras.append(f"height {config['height_cm']:g} cm")
    if config.get("speed_kmh"):
        extras.append(f"belt {config['speed_kmh']:g} km/h")
    if config.get("slowmo") and float(config["slowmo"]) != 1.0:
        extras.append(f"slow motion ×{config['slowmo']:g}")
    facts.append(("Settings", ", ".join(extras) if extras else "no height or speed given"))
    return facts


def drift_rows(s: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the rows of the drift table (last third of the clip minus the first third)."""
    metrics = s.get("metrics") or {}
    rows = []
    for key, entry in (s.get("drift") or {}).items():
        if not isinstance(entry, Mapping):
            continue
        label = (metrics.get(key) or {}).get("label") or entry.get("label") or key
        unit = _short_unit(str(entry.get("unit") or ""))
        rows.append({
            "label": label,
            "first": _with_unit(entry.get("first"), unit),
            "last": _with_unit(entry.get("last"), unit),
            "change": _with_unit(entry.get("value"), unit, signed=True),
            "status": str(entry.get("status") or "unknown"),
            "message": entry.get("message") or entry.get("reason") or "",
        })
    return rows


def _short_unit(unit: str) -> str:
    return {"deg": "°", "steps/min": " spm", "cm": " cm", "ms": " ms"}.get(unit, f" {unit}")


def _with_unit(value: Any, unit: str, *, signed: bool = False) -> str:
    if not _finite(value):
        return "-"
    shown = round(float(value), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{shown:+.1f}{unit}" if signed else f"{shown:.1f}{unit}"


def caveats(s: Mapping[str, Any]) -> list[str]:
    """Return what limits this result, in plain words (view, fps, detection, confidence)."""
    info = s.get("input") or {}
    config = s.get("config") or {}
    events = s.get("events") or {}
    out = []
    view, facing = s.get("view"), s.get("facing")
    if view:
        side = s.get("near_side")
        out.append(f"Filmed from the {view}" + (f", runner facing {facing}" if facing else "")
                   + (f"; the {side} side is nearer the camera and measured best." if side
                      else "."))
    fps = _real_fps(info, config)
    if fps is not None:
        good = "enough for the angles" if fps >= 60 else "approximate for timing"
        out.append(f"{fps:.0f} frames per second of real time: {good}. Contact times and "
                   "values at initial contact need 120 fps or more to be precise.")
    rate = s.get("detection_rate")
    if _finite(rate):
        out.append(f"The runner was found in {100.0 * float(rate):.0f}% of frames.")
    if events:
        reliable = events.get("reliable", True)
        out.append(f"{events.get('contacts', 0)} foot contacts were found"
                   + ("." if reliable else f", but they are unreliable: "
                      f"{events.get('reason') or 'see the warnings'}."))
    low = [(e.get("label") or k) for k, e in (s.get("metrics") or {}).items()
           if isinstance(e, Mapping) and e.get("value") is not None
           and _finite(e.get("confidence")) and float(e["confidence"]) < 0.5]
    if low:
        out.append("Low confidence (under 50%): " + ", ".join(low) + ".")
    out.extend(str(w) for w in s.get("warnings") or [])
    out.append("Most running-form rules are coaching guidance without a validated injury "
               "cut-off: 'poor' means outside the typical range, not injured. Each card "
               "says how strong its evidence is.")
    return out


def _real_fps(info: Mapping[str, Any], config: Mapping[str, Any]) -> float | None:
    fps = info.get("fps")
    if not _finite(fps):
        return None
    return float(fps) * float(config.get("slowmo") or 1.0)


def _finite(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _num(value: Any, decimals: int = 1) -> str:
    return f"{float(value):.{decimals}f}" if _finite(value) else "-"


# ------------------------------------------------------------------- charts


def build_charts(summary: Mapping[str, Any], time: FloatArray,
                 series: Mapping[str, FloatArray], bands: Mapping[str, PlotBand],
                 *, stride_s: float | None = None) -> list[Chart]:
    """Chart trunk lean, cadence, vertical oscillation and arm swing over the clip.

    Parameters
    ----------
    summary
        Scored summary (``metrics``, ``steps``).
    time
        Frame times, real seconds, shape (T,).
    series
        Per-frame series (``trunk_lean_deg``, ``upper_arm_angle_deg``).
    bands
        Typical/fair ranges per metric key (see
        :func:`runform.output.plots.bands_from_profile`).
    stride_s
        Stride period for the smoothed trunk lean (estimated when None).
    """
    steps = summary.get("steps") or []
    metrics = summary.get("metrics") or {}
    stride = stride_s or _stride_period(steps) or 0.7
    xlim = (float(time[0]), float(time[-1])) if time.size else None

    def chart(key: str, title: str, caption: str, uri: str | None, reason: str) -> Chart:
        entry = metrics.get(key) or {}
        return Chart(key=key, title=title, caption=caption, uri=uri,
                     reason=reason if uri is None else "",
                     status=str(entry.get("status") or "unknown"),
                     value_text=str(entry.get("value_text") or _value_text(entry)))

    lean = np.asarray(series.get("trunk_lean_deg", np.full(time.size, np.nan)), np.float64)
    lean_smooth = window_mean(time, lean, stride / 2, stride / 2)
    charts = [chart("trunk_lean_deg", "Trunk lean",
                    "Forward lean of the hip-to-shoulder line from vertical; thin: every "
                    "frame, bold: mean over one stride.",
                    series_chart(time, lean, ylabel="lean (°)", smooth=lean_smooth,
                                 band=bands.get("trunk_lean_deg"), xlim=xlim),
                    "Trunk lean could not be measured.")]
    t, rate = steps_of(steps, "step_rate_spm")
    charts.append(chart("cadence_spm", "Cadence",
                        "Step rate from one initial contact to the next (both feet); bold: "
                        "mean over about two strides.",
                        series_chart(t, rate, ylabel="steps / min", points=True,
                                     smooth=window_mean(t, rate, 1.2 * stride, 1.2 * stride),
                                     band=bands.get("cadence_spm"), xlim=xlim),
                        "Too few foot contacts to follow the cadence."))
    t, vo = steps_of(steps, "vertical_oscillation_cm")
    charts.append(chart("vertical_oscillation_cm", "Vertical oscillation",
                        "Up-and-down travel of the hips during each step.",
                        series_chart(t, vo, ylabel="cm", points=True,
                                     band=bands.get("vertical_oscillation_cm"), xlim=xlim),
                        "Needs the runner's height (--height-cm) to be shown in cm."))
    t_arm, swing = arm_swing_per_stride(time, series, steps)
    charts.append(chart("arm_swing_deg", "Arm swing",
                        "Range of the near upper arm's swing relative to the trunk, per "
                        "stride.",
                        series_chart(t_arm, swing, ylabel="swing (°)", points=True,
                                     band=bands.get("arm_swing_deg"), xlim=xlim),
                        "Arm swing could not be measured (arm hidden or too few strides)."))
    return charts


def _stride_period(steps: Sequence[Mapping[str, Any]]) -> float | None:
    gaps: list[float] = []
    for foot in ("left", "right"):
        t, _ = steps_of(steps, "time_s", foot)
        gaps.extend(np.diff(t[np.isfinite(t)]).tolist())
    return float(np.median(gaps)) if gaps else None


def arm_swing_per_stride(time: FloatArray, series: Mapping[str, FloatArray],
                         steps: Sequence[Mapping[str, Any]]) -> tuple[FloatArray, FloatArray]:
    """Return the swing range of the near upper arm in each stride of the near foot.

    Strides run from one initial contact of the near foot to the next; the
    swing is the range (max - min) of ``upper_arm_angle_deg`` in it.

    Returns
    -------
    tuple of numpy.ndarray
        Stride mid-times (s) and swing ranges (deg); empty when not measurable.
    """
    from runform.metrics.arms import swing_per_stride

    upper = series.get("upper_arm_angle_deg")
    near = [s for s in steps if s.get("near")] or list(steps)
    feet = {s.get("foot") for s in near}
    foot = next(iter(sorted(f for f in feet if f)), None)
    ics = np.array([float(s["time_s"]) for s in near if s.get("foot") == foot
                    and _finite(s.get("time_s"))])
    if upper is None or ics.size < 2:
        return np.empty(0), np.empty(0)
    bounds = list(zip(ics[:-1].tolist(), ics[1:].tolist(), strict=True))
    parts = swing_per_stride(time, np.asarray(upper, np.float64), bounds)
    return (ics[:-1] + ics[1:]) / 2.0, parts.sum(axis=1)


# ------------------------------------------------------------------- stills


def select_stills(steps: Sequence[Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    """Pick a typical and the worst initial contact of each foot for still frames.

    "Worst" is the contact with the foot farthest ahead of the hips
    (overstride); "typical" the one closest to the foot's median. Without
    foot-ahead values the middle contact of each foot is the typical one and
    no worst is chosen.

    Returns
    -------
    list of (kind, step)
        ``kind`` is ``typical`` or ``worst``; near foot first.
    """
    chosen: list[tuple[str, Mapping[str, Any]]] = []
    steps = [s for s in steps if s.get("time_s") is not None or s.get("frame") is not None]
    near_first = sorted({str(s.get("foot")) for s in steps},
                        key=lambda f: not any(s.get("near") and s.get("foot") == f
                                              for s in steps))
    for foot in near_first:
        own = [s for s in steps if s.get("foot") == foot]
        key = next((k for k in FOOT_AHEAD_KEYS if any(_finite(s.get(k)) for s in own)), None)
        if key is None:
            chosen.append(("typical", own[len(own) // 2]))
            continue
        measured = [s for s in own if _finite(s.get(key))]
        values = np.array([float(s[key]) for s in measured])
        typical = measured[int(np.argmin(np.abs(values - np.median(values))))]
        worst = measured[int(np.argmax(values))]
        chosen.append(("typical", typical))
        if worst is not typical:
            chosen.append(("worst", worst))
    return chosen


def build_stills(scene: Scene, images: Mapping[int, Image8],
                 chosen: Sequence[tuple[str, Mapping[str, Any]]],
                 metrics: Mapping[str, Any] | None = None) -> list[Still]:
    """Draw the overstride on each chosen frame, crop to the runner and encode as JPEG.

    Parameters
    ----------
    scene
        The clip's scene (cleaned track and contacts).
    images
        Raw RGB frames by index (from
        :func:`runform.output.video.write_annotated_video` or
        :func:`~runform.output.video.read_frames`).
    chosen
        From :func:`select_stills`.
    metrics
        Scored metrics, for the status colour of the foot-ahead values.
    """
    stills = []
    status = str(((metrics or {}).get("foot_ahead_of_hip_cm") or {}).get("status")
                 or ((metrics or {}).get("foot_ahead_of_hip_leg") or {}).get("status")
                 or "unknown")
    for kind, step in chosen:
        index = contact_frame(step, scene.track.time)
        if index not in images:
            continue
        image = still_image(scene, images[index], index)
        foot = str(step.get("foot", "")).capitalize()
        title = f"{foot} foot · {'typical step' if kind == 'typical' else 'largest overstride'}"
        stills.append(Still(title=title, caption=_still_caption(step), uri=jpeg_uri(image),
                            time_s=float(step.get("time_s") or 0.0),
                            status=status if kind == "worst" else "unknown"))
    return stills


def still_image(scene: Scene, image: Image8, index: int) -> Image8:
    """Draw skeleton, shank and overstride on a contact frame and crop it to the runner."""
    box = _runner_box(scene.points(index), image.shape[1], image.shape[0])
    x0, y0, x1, y1 = box
    style = Style.for_frame(x1 - x0, y1 - y0, zoom=STILL_ZOOM)
    canvas = image.copy()
    for annotator in (SkeletonAnnotator(style), OverstrideAnnotator(style)):
        canvas = annotator.annotate(canvas, scene, index)
    crop = canvas[y0:y1, x0:x1]
    scale = STILL_HEIGHT / crop.shape[0]
    if scale >= 1.0:
        return np.ascontiguousarray(crop)
    size = (max(1, round(crop.shape[1] * scale)), STILL_HEIGHT)
    return np.ascontiguousarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA),
                                dtype=np.uint8)


def _runner_box(points: FloatArray, width: int, height: int) -> tuple[int, int, int, int]:
    """Crop box around the runner with a margin, of aspect :data:`STILL_ASPECT` where it fits."""
    ok = np.isfinite(points).all(axis=1)
    if not ok.any():
        return 0, 0, width, height
    x0, y0 = points[ok].min(axis=0)
    x1, y1 = points[ok].max(axis=0)
    y0 -= 0.08 * (y1 - y0)  # the landmarks stop at the eyes and ears, not the top of the head
    margin = 0.2 * max(y1 - y0, 1.0)
    box_h = min(float(height), (y1 - y0) + 2 * margin)
    box_w = min(float(width), max((x1 - x0) + 2 * margin, STILL_ASPECT * box_h))
    box_h = min(float(height), max(box_h, box_w / STILL_ASPECT))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(round(min(max(0.0, cx - box_w / 2), width - box_w)))
    top = int(round(min(max(0.0, cy - box_h / 2), height - box_h)))
    return left, top, left + int(round(box_w)), top + int(round(box_h))


def _still_caption(step: Mapping[str, Any]) -> str:
    parts = [f"at {float(step.get('time_s') or 0.0):.2f} s"]
    if _finite(step.get("foot_ahead_of_hip_cm")):
        parts.append(f"foot {float(step['foot_ahead_of_hip_cm']):+.0f} cm ahead of the hips")
    elif _finite(step.get("foot_ahead_of_hip_leg")):
        parts.append(f"foot {float(step['foot_ahead_of_hip_leg']):+.2f} leg lengths ahead")
    if _finite(step.get("knee_flexion_at_contact_deg")):
        parts.append(f"knee bent {float(step['knee_flexion_at_contact_deg']):.0f}°")
    if _finite(step.get("shank_angle_at_contact_deg")):
        parts.append(f"shank {float(step['shank_angle_at_contact_deg']):+.0f}°")
    return " · ".join(parts)


def jpeg_uri(image: Image8, quality: int = 86) -> str:
    """Encode an RGB image as a ``data:image/jpeg;base64`` URI."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"Expected an encodable RGB image, but got shape {image.shape}.")
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii")
