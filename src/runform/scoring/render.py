"""The terminal scorecard: a compact rich table, the top three cues and the health note."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"good": "green", "fair": "yellow", "poor": "bold red", "unknown": "dim"}


def render_scorecard(summary: dict[str, Any]) -> RenderableType:
    """Build the scorecard of a scored summary (from :func:`score_summary`).

    Parameters
    ----------
    summary
        A scored summary; unscored or partial summaries render too (missing
        fields show as blanks).

    Returns
    -------
    rich.console.RenderableType
        A group: the table (metric, value, typical range, status; metrics,
        then drift over the clip), the top three cues in order, and the
        health note once. Print it with ``rich.console.Console().print``.
    """
    raw_score = summary.get("score")
    score: dict[str, Any] = raw_score if isinstance(raw_score, dict) else {}
    overall = score.get("overall")
    title = (f"Running form score: {overall:.0f}/100" if isinstance(overall, int | float)
             else "Running form score: not given, too few metrics could be measured"
             + _coverage_words(score.get("coverage")))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Metric", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Typical range", overflow="fold")
    table.add_column("Status", no_wrap=True)
    _add_rows(table, summary.get("metrics"), "")
    _add_rows(table, summary.get("drift"), "over the clip: ")
    parts: list[RenderableType] = [Text(title, style="bold"), table,
                                   _cues(score.get("top_cues"))]
    note = summary.get("health_note")
    if isinstance(note, dict) and note.get("text"):
        parts.append(Text(f"Health note: {note['text']}", style="dim"))
    return Group(*parts)


def _coverage_words(coverage: Any) -> str:
    if isinstance(coverage, int | float) and not isinstance(coverage, bool):
        return f" ({coverage:.0%} of the weighted metrics)"
    return ""


def _add_rows(table: Table, section: Any, prefix: str) -> None:
    if not isinstance(section, dict):
        return
    for key, entry in section.items():
        if not isinstance(entry, dict) or entry.get("shown") is False:
            continue
        if entry.get("kind") == "unscored":
            continue
        label = entry.get("label") or key
        table.add_row(f"{prefix}{label}", str(entry.get("value_text") or "-"),
                      str(entry.get("typical_range") or ""), _status(entry))


def _status(entry: dict[str, Any]) -> Text:
    status = str(entry.get("status") or "unknown")
    if entry.get("kind") in ("descriptor", "category") and status == "good":
        return Text("not a fault", style="dim")
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _cues(cues: Any) -> RenderableType:
    text = Text()
    if not isinstance(cues, list) or not cues:
        return text
    text.append("Top things to work on\n", style="bold")
    for i, cue in enumerate(cues[:3], start=1):
        if not isinstance(cue, dict):
            continue
        style = "bold" if cue.get("kind") == "fault" else ""
        text.append(f"{i}. {cue.get('title', '')}: ", style=style)
        text.append(f"{cue.get('advice', '')}\n")
    return text
