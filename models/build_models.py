"""Build MediaPipe Pose Landmarker ``.task`` bundles reproducibly.

mediapipe 1.x only offers the Tasks API and ships no model files, so the
``PoseLandmarker`` needs ``.task`` bundles.  This script rebuilds them from the
Apache-2.0 TFLite weights that Google published inside two registry packages:

* the ``mediapipe==0.10.21`` wheel from PyPI (``pose_detection.tflite`` and
  ``pose_landmark_full.tflite``), fetched with ``pip download``;
* the npm package ``@mediapipe/pose@0.5.1675469404``
  (``pose_landmark_{lite,full,heavy}.tflite``), fetched with ``npm pack``.

Every downloaded archive and every TFLite file taken from it is checked
against a pinned SHA-256.  TFLite metadata (input image normalisation, colour
space, tensor names) is then written with the metadata writer of mediapipe
0.10.21, and each bundle is written as a STORED (uncompressed), 4-byte-aligned
zip holding ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``
with fixed timestamps and permissions, so a rebuild gives the same bytes.

The script must run with a Python that has ``mediapipe==0.10.21`` installed
(1.x lacks the compiled metadata module), e.g.::

    python3.11 -m venv /work/mp021venv
    /work/mp021venv/bin/pip install mediapipe==0.10.21
    /work/mp021venv/bin/python models/build_models.py --variants lite full

``pip`` and ``npm`` must be on ``PATH`` (``pip`` is taken from the running
interpreter via ``python -m pip``).  The resulting bundles load in mediapipe
1.x with ``mediapipe.tasks.python.vision.PoseLandmarker``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

MEDIAPIPE_VERSION: Final = "0.10.21"
"""Version of the PyPI ``mediapipe`` wheel used for weights and metadata."""

WHEEL_NAME: Final = f"mediapipe-{MEDIAPIPE_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"
"""Exact wheel file fetched; pinned so that the checked SHA-256 is stable."""

WHEEL_SHA256: Final = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"

NPM_PACKAGE: Final = "@mediapipe/pose"
NPM_VERSION: Final = "0.5.1675469404"
NPM_TARBALL: Final = f"mediapipe-pose-{NPM_VERSION}.tgz"
NPM_SHA256: Final = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"

DETECTOR_MEMBER: Final = "mediapipe/modules/pose_detection/pose_detection.tflite"
DETECTOR_SHA256: Final = "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c"


@dataclass(frozen=True)
class LandmarkSource:
    """Where the landmark model of one variant comes from.

    Parameters
    ----------
    member : str
        Path of the ``.tflite`` file inside the npm tarball.
    sha256 : str
        Expected SHA-256 (hex) of that file.
    """

    member: str
    sha256: str


LANDMARK_SOURCES: Final[dict[str, LandmarkSource]] = {
    "lite": LandmarkSource(
        "package/pose_landmark_lite.tflite",
        "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    ),
    "full": LandmarkSource(
        "package/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    ),
    "heavy": LandmarkSource(
        "package/pose_landmark_heavy.tflite",
        "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
    ),
}
"""Landmark models per variant.  The npm ``full`` model is byte-identical to
the wheel's ``mediapipe/modules/pose_landmark/pose_landmark_full.tflite``."""

EXPECTED_TASK_SHA256: Final[dict[str, str]] = {
    "lite": "9a806a40da711960112f953d0047abf6848ef54b7da0be42fa6ed003794d8828",
    "full": "71e10f7dcee633dbbc483234957b174b278e47582acaf8698fda8c13cdba1af5",
    "heavy": "49d63222839473be73f17debbcb0b3c3d7199b6c4f99fc59607c7f254164e673",
}
"""Reference digests of the bundles built by this script (see README.md)."""

DETECTOR_NAME: Final = "pose_detector.tflite"
LANDMARKS_NAME: Final = "pose_landmarks_detector.tflite"

ZIP_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
"""Fixed timestamp for zip entries (the earliest DOS date) for determinism."""

ZIP_ALIGNMENT: Final = 4
"""Alignment of stored file data, as in mediapipe's own bundle writer."""

LANDMARK_OUTPUTS: Final = (
    ("landmarks", "33 pose landmarks, 5 values each (x, y, z, visibility, presence)."),
    ("pose flag", "Score that a pose is present in the region of interest."),
    ("segmentation", "Raw person segmentation mask."),
    ("heatmap", "Heatmap used to refine landmark positions."),
    ("world landmarks", "33 pose landmarks in metric world coordinates (x, y, z)."),
)
"""Output tensors of the landmark models, in model order."""


