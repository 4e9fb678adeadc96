"""Validate runform's gait events and metrics against synthetic clips with exact truth.

Builds a validation set with the project's renderer (``tools.synthrun``):
clips that vary cadence, trunk lean (and its drift), overstride, knee flexion,
foot strike, arm carriage, head carriage, facing, frame rate (25-120 fps),
resolution, portrait, camera distance and compression. Each clip is rendered
once into a cache folder outside git (``~/.cache/runform/validation`` by
default) and reused. The REAL pipeline stages then run on every clip:
:func:`runform.pipeline.extract_pose` with the full MediaPipe model (the pose
track is cached per clip as ``.npz``, so re-running after a metric change takes
seconds), then :func:`runform.measure.measure`.

The clips are split: ``tune`` clips were looked at while developing the
metrics; ``heldout`` clips were not, and their numbers are the ones to quote.
For the elbow and shank angles the error is judged after removing the mean
signed error over the set (MediaPipe places the elbow, wrist and ankle on the
mannequin a little differently from its skeleton); that bias is printed and is
never calibrated away in runform itself.

Usage (from the repository root)::

    python tools/validate.py                     # build/reuse the set, print the tables
    python tools/validate.py --markdown out.md   # also write the held-out table as Markdown
    python tools/validate.py --split tune --per-clip
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(1, str(ROOT / "src"))

if TYPE_CHECKING:
    from runform.measure import Measurement
    from runform.pose.track import PoseTrack

DEFAULT_CACHE = Path(os.environ.get("RUNFORM_VALIDATION_CACHE",
                                    Path.home() / ".cache" / "runform" / "validation"))
MODEL = os.environ.get("RUNFORM_VALIDATION_MODEL", "full")
SET_VERSION = 1
"""Bump to re-draw every clip's parameters."""
N_TUNE = 10
N_HELDOUT = 16
FPS_CHOICES = (25.0, 30.0, 50.0, 60.0, 90.0, 120.0)
LANDSCAPE_SIZES = ((1280, 720), (1920, 1080), (854, 480))
EVENT_KEYS = ("ic_mae_ms", "to_mae_ms", "contacts_found_pct", "extra_contacts")
MATCH_TOLERANCE_S = 0.08
"""A detected contact within this time of a true one (same foot) counts as found."""


# --------------------------------------------------------------------------- clip set
@dataclass(frozen=True)
class ClipSpec:
    """Everything needed to render one validation clip."""

    name: str
    split: str
    params: dict[str, Any]
    render: dict[str, Any]

    @property
    def key(self) -> str:
        """Short hash of the spec: a changed spec renders a new file."""
        blob = json.dumps({"params": self.params, "render": self.render}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:8]

    def video(self, cache: Path) -> Path:
        """Path of the rendered clip in the cache."""
        return cache / f"{self.name}-{self.key}.mp4"


def _uniform(rng: np.random.Generator, lo: float, hi: float, digits: int = 1) -> float:
    return round(float(rng.uniform(lo, hi)), digits)


def _draw_params(rng: np.random.Generator) -> dict[str, Any]:
    """Random gait parameters over the ranges a coach meets."""
    drift = _uniform(rng, -6.0, 10.0) if rng.random() < 0.5 else 0.0
    return {
        "cadence_spm": _uniform(rng, 150.0, 195.0),
        "speed_kmh": _uniform(rng, 8.0, 13.0),
        "duty_factor": _uniform(rng, 0.28, 0.38, 2),
        "trunk_lean_deg": _uniform(rng, 0.0, 14.0),
        "trunk_lean_drift_deg": drift,
        "foot_ahead_at_ic_cm": _uniform(rng, 2.0, 35.0),
        "knee_flexion_at_ic_deg": _uniform(rng, 6.0, 28.0),
        "foot_strike_angle_deg": _uniform(rng, -10.0, 20.0),
        "vertical_oscillation_cm": _uniform(rng, 5.0, 11.0),
        "elbow_angle_deg": _uniform(rng, 60.0, 160.0),
        "arm_swing_deg": _uniform(rng, 30.0, 90.0),
        "arm_swing_forward_share": _uniform(rng, 0.3, 0.6, 2),
        "head_forward_deg": _uniform(rng, -5.0, 25.0),
        "height_cm": _uniform(rng, 155.0, 195.0),
    }


