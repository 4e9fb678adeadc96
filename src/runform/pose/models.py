"""Find and check the MediaPipe Pose Landmarker model bundles (``.task`` files)."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from runform.errors import ModelError

MODEL_NAMES = ("lite", "full", "heavy")
_REQUIRED_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
_HOW_TO_GET = ("Rebuild the bundles with `python models/build_models.py` (see models/README.md) "
               "or pass --model PATH to a Pose Landmarker .task file.")


@dataclass(frozen=True)
class ModelFile:
    """A resolved model bundle."""

    name: str
    """``lite``, ``full``, ``heavy`` or ``custom``."""
    path: Path
    sha256: str

    def to_dict(self) -> dict[str, str]:
        """Return JSON-ready provenance."""
        return {"name": self.name, "path": str(self.path), "sha256": self.sha256}


def model_search_dirs() -> list[Path]:
    """Folders searched for ``pose_landmarker_<name>.task``, in order.

    The installed wheel carries the bundles in ``runform/_models``; an
    editable install (``pip install -e .``) finds them in the repository's
    ``models/`` folder.
    """
    package_dir = Path(__file__).resolve().parent.parent
    return [package_dir / "_models", package_dir.parent.parent / "models"]


def resolve_model(model: str) -> ModelFile:
    """Turn ``lite``/``full``/``heavy`` or a path into a checked model file.

    Raises
    ------
    ModelError
        If the file is missing or is not a valid Pose Landmarker bundle; the
        message says how to get one.
    """
    if model in MODEL_NAMES:
        name = model
        candidates = [d / f"pose_landmarker_{model}.task" for d in model_search_dirs()]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            raise ModelError(f"Expected the '{model}' pose model at {candidates[-1]}, but it is "
                             f"missing. {_HOW_TO_GET}")
    else:
        name, path = "custom", Path(model).expanduser()
        if not path.is_file():
            raise ModelError(f"Expected --model to be one of {', '.join(MODEL_NAMES)} or a "
                             f"path to a .task file, but {model!r} is neither. {_HOW_TO_GET}")
    _check_bundle(path)
    return ModelFile(name=name, path=path.resolve(), sha256=sha256_file(path))


def _check_bundle(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as bundle:
            members = set(bundle.namelist())
            bad = bundle.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"Expected a Pose Landmarker .task bundle (zip), but {path} is "
                         f"corrupt or unreadable ({exc}). {_HOW_TO_GET}") from exc
    if not members >= _REQUIRED_MEMBERS or bad is not None:
        raise ModelError(f"Expected {path} to hold {sorted(_REQUIRED_MEMBERS)} intact, but it "
                         f"holds {sorted(members)}. {_HOW_TO_GET}")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
