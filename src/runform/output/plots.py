"""Small matplotlib charts for the HTML report, returned as ``data:`` URIs of SVG images.

Each chart shows one metric over the clip with its typical (good) range
shaded green and the fair margin amber, as judged by the scoring profile.
Figures are built with the object API (no pyplot global state), so this is
safe to call from worker processes.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]

INK = "#1d2433"
MUTED = "#8a93a6"
LINE = "#2f6fde"
GOOD = "#34c76e"
FAIR = "#f5b026"
GRID = "#e6e9ef"
PLOT_POINTS = 1600
"""Most points drawn per line: a chart is 640 px wide, so a 20-minute clip's 36,000 frames
are drawn as the lowest and highest value of each of 800 slices (its envelope)."""


@dataclass(frozen=True)
class PlotBand:
    """Typical (good) and fair limits of a metric; None = open on that side."""

    good_min: float | None = None
    good_max: float | None = None
    fair_min: float | None = None
    fair_max: float | None = None

    def limits(self) -> list[float]:
        """Every finite limit, for the axis range."""
        return [v for v in (self.good_min, self.good_max, self.fair_min, self.fair_max)
                if v is not None and math.isfinite(v)]


def bands_from_profile(profile: Any, speed_kmh: float | None) -> dict[str, PlotBand]:
    """Numeric bands of every metric rule of a :class:`runform.scoring.Profile`.

    Uses the pace band at ``speed_kmh`` where a rule has one; rules judged
    relative to another metric (head position) are left out, since their band
    is not in the metric's own units.
    """
    out: dict[str, PlotBand] = {}
    for key, rule in profile.rules.items():
        band, _ = rule.band_for(speed_kmh)
        if band is None or rule.relative_to:
            continue
        out[key] = PlotBand(band.good_min, band.good_max, band.fair_min, band.fair_max)
    return out


def series_chart(time: FloatArray, values: FloatArray, *, ylabel: str,
                 band: PlotBand | None = None, smooth: FloatArray | None = None,
                 points: bool = False,
                 xlim: tuple[float, float] | None = None) -> str | None:
    """Chart one metric over time and return it as a ``data:image/svg+xml`` URI.

    Parameters
    ----------
    time
        Seconds, shape (N,).
    values
        Values, shape (N,); NaN values are gaps.
    ylabel
        Axis label with the unit.
    band
        Typical and fair range to shade, if known.
    smooth
        A smoothed version of ``values`` drawn bold on top (e.g. a stride mean).
    points
        Draw ``values`` as dots joined by a thin line (per-step values)
        instead of a thin line only.
    xlim
        Time axis range (the whole clip, so that charts line up); defaults to
        the data's range.

    Returns
    -------
    str or None
        The data URI, or None when no value is finite.
    """
    t = np.asarray(time, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(y) & np.isfinite(t)
    if not finite.any():
        return None
    with matplotlib.rc_context({"svg.hashsalt": "runform", "svg.fonttype": "path",
                                "font.family": "DejaVu Sans", "font.size": 9.0}):
        fig = Figure(figsize=(6.4, 2.5), dpi=100)
        ax = fig.add_subplot()
        _style_axes(ax, ylabel)
        lo, hi = _value_range(y[finite], band, smooth)
        ax.set_ylim(lo, hi)
        x0, x1 = xlim or (float(t[finite].min()), float(t[finite].max()))
        ax.set_xlim(x0, max(x1, x0 + 1e-3))
        if band is not None:
            _shade(ax, band, lo, hi)
        if points:
            tp, yp = envelope(t[finite], y[finite])
            ax.plot(tp, yp, color=LINE, lw=1.0, alpha=0.5, zorder=3)
            ax.plot(tp, yp, "o", color=LINE, ms=3.2, zorder=4)
        else:
            ax.plot(*envelope(t, y), color=LINE, lw=0.8,
                    alpha=0.45 if smooth is not None else 1.0, zorder=3)
        if smooth is not None:
            ax.plot(*envelope(t, np.asarray(smooth, dtype=np.float64)), color=INK, lw=2.0,
                    zorder=5)
        fig.tight_layout(pad=0.4)
        return _svg_uri(fig)


def envelope(time: FloatArray, values: FloatArray,
             max_points: int = PLOT_POINTS) -> tuple[FloatArray, FloatArray]:
    """Thin a long series for drawing only: the lowest and highest value of each slice.

    Parameters
    ----------
    time, values
        Shape (N,); NaN values are gaps.
    max_points
        Series up to this long are returned unchanged; longer ones are cut
        into ``max_points // 2`` slices of consecutive samples, each drawn as
        its lowest and highest finite value in time order (a slice without
        one as a NaN gap), so peaks and gaps stay visible.

    Returns
    -------
    tuple of numpy.ndarray
        The times and values to draw.
    """
    n = time.size
    if n <= max_points:
        return time, values
    width = -(-n // max(max_points // 2, 1))
    slices = -(-n // width)
    pad = slices * width - n
    y = np.concatenate([values, np.full(pad, np.nan)]).reshape(slices, width)
    seen = np.isfinite(y)
    base = np.arange(slices)[:, None] * width
    lo = np.argmin(np.where(seen, y, np.inf), axis=1)[:, None]
    hi = np.argmax(np.where(seen, y, -np.inf), axis=1)[:, None]
    pick = base + np.sort(np.concatenate([lo, hi], axis=1), axis=1)
    empty = ~seen.any(axis=1)
    pick[empty] = base[empty]
    pick = np.minimum(pick, n - 1).ravel()
    out = values[pick].astype(np.float64)
    out[np.repeat(empty, 2)] = np.nan
    return time[pick], out


def _style_axes(ax: Any, ylabel: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=8.5, length=3)
    ax.grid(axis="y", color=GRID, lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel("time (s)", color=MUTED, fontsize=8.5)
    ax.set_ylabel(ylabel, color=INK, fontsize=9)


def _value_range(values: FloatArray, band: PlotBand | None,
                 smooth: FloatArray | None) -> tuple[float, float]:
    data = [float(np.min(values)), float(np.max(values))]
    if smooth is not None and np.isfinite(smooth).any():
        data += [float(np.nanmin(smooth)), float(np.nanmax(smooth))]
    lo, hi = min(data), max(data)
    if band is not None:
        good = [v for v in (band.good_min, band.good_max) if v is not None]
        lo, hi = min([lo, *good]), max([hi, *good])
    span = hi - lo if hi > lo else max(1.0, abs(hi) * 0.1)
    return lo - 0.12 * span, hi + 0.12 * span


def _shade(ax: Any, band: PlotBand, lo: float, hi: float) -> None:
    g0 = band.good_min if band.good_min is not None else lo
    g1 = band.good_max if band.good_max is not None else hi
    ax.axhspan(g0, g1, color=GOOD, alpha=0.14, lw=0, zorder=1)
    if band.fair_min is not None and band.good_min is not None:
        ax.axhspan(band.fair_min, band.good_min, color=FAIR, alpha=0.13, lw=0, zorder=1)
    if band.fair_max is not None and band.good_max is not None:
        ax.axhspan(band.good_max, band.fair_max, color=FAIR, alpha=0.13, lw=0, zorder=1)
    for edge in (band.good_min, band.good_max):
        if edge is not None:
            ax.axhline(edge, color=GOOD, lw=0.9, ls="--", zorder=2)


def _svg_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def steps_of(steps: Sequence[Mapping[str, Any]], key: str,
             foot: str | None = None) -> tuple[FloatArray, FloatArray]:
    """Return the times and values of one per-step key (NaN where missing), maybe one foot."""
    chosen = [s for s in steps if foot is None or s.get("foot") == foot]
    t = np.array([float(s.get("time_s") or np.nan) for s in chosen], dtype=np.float64)
    v = np.array([_float(s.get(key)) for s in chosen], dtype=np.float64)
    return t, v


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)
