import numpy as np
import pytest

from runform.errors import InputNotFoundError, VideoReadError
from runform.video import iter_frames, probe_video
from tests.videos import write_video


def test_constant_rate_timestamps_come_from_the_container(tmp_path):
    times = [i / 25 for i in range(20)]
    path = write_video(tmp_path / "cfr.mp4", times)
    got = [f.time_s for f in iter_frames(path)]
    np.testing.assert_allclose(got, times, atol=1e-4)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation) == (64, 48, 0)
    assert info.codec == "h264"


def test_variable_frame_rate_keeps_each_frames_own_time(tmp_path):
    gaps = [1 / 30, 1 / 60, 1 / 120, 1 / 30, 1 / 24] * 6
    times = np.concatenate([[0.0], np.cumsum(gaps)])
    path = write_video(tmp_path / "vfr.mp4", times)
    frames = list(iter_frames(path))
    assert len(frames) == len(times)
    np.testing.assert_allclose([f.time_s for f in frames], times, atol=1e-4)
    assert [f.index for f in frames] == list(range(len(times)))


def test_timestamps_start_at_zero_when_the_stream_starts_later(tmp_path):
    times = [2.0 + i / 30 for i in range(10)]
    path = write_video(tmp_path / "late.mp4", times)
    got = [f.time_s for f in iter_frames(path)]
    np.testing.assert_allclose(got, np.array(times) - 2.0, atol=1e-4)


@pytest.mark.parametrize(("display", "clockwise"), [(-90, 90), (90, 270), (180, 180)])
def test_rotation_metadata_is_applied(tmp_path, display, clockwise):
    # Stored landscape 64x48 with a white block top-left; the phone says "rotate for display".
    path = write_video(tmp_path / "rot.mp4", [0, 1 / 30], rotation=display)
    info = probe_video(path)
    assert info.rotation == clockwise
    frame = next(iter_frames(path)).image
    if clockwise in (90, 270):
        assert frame.shape == (64, 48, 3)
        assert (info.width, info.height) == (48, 64)
    else:
        assert frame.shape == (48, 64, 3)
    bright = frame.mean(axis=2) > 200
    ys, xs = np.nonzero(bright)
    # Rotating clockwise by 90 moves the top-left block to the top-right corner.
    corner = {90: "top-right", 180: "bottom-right", 270: "bottom-left"}[clockwise]
    h, w = bright.shape
    at_top, at_left = ys.mean() < h / 2, xs.mean() < w / 2
    got = ("top" if at_top else "bottom") + "-" + ("left" if at_left else "right")
    assert got == corner


@pytest.mark.parametrize("display", [0, -90])
def test_frames_scaled_on_decode_keep_the_upright_size_and_the_picture(tmp_path, display):
    path = write_video(tmp_path / "rot.mp4", [0, 1 / 30], rotation=display)
    info = probe_video(path)
    full = next(iter_frames(path)).image
    size = (info.width // 2, info.height // 2)
    half = next(iter_frames(path, size=size)).image
    assert half.shape == (size[1], size[0], 3)
    area = full.reshape(size[1], 2, size[0], 2, 3).mean(axis=(1, 3))
    assert np.abs(half - area).mean() < 2.0  # area averaging of the same upright picture


def test_missing_file_folder_and_empty_file_are_clear_errors(tmp_path):
    with pytest.raises(InputNotFoundError, match="does not exist"):
        probe_video(tmp_path / "nope.mp4")
    with pytest.raises(InputNotFoundError, match="is a folder"):
        probe_video(tmp_path)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoReadError, match="empty"):
        probe_video(empty)


def test_text_file_is_not_a_video(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 100)
    with pytest.raises(VideoReadError, match="Expected"):
        probe_video(text)


def _gop_video(path, n_frames, *, gop, b_frames):
    """Frames whose grey level encodes their index, keyframes every ``gop`` frames."""
    import av

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"g": str(gop), "keyint_min": str(gop), "bf": str(b_frames),
                          "sc_threshold": "0"}
        for i in range(n_frames):
            image = np.full((48, 64, 3), (i * 7) % 220 + 16, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize(("gop", "b_frames"), [(10, 2), (250, 0)])
def test_read_frames_seeks_to_the_wanted_frames(tmp_path, monkeypatch, gop, b_frames):
    from runform.video import reader

    path = _gop_video(tmp_path / "gop.mp4", 60, gop=gop, b_frames=b_frames)
    every = {f.index: f.image for f in iter_frames(path)}
    wanted = [3, 11, 12, 29, 30, 59]

    def no_fallback(*args, **kwargs):
        raise AssertionError("expected every frame to be found by seeking")

    monkeypatch.setattr(reader, "_decode_from_start", no_fallback)
    got = reader.read_frames(path, wanted + [60, 99], frame_count=len(every))
    assert sorted(got) == wanted
    for i in wanted:
        np.testing.assert_array_equal(got[i], every[i])


def test_read_frames_decodes_from_the_start_when_the_count_disagrees(tmp_path):
    from runform.video import reader

    path = _gop_video(tmp_path / "gop.mp4", 40, gop=10, b_frames=2)
    every = {f.index: f.image for f in iter_frames(path)}
    for count in (None, 39):  # unknown, or a frame the container holds did not decode
        got = reader.read_frames(path, [5, 37], frame_count=count)
        np.testing.assert_array_equal(got[5], every[5])
        np.testing.assert_array_equal(got[37], every[37])


def test_read_frames_skipping_unreferenced_frames_gives_identical_images(tmp_path):
    """Frames reached past skipped non-reference B-frames equal the full decode, bit for bit."""
    import av

    from runform.video import reader

    path = tmp_path / "moving.mp4"
    rng = np.random.default_rng(3)
    texture = rng.integers(16, 235, (96, 160, 3), dtype=np.uint8)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
        stream.options = {"g": "250", "bf": "3", "b_strategy": "0", "sc_threshold": "0"}
        for i in range(90):  # a textured picture panning sideways: every frame predicts
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(texture[:, i % 32:][:, :128]),
                                               format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    every = {f.index: f.image for f in iter_frames(path)}
    wanted = [2, 40, 41, 42, 43, 77, 89]
    got = reader.read_frames(path, wanted, frame_count=len(every))
    assert sorted(got) == wanted
    for i in wanted:
        np.testing.assert_array_equal(got[i], every[i])
