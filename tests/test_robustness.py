"""Robustness: every bad input gets a clear answer, nothing is lost (issue 7).

The bad-input corpus is generated here, in ``tmp_path``: files are written with
PyAV, then truncated, corrupted or re-tagged; no binaries live in git. Each
case goes through the real command line (``typer.testing.CliRunner`` on
``runform.cli.app``, and the installed ``runform`` script in a subprocess for
a few) and must end with exit code 1, one ``error:`` line naming the problem,
no traceback and no result file. MediaPipe is replaced by fake estimators
except in the tests marked ``slow``.

Tests marked ``xfail(strict=True)`` describe behaviour that needs a change
outside the reader (pipeline, results, metrics): they flip to failures, on
purpose, the day the change lands, so the marker can be removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from runform.cli import app
from runform.config import AnalysisConfig
from runform.errors import OutputError, VideoReadError
from runform.pipeline import analyze
from runform.pose import LANDMARK_NAMES, PersonPose
from runform.pose.track import PoseTrack
from runform.video.reader import MIN_DAMAGED_S, ReadReport, iter_frames, probe_video
from tests.fakes import StaticPersonEstimator
from tests.synthetic_tracks import synthetic_run

runner = CliRunner()
RUNFORM = Path(sys.executable).with_name("runform")
N = len(LANDMARK_NAMES)

# --------------------------------------------------------------------------- corpus


def encode(path: Path, n_frames: int, *, fps: int = 30, size: tuple[int, int] = (64, 48),
           fmt: str = "mp4", codec: str = "libx264", faststart: bool = False,
           noise: bool = False, times: Sequence[float] | None = None, seed: int = 0) -> Path:
    """Write a small clip with PyAV; ``noise`` makes every frame a big packet.

    ``faststart`` puts the MP4 index (moov) first, as many phones and editors
    do, so a truncated file still opens; without it the index comes last and a
    truncated file has none. ``times`` (seconds) overrides the constant rate.
    """
    w, h = size
    rng = np.random.default_rng(seed)
    options = {"movflags": "faststart"} if faststart else {}
    tb = 90_000
    with av.open(str(path), "w", format=fmt, options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "g": "15"}
            stream.time_base = stream.codec_context.time_base = Fraction(1, tb)
        if n_frames == 0:
            container.start_encoding()
        still = np.full((h, w, 3), 90, np.uint8)
        for i in range(n_frames):
            img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8) if noise else still
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            t = times[i] if times is not None else i / fps
            frame.pts = int(round(t * tb)) if codec == "libx264" else i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_audio(path: Path, codec: str, fmt: str) -> Path:
    """Write half a second of silence as an audio-only file."""
    rate = 44_100 if codec != "pcm_s16le" else 8_000
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        layout, sample_fmt = "mono", stream.codec_context.format.name
        chunk = stream.codec_context.frame_size or 1024
        for i in range(max(1, rate // 2 // chunk)):
            dtype = {"s16": np.int16, "s16p": np.int16, "s32p": np.int32}.get(sample_fmt,
                                                                              np.float32)
            data = np.zeros((1, chunk), dtype=dtype)
            frame = av.AudioFrame.from_ndarray(data, format=sample_fmt, layout=layout)
            frame.sample_rate, frame.pts = rate, i * chunk
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_image(path: Path, fmt: str) -> Path:
    """Write one still picture (PNG or JPEG) with PyAV's image encoders."""
    codec = {"png": "png", "jpeg": "mjpeg"}[fmt]
    muxer = {"png": "image2", "jpeg": "image2"}[fmt]
    with av.open(str(path), "w", format=muxer) as container:
        stream = container.add_stream(codec, rate=1)
        stream.width, stream.height = 64, 48
        stream.pix_fmt = "rgb24" if fmt == "png" else "yuvj420p"
        img = np.zeros((48, 64, 3), np.uint8)
        img[10:20] = 200
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def retag(path: Path, out: Path, fourcc: bytes) -> Path:
    """Copy an MP4, replacing its video sample entry's codec tag (FFmpeg sees another codec)."""
    data = bytearray(path.read_bytes())
    entry = data.find(b"avc1", data.find(b"stsd"))
    assert entry > 0
    data[entry:entry + 4] = fourcc
    out.write_bytes(bytes(data))
    return out


