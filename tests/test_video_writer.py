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
