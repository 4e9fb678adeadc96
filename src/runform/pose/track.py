"""The pose track: one runner's landmarks over time, built in one place.

Arrays are indexed ``[frame, landmark]``; landmarks are addressed by name via
:meth:`PoseTrack.xy`. Missing points are NaN. Coordinates are in pixels of the
upright frame (x right, y down); time is in seconds of real time (video time
divided by the slow-motion factor).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from runform.pose.schema import LANDMARK_INDEX, LANDMARK_NAMES

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class PoseTrack:
    """Landmarks of one person over a clip.

    Use :meth:`from_arrays` to build one; it validates shapes and dtypes.
    """

    time: FloatArray
    """Seconds from the first frame, shape (T,), strictly increasing."""
    position: FloatArray
    """Pixels (x right, y down), shape (T, 33, 2); NaN where not detected."""
    depth: FloatArray
    """MediaPipe's relative depth ``z`` scaled to pixels (smaller = nearer), shape (T, 33)."""
    visibility: FloatArray
    """MediaPipe's visibility score 0..1, shape (T, 33); NaN where not detected."""
    world: FloatArray
    """MediaPipe world landmarks in metres (hip-centred), shape (T, 33, 3)."""
    width: int
    """Frame width in pixels (upright)."""
    height: int
    """Frame height in pixels (upright)."""

    @classmethod
    def from_arrays(cls, time: npt.ArrayLike, position: npt.ArrayLike, *,
                    width: int, height: int, depth: npt.ArrayLike | None = None,
                    visibility: npt.ArrayLike | None = None,
                    world: npt.ArrayLike | None = None) -> PoseTrack:
        """Validate arrays and build a track.

        Parameters
        ----------
        time
            Seconds, shape (T,), strictly increasing.
        position
            Pixels, shape (T, 33, 2).
        width, height
            Frame size in pixels.
        depth, visibility, world
            Optional; default to NaN (depth, world) or 1 where a position
            exists (visibility).

        Raises
        ------
        ValueError
            If a shape does not match or time is not increasing.
        """
        t = np.asarray(time, dtype=np.float64)
        pos = np.asarray(position, dtype=np.float64)
        n = len(LANDMARK_NAMES)
        if t.ndim != 1:
            raise ValueError(f"Expected time of shape (T,), but got {t.shape}.")
        if pos.shape != (t.size, n, 2):
            raise ValueError(f"Expected position of shape ({t.size}, {n}, 2), "
                             f"but got {pos.shape}.")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("Expected strictly increasing time, but it is not.")
        missing = np.isnan(pos).any(axis=-1)
        dep = _or_nan(depth, (t.size, n))
        vis = _or_nan(visibility, (t.size, n)) if visibility is not None else np.where(
            missing, np.nan, 1.0)
        wld = _or_nan(world, (t.size, n, 3))
        return cls(time=t, position=pos, depth=dep, visibility=vis, world=wld,
                   width=int(width), height=int(height))

    def __len__(self) -> int:
        return int(self.time.size)

    def xy(self, name: str) -> FloatArray:
        """Pixel coordinates of one landmark over time, shape (T, 2)."""
        return self.position[:, _index(name)]

    def vis(self, name: str) -> FloatArray:
        """Visibility of one landmark over time, shape (T,)."""
        return self.visibility[:, _index(name)]

    def midpoint(self, left: str, right: str) -> FloatArray:
        """Mean position of two landmarks (e.g. both hips), shape (T, 2)."""
        return 0.5 * (self.xy(left) + self.xy(right))

    @property
    def detected(self) -> npt.NDArray[np.bool_]:
        """Frames where the person was detected (any landmark present)."""
        return np.asarray(~np.isnan(self.position).all(axis=(1, 2)), dtype=bool)

    @property
    def detection_rate(self) -> float:
        """Share of frames with the person detected, 0..1."""
        return float(self.detected.mean()) if len(self) else 0.0

    def with_position(self, position: FloatArray) -> PoseTrack:
        """Return a copy with new positions (same shape), e.g. after cleaning."""
        if position.shape != self.position.shape:
            raise ValueError(f"Expected position of shape {self.position.shape}, "
                             f"but got {position.shape}.")
        return replace(self, position=position)

    def subset(self, frames: npt.NDArray[np.bool_] | slice) -> PoseTrack:
        """Return the track restricted to some frames."""
        return replace(self, time=self.time[frames], position=self.position[frames],
                       depth=self.depth[frames], visibility=self.visibility[frames],
                       world=self.world[frames])


def _index(name: str) -> int:
    try:
        return LANDMARK_INDEX[name]
    except KeyError:
        raise KeyError(f"Unknown landmark {name!r}; expected one of {LANDMARK_NAMES}.") from None


def _or_nan(values: npt.ArrayLike | None, shape: tuple[int, ...]) -> FloatArray:
    if values is None:
        return np.full(shape, np.nan)
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"Expected an array of shape {shape}, but got {arr.shape}.")
    return arr
