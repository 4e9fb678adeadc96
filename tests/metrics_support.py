"""Helpers for the metric tests: true gait events and truth at contact from synthetic runs."""

from __future__ import annotations

import numpy as np

from runform.gait.types import CleanedTrack, GaitEvents, Step
from runform.measure import Measurement, measure_cleaned
from runform.pose.schema import LANDMARK_INDEX
from tests.synthetic_tracks import SyntheticRun, synthetic_run


def true_events(run: SyntheticRun, *, ic_shift_s: float = 0.0) -> GaitEvents:
    """The run's exact contacts as GaitEvents (optionally shifted in time)."""
    t = run.track.time
    steps = []
    for c in run.contacts:
        ic, to = c.ic_time + ic_shift_s, c.to_time
        steps.append(Step(foot=c.foot, ic_time=ic, ic_frame=int(np.argmin(abs(t - ic))),
                          to_time=to, to_frame=int(np.argmin(abs(t - to)))))
    return GaitEvents(steps=tuple(steps), stride_period_s=run.stride_period_s, reliable=True)


def cleaned_of(run: SyntheticRun) -> CleanedTrack:
    """The run's track as if cleaned (no cleaning applied), with its true facing and view."""
    return CleanedTrack(track=run.track, facing=run.facing, view=run.view)  # type: ignore[arg-type]


def measure_run(run: SyntheticRun, *, scale: bool = True, speed_kmh: float | None = None,
                events: GaitEvents | None = None) -> Measurement:
    """Measure a synthetic run with its true events and (optionally) its true scale."""
    return measure_cleaned(cleaned_of(run), events or true_events(run),
                           px_per_cm=run.px_per_cm if scale else None,
                           leg_length_px=run.leg_length_px, speed_kmh=speed_kmh)


def clean_point(run: SyntheticRun, name: str, t: float) -> np.ndarray:
    """Noise-free position of a landmark at time ``t`` (interpolated), pixels."""
    p = run.clean_position[:, LANDMARK_INDEX[name]]
    return np.array([np.interp(t, run.track.time, p[:, 0]), np.interp(t, run.track.time, p[:, 1])])


def exact_run(**kwargs: object) -> SyntheticRun:
    """A run whose contacts fall exactly on frames: 150 spm (0.8 s stride), 100 fps.

    No perspective shrink, so the far side coincides with the near side.
    """
    params: dict = {"cadence_spm": 150.0, "fps": 100.0, "duration_s": 12.0, "first_ic_s": 0.1,
                    "perspective": 0.0}
    params.update(kwargs)
    return synthetic_run(**params)
