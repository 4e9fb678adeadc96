"""Cadence: steps per minute from the initial-contact times."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from runform.gait.types import Step
from runform.metrics.base import FloatArray, MetricContext, confidence, measured, unmeasured
from runform.metrics.table import spec

KEY = "cadence_spm"
TOLERANCE_SPM = 0.5


@dataclass(frozen=True)
class StrideFit:
    """Least-squares stride period from contact times."""

    period_s: float
    """Stride period (one left + one right step), seconds."""
    standard_error_s: float
    """Standard error of the period, seconds (NaN with too few contacts)."""
    contacts: int
    """Contacts used."""
    strides: float
    """Strides spanned by the contacts (summed over feet)."""

    @property
    def cadence_spm(self) -> float:
        """Steps per minute: two steps per stride."""
        return 120.0 / self.period_s

    @property
    def cadence_se_spm(self) -> float:
        """Standard error of the cadence, steps per minute."""
        return 120.0 * self.standard_error_s / self.period_s**2


def fit_stride_period(steps: tuple[Step, ...], guess_s: float | None = None) -> StrideFit | None:
    """Fit the stride period to each foot's contact times (shared slope, own offset per foot).

    Each contact gets a stride number from its time (rounding by the
    period guess, so a missed contact leaves a gap instead of stretching a
    stride), then ``t = offset_foot + period * number`` is fitted by least
    squares. Fitting each foot separately cancels any constant left/right
    timing offset (e.g. the far foot's contact detected a little late).

    Parameters
    ----------
    steps
        Contacts of both feet.
    guess_s
        Stride period guess, seconds; by default the median interval
        between successive contacts of the same foot.

    Returns
    -------
    StrideFit or None
        None when no foot has two contacts.
    """
    by_foot = [np.array(sorted(s.ic_time for s in steps if s.foot == f))
               for f in ("left", "right")]
    by_foot = [t for t in by_foot if t.size >= 2]
    if not by_foot:
        return None
    guess = guess_s or float(np.median(np.concatenate([np.diff(t) for t in by_foot])))
    ks, ts = [], []
    for t in by_foot:
        k = np.round((t - t[0]) / guess)
        ks.append(k - k.mean())
        ts.append(t - t.mean())
    k_all, t_all = np.concatenate(ks), np.concatenate(ts)
    sxx = float(np.sum(k_all**2))
    if sxx == 0.0:
        return None
    period = float(np.sum(k_all * t_all) / sxx)
    dof = k_all.size - len(by_foot) - 1
    resid = t_all - period * k_all
    se = float(np.sqrt(np.sum(resid**2) / dof / sxx)) if dof > 0 else float("nan")
    span = float(sum(np.ptp(np.round(k)) for k in ks))
    return StrideFit(period, se, int(k_all.size), span)


def step_rates(steps: tuple[Step, ...]) -> FloatArray:
    """Instantaneous cadence per step: 60 / time to the next contact, steps per minute.

    NaN for the last step and where the next contact is of the same foot
    (a contact of the other foot was missed, so the interval spans two steps).
    """
    out = np.full(len(steps), np.nan)
    for i, (a, b) in enumerate(zip(steps[:-1], steps[1:], strict=False)):
        if a.foot != b.foot and b.ic_time > a.ic_time:
            out[i] = 60.0 / (b.ic_time - a.ic_time)
    return out


def measure_cadence(ctx: MetricContext) -> tuple[dict[str, Any], StrideFit | None]:
    """Build the ``cadence_spm`` entry and the stride fit behind it.

    Extras: ``stride_period_s``, ``standard_error`` (spm), ``contacts``.
    """
    fit = fit_stride_period(ctx.steps, ctx.stride_period_s)
    if fit is None or not np.isfinite(fit.period_s) or fit.period_s <= 0:
        return unmeasured(KEY, "Fewer than two contacts of the same foot were found.",
                          contacts=len(ctx.steps)), None
    se = fit.cadence_se_spm
    conf = confidence(steps=int(fit.strides // 2), fps=ctx.fps, full_fps=spec(KEY).full_fps,
                      spread=se if np.isfinite(se) else None, tolerance=TOLERANCE_SPM,
                      reliable=ctx.events_reliable)
    return measured(KEY, fit.cadence_spm, conf, stride_period_s=fit.period_s,
                    standard_error=se, contacts=fit.contacts), fit