class BuildError(RuntimeError):
    """Raised when an input cannot be fetched or fails verification."""


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of ``data``.

    Parameters
    ----------
    data : bytes
        Bytes to hash.

    Returns
    -------
    str
        Lower-case hexadecimal digest.
    """
    return hashlib.sha256(data).hexdigest()


def check_sha256(data: bytes, expected: str, what: str) -> bytes:
    """Verify the SHA-256 of ``data`` and return ``data`` unchanged.

    Parameters
    ----------
    data : bytes
        Bytes to verify.
    expected : str
        Expected hexadecimal digest.
    what : str
        Human-readable name used in the error message.

    Returns
    -------
    bytes
        ``data``, for chaining.

    Raises
    ------
    BuildError
        If the digest differs.
    """
    actual = sha256_hex(data)
    if actual != expected:
        raise BuildError(f"SHA-256 mismatch for {what}: expected {expected}, got {actual}")
    return data


def _run(cmd: list[str], cwd: Path) -> None:
    """Run a command, raising `BuildError` with its output on failure.

    Parameters
    ----------
    cmd : list of str
        Command and arguments.
    cwd : pathlib.Path
        Working directory.

    Raises
    ------
    BuildError
        If the command cannot be started or exits non-zero.
    """
    print("+ " + " ".join(cmd), file=sys.stderr)
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BuildError(f"cannot run {cmd[0]!r}: {exc}") from exc
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")


def fetch_wheel(download_dir: Path) -> bytes:
    """Fetch the pinned mediapipe wheel with ``pip download``.

    A wheel already present in ``download_dir`` with the pinned digest is
    reused, so the build can be repeated offline.

    Parameters
    ----------
    download_dir : pathlib.Path
        Directory where the wheel is stored.

    Returns
    -------
    bytes
        Verified contents of the wheel.
    """
    path = download_dir / WHEEL_NAME
    if not (path.is_file() and sha256_hex(path.read_bytes()) == WHEEL_SHA256):
        _run(
            [
                sys.executable, "-m", "pip", "download",
                f"mediapipe=={MEDIAPIPE_VERSION}",
                "--no-deps", "--only-binary=:all:",
                "--platform", "manylinux_2_28_x86_64",
                "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                "--dest", str(download_dir),
            ],
            cwd=download_dir,
        )  # fmt: skip
    if not path.is_file():
        raise BuildError(f"pip download did not produce {path}")
    return check_sha256(path.read_bytes(), WHEEL_SHA256, WHEEL_NAME)


def fetch_npm_tarball(download_dir: Path) -> bytes:
    """Fetch the pinned ``@mediapipe/pose`` tarball with ``npm pack``.

    A tarball already present in ``download_dir`` with the pinned digest is
    reused.

    Parameters
    ----------
    download_dir : pathlib.Path
        Directory where the tarball is stored.

    Returns
    -------
    bytes
        Verified contents of the ``.tgz`` file.
    """
    path = download_dir / NPM_TARBALL
    if not (path.is_file() and sha256_hex(path.read_bytes()) == NPM_SHA256):
        _run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}"], cwd=download_dir)
    if not path.is_file():
        raise BuildError(f"npm pack did not produce {path}")
    return check_sha256(path.read_bytes(), NPM_SHA256, NPM_TARBALL)


def read_zip_member(archive: bytes, member: str, expected_sha256: str) -> bytes:
    """Read and verify one file from a zip archive (such as a wheel).

    Parameters
    ----------
    archive : bytes
        The zip archive.
    member : str
        Path of the file inside the archive.
    expected_sha256 : str
        Expected digest of the file.

    Returns
    -------
    bytes
        Verified file contents.
    """
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        data = zf.read(member)
    return check_sha256(data, expected_sha256, member)


def read_tar_member(archive: bytes, member: str, expected_sha256: str) -> bytes:
    """Read and verify one regular file from a gzipped tar archive.

    Parameters
    ----------
    archive : bytes
        The ``.tgz`` archive.
    member : str
        Path of the file inside the archive.
    expected_sha256 : str
        Expected digest of the file.

    Returns
    -------
    bytes
        Verified file contents.

    Raises
    ------
    BuildError
        If the member is missing or not a regular file.
    """
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tf:
        info = tf.getmember(member)
        fileobj = tf.extractfile(info) if info.isfile() else None
        if fileobj is None:
            raise BuildError(f"{member} is not a regular file in the npm tarball")
        data = fileobj.read()
    return check_sha256(data, expected_sha256, member)


def add_metadata(
    model: bytes,
    *,
    name: str,
    description: str,
    mean: float,
    std: float,
    outputs: tuple[tuple[str, str], ...],
) -> bytes:
    """Write TFLite metadata describing an RGB image input.

    Any metadata already in ``model`` is replaced.

    Parameters
    ----------
    model : bytes
        TFLite flatbuffer.
    name, description : str
        General model information.
    mean, std : float
        Input normalisation: the model sees ``(pixel - mean) / std``.
    outputs : tuple of (str, str)
        Name and description of each output tensor, in model order.

    Returns
    -------
    bytes
        TFLite flatbuffer with metadata.
    """
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, description)
    writer.add_image_input(
        norm_mean=[mean],
        norm_std=[std],
        color_space_type=metadata_writer.MetadataWriter.color_space_types.RGB,
    )
    for out_name, out_description in outputs:
        writer.add_feature_output(name=out_name, description=out_description)
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


def detector_with_metadata(raw: bytes) -> bytes:
    """Return the pose detector with correct metadata.

    The wheel's copy carries metadata copied from a face detector (name
    "Full Range Face Detection"); it is replaced by an accurate description
    with the same normalisation (mean 127.5, std 127.5, i.e. input in [-1, 1]).

    Parameters
    ----------
    raw : bytes
        ``pose_detection.tflite`` from the wheel.

    Returns
    -------
    bytes
        Detector model with metadata.
    """
    return add_metadata(
        raw,
        name="BlazePose Detector",
        description="Detects people (face box and body alignment keypoints) in a 224x224 image.",
        mean=127.5,
        std=127.5,
        outputs=(
            ("raw boxes/keypoints", "Undecoded person boxes and keypoints."),
            ("scores", "Scores of the detected boxes."),
        ),
    )


def landmarks_with_metadata(raw: bytes, variant: str) -> bytes:
    """Return a landmark model with metadata (mean 0, std 255: input in [0, 1]).

    Parameters
    ----------
    raw : bytes
        ``pose_landmark_<variant>.tflite`` from the npm package.
    variant : str
        ``"lite"``, ``"full"`` or ``"heavy"``.

    Returns
    -------
    bytes
        Landmark model with metadata.
    """
    return add_metadata(
        raw,
        name=f"BlazePose GHUM 3D ({variant})",
        description="Predicts 33 pose landmarks in a 256x256 crop around a person.",
        mean=0.0,
        std=255.0,
        outputs=LANDMARK_OUTPUTS,
    )


def _alignment_extra(offset: int, name: bytes) -> bytes:
    """Build a zip extra field that aligns the following file data.

    Uses the layout of Android ``zipalign``'s alignment field (header ID
    ``0xD935``: a 2-byte alignment value followed by zero padding), which zip
    readers skip as an unknown field.

    Parameters
    ----------
    offset : int
        Offset of the entry's local file header in the archive.
    name : bytes
        Encoded entry name.

    Returns
    -------
    bytes
        Extra field such that the file data starts at a multiple of
        `ZIP_ALIGNMENT`.
    """
    fixed = 30 + len(name) + 6  # local header + name + minimal extra field
    pad = -(offset + fixed) % ZIP_ALIGNMENT
    return struct.pack("<HHH", 0xD935, 2 + pad, ZIP_ALIGNMENT) + b"\0" * pad


def write_bundle(files: dict[str, bytes], path: Path) -> None:
    """Write a deterministic, STORED, aligned zip (a ``.task`` bundle).

    Entries are written in the given order with a fixed timestamp and
    permissions.  The file data of each entry starts at a multiple of
    `ZIP_ALIGNMENT` bytes, as in mediapipe's own bundle writer, so models can
    be mapped in place.

    Parameters
    ----------
    files : dict of str to bytes
        Entry name to contents.
    path : pathlib.Path
        Output file; replaced atomically.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, so external_attr holds mode bits.
            info.external_attr = 0o100644 << 16
            # The local header of this entry starts where the previous one ended.
            info.extra = _alignment_extra(buf.tell(), name.encode("ascii"))
            zf.writestr(info, data)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(path)


