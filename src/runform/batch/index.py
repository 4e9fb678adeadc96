"""``index.html`` of a batch: the squad's distribution plot and a sortable table.

The page is self-contained (inline CSS, script and plot), so it can be mailed
or opened from a USB stick; each clip links to its own ``report.html`` by a
relative link, so the output folder can be moved as a whole.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import matplotlib
import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from runform.batch.table import COLUMNS, PLOT_METRICS, Column
from runform.output.atomic import write_text

_TABLE_KEYS = ("status", "duration_s", "cadence_spm", "trunk_lean_deg", "foot_ahead_of_hip_cm",
               "foot_ahead_of_hip_leg", "foot_strike", "score", "detection_rate")
"""Columns shown in the HTML table after the clip name (errors and warnings follow)."""
_STRIKE_ORDER = ("rearfoot", "midfoot", "forefoot")


def write_index(path: Path, header: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Render ``index.html`` atomically from the batch header and table rows."""
    env = Environment(loader=PackageLoader("runform.batch", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)
    by_key = {c.key: c for c in COLUMNS}
    html = env.get_template("index.html.j2").render(
        header=header, rows=rows, columns=[by_key[k] for k in _TABLE_KEYS],
        plot=squad_plot(rows), href=href, cell=cell)
    write_text(path, html)


def href(relative: str) -> str:
    """URL-quote a relative path (spaces, ``#``, non-ASCII) for a link."""
    return quote(relative, safe="/")


def cell(row: dict[str, Any], column: Column) -> str:
    """Format one table cell (empty when there is no value)."""
    value = row.get(column.key)
    if value is None or value == "":
        return ""
    if column.key == "detection_rate":
        return f"{value:.0%}"
    if isinstance(value, float) and column.digits is not None:
        return f"{value:.{column.digits}f}"
    return str(value)


def squad_plot(rows: list[dict[str, Any]]) -> str:
    """Return the squad distribution plot as an SVG ``data:`` URI ("" when there is no data).

    See :func:`squad_figure`.
    """
    fig = squad_figure(rows)
    if fig is None:
        return ""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: small and crisp
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def squad_figure(rows: list[dict[str, Any]]) -> Figure | None:
    """Plot the distribution of the main metrics over the analysed clips.

    One small panel per metric that at least one analysed clip has: every
    clip is a dot (jittered vertically), the red line is the squad median.
    Foot strike is shown as counts per class. ``None`` when no clip has data.
    """
    done = [r for r in rows if r["status"] in ("ok", "skipped")]
    numeric = {k: [float(r[k]) for r in done if isinstance(r.get(k), int | float)]
               for k in PLOT_METRICS}
    panels = [k for k, values in numeric.items() if values]
    strikes = Counter(str(r["foot_strike"]) for r in done if r.get("foot_strike"))
    count = len(panels) + bool(strikes)
    if count == 0:
        return None
    fig = Figure(figsize=(2.3 * count, 1.7), layout="constrained")
    axes = fig.subplots(1, count, squeeze=False)[0]
    rng = np.random.default_rng(0)
    by_key = {c.key: c for c in COLUMNS}
    for ax, key in zip(axes, panels, strict=False):
        values = np.asarray(numeric[key])
        ax.scatter(values, rng.uniform(-0.3, 0.3, values.size), s=14, alpha=0.7,
                   color="#1f6feb", linewidths=0)
        ax.axvline(float(np.median(values)), color="#d1242f", linewidth=1.2)
        column = by_key[key]
        ax.set_title(f"{column.label} ({column.unit}), n={values.size}", fontsize=8)
        _tidy(ax, values)
    if strikes:
        _strike_bars(axes[-1], strikes)
    return fig


def _strike_bars(ax: Any, strikes: Counter[str]) -> None:
    names = [n for n in _STRIKE_ORDER if n in strikes]
    names += sorted(set(strikes) - set(_STRIKE_ORDER))
    ax.barh(names, [strikes[n] for n in names], color="#1f6feb")
    ax.set_title(f"Foot strike, n={sum(strikes.values())}", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.invert_yaxis()


def _tidy(ax: Any, values: np.ndarray) -> None:
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    span = float(np.ptp(values)) or max(abs(float(values[0])) * 0.1, 1.0)
    ax.set_xlim(float(values.min()) - 0.15 * span, float(values.max()) + 0.15 * span)
    ax.tick_params(labelsize=7)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