def _draw_render(rng: np.random.Generator, index: int) -> dict[str, Any]:
    """Draw camera and encoding settings for clip number ``index`` of a split.

    The frame rate cycles through 25-120 fps (so each split covers every
    rate) and every third clip is portrait; distance, size and compression
    are random.
    """
    fps = FPS_CHOICES[index % len(FPS_CHOICES)]
    portrait = index % 3 == 2
    width, height = (720, 1280) if portrait else LANDSCAPE_SIZES[int(rng.integers(3))]
    return {
        "fps": fps,
        "width": width,
        "height": height,
        "duration_s": 10.0 if fps <= 60 else 8.0,
        "facing": "right" if rng.random() < 0.5 else "left",
        "camera_distance_m": _uniform(rng, 2.5, 6.0),
        "portrait": portrait,
        "crf": int(rng.integers(18, 31)),
        "seed": int(rng.integers(1000)),
    }


def _feasible(params: dict[str, Any], duration_s: float) -> bool:
    """Whether the mannequin's legs can perform these parameters."""
    from tools.synthrun import GaitModel, GaitParams, make_body

    try:
        gp = GaitParams(**params)
        GaitModel(gp, make_body(gp), duration_s)
    except ValueError:
        return False
    return True


def clip_specs(cache: Path) -> list[ClipSpec]:
    """Return the validation set: the named presets and random clips, split into tune/held-out.

    The draw is deterministic (seeded by index and :data:`SET_VERSION`), so the
    same clips come back on every machine; it is stored in the cache because
    checking that the mannequin can perform each draw takes a while.
    """
    stored = cache / f"specs-v{SET_VERSION}.json"
    if stored.exists():
        return [ClipSpec(**d) for d in json.loads(stored.read_text())] + extra_tune_specs()
    specs = _draw_specs()
    stored.write_text(json.dumps([asdict(s) for s in specs], indent=1))
    return specs + extra_tune_specs()


_EXTRA_BASE: dict[str, Any] = {
    "speed_kmh": 10.5, "duty_factor": 0.33, "trunk_lean_deg": 6.0, "trunk_lean_drift_deg": 0.0,
    "vertical_oscillation_cm": 8.0, "elbow_angle_deg": 95.0, "arm_swing_deg": 55.0,
    "arm_swing_forward_share": 0.45, "head_forward_deg": 8.0, "body_shape": [],
}
_EXTRA_TUNE: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    # Forefoot landings at 50-60 fps: the toe keeps sinking after touchdown.
    ("tune-extra-forefoot-a",
     {"cadence_spm": 172.0, "foot_ahead_at_ic_cm": 28.0, "knee_flexion_at_ic_deg": 16.0,
      "foot_strike_angle_deg": -8.0, "height_cm": 170.0},
     {"fps": 50.0, "width": 1280, "height": 720, "facing": "left", "camera_distance_m": 4.6,
      "portrait": False, "crf": 28, "seed": 11}),
    ("tune-extra-forefoot-b",
     {"cadence_spm": 184.0, "foot_ahead_at_ic_cm": 20.0, "knee_flexion_at_ic_deg": 22.0,
      "foot_strike_angle_deg": -11.5, "height_cm": 183.0},
     {"fps": 60.0, "width": 720, "height": 1280, "facing": "right", "camera_distance_m": 3.4,
      "portrait": True, "crf": 25, "seed": 12}),
    ("tune-extra-forefoot-c",
     {"cadence_spm": 164.0, "foot_ahead_at_ic_cm": 32.0, "knee_flexion_at_ic_deg": 12.0,
      "foot_strike_angle_deg": -6.5, "height_cm": 176.0},
     {"fps": 50.0, "width": 1920, "height": 1080, "facing": "right", "camera_distance_m": 5.6,
      "portrait": False, "crf": 30, "seed": 13}),
    ("tune-extra-forefoot-d",
     {"cadence_spm": 176.0, "foot_ahead_at_ic_cm": 30.0, "knee_flexion_at_ic_deg": 18.0,
      "foot_strike_angle_deg": -10.0, "height_cm": 168.0},
     {"fps": 50.0, "width": 854, "height": 480, "facing": "left", "camera_distance_m": 5.0,
      "portrait": False, "crf": 29, "seed": 16}),
    # Steep heel strikes with a short reach and a bent knee.
    ("tune-extra-heel-a",
     {"cadence_spm": 180.0, "foot_ahead_at_ic_cm": 9.0, "knee_flexion_at_ic_deg": 24.0,
      "foot_strike_angle_deg": 15.0, "height_cm": 188.0, "speed_kmh": 8.5,
      "duty_factor": 0.3},
     {"fps": 50.0, "width": 1280, "height": 720, "facing": "left", "camera_distance_m": 4.0,
      "portrait": False, "crf": 26, "seed": 14}),
    ("tune-extra-heel-b",
     {"cadence_spm": 168.0, "foot_ahead_at_ic_cm": 12.0, "knee_flexion_at_ic_deg": 22.0,
      "foot_strike_angle_deg": 19.0, "height_cm": 165.0, "speed_kmh": 8.0,
      "duty_factor": 0.29},
     {"fps": 60.0, "width": 854, "height": 480, "facing": "right", "camera_distance_m": 3.2,
      "portrait": False, "crf": 27, "seed": 15}),
)
"""Fixed tuning clips for failure modes the random tuning draw missed: sinking-toe
forefoot landings at 50-60 fps (small, strongly compressed runners among them)
and steep heel strikes with a short reach. They are appended after the stored
draw, so the drawn clips (held-out ones included) keep their specs, names and
cache keys."""


