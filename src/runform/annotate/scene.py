"""What the annotators draw, prepared once per clip so that drawing a frame is cheap.

A :class:`Scene` holds the cleaned track, the contacts with the geometry
frozen at initial contact, and the live panel's values and statuses for every
frame (trailing means over one stride, the last contact's values, a live
cadence from the last few contacts). It is built from the measurement and the
scored summary by :func:`build_scene`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from runform.gait.types import Facing, Foot
from runform.pose.track import PoseTrack

if TYPE_CHECKING:
    from runform.measure import Measurement

FloatArray = npt.NDArray[np.float64]
Point = tuple[float, float]
Classifier = Callable[[str, float], str]
"""``(metric key, value) -> status`` (``good``, ``fair``, ``poor`` or ``unknown``)."""

CONTACT_SHOW_S = 0.25
"""How long a contact's marks stay on screen when its toe-off is unknown (real seconds)."""
LIVE_CADENCE_CONTACTS = 5
"""Contacts (both feet) the live cadence is taken over: two strides."""
DEFAULT_STRIDE_S = 0.7


@dataclass(frozen=True)
class Contact:
    """One initial contact with the geometry of the landing leg frozen at that frame."""

    foot: Foot
    ic_frame: int
    end_frame: int
    """Last frame on which the contact's marks are drawn (toe-off, or a short hold)."""
    contact_ms: float | None
    knee: Point | None
    """Knee position at initial contact, pixels."""
    ankle: Point | None
    """Ankle position at initial contact, pixels."""
    ground: Point | None
    """Lowest point of the foot (heel, toe or ankle) at initial contact, pixels."""
    shank_deg: float | None
    """Shank angle from vertical at contact, positive = ankle ahead of the knee."""
    values: Mapping[str, Any]
    """The step's entry of ``summary.json["steps"]`` (per-step metric values)."""


@dataclass(frozen=True)
class PanelRow:
    """One line of the live panel: a label and, per frame, a text and a status."""

    key: str
    label: str
    texts: tuple[str, ...]
    """Display text per frame (an en dash when unknown)."""
    statuses: tuple[str, ...]
    """Status per frame, coloured like the scorecard."""


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything the annotators need for one clip, indexed by frame."""

    track: PoseTrack
    """Cleaned track (pixels, y down); one row per video frame."""
    facing: Facing
    near: Foot
    """Side of the body nearer the camera (drawn emphasised)."""
    contacts: tuple[Contact, ...]
    cadence: PanelRow
    """Live cadence, the panel's headline."""
    rows: tuple[PanelRow, ...]
    """The panel's other lines."""

    def __len__(self) -> int:
        return len(self.track)

    def points(self, index: int) -> FloatArray:
        """Return the cleaned landmark positions at one frame, shape (33, 2); NaN where missing."""
        return self.track.position[index]

    def active_contacts(self, index: int) -> list[Contact]:
        """Return the contacts whose marks are on screen at frame ``index`` (in contact order)."""
        if not 0 <= index < len(self._on_screen):
            return [c for c in self.contacts if c.ic_frame <= index <= c.end_frame]
        return [self.contacts[i] for i in self._on_screen[index]]

    @cached_property
    def _on_screen(self) -> list[list[int]]:
        """Per frame, the positions in :attr:`contacts` of the contacts shown on it.

        Built once, in time proportional to the frames and the frames each contact
        is shown on, so drawing a frame does not scan every contact of the clip.
        """
        shown: list[list[int]] = [[] for _ in range(len(self))]
        for i, c in enumerate(self.contacts):
            for frame in range(max(c.ic_frame, 0), min(c.end_frame, len(shown) - 1) + 1):
                shown[frame].append(i)
        return shown

    def scaled(self, factor: float, width: int, height: int) -> Scene:
        """Return the scene for frames resized by ``factor`` to ``width`` x ``height``."""
        track = replace(self.track.with_position(self.track.position * factor), width=width,
                        height=height)

        def scale(p: Point | None) -> Point | None:
            return None if p is None else (p[0] * factor, p[1] * factor)

        contacts = tuple(replace(c, knee=scale(c.knee), ankle=scale(c.ankle),
                                 ground=scale(c.ground)) for c in self.contacts)
        return replace(self, track=track, contacts=contacts)

    def contact_at(self, index: int) -> Contact | None:
        """Return the contact whose initial contact falls on frame ``index``, if any."""
        return self._by_ic_frame.get(index)

    @cached_property
    def _by_ic_frame(self) -> dict[int, Contact]:
        """The first contact (in :attr:`contacts` order) at each initial-contact frame."""
        first: dict[int, Contact] = {}
        for c in self.contacts:
            first.setdefault(c.ic_frame, c)
        return first