def check_bundle(path: Path, files: dict[str, bytes]) -> None:
    """Re-read a written bundle and check its layout and contents.

    Parameters
    ----------
    path : pathlib.Path
        Bundle to check.
    files : dict of str to bytes
        Expected entries.

    Raises
    ------
    BuildError
        If an entry is compressed, misaligned or differs from ``files``.
    """
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if [i.filename for i in infos] != list(files):
            raise BuildError(f"{path}: unexpected entries {zf.namelist()}")
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                raise BuildError(f"{path}: {info.filename} is compressed")
            # Local header: 30 fixed bytes + name + extra field.
            name_len = int.from_bytes(
                raw[info.header_offset + 26 : info.header_offset + 28], "little"
            )
            extra_len = int.from_bytes(
                raw[info.header_offset + 28 : info.header_offset + 30], "little"
            )
            data_offset = info.header_offset + 30 + name_len + extra_len
            if data_offset % ZIP_ALIGNMENT:
                raise BuildError(f"{path}: {info.filename} data is not aligned")
            if raw[data_offset : data_offset + info.file_size] != files[info.filename]:
                raise BuildError(f"{path}: {info.filename} content differs")


def check_mediapipe_version() -> None:
    """Make sure the metadata writer of mediapipe 0.10.21 is importable.

    Raises
    ------
    BuildError
        If mediapipe is missing or another version is installed.
    """
    try:
        import mediapipe
    except ImportError as exc:
        raise BuildError(
            f"mediapipe=={MEDIAPIPE_VERSION} is required: run this script with the "
            "Python of a venv where `pip install mediapipe==0.10.21` was done"
        ) from exc
    version = getattr(mediapipe, "__version__", "?")
    if version != MEDIAPIPE_VERSION:
        raise BuildError(
            f"mediapipe {version} found, but {MEDIAPIPE_VERSION} is required "
            "(its metadata writer is used; other versions may write other bytes)"
        )


