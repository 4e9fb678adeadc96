import numpy as np
import pytest

from runform.video import VideoSink, iter_frames


def test_frames_keep_their_times_and_the_index_comes_first(tmp_path):
    path = tmp_path / "out.mp4"
    times = [0.0, 0.02, 0.07, 0.1, 0.18]
    with VideoSink(path, fps=30, width=63, height=47) as sink:
        for t in times:
            sink.write(np.full((47, 63, 3), 128, np.uint8), t)
    frames = list(iter_frames(path))
    np.testing.assert_allclose([f.time_s for f in frames], times, atol=1e-4)
    assert frames[0].image.shape == (48, 64, 3)  # padded to even sizes for yuv420p
    head = path.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < head.find(b"mdat")  # faststart: index before the data


def test_a_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError), VideoSink(path, fps=30, width=32, height=32) as sink:
        sink.write(np.zeros((32, 32, 3), np.uint8), 0.0)
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("height", "width"), [(48, 64), (47, 63), (1080, 1920)])
def test_rgb_frame_holds_the_same_pixels_as_pyav_from_ndarray(height, width):
    import av

    from runform.video.writer import rgb_frame

    image = np.random.default_rng(3).integers(0, 256, (height, width, 3), dtype=np.uint8)
    ours, theirs = rgb_frame(image), av.VideoFrame.from_ndarray(image, format="rgb24")
    np.testing.assert_array_equal(ours.to_ndarray(), image)
    to_yuv = {"format": "yuv444p" if width % 2 else "yuv420p"}
    np.testing.assert_array_equal(ours.reformat(**to_yuv).to_ndarray(),
                                  theirs.reformat(**to_yuv).to_ndarray())