@dataclass(frozen=True)
class _RowSpec:
    key: str
    label: str
    source: str
    """``series`` (trailing stride mean of a per-frame series) or ``step`` (last contact)."""
    unit: str
    decimals: int = 0


PANEL_ROWS: tuple[_RowSpec, ...] = (
    _RowSpec("trunk_lean_deg", "Trunk lean", "series", "°"),
    _RowSpec("head_forward_deg", "Head", "series", "°"),
    _RowSpec("elbow_angle_deg", "Elbow", "series", "°"),
    _RowSpec("knee_flexion_at_contact_deg", "Knee at contact", "step", "°"),
    _RowSpec("foot_ahead_of_hip_cm", "Foot ahead of hip", "step", " cm"),
    _RowSpec("foot_ahead_of_hip_leg", "Foot ahead of hip", "step", " leg", 2),
    _RowSpec("contact_time_ms", "Contact time", "step", " ms"),
)
"""Panel lines in order; a line whose value never exists in the clip is left out, and so is
the second of two lines with the same label (foot ahead of hip in leg lengths when cm exist)."""

_STEP_KEYS = {"contact_time_ms": "contact_ms"}
"""Per-step key when it differs from the metric key."""


def build_scene(track: PoseTrack, *, facing: Facing, near: Foot,
                steps: Sequence[Mapping[str, Any]], series: Mapping[str, FloatArray],
                metrics: Mapping[str, Mapping[str, Any]] | None = None,
                stride_period_s: float | None = None,
                classify: Classifier | None = None) -> Scene:
    """Prepare a clip for drawing.

    Parameters
    ----------
    track
        Cleaned pose track, one row per video frame.
    facing, near
        Running direction in the image and the side nearer the camera.
    steps
        ``summary.json["steps"]``: at least ``foot``, ``frame`` and
        ``contact_ms``, optionally ``toe_off_frame``, ``toe_off_s`` and the
        per-step metric values.
    series
        Per-frame series aligned with ``track.time`` (``trunk_lean_deg``,
        ``head_forward_deg``, ``elbow_angle_deg``...).
    metrics
        Scored ``summary.json["metrics"]``; gives each line's status when no
        ``classify`` is given.
    stride_period_s
        Stride period for the trailing means; estimated from the contacts
        when None.
    classify
        Status of one value of one metric; defaults to the clip-level status
        of that metric in ``metrics``.

    Returns
    -------
    Scene
        The prepared scene.
    """
    metrics = metrics or {}
    classify = classify or _clip_status(metrics)
    slack = _frame_slack(track.time)  # once per clip, not once per contact
    contacts = tuple(_contact(track, facing, s, slack) for s in steps
                     if contact_frame(s, track.time, slack=slack) >= 0)
    period = stride_period_s or _stride_from_contacts(track.time, contacts) or DEFAULT_STRIDE_S
    cadence = _row("cadence_spm", "Cadence",
                   _live_cadence(track.time, [c.ic_frame for c in contacts]), " spm", 0,
                   classify)
    rows: list[PanelRow] = []
    for spec in PANEL_ROWS:
        values = _row_values(spec, track.time, series, contacts, period)
        labels = {r.label for r in rows}
        if values is not None and np.isfinite(values).any() and spec.label not in labels:
            rows.append(_row(spec.key, spec.label, values, spec.unit, spec.decimals, classify))
    return Scene(track=track, facing=facing, near=near, contacts=contacts, cadence=cadence,
                 rows=tuple(rows))