def extra_tune_specs() -> list[ClipSpec]:
    """Return the fixed extra tuning clips (see :data:`_EXTRA_TUNE`)."""
    return [ClipSpec(name, "tune", {**_EXTRA_BASE, **params}, {"duration_s": 10.0, **render})
            for name, params, render in _EXTRA_TUNE]


def _draw_specs() -> list[ClipSpec]:
    from tools.synthrun import PRESETS

    specs = [ClipSpec(f"tune-preset-{name}", "tune",
                      {**PRESETS[name].to_dict(), "height_cm": 178.0},
                      {"fps": 60.0, "width": 1280, "height": 720, "duration_s": 10.0,
                       "facing": "right" if i % 2 == 0 else "left", "camera_distance_m": 3.5,
                       "portrait": False, "crf": 20, "seed": i})
             for i, name in enumerate(sorted(PRESETS))]
    for split, count, base in (("tune", N_TUNE, 0), ("heldout", N_HELDOUT, 500)):
        for i in range(count):
            rng = np.random.default_rng([SET_VERSION, base + i])
            render = _draw_render(rng, i)
            params = _draw_params(rng)
            while not _feasible(params, render["duration_s"]):
                params = _draw_params(rng)
            params["body_shape"] = []
            specs.append(ClipSpec(f"{split}-{i:02d}", split, params, render))
    return specs


def render(spec: ClipSpec, cache: Path) -> Path:
    """Render a clip (and its truth JSON) unless the cache already holds it."""
    from tools.synthrun import GaitParams, render_clip

    video = spec.video(cache)
    if video.exists() and video.with_suffix(".json").exists():
        return video
    params = dict(spec.params)
    params["body_shape"] = tuple(params.get("body_shape", ()))
    tmp = video.with_name(f".{video.stem}.partial.mp4")
    render_clip(GaitParams(**params), tmp, **spec.render)
    tmp.with_suffix(".json").replace(video.with_suffix(".json"))
    tmp.replace(video)
    return video


