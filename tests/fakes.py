"""A fake pose estimator so pipeline tests run without MediaPipe."""

from __future__ import annotations

import numpy as np

from runform.pose import LANDMARK_NAMES, PersonPose

N = len(LANDMARK_NAMES)


class StaticPersonEstimator:
    """Returns the same standing person in every frame (or nobody if ``present`` is False)."""

    def __init__(self, present: bool = True) -> None:
        self.present = present
        self.calls: list[int] = []

    def detect(self, image: np.ndarray, time_ms: int) -> list[PersonPose]:
        self.calls.append(time_ms)
        if not self.present:
            return []
        h, w = image.shape[:2]
        pos = np.stack([np.full(N, w / 2), np.linspace(0.1 * h, 0.9 * h, N)], axis=-1)
        return [PersonPose(position=pos, depth=np.zeros(N), visibility=np.ones(N),
                           world=np.zeros((N, 3)))]

    def close(self) -> None:
        pass
