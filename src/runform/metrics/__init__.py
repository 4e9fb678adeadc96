"""Running-form metrics computed from a cleaned pose track and its gait events.

One module per metric or small family; :mod:`runform.metrics.table` holds the
metric table as data. :func:`runform.measure.measure` runs them all.
"""

from runform.metrics.table import DRIFT_KEYS, METRIC_KEYS, METRICS, MetricSpec, spec

__all__ = ["DRIFT_KEYS", "METRICS", "METRIC_KEYS", "MetricSpec", "spec"]