# --------------------------------------------------------------------------- pose cache
def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pose_key(video: Path) -> str:
    """Key of a cached pose track: the clip, the model, the pose mode and the estimator code.

    The estimator's code is part of the key because how MediaPipe is driven
    changes the landmarks (e.g. one tracked person is smoothed over time, a
    multi-person search is not).
    """
    from runform.pose import estimator
    from runform.pose.models import resolve_model

    parts = [_sha(video), _sha(resolve_model(MODEL).path), POSE_MODE,
             _sha(Path(estimator.__file__))]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class ImageModeEstimator:
    """Diagnostic estimator: MediaPipe's landmarker in IMAGE mode (every frame on its own).

    runform uses VIDEO mode, which tracks the runner from frame to frame (its
    own temporal smoothing switched off, see ``runform.pose.estimator``);
    comparing the two shows what tracking changes in each metric.
    """

    def __init__(self, model_path: Path) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE, num_poses=1,
            min_pose_detection_confidence=0.5, min_pose_presence_confidence=0.5)
        self._landmarker = vision.PoseLandmarker.create_from_options(options)

    def detect(self, image: np.ndarray, time_ms: int) -> list[Any]:
        """Run the landmarker on one frame, ignoring the time."""
        import mediapipe as mp

        from runform.pose.estimator import _to_person

        frame = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        result = self._landmarker.detect(frame)
        h, w = image.shape[:2]
        worlds = result.pose_world_landmarks or [None] * len(result.pose_landmarks)
        return [_to_person(lm, wd, w, h) for lm, wd in zip(result.pose_landmarks, worlds,
                                                           strict=True)]

    def close(self) -> None:
        """Release the landmarker."""
        self._landmarker.close()


POSE_MODE = os.environ.get("RUNFORM_VALIDATION_POSE_MODE", "video")
"""``video`` (what runform does) or ``image`` (diagnostic, see :class:`ImageModeEstimator`)."""


def pose_track(video: Path) -> PoseTrack:
    """Return the clip's raw pose track (full model), cached next to the clip as ``.npz``."""
    from runform.config import AnalysisConfig
    from runform.pose.track import PoseTrack

    suffix = "" if POSE_MODE == "video" else f"-{POSE_MODE}"
    cached = video.with_suffix(f".{MODEL}{suffix}.pose.npz")
    key = _pose_key(video)
    if cached.exists():
        data = np.load(cached)
        if "pose_key" in data and str(data["pose_key"]) == key:
            return PoseTrack.from_arrays(data["time"], data["position"], width=int(data["width"]),
                                         height=int(data["height"]), depth=data["depth"],
                                         visibility=data["visibility"], world=data["world"])
    from runform.pipeline import extract_pose
    from runform.pose.models import resolve_model
    from runform.video.reader import probe_video

    model = resolve_model(MODEL)
    estimator = ImageModeEstimator(model.path) if POSE_MODE == "image" else None
    try:
        track, _ = extract_pose(video, probe_video(video), AnalysisConfig(model=MODEL), model,
                                estimator=estimator)
    finally:
        if estimator is not None:
            estimator.close()
    tmp = cached.with_name(f".{cached.stem}.partial.npz")
    np.savez_compressed(tmp, time=track.time, position=track.position, depth=track.depth,
                        visibility=track.visibility, world=track.world, width=track.width,
                        height=track.height, pose_key=key)
    tmp.replace(cached)
    return track


def prepare(spec: ClipSpec, cache: Path) -> str:
    """Render the clip and extract its pose (worker process entry point)."""
    pose_track(render(spec, cache))
    return spec.name


def render_only(spec: ClipSpec, cache: Path) -> str:
    """Render the clip (worker process entry point)."""
    render(spec, cache)
    return spec.name


# --------------------------------------------------------------------------- comparison
@dataclass
class ClipResult:
    """Measured-minus-true errors of one clip."""

    spec: ClipSpec
    errors: dict[str, float] = field(default_factory=dict)
    """Metric name -> signed error (measured - truth), NaN when not measured."""
    checks: dict[str, float] = field(default_factory=dict)
    """Pass/fail checks (1.0 / 0.0), e.g. foot-strike class."""
    notes: list[str] = field(default_factory=list)


def _value(metrics: dict[str, Any], key: str, field_name: str = "value") -> float:
    entry = metrics.get(key) or {}
    v = entry.get(field_name)
    return float(v) if isinstance(v, int | float) else float("nan")


SCALAR_METRICS: dict[str, str] = {
    "cadence_spm": "cadence_spm",
    "trunk_lean_deg": "trunk_lean_deg",
    "head_forward_deg": "head_forward_deg",
    "elbow_angle_deg": "elbow_angle_deg",
    "arm_swing_deg": "arm_swing_deg",
    "shank_angle_at_contact_deg": "shank_angle_at_contact_deg",
    "knee_flexion_at_contact_deg": "knee_flexion_at_contact_deg",
    "foot_ahead_of_hip_cm": "foot_ahead_of_hip_cm",
    "foot_ahead_of_hip_leg": "foot_ahead_of_hip_leg",
    "vertical_oscillation_cm": "vertical_oscillation_cm",
    "contact_time_ms": "contact_time_ms",
    "flight_time_ms": "flight_time_ms",
    "duty_factor": "duty_factor",
    "step_length_cm": "step_length_cm",
    "vertical_ratio_pct": "vertical_ratio_pct",
}
"""Measured key -> truth key (both in ``metrics``)."""