def scene_from_measurement(measurement: Measurement,
                           summary: Mapping[str, Any] | None = None,
                           classify: Classifier | None = None) -> Scene:
    """Build the scene of a :class:`runform.measure.Measurement` and its scored summary."""
    metrics = (summary or {}).get("metrics") or measurement.metrics
    steps = (summary or {}).get("steps") or measurement.steps
    return build_scene(measurement.cleaned.track, facing=measurement.cleaned.facing,
                       near=measurement.near, steps=steps, series=measurement.series,
                       metrics=metrics, stride_period_s=measurement.events.stride_period_s,
                       classify=classify)


def _clip_status(metrics: Mapping[str, Mapping[str, Any]]) -> Classifier:
    def classify(key: str, value: float) -> str:
        entry = metrics.get(key) or {}
        return str(entry.get("status") or "unknown")

    return classify


def contact_frame(step: Mapping[str, Any], time: FloatArray, *,
                  slack: float | None = None) -> int:
    """Return the frame nearest to a step's initial contact, or -1 when it is outside the clip.

    The contact time (``time_s``, refined below one frame) decides; ``frame`` is
    used only when there is no time, so drawings sit on the frame whose pose
    the step's values were sampled from. A time up to ``slack`` seconds (the
    median frame interval, computed when None) beyond either end of the clip
    still counts as inside.
    """
    return _nearest_frame(step.get("time_s"), step.get("frame"), time, slack)


def _frame_slack(time: FloatArray) -> float:
    """Median frame interval (seconds): how far past the clip :func:`contact_frame` still looks."""
    return float(np.median(np.diff(time))) if time.size > 1 else 0.0


def _nearest_frame(t: Any, frame: Any, time: FloatArray, slack: float | None = None) -> int:
    if isinstance(t, int | float) and math.isfinite(t) and time.size:
        slack = _frame_slack(time) if slack is None else slack
        if not time[0] - slack <= t <= time[-1] + slack:
            return -1
        return _nearest_index(time, float(t))
    if isinstance(frame, int) and 0 <= frame < time.size:
        return frame
    return -1


def _nearest_index(time: FloatArray, t: float) -> int:
    """Index of the time nearest ``t`` in increasing ``time``, the earlier one on a tie.

    The same index as ``argmin(abs(time - t))``, by binary search: only the two
    times either side of ``t`` can be nearest.
    """
    i = int(np.searchsorted(time, t))
    if i == 0:
        return 0
    if i == time.size:
        return i - 1
    return i - 1 if abs(time[i - 1] - t) <= abs(time[i] - t) else i


def _point(track: PoseTrack, name: str, index: int) -> Point | None:
    x, y = track.xy(name)[index]
    return (float(x), float(y)) if np.isfinite(x) and np.isfinite(y) else None


def _contact(track: PoseTrack, facing: Facing, step: Mapping[str, Any],
             slack: float | None = None) -> Contact:
    foot: Foot = "left" if step["foot"] == "left" else "right"
    ic = contact_frame(step, track.time, slack=slack)
    knee = _point(track, f"{foot}_knee", ic)
    ankle = _point(track, f"{foot}_ankle", ic)
    feet = [p for p in (_point(track, f"{foot}_{part}", ic)
                        for part in ("heel", "foot_index", "ankle")) if p is not None]
    ground = max(feet, key=lambda p: p[1]) if feet else None
    shank = step.get("shank_angle_at_contact_deg")
    if shank is None and knee is not None and ankle is not None:
        sign = 1.0 if facing == "right" else -1.0
        shank = float(np.degrees(np.arctan2(sign * (ankle[0] - knee[0]), ankle[1] - knee[1])))
    contact_ms = step.get("contact_ms")
    return Contact(foot=foot, ic_frame=ic, end_frame=_end_frame(track.time, step, ic, slack),
                   contact_ms=None if contact_ms is None else float(contact_ms), knee=knee,
                   ankle=ankle, ground=ground, shank_deg=None if shank is None else float(shank),
                   values=dict(step))


def _end_frame(time: FloatArray, step: Mapping[str, Any], ic: int,
               slack: float | None = None) -> int:
    end = _nearest_frame(step.get("toe_off_s"), step.get("toe_off_frame"), time, slack)
    if end < 0:
        end = int(np.searchsorted(time, time[ic] + CONTACT_SHOW_S, side="right")) - 1
    return min(time.size - 1, max(ic, end))