def build(variants: list[str], out_dir: Path, download_dir: Path) -> dict[str, str]:
    """Fetch, verify and bundle the requested variants.

    Parameters
    ----------
    variants : list of str
        Variants to build (subset of ``lite``, ``full``, ``heavy``).
    out_dir : pathlib.Path
        Directory for ``pose_landmarker_<variant>.task``.
    download_dir : pathlib.Path
        Directory holding (or receiving) the downloaded packages.

    Returns
    -------
    dict of str to str
        SHA-256 of each written bundle, by variant.
    """
    check_mediapipe_version()
    wheel = fetch_wheel(download_dir)
    npm_tgz = fetch_npm_tarball(download_dir)
    detector = detector_with_metadata(read_zip_member(wheel, DETECTOR_MEMBER, DETECTOR_SHA256))
    out_dir.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for variant in variants:
        source = LANDMARK_SOURCES[variant]
        landmarks = landmarks_with_metadata(
            read_tar_member(npm_tgz, source.member, source.sha256), variant
        )
        files = {DETECTOR_NAME: detector, LANDMARKS_NAME: landmarks}
        path = out_dir / f"pose_landmarker_{variant}.task"
        write_bundle(files, path)
        check_bundle(path, files)
        digests[variant] = sha256_hex(path.read_bytes())
    return digests


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line arguments.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    argparse.Namespace
        ``variants``, ``out``, ``download_dir`` and ``strict``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=sorted(LANDMARK_SOURCES),
        default=["lite", "full"],
        help="variants to build (default: lite full)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="output directory (default: the directory of this script)",
    )
    parser.add_argument(
        "--download-dir",
        type=Path,
        default=None,
        help="keep downloads here and reuse verified ones (default: a temporary directory)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if a bundle differs from the reference SHA-256",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.
    """
    args = parse_args(argv)
    variants = list(dict.fromkeys(args.variants))
    try:
        if args.download_dir is None:
            with tempfile.TemporaryDirectory(prefix="runform-models-") as tmp:
                digests = build(variants, args.out, Path(tmp))
        else:
            args.download_dir.mkdir(parents=True, exist_ok=True)
            digests = build(variants, args.out, args.download_dir.resolve())
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    status = 0
    for variant, digest in digests.items():
        expected = EXPECTED_TASK_SHA256[variant]
        verdict = "matches reference" if digest == expected else "DIFFERS from reference"
        if digest != expected and args.strict:
            status = 1
        print(f"{digest}  pose_landmarker_{variant}.task  ({verdict})")
    return status


if __name__ == "__main__":
    sys.exit(main())