def _event_errors(summary: dict[str, Any], truth: dict[str, Any]) -> dict[str, float]:
    """IC/TO timing errors (ms) of matched contacts and the share of true contacts found."""
    duration = truth["video"]["duration_s"]
    true_steps = [s for s in truth["steps"] if s["to_time_s"] <= duration]
    found = summary["steps"]
    ic_err, to_err, matched = [], [], 0
    used: set[int] = set()
    for ts in true_steps:
        best, best_dt = None, MATCH_TOLERANCE_S
        for j, ms in enumerate(found):
            dt = abs(ms["time_s"] - ts["ic_time_s"])
            if ms["foot"] == ts["foot"] and j not in used and dt <= best_dt:
                best, best_dt = j, dt
        if best is None:
            continue
        used.add(best)
        matched += 1
        ic_err.append(1000.0 * (found[best]["time_s"] - ts["ic_time_s"]))
        if found[best]["toe_off_s"] is not None:
            to_err.append(1000.0 * (found[best]["toe_off_s"] - ts["to_time_s"]))
    extra = len(found) - matched
    return {
        "ic_mae_ms": float(np.mean(np.abs(ic_err))) if ic_err else float("nan"),
        "ic_bias_ms": float(np.mean(ic_err)) if ic_err else float("nan"),
        "to_mae_ms": float(np.mean(np.abs(to_err))) if to_err else float("nan"),
        "to_bias_ms": float(np.mean(to_err)) if to_err else float("nan"),
        "contacts_found_pct": 100.0 * matched / max(len(true_steps), 1),
        "extra_contacts": float(max(extra, 0)),
    }


def _strike_ok(measured: dict[str, Any], truth: dict[str, Any]) -> float:
    """1 if the class is right, or adjacent with the truth within 3 deg of a threshold."""
    cls = measured.get("value")
    true_cls = truth["class"]
    if cls is None:
        return 0.0
    if cls == true_cls:
        return 1.0
    angle = truth["angle_deg"]
    near = min(abs(angle - 8.0), abs(angle + 1.6)) <= 3.0
    order = ["forefoot", "midfoot", "rearfoot"]
    adjacent = abs(order.index(cls) - order.index(true_cls)) == 1
    return 1.0 if near and adjacent else 0.0


def compare(spec: ClipSpec, m: Measurement, truth: dict[str, Any]) -> ClipResult:
    """Errors of one measured clip against its truth."""
    s = m.to_summary()
    res = ClipResult(spec)
    metrics, tm = s["metrics"], truth["metrics"]
    for key, tkey in SCALAR_METRICS.items():
        res.errors[key] = _value(metrics, key) - float(tm[tkey])
    res.errors["elbow_angle_far_deg"] = _far_elbow(metrics) - float(tm["elbow_angle_far_deg"])
    res.errors["arm_swing_forward_deg"] = (_value(metrics, "arm_swing_deg", "forward_deg")
                                           - float(tm["arm_swing_forward_deg"]))
    res.errors["foot_strike_angle_deg"] = (_value(metrics, "foot_strike", "angle_deg")
                                           - float(tm["foot_strike"]["angle_deg"]))
    res.checks["foot_strike_class_ok"] = _strike_ok(metrics["foot_strike"], tm["foot_strike"])
    res.errors["trunk_lean_drift_deg"] = (_value(s["drift"], "trunk_lean_deg")
                                          - float(truth["drift"]["trunk_lean_deg"]))
    res.errors["scale_pct"] = 100.0 * ((s["scale"]["px_per_cm"] or float("nan"))
                                       / truth["px_per_cm_at_runner_plane"] - 1.0)
    res.errors.update(_event_errors(s, truth))
    res.notes = list(s["warnings"])
    return res


