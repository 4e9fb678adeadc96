"""Render the four scoring regression clips into ``tests/data/scoring_clips/``.

Four side-view treadmill clips of the synthetic mannequin (``tools/synthrun``),
each with its exact truth JSON: good form, clear overstriding, a strong forward
lean that grows over the clip, and straight arms with a forward head. Each
faulty runner is the good runner with only its own fault, so a false alarm on
another metric is the pipeline's, not the clip's.
``tests/test_scoring_clips.py`` runs the real pipeline on them and checks that
the scoring separates them the way a coach would.

The fault sizes were checked with the real pipeline (lite model) before the
clips were committed: each fault reads clearly beyond its poor limit, and the
good clip has no flag. Rendering takes about two minutes per clip.

Usage::

    python tests/data/render_scoring_clips.py            # from the repository root
    python tests/data/render_scoring_clips.py lean       # one clip
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tools.synthrun import GaitParams, preset, render_clip  # noqa: E402
from tools.synthrun.camera import Facing  # noqa: E402

OUT = Path(__file__).resolve().parent / "scoring_clips"

WIDTH, HEIGHT, FPS, CRF = 640, 360, 60, 23


class Clip(NamedTuple):
    """One regression clip: gait, running direction, gait phase seed and length."""

    params: GaitParams
    facing: Facing
    seed: int
    duration_s: float


GOOD = preset("good_form")
"""Cadence 176 spm, lean 6 deg, foot 10 cm ahead with the knee bent 20 deg, elbows 90 deg."""

CLIPS: dict[str, Clip] = {
    "good_form": Clip(GOOD, "right", 1, 7.0),
    # The synthrun preset (152 spm, heel strike) landing further ahead: foot 40 cm
    # (0.51 leg lengths) ahead of the hips on a near-straight knee (5 deg), shin 28 deg.
    # With the preset's 35 cm / 7 deg the shin read 15 deg, only 3 deg past its poor
    # limit (MediaPipe reads the shin at contact more vertical than it is). The lean is
    # the good runner's 5 deg: the preset's 3 deg reads below 2 deg (fair, "very
    # upright"), which would add a posture flag to a clip meant to show one fault.
    "overstride": Clip(preset("overstride", foot_ahead_at_ic_cm=40.0, knee_flexion_at_ic_deg=5.0,
                              trunk_lean_deg=5.0), "left", 2, 7.0),
    # Lean from 14 deg at the start to 26 deg at the end (mean 20); the head stays in
    # line with the trunk on average (20 deg), so only the lean and its growth are faults.
    # 8 s gives each third of the clip enough steps for a confident drift; the others
    # are 7 s, so a missed contact still leaves the head and elbow (which need a
    # confidence of 0.5) enough strides.
    "growing_lean": Clip(dataclasses.replace(GOOD, trunk_lean_deg=20.0,
                                             trunk_lean_drift_deg=12.0,
                                             head_forward_deg=20.0), "right", 3, 8.0),
    # Elbows nearly straight (165 deg) and the head carried 30 deg forward of vertical
    # (24 deg ahead of the 6 deg trunk line).
    "arms_head": Clip(dataclasses.replace(GOOD, elbow_angle_deg=165.0, head_forward_deg=30.0),
                      "left", 4, 7.0),
}


def render(name: str) -> Path:
    """Render one clip (and its truth JSON) and return the video path."""
    clip = CLIPS[name]
    path = OUT / f"{name}.mp4"
    render_clip(clip.params, path, width=WIDTH, height=HEIGHT, fps=FPS,
                duration_s=clip.duration_s, facing=clip.facing,
                crf=CRF, seed=clip.seed)
    return path


def main(names: list[str]) -> None:
    """Render the named clips (all of them when none is named)."""
    unknown = sorted(set(names) - set(CLIPS))
    if unknown:
        raise SystemExit(f"Unknown clip(s) {unknown}; choose from {sorted(CLIPS)}.")
    OUT.mkdir(exist_ok=True)
    for name in names or list(CLIPS):
        path = render(name)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main(sys.argv[1:])
