"""Fetch the real-people demo clips of Sports2D and Pose2Sim into ``tests/data/external/``.

Both projects (BSD-3-Clause, copyright (c) 2022 perfanalytics) ship short demo
videos inside their PyPI wheels. This script downloads the two pinned wheels
with pip (no dependencies installed), checks each clip's SHA-256, and copies
the clips and both licences into ``tests/data/external/`` (ignored by git).
``tests/test_real_people.py`` skips when the clips are absent.

Usage::

    python tests/data/fetch_external.py          # from the repository root
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

EXTERNAL = Path(__file__).resolve().parent / "external"

WHEELS = {"sports2d": "0.8.34", "pose2sim": "0.10.49"}
"""Pinned versions: the clips (and their hashes) are those of these releases."""

CLIPS = {
    # local name: (project, member inside the wheel, sha256)
    "sports2d_demo.mp4": (
        "sports2d", "Sports2D/Demo/demo.mp4",
        "d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"),
    "pose2sim_single_cam01.mp4": (
        "pose2sim", "Pose2Sim/Demo_SinglePerson/videos/cam01.mp4",
        "cf4f2816c86bea4bfbea255333d8626ff32a3ecabdab8b0fb147cea9167fde3a"),
    "pose2sim_single_cam02.mp4": (
        "pose2sim", "Pose2Sim/Demo_SinglePerson/videos/cam02.mp4",
        "94ff87cf978b8406e8aa36ab3c5362e72848994e87652f0dc7a33c315e8e0442"),
}

LICENCES = {"sports2d": "LICENSE-sports2d-BSD-3-Clause.txt",
            "pose2sim": "LICENSE-pose2sim-BSD-3-Clause.txt"}


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(project: str, version: str, into: Path) -> Path:
    """Download one wheel with pip (``--no-deps``) and return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                    ":all:", "-d", str(into), f"{project}=={version}"], check=True)
    return next(into.glob(f"{project}-{version}-*.whl"))


def extract(wheel: Path, project: str) -> list[str]:
    """Copy the clips of ``project`` and its licence out of the wheel; return problems."""
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        licence = next(n for n in archive.namelist() if n.endswith("licenses/LICENSE"))
        (EXTERNAL / LICENCES[project]).write_bytes(archive.read(licence))
        for name, (owner, member, expected) in CLIPS.items():
            if owner != project:
                continue
            target = EXTERNAL / name
            with archive.open(member) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            got = sha256(target)
            if got != expected:
                problems.append(f"{name}: expected sha256 {expected}, got {got}")
    return problems


def main() -> int:
    """Fetch every clip; return a process exit code."""
    EXTERNAL.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for project, version in WHEELS.items():
            problems += extract(download(project, version, Path(tmp)), project)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"Clips in {EXTERNAL}: {', '.join(sorted(CLIPS))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