def _far_elbow(metrics: dict[str, Any]) -> float:
    far = (metrics.get("elbow_angle_deg") or {}).get("far_arm") or {}
    v = far.get("value")
    return float(v) if isinstance(v, int | float) else float("nan")


def evaluate(spec: ClipSpec, cache: Path) -> tuple[ClipResult, ClipResult]:
    """Measure one (already prepared) clip with the real pipeline and compare to truth.

    Returns
    -------
    tuple
        The real pipeline's errors, and (diagnostic) the errors of the same
        cleaned track measured with the TRUE gait events and the same scale,
        which separates the events' share of the error from the metrics'.
    """
    from runform.config import AnalysisConfig
    from runform.measure import measure, measure_cleaned

    video = render(spec, cache)
    truth = json.loads(video.with_suffix(".json").read_text())
    config = AnalysisConfig(model=MODEL, height_cm=truth["height_cm"],
                            speed_kmh=truth["params"]["speed_kmh"])
    real = measure(pose_track(video), config)
    diag = measure_cleaned(real.cleaned, true_events(truth, real.cleaned.track.time),
                           px_per_cm=real.px_per_cm, leg_length_px=real.leg_length_px,
                           height_cm=config.height_cm, speed_kmh=config.speed_kmh)
    return compare(spec, real, truth), compare(spec, diag, truth)


def true_events(truth: dict[str, Any], time: np.ndarray) -> Any:
    """Return the clip's exact contacts as :class:`runform.gait.types.GaitEvents`."""
    from runform.gait.types import GaitEvents, Step

    steps = tuple(Step(s["foot"], s["ic_time_s"], int(np.argmin(np.abs(time - s["ic_time_s"]))),
                       s["to_time_s"], int(np.argmin(np.abs(time - s["to_time_s"]))))
                  for s in truth["steps"] if s["to_time_s"] <= time[-1])
    return GaitEvents(steps=steps, stride_period_s=120.0 / truth["params"]["cadence_spm"],
                      reliable=True)


# --------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Target:
    """How one row of the table is judged."""

    label: str
    unit: str
    limit: float | None
    """MAE target (None: reported only)."""
    debias: bool = False
    """Judge after removing the mean signed error (elbow, shank)."""
    kind: str = "mae"
    """``mae`` of signed errors, ``mean`` of a per-clip value, ``rate`` of checks, or ``min``
    (a share that must reach the target on average; the worst clip is shown)."""


TARGETS: dict[str, Target] = {
    "cadence_spm": Target("Cadence", "spm", 0.5),
    "trunk_lean_deg": Target("Trunk lean", "deg", 0.8),
    "trunk_lean_drift_deg": Target("Trunk-lean drift", "deg", 2.0),
    "knee_flexion_at_contact_deg": Target("Knee flexion at contact", "deg", 5.0),
    "foot_ahead_of_hip_cm": Target("Foot ahead of hip", "cm", 3.0),
    "vertical_oscillation_cm": Target("Vertical oscillation", "cm", 0.6),
    "contact_time_ms": Target("Contact time", "ms", 25.0),
    "ic_mae_ms": Target("Initial-contact timing", "ms", 20.0, kind="mean"),
    "contacts_found_pct": Target("Contacts found", "%", 95.0, kind="min"),
    "foot_strike_class_ok": Target("Foot-strike class right", "%", 100.0, kind="rate"),
    "elbow_angle_deg": Target("Elbow angle (near arm)", "deg", 3.0, debias=True),
    "shank_angle_at_contact_deg": Target("Shank angle at contact", "deg", 3.0, debias=True),
    "elbow_angle_far_deg": Target("Elbow angle (far arm)", "deg", None, debias=True),
    "head_forward_deg": Target("Head forward", "deg", None),
    "arm_swing_deg": Target("Arm swing (near arm)", "deg", None),
    "arm_swing_forward_deg": Target("Arm swing, forward part", "deg", None),
    "foot_strike_angle_deg": Target("Foot-strike angle", "deg", None),
    "foot_ahead_of_hip_leg": Target("Foot ahead of hip", "leg lengths", None),
    "flight_time_ms": Target("Flight time", "ms", None),
    "duty_factor": Target("Duty factor", "", None),
    "step_length_cm": Target("Step length", "cm", None),
    "vertical_ratio_pct": Target("Vertical ratio", "%", None),
    "to_mae_ms": Target("Toe-off timing", "ms", None, kind="mean"),
    "extra_contacts": Target("Extra (false) contacts per clip", "", None, kind="mean"),
    "scale_pct": Target("Scale (px/cm) from height", "%", None),
}


