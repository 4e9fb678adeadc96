import zipfile

import pytest

from runform.errors import ModelError
from runform.pose.models import resolve_model


@pytest.mark.parametrize("name", ["lite", "full"])
def test_bundled_models_are_found_without_a_path(name):
    model = resolve_model(name)
    assert model.name == name
    assert model.path.name == f"pose_landmarker_{name}.task"
    assert len(model.sha256) == 64
    with zipfile.ZipFile(model.path) as bundle:
        infos = {i.filename: i for i in bundle.infolist()}
    assert {"pose_detector.tflite", "pose_landmarks_detector.tflite"} <= set(infos)
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())


def test_corrupt_model_says_how_to_get_one(tmp_path):
    bad = tmp_path / "broken.task"
    bad.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ModelError, match="corrupt.*build_models.py"):
        resolve_model(str(bad))


def test_zip_without_the_two_models_is_rejected(tmp_path):
    odd = tmp_path / "odd.task"
    with zipfile.ZipFile(odd, "w") as bundle:
        bundle.writestr("readme.txt", "hi")
    with pytest.raises(ModelError, match="pose_detector.tflite"):
        resolve_model(str(odd))


def test_unknown_name_or_missing_path(tmp_path):
    with pytest.raises(ModelError, match="lite, full, heavy or a path"):
        resolve_model(str(tmp_path / "nothing.task"))