def truncate(path: Path, out: Path, share: float) -> Path:
    """Keep the first ``share`` of the bytes, as a copy interrupted mid-way would."""
    data = path.read_bytes()
    out.write_bytes(data[: int(len(data) * share)])
    return out


def corrupt(path: Path, out: Path, start: float, stop: float, seed: int = 1) -> Path:
    """Overwrite bytes ``start..stop`` (shares of the size) with random garbage."""
    data = bytearray(path.read_bytes())
    a, b = int(len(data) * start), int(len(data) * stop)
    data[a:b] = np.random.default_rng(seed).integers(0, 256, b - a, dtype=np.uint8).tobytes()
    out.write_bytes(bytes(data))
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def result_files(out: Path) -> list[str]:
    """Every file in a result folder, hidden partial files included."""
    return sorted(p.name for p in out.rglob("*") if p.is_file()) if out.exists() else []


# --------------------------------------------------------------------------- fakes


class ReplayEstimator:
    """Replays a prepared pose track: frame at ``time_ms`` gets the nearest row (or nobody)."""

    def __init__(self, track: PoseTrack, extra: Callable[[int], list[PersonPose]] | None = None,
                 ) -> None:
        self.track = track
        self.extra = extra
        self.calls = 0
        self._time_ms = track.time * 1000.0

    def detect(self, image: np.ndarray, time_ms: int) -> list[PersonPose]:
        t = self.track
        i = int(np.clip(np.searchsorted(self._time_ms, time_ms - 0.5), 0, len(t) - 1))
        self.calls += 1
        people = []
        if np.isfinite(t.position[i]).any():
            people.append(PersonPose(position=t.position[i], depth=t.depth[i],
                                     visibility=t.visibility[i], world=t.world[i]))
        if self.extra is not None:
            people += self.extra(i)
        return people

    def close(self) -> None:
        pass


def clip_for(track: PoseTrack, path: Path) -> Path:
    """A blank clip with the track's frame size and exactly its frame times."""
    return encode(path, len(track), size=(track.width, track.height), times=list(track.time))