@dataclass
class Row:
    """One line of the error table."""

    key: str
    target: Target
    n: int
    error: float
    """MAE (after debiasing if asked), mean, rate or minimum, per ``target.kind``."""
    bias: float
    worst: float
    passed: bool | None


def summarise(key: str, target: Target, results: list[ClipResult]) -> Row:
    """Aggregate one metric over clips."""
    source = [r.checks.get(key, np.nan) if target.kind == "rate" else r.errors.get(key, np.nan)
              for r in results]
    v = np.array(source, dtype=float)
    missing = int(np.sum(~np.isfinite(v)))
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Row(key, target, 0, float("nan"), float("nan"), float("nan"), None)
    bias = float(v.mean())
    if target.kind == "mae":
        centred = v - bias if target.debias else v
        err, worst = float(np.mean(np.abs(centred))), float(np.max(np.abs(centred)))
        ok = None if target.limit is None else err <= target.limit and missing == 0
    elif target.kind == "rate":
        err, worst = 100.0 * bias, float("nan")
        ok = None if target.limit is None else err >= target.limit
    elif target.kind == "min":
        err, worst = float(np.mean(v)), float(np.min(v))
        ok = None if target.limit is None else err >= target.limit
    else:
        err, worst = bias, float(np.max(v))
        ok = None if target.limit is None else err <= target.limit
    return Row(key, target, int(v.size), err, bias, worst, ok)


def _fmt(x: float, digits: int = 2) -> str:
    return "-" if not np.isfinite(x) else f"{x:.{digits}f}"


def _limit_text(t: Target) -> str:
    if t.limit is None:
        return "-"
    if t.kind in ("rate", "min"):
        return f">= {t.limit:g}"
    return f"<= {t.limit:g}"


def _error_label(t: Target) -> str:
    return {"mae": "MAE after bias removal" if t.debias else "MAE", "mean": "mean per clip",
            "rate": "share of clips", "min": "mean (worst clip)"}[t.kind]