def _stride_from_contacts(time: FloatArray, contacts: Sequence[Contact]) -> float | None:
    gaps = []
    for foot in ("left", "right"):
        t = np.array([time[c.ic_frame] for c in contacts if c.foot == foot])
        gaps.extend(np.diff(t).tolist())
    return float(np.median(gaps)) if gaps else None


def _live_cadence(time: FloatArray, ic_frames: Sequence[int]) -> FloatArray:
    """Return the cadence over the last few contacts at each frame (NaN before enough)."""
    k = LIVE_CADENCE_CONTACTS
    ic_times = np.sort(time[np.asarray(ic_frames, dtype=int)]) if ic_frames else np.empty(0)
    out = np.full(time.size, np.nan)
    if ic_times.size < k:
        return out
    last = np.searchsorted(ic_times, time, side="right") - 1
    ok = last >= k - 1
    span = ic_times[last[ok]] - ic_times[last[ok] - (k - 1)]
    out[ok] = np.where(span > 0, (k - 1) * 60.0 / np.where(span > 0, span, 1.0), np.nan)
    return out


def trailing_mean(time: FloatArray, values: FloatArray, window_s: float) -> FloatArray:
    """Return the mean of the finite values in the window ``(t - window_s, t]`` at each frame.

    See :func:`window_mean` (with ``after_s = 0``).
    """
    return window_mean(time, values, window_s, 0.0)


def window_mean(time: FloatArray, values: FloatArray, before_s: float,
                after_s: float) -> FloatArray:
    """Return the mean of the finite values in ``(t - before_s, t + after_s]`` at each time.

    Parameters
    ----------
    time
        Times in seconds, increasing, shape (T,).
    values
        Values, shape (T,); NaN values are ignored.
    before_s, after_s
        Window reach before and after each time, seconds (``after_s = 0``:
        a trailing "live" mean; equal reaches: a centred mean).

    Returns
    -------
    numpy.ndarray
        Shape (T,); NaN where fewer than half of the window's samples are
        finite.
    """
    finite = np.isfinite(values)
    csum = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    ccount = np.concatenate([[0], np.cumsum(finite)])
    end = np.searchsorted(time, time + after_s, side="right")
    start = np.searchsorted(time, time - before_s, side="right")
    start = np.minimum(start, np.arange(time.size))
    count = ccount[end] - ccount[start]
    samples = end - start
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (csum[end] - csum[start]) / count
    return np.where((count > 0) & (count * 2 >= samples), mean, np.nan)


def _row_values(spec: _RowSpec, time: FloatArray, series: Mapping[str, FloatArray],
                contacts: Sequence[Contact], period: float) -> FloatArray | None:
    if spec.source == "series":
        values = series.get(spec.key)
        if values is None or len(values) != time.size:
            return None
        return trailing_mean(time, np.asarray(values, dtype=np.float64), period)
    return _hold_last(time.size, contacts, _STEP_KEYS.get(spec.key, spec.key))


def _hold_last(n_frames: int, contacts: Sequence[Contact], key: str) -> FloatArray:
    """Return, per frame, the last finite per-step value at or before that frame.

    Of several contacts on one frame, the last in ``contacts`` order counts.
    """
    held = [(c.ic_frame, float(value)) for c in sorted(contacts, key=lambda c: c.ic_frame)
            if isinstance(value := c.values.get(key), int | float) and np.isfinite(value)]
    out = np.full(n_frames, np.nan)
    if not held:
        return out
    frames = np.array([f for f, _ in held])
    values = np.array([v for _, v in held])
    last = np.searchsorted(frames, np.arange(n_frames), side="right") - 1
    out[last >= 0] = values[last[last >= 0]]
    return out


def _row(key: str, label: str, values: FloatArray, unit: str, decimals: int,
         classify: Classifier) -> PanelRow:
    texts: list[str] = []
    statuses: list[str] = []
    cache: dict[str, str] = {}
    for v in values:
        if not np.isfinite(v):
            texts.append(f"–{unit}" if unit.startswith(" ") else "–")
            statuses.append("unknown")
            continue
        shown = round(float(v), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        text = f"{shown:.{decimals}f}{unit}"
        if text not in cache:
            cache[text] = classify(key, shown)
        texts.append(text)
        statuses.append(cache[text])
    return PanelRow(key=key, label=label, texts=tuple(texts), statuses=tuple(statuses))