@pytest.fixture
def fake_mediapipe(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the CLI's pipeline use a fake estimator instead of MediaPipe."""

    def install(factory: Callable[[], object] = StaticPersonEstimator) -> None:
        monkeypatch.setattr("runform.pipeline.MediaPipePoseEstimator",
                            lambda *args, **kwargs: factory())

    install()
    return install


# --------------------------------------------------------------------------- checks


def one_line_error(result, *, code: int = 1) -> str:
    """Assert a clean failure and return the one stderr line."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert result.stdout.strip() == ""
    return lines[0]


def run_cli(video: Path, out: Path, *extra: str):
    return runner.invoke(app, ["analyze", str(video), "--out", str(out), "--no-video", *extra])


# --------------------------------------------------------------------------- bad inputs

BadInput = Callable[[Path], Path]


def _missing(d: Path) -> Path:
    return d / "missing.mp4"


def _folder(d: Path) -> Path:
    (d / "a folder.mp4").mkdir()
    return d / "a folder.mp4"


def _fifo(d: Path) -> Path:
    os.mkfifo(d / "pipe.mp4")  # opening it for reading would block forever
    return d / "pipe.mp4"


def _empty(d: Path) -> Path:
    (d / "empty.mp4").write_bytes(b"")
    return d / "empty.mp4"


def _text(d: Path) -> Path:
    (d / "notes.mp4").write_text("My run today: 10 km in 52 min.\n" * 50, encoding="utf-8")
    return d / "notes.mp4"


def _text_nfo(d: Path) -> Path:
    # FFmpeg's "tty" demuxer renders .nfo/.asc text as a one-frame ANSI-art video.
    (d / "readme.nfo").write_text("hello\n" * 30, encoding="utf-8")
    return d / "readme.nfo"


def _random_bytes(d: Path) -> Path:
    (d / "noise.mp4").write_bytes(np.random.default_rng(3).bytes(20_000))
    return d / "noise.mp4"


def _png(d: Path) -> Path:
    return write_image(d / "photo.png", "png")


def _jpeg_named_mp4(d: Path) -> Path:
    src = write_image(d / "photo.jpg", "jpeg")
    return src.rename(d / "photo.mp4")


def _aac(d: Path) -> Path:
    return write_audio(d / "voice.m4a", "aac", "mp4")


def _mp3(d: Path) -> Path:
    return write_audio(d / "song.mp3", "libmp3lame", "mp3")


def _wav(d: Path) -> Path:
    return write_audio(d / "beep.wav", "pcm_s16le", "wav")


def _truncated_no_index(d: Path) -> Path:
    # A phone recording cut off before it was finished: the MP4 index is never written.
    full = encode(d / "full.mp4", 90, noise=True)
    return truncate(full, d / "cut.mp4", 0.6)


def _truncated_to_a_fragment(d: Path) -> Path:
    full = encode(d / "full.mp4", 90, noise=True, faststart=True)
    data = full.read_bytes()
    keep = data.find(b"mdat") + 4 * 1024  # the index and about two frames
    (d / "fragment.mp4").write_bytes(data[:keep])
    return d / "fragment.mp4"


def _garbage_payload(d: Path) -> Path:
    full = encode(d / "full.mp4", 60, noise=True, faststart=True)
    start = full.read_bytes().find(b"mdat") / full.stat().st_size
    return corrupt(full, d / "garbage.mp4", start + 0.001, 1.0)


def _zero_frames_mp4(d: Path) -> Path:
    return encode(d / "zero.mp4", 0)


def _zero_frames_mkv(d: Path) -> Path:
    return encode(d / "zero.mkv", 0, fmt="matroska")


def _zero_frames_avi(d: Path) -> Path:
    return encode(d / "zero.avi", 0, fmt="avi")


def _one_frame(d: Path) -> Path:
    return encode(d / "one.mp4", 1)


def _unknown_codec(d: Path) -> Path:
    return retag(encode(d / "ok.mp4", 30, noise=True), d / "unknown.mp4", b"zzzz")


def _undecodable_codec(d: Path) -> Path:
    # H.264 data labelled HEVC: FFmpeg knows the codec but cannot decode a single frame.
    return retag(encode(d / "ok.mp4", 30, noise=True), d / "hevc.mp4", b"hev1")


BAD_INPUTS: dict[str, tuple[BadInput, str]] = {
    "missing path": (_missing, r"does not exist"),
    "a folder": (_folder, r"is a folder"),
    "a named pipe": (_fifo, r"not a regular file"),
    "empty file": (_empty, r"is empty \(0 bytes\)"),
    "text file": (_text, r"text file"),
    "text file FFmpeg renders as video": (_text_nfo, r"text file"),
    "random bytes": (_random_bytes, r"does not recognise it as a video"),
    "PNG image": (_png, r"still image \(PNG\)"),
    "JPEG image named .mp4": (_jpeg_named_mp4, r"still image \(JPEG\)"),
    "AAC audio only": (_aac, r"audio only"),
    "MP3 audio only": (_mp3, r"audio only"),
    "WAV audio only": (_wav, r"audio only"),
    "truncated, index lost": (_truncated_no_index, r"cut off before it was finished"),
    "truncated to a fragment": (_truncated_to_a_fragment, r"damaged or truncated"),
    "garbage after the header": (_garbage_payload, r"frames could be decoded"),
    "zero frames (mp4)": (_zero_frames_mp4, r"no frames"),
    "zero frames (mkv)": (_zero_frames_mkv, r"before any video frames"),
    "zero frames (avi)": (_zero_frames_avi, r"at least 2 video frames.*found none"),
    "one frame": (_one_frame, r"holds a single frame"),
    "unknown codec": (_unknown_codec, r"unknown codec"),
    "codec that does not decode": (_undecodable_codec, r"none of its 30 hevc frames"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_a_one_line_error_and_writes_nothing(tmp_path, fake_mediapipe, case):
    build, message = BAD_INPUTS[case]
    video = build(tmp_path)
    out = tmp_path / "out"
    line = one_line_error(run_cli(video, out))
    assert re.search(message, line), line
    assert video.name in line
    assert result_files(out) == []


@pytest.mark.parametrize("case", ["text file", "AAC audio only", "truncated, index lost"])
def test_installed_command_fails_cleanly_in_a_real_process(tmp_path, case):
    build, message = BAD_INPUTS[case]
    video = build(tmp_path)
    proc = subprocess.run([str(RUNFORM), "analyze", str(video), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert re.search(message, lines[0])
    assert not (tmp_path / "o").exists()


def test_non_ascii_names_print_cleanly_even_in_an_ascii_locale(tmp_path):
    video = tmp_path / "läufe 日本" / "clip ü.mp4"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PYTHONIOENCODING", None)
    proc = subprocess.run([str(RUNFORM), "analyze", str(video)], capture_output=True,
                          timeout=120, env=env)
    assert proc.returncode == 1
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err and "does not exist" in err
    assert "clip ü.mp4" in err


@pytest.mark.parametrize("args", [
    ["analyze"],
    ["analyze", "clip.mp4", "--bogus"],
    ["analyze", "clip.mp4", "--height-cm", "tall"],
    ["analyze", "clip.mp4", "--slowmo", "0"],
    ["analyse", "clip.mp4"],
])
def test_usage_mistakes_keep_exit_code_2_and_typers_message(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- damaged but readable


def _clip_with_damaged_middle(d: Path) -> tuple[Path, int]:
    full = encode(d / "full.mp4", 150, noise=True, faststart=True)
    data = full.read_bytes()
    payload = data.find(b"mdat")
    start = (payload + 0.5 * (len(data) - payload)) / len(data)
    return corrupt(full, d / "damaged.mp4", start, start + 0.02), 150


def test_damage_in_the_middle_skips_bad_packets_and_keeps_decoding(tmp_path):
    video, total = _clip_with_damaged_middle(tmp_path)
    report = ReadReport()
    frames = list(iter_frames(video, report=report))
    assert report.expected_frames == total
    assert report.damaged_packets >= 1
    assert total * 0.8 < len(frames) < total
    assert frames[-1].time_s > 0.9 * (total - 1) / 30  # frames after the damage still decode
    warning = report.warning(video.name)
    assert warning is not None and "damaged.mp4 is damaged or truncated" in warning


def test_truncated_clip_decodes_its_readable_part_and_reports_it(tmp_path):
    full = encode(tmp_path / "full.mp4", 150, noise=True, faststart=True)
    video = truncate(full, tmp_path / "cut.mp4", 0.6)
    report = ReadReport()
    frames = list(iter_frames(video, report=report))
    assert 60 < len(frames) < 100
    assert report.missing_frames == 150 - len(frames) and not report.complete
    assert f"only {len(frames)} of its 150 frames decoded" in (report.warning("cut.mp4") or "")
    assert probe_video(video).frame_count == 150


def test_a_whole_clip_reads_without_a_warning(tmp_path):
    video = encode(tmp_path / "fine.mp4", 60, noise=True)
    report = ReadReport()
    assert len(list(iter_frames(video, report=report))) == 60
    assert report.complete and report.warning("fine.mp4") is None


def test_too_little_of_a_damaged_clip_is_an_error_after_the_frames(tmp_path):
    full = encode(tmp_path / "full.mp4", 150, noise=True, faststart=True)
    video = truncate(full, tmp_path / "cut.mp4", 0.12)  # about half a second survives
    got: list[float] = []
    with pytest.raises(VideoReadError, match=r"cut\.mp4 is damaged or truncated: only \d+ "
                       r"frames \(0\.\d+ s\) decoded, too little to analyse"):
        got.extend(f.time_s for f in iter_frames(video))
    assert len(got) >= 2 and got[-1] < MIN_DAMAGED_S


def test_truncated_clip_is_analysed_with_a_warning(tmp_path):
    full = encode(tmp_path / "full.mp4", 150, noise=True, faststart=True)
    video = truncate(full, tmp_path / "cut.mp4", 0.6)
    analysis = analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
                       estimator=StaticPersonEstimator())
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["input"]["frame_count"] == len(analysis.track) < 150
    assert any("cut.mp4 is damaged or truncated" in w for w in summary["warnings"])


def test_damaged_clip_warns_on_the_command_line(tmp_path, fake_mediapipe):
    video, _ = _clip_with_damaged_middle(tmp_path)
    result = run_cli(video, tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert re.search(r"warning: damaged\.mp4 is damaged or truncated", result.stderr)


# --------------------------------------------------------------------------- files


def test_interrupted_run_leaves_no_result_and_says_so(tmp_path, fake_mediapipe):
    class DiesAtFrame5(StaticPersonEstimator):
        def detect(self, image, time_ms):
            if len(self.calls) == 5:
                raise KeyboardInterrupt
            return super().detect(image, time_ms)

    fake_mediapipe(DiesAtFrame5)
    video = encode(tmp_path / "clip.mp4", 30)
    result = run_cli(video, tmp_path / "o")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output
    assert result_files(tmp_path / "o") == []


def _die_when_renaming(monkeypatch: pytest.MonkeyPatch, name: str,
                       exc: BaseException) -> None:
    """Interrupt the run the moment ``name`` is about to be renamed into place."""
    real = os.replace

    def replace_or_die(src, dst):
        if Path(dst).name == name:
            raise exc
        real(src, dst)

    monkeypatch.setattr("runform.output.atomic.os.replace", replace_or_die)


@pytest.mark.parametrize("name", ["landmarks.csv", "summary.json"])
def test_interruption_while_writing_never_leaves_a_partial_file(tmp_path, monkeypatch, name):
    video = encode(tmp_path / "clip.mp4", 20)
    _die_when_renaming(monkeypatch, name, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
                estimator=StaticPersonEstimator())
    left = result_files(tmp_path / "o")
    assert "summary.json" not in left
    assert not [f for f in left if "partial" in f], left


def test_crash_in_the_middle_of_a_file_leaves_nothing_half_written(tmp_path, monkeypatch):
    import runform.output.csvrows as csvrows

    calls = {"n": 0}
    real_format = csvrows.format_rows

    def format_then_crash(fmt, rows, blank):
        calls["n"] += 1
        if calls["n"] == 3:  # well into the CSV body: two chunks of rows are written
            raise RuntimeError("simulated crash")
        return real_format(fmt, rows, blank)

    monkeypatch.setattr(csvrows, "CHUNK_ROWS", 10)
    monkeypatch.setattr(csvrows, "format_rows", format_then_crash)
    video = encode(tmp_path / "clip.mp4", 40)
    with pytest.raises(RuntimeError, match="simulated crash"):
        analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
                estimator=StaticPersonEstimator())
    assert result_files(tmp_path / "o") == []


def test_interrupted_rerun_does_not_leave_an_old_summary_over_new_files(tmp_path, monkeypatch):
    first = encode(tmp_path / "first.mp4", 20)
    second = encode(tmp_path / "second.mp4", 30)
    out = tmp_path / "o"
    analyze(first, AnalysisConfig(write_video=False), out_dir=out,
            estimator=StaticPersonEstimator())
    _die_when_renaming(monkeypatch, "summary.json", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        analyze(second, AnalysisConfig(write_video=False), out_dir=out,
                estimator=StaticPersonEstimator())
    # Either the old result is intact (nothing replaced) or no summary claims completeness.
    if (out / "summary.json").exists():
        rows = (out / "landmarks.csv").read_text().count("\n") - 1
        assert rows == json.loads((out / "summary.json").read_text())["input"]["frame_count"]


def test_the_input_is_never_modified(tmp_path, fake_mediapipe):
    video = encode(tmp_path / "clip.mp4", 30, noise=True)
    before, mtime = sha256(video), video.stat().st_mtime_ns
    assert run_cli(video, tmp_path / "o").exit_code == 0
    run_cli(video, tmp_path / "o")  # again, over an existing result
    runner.invoke(app, ["analyze", str(video), "--out", str(tmp_path / "o2")])  # with video
    assert (sha256(video), video.stat().st_mtime_ns) == (before, mtime)


@pytest.mark.parametrize("name", ["summary.json", "landmarks.csv"])
def test_refuses_an_out_folder_whose_results_would_overwrite_the_input(tmp_path,
                                                                        fake_mediapipe, name):
    video = encode(tmp_path / name, 30)
    before = sha256(video)
    line = one_line_error(run_cli(video, tmp_path))
    assert "over the input" in line
    assert sha256(video) == before


def test_refuses_to_overwrite_an_annotated_video_given_as_input(tmp_path, fake_mediapipe):
    video = encode(tmp_path / "annotated.mp4", 30)
    before = sha256(video)
    result = runner.invoke(app, ["analyze", str(video), "--out", str(tmp_path)])
    assert sha256(video) == before
    assert "over the input" in one_line_error(result)


def test_out_path_that_is_a_file_is_a_clear_error(tmp_path, fake_mediapipe):
    video = encode(tmp_path / "clip.mp4", 30)
    line = one_line_error(run_cli(video, video))
    assert "output folder" in line
    assert sha256(video) == sha256(encode(tmp_path / "again.mp4", 30))


def test_paths_with_spaces_and_non_ascii_characters_work(tmp_path, fake_mediapipe):
    folder = tmp_path / "my runs" / "ñandú 日本 ü"
    folder.mkdir(parents=True)
    video = encode(folder / "séance du mardi 1.mp4", 30)
    out = tmp_path / "résultats été"
    result = run_cli(video, out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["input"]["path"] == str(video)
    assert summary["input"]["frame_count"] == 30


def _mount_tmpfs(path: Path, options: str) -> None:
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")


@pytest.fixture
def mounts() -> Iterator[Callable[[Path, str], Path]]:
    mounted: list[Path] = []

    def mount(path: Path, options: str) -> Path:
        _mount_tmpfs(path, options)
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", str(path)], check=False)


@pytest.fixture
def read_only_dir(tmp_path, mounts) -> Iterator[Path]:
    """A folder nobody may write to: chmod for normal users, a read-only tmpfs for root."""
    path = tmp_path / "read only"
    if os.geteuid() != 0:
        path.mkdir()
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
    else:
        yield mounts(path, "ro,size=64k")


@pytest.mark.parametrize("sub", ["", "new result"])
def test_read_only_output_location_is_a_clear_error(tmp_path, fake_mediapipe, read_only_dir,
                                                    sub):
    video = encode(tmp_path / "clip.mp4", 30)
    line = one_line_error(run_cli(video, read_only_dir / sub if sub else read_only_dir))
    assert re.search(r"read-only|Read-only|Permission denied", line), line
    assert result_files(read_only_dir) == []


def test_full_disk_is_a_clear_error_and_leaves_no_partial_file(tmp_path, fake_mediapipe,
                                                               mounts):
    disk = mounts(tmp_path / "tiny disk", "size=64k")
    (disk / "filler").write_bytes(b"\0" * 56 * 1024)
    video = encode(tmp_path / "clip.mp4", 90)
    line = one_line_error(run_cli(video, disk / "out"))
    assert "No space left on device" in line
    assert result_files(disk / "out") == []


def test_write_errors_become_output_errors_naming_the_file(tmp_path, monkeypatch):
    import errno

    video = encode(tmp_path / "clip.mp4", 20)
    _die_when_renaming(monkeypatch, "summary.json",
                       OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OutputError, match=r"summary\.json: No space left on device"):
        analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
                estimator=StaticPersonEstimator())
    assert "summary.json" not in result_files(tmp_path / "o")


# --------------------------------------------------------------------------- several people


def test_others_in_view_are_reported_and_the_runner_kept_throughout(tmp_path):
    run = synthetic_run(width=320, height=180, height_px=140, fps=30, duration_s=3)

    def bystander(i: int) -> list[PersonPose]:
        if i % 3:  # walks in and out of the detections
            return []
        pos = run.track.position[i] * 0.6 + np.array([200.0, 20.0])
        return [PersonPose(position=pos, depth=np.zeros(N), visibility=np.ones(N),
                           world=np.zeros((N, 3)))]

    video = clip_for(run.track, tmp_path / "two people.mp4")
    analysis = analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
                       estimator=ReplayEstimator(run.track, bystander))
    np.testing.assert_allclose(analysis.track.position, run.track.position)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["people"]["others_present"] is True
    assert summary["people"]["max_in_one_frame"] == 2
    assert any("another person was in view" in w for w in summary["warnings"]), summary["warnings"]


def test_a_runner_alone_is_reported_alone(tmp_path):
    """The negative of the test above: ``others_present`` is not simply always true."""
    run = synthetic_run(width=320, height=180, height_px=140, fps=30, duration_s=3)
    video = clip_for(run.track, tmp_path / "alone.mp4")
    analyze(video, AnalysisConfig(write_video=False), out_dir=tmp_path / "o",
            estimator=ReplayEstimator(run.track))
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["people"] == {"seen": 1, "max_in_one_frame": 1, "others_present": False}
    assert not any("in view" in w for w in summary["warnings"]), summary["warnings"]


# --------------------------------------------------------------------------- long clips


def _peak_traced(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_with_clip_length(tmp_path):
    """Peak Python/NumPy memory grows by pose data per frame, never by frame images.

    A 320x240 RGB frame is 230 kB; the pose data the analysis must keep is a few
    kB per frame. Holding frames would add ~230 kB per extra frame.
    """
    size = (320, 240)
    short = encode(tmp_path / "short.mp4", 60, size=size)
    long = encode(tmp_path / "long.mp4", 300, size=size)

    def run(video: Path) -> Callable[[], object]:
        return lambda: analyze(video, AnalysisConfig(write_video=True),  # annotated video too
                               out_dir=tmp_path / video.stem, estimator=StaticPersonEstimator())

    run(short)()  # warm-up: imports and caches are not growth
    growth = _peak_traced(run(long)) - _peak_traced(run(short))
    per_frame = growth / 240
    assert per_frame < 16_000, f"peak grew {per_frame / 1000:.1f} kB per frame"


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds`` (a hang guard, not a benchmark)."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


HANG_GUARD_S = 120
"""Two to four times what a 20-minute tiny clip needs when every stage is linear in length."""


@pytest.mark.slow
def test_a_twenty_minute_clip_works(tmp_path):
    """20 minutes of a synthetic runner at 15 fps (18,000 tiny frames), no MediaPipe.

    15 fps halves the test's time against 30 fps; length in frames is what the
    memory test above checks, and every stage here still sees 20 minutes. The
    time limit only turns a practical hang into a failure.
    """
    fps, minutes = 15, 20
    run = synthetic_run(width=96, height=64, height_px=56, fps=fps, duration_s=60.0 * minutes,
                        cadence_spm=172)
    video = clip_for(run.track, tmp_path / "twenty minutes.mp4")
    config = AnalysisConfig(write_video=False, height_cm=178)
    with time_limit(HANG_GUARD_S):
        analysis = analyze(video, config, out_dir=tmp_path / "o",
                           estimator=ReplayEstimator(run.track))
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["input"]["frame_count"] == fps * 60 * minutes
    assert summary["input"]["duration_s"] == pytest.approx(60.0 * minutes, abs=0.2)
    assert analysis.detection_rate == 1.0
    assert summary["metrics"]["cadence_spm"]["value"] == pytest.approx(172, abs=1)


# --------------------------------------------------------------------------- not running


@pytest.mark.slow
def test_no_person_in_view_is_a_clear_error_with_the_real_model(tmp_path):
    folder = tmp_path / "empty room ü"
    folder.mkdir()
    video = encode(folder / "nobody here.mp4", 30, size=(160, 120))
    proc = subprocess.run([str(RUNFORM), "analyze", str(video), "--model", "lite", "--out",
                           str(tmp_path / "o"), "--quiet"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "no person was detected" in lines[0], proc.stderr
    assert "nobody here.mp4" in lines[0]
    assert not (tmp_path / "o" / "summary.json").exists()


BASE = {"width": 480, "height": 270, "height_px": 220}


def _standing(fps: float = 30.0) -> PoseTrack:
    t = synthetic_run(**BASE, fps=fps, duration_s=6).track
    rng = np.random.default_rng(0)
    pos = np.repeat(t.position[:1], len(t), axis=0) + rng.normal(0.0, 0.6, t.position.shape)
    return PoseTrack.from_arrays(t.time, pos, width=t.width, height=t.height,
                                 depth=np.repeat(t.depth[:1], len(t), axis=0),
                                 visibility=np.repeat(t.visibility[:1], len(t), axis=0),
                                 world=t.world)


def _feet_out_of_frame() -> PoseTrack:
    t = synthetic_run(**BASE, fps=60, duration_s=6).track
    pos = t.position + np.array([0.0, 110.0])  # camera aimed too high: feet below the frame
    vis = np.where(pos[..., 1] > t.height, 0.05, t.visibility)
    return PoseTrack.from_arrays(t.time, pos, width=t.width, height=t.height, depth=t.depth,
                                 visibility=vis, world=t.world)


def _analyse_track(track: PoseTrack, tmp_path: Path) -> dict:
    video = clip_for(track, tmp_path / "clip.mp4")
    analyze(video, AnalysisConfig(write_video=False, height_cm=178), out_dir=tmp_path / "o",
            estimator=ReplayEstimator(track))
    return json.loads((tmp_path / "o" / "summary.json").read_text())


def _unknown(summary: dict, keys: Sequence[str]) -> None:
    metrics = summary["metrics"]
    for key in keys:
        entry = metrics[key]
        assert entry["value"] is None, (key, entry)
        assert entry.get("reason"), (key, entry)


AT_CONTACT = ["shank_angle_at_contact_deg", "knee_flexion_at_contact_deg",
              "foot_ahead_of_hip_cm", "foot_strike", "contact_time_ms", "flight_time_ms",
              "duty_factor"]
SIDE_VIEW = ["trunk_lean_deg", "head_forward_deg", "shank_angle_at_contact_deg",
             "knee_flexion_at_contact_deg", "foot_ahead_of_hip_cm", "foot_strike",
             "vertical_oscillation_cm"]

NOT_RUNNING: dict[str, tuple[Callable[[], PoseTrack], list[str] | None, str, str]] = {
    # name: (track, metrics that must be unknown (None = all), warning pattern, fix needed)
    "walking": (
        lambda: synthetic_run(**BASE, fps=60, cadence_spm=110, duty_factor=0.62, speed_kmh=5,
                              vertical_oscillation_cm=3).track,
        None, r"walk|not running", ""),
    "walking at a running cadence": (
        lambda: synthetic_run(**BASE, fps=60, cadence_spm=150, duty_factor=0.62, speed_kmh=5,
                              vertical_oscillation_cm=3).track,
        None, r"walk|not running", ""),
    "standing": (
        _standing, None, r"no (running )?steps|not running|standing|no running rhythm", ""),
    "feet out of frame": (
        _feet_out_of_frame, AT_CONTACT, r"out of (the )?frame|not visible|cut off", ""),
    "runner too small": (
        lambda: synthetic_run(width=480, height=270, height_px=24, fps=60).track,
        SIDE_VIEW, r"small", ""),
    "front view": (
        lambda: synthetic_run(**BASE, fps=60, view="front").track, SIDE_VIEW, r"front", ""),
    "too few steps": (
        lambda: synthetic_run(**BASE, fps=60, duration_s=1.0).track,
        ["cadence_spm", *AT_CONTACT], r"contacts|steps",
        ""),
    "frame rate too low": (
        lambda: synthetic_run(**BASE, fps=12).track,
        ["contact_time_ms", "flight_time_ms", "duty_factor"], r"fps", ""),
}


def _cases() -> list[Any]:
    """The cases above, each marked xfail(strict) while its fix is pending."""
    return [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=NOT_RUNNING[c][3]))
            if NOT_RUNNING[c][3] else c for c in NOT_RUNNING]


@pytest.mark.parametrize("case", _cases())
def test_clips_that_cannot_be_analysed_as_running_say_unknown_with_a_reason(tmp_path, case):
    make, keys, warning, _fix = NOT_RUNNING[case]
    summary = _analyse_track(make(), tmp_path)
    _unknown(summary, keys if keys is not None else list(summary["metrics"]))
    assert any(re.search(warning, w, re.IGNORECASE) for w in summary["warnings"]), \
        summary["warnings"]


def test_a_good_synthetic_run_is_measured_so_the_cases_above_are_meaningful():
    from runform.measure import measure

    run = synthetic_run(**BASE, fps=60)
    summary = measure(run.track, AnalysisConfig(height_cm=178)).to_summary()
    known = [k for k, v in summary["metrics"].items() if v["value"] is not None]
    assert set(SIDE_VIEW + AT_CONTACT + ["cadence_spm"]) <= set(known)
    assert summary["metrics"]["cadence_spm"]["value"] == pytest.approx(170, abs=1)