def markdown(rows: list[Row], title: str, n_clips: int) -> str:
    """Render the error table as Markdown."""
    lines = [f"**{title}** ({n_clips} clips)", "",
             "| metric | error | unit | target | mean signed error (bias) | worst clip | met |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        met = "-" if r.passed is None else ("yes" if r.passed else "**no**")
        err = _fmt(r.error)
        if r.target.kind == "min":
            err = f"{_fmt(r.error, 1)} ({_fmt(r.worst, 1)})"
        lines.append(f"| {r.target.label} ({_error_label(r.target)}) | {err} | {r.target.unit} "
                     f"| {_limit_text(r.target)} | {_fmt(r.bias)} | {_fmt(r.worst)} | {met} |")
    return "\n".join(lines)


def print_table(rows: list[Row], title: str, n_clips: int) -> None:
    """Print the error table with rich."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title} ({n_clips} clips)")
    for col in ("metric", "error", "unit", "target", "bias", "worst", "met"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for r in rows:
        met = "-" if r.passed is None else ("[green]yes" if r.passed else "[red]no")
        table.add_row(f"{r.target.label} ({_error_label(r.target)})", _fmt(r.error),
                      r.target.unit, _limit_text(r.target), _fmt(r.bias), _fmt(r.worst), met)
    Console(width=150).print(table)


def print_per_clip(results: list[ClipResult]) -> None:
    """One line per clip with its main errors, for diagnosis."""
    keys = ("cadence_spm", "trunk_lean_deg", "knee_flexion_at_contact_deg",
            "foot_ahead_of_hip_cm", "vertical_oscillation_cm", "contact_time_ms", "ic_mae_ms",
            "ic_bias_ms", "contacts_found_pct", "elbow_angle_deg", "shank_angle_at_contact_deg",
            "trunk_lean_drift_deg", "foot_strike_angle_deg")
    head = "clip".ljust(26) + "".join(k[:10].rjust(11) for k in keys)
    print(head)
    for r in results:
        cells = "".join(_fmt(r.errors.get(k, np.nan)).rjust(11) for k in keys)
        sc = r.spec.render
        print(f"{r.spec.name[:14]:14s}{sc['fps']:5.0f}fps {sc['facing'][0]}" + cells
              + ("" if r.checks.get("foot_strike_class_ok", 1) else "  strike-class-wrong"))


# --------------------------------------------------------------------------- main
def _run_parallel(fn: Callable[[ClipSpec, Path], Any], specs: list[ClipSpec], cache: Path,
                  jobs: int) -> list[Any]:
    if jobs <= 1:
        return [fn(s, cache) for s in specs]
    out: dict[str, Any] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(fn, s, cache): s.name for s in specs}
        for fut in as_completed(futures):
            out[futures[fut]] = fut.result()
            print(f"  ready: {futures[fut]}", file=sys.stderr, flush=True)
    return [out[s.name] for s in specs]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="clip and pose cache")
    p.add_argument("--split", choices=("heldout", "tune", "all"), default="all",
                   help="which clips to evaluate (tables are printed per split)")
    p.add_argument("--jobs", type=int, default=2, help="parallel render/pose processes")
    p.add_argument("--markdown", type=Path, help="write the tables as Markdown here")
    p.add_argument("--per-clip", action="store_true", help="print one line per clip")
    p.add_argument("--only", help="evaluate only clips whose name contains this text")
    p.add_argument("--pose-mode", choices=("video", "image"), default="video",
                   help="MediaPipe running mode (image: diagnostic, no tracking between frames)")
    p.add_argument("--model", choices=("lite", "full", "heavy"), default="full",
                   help="pose model to validate (poses are cached per model)")
    p.add_argument("--list", action="store_true", help="list the clip specs and exit")
    p.add_argument("--prepare-only", action="store_true",
                   help="render the clips and extract their poses, then exit")
    p.add_argument("--true-events", action="store_true",
                   help="also measure with the true gait events (separates event error)")
    p.add_argument("--render-only", action="store_true", help="render the clips, then exit")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the validation set, measure every clip and print the error tables."""
    args = _parse(argv)
    global POSE_MODE, MODEL
    POSE_MODE = args.pose_mode
    MODEL = args.model
    os.environ["RUNFORM_VALIDATION_MODEL"] = args.model  # for worker processes
    os.environ["RUNFORM_VALIDATION_POSE_MODE"] = args.pose_mode  # for worker processes
    args.cache.mkdir(parents=True, exist_ok=True)
    specs = [s for s in clip_specs(args.cache) if args.split in ("all", s.split)
             and (args.only is None or args.only in s.name)]
    if args.list:
        for s in specs:
            print(json.dumps(asdict(s)))
        return 0
    start = time.time()
    _run_parallel(render_only if args.render_only else prepare, specs, args.cache, args.jobs)
    print(f"clips ready in {time.time() - start:.0f} s", file=sys.stderr)
    if args.prepare_only or args.render_only:
        return 0
    pairs = _run_parallel(evaluate, specs, args.cache, args.jobs)
    sections = []
    for split, title in (("heldout", "Held-out clips"), ("tune", "Tuning clips")):
        if args.pose_mode != "video":
            title = f"{title}, diagnostic: MediaPipe {args.pose_mode.upper()} mode"
        if args.model != "full":
            title = f"{title}, {args.model} model"
        chosen = [real for real, _ in pairs if real.spec.split == split]
        if not chosen:
            continue
        rows = [summarise(k, t, chosen) for k, t in TARGETS.items()]
        print_table(rows, title, len(chosen))
        sections.append(markdown(rows, title, len(chosen)))
        if args.per_clip:
            print_per_clip(chosen)
        if args.true_events:
            diag = [d for real, d in pairs if real.spec.split == split]
            rows = [summarise(k, t, diag) for k, t in TARGETS.items()
                    if k not in EVENT_KEYS]
            title = f"{title}, measured with the TRUE gait events (diagnostic)"
            print_table(rows, title, len(diag))
            sections.append(markdown(rows, title, len(diag)))
            if args.per_clip:
                print_per_clip(diag)
    if args.markdown:
        args.markdown.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
