"""runform: check running form from a side-view treadmill video.

The public API is :func:`runform.analyze`, which returns an
:class:`runform.pipeline.Analysis`. Heavy modules are imported lazily so that
``import runform`` and ``runform --version`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from runform.config import AnalysisConfig
    from runform.pipeline import Analysis, analyze

__all__ = ["Analysis", "AnalysisConfig", "__version__", "analyze"]


def __getattr__(name: str) -> Any:
    """Import the public API on first use (PEP 562)."""
    if name in ("analyze", "Analysis"):
        from runform import pipeline

        return getattr(pipeline, name)
    if name == "AnalysisConfig":
        from runform.config import AnalysisConfig

        return AnalysisConfig
    raise AttributeError(f"module 'runform' has no attribute {name!r}")
