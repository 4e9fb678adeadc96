"""Video input and output with PyAV (real frame timestamps, rotation applied)."""

from runform.video.reader import Frame, VideoInfo, iter_frames, probe_video
from runform.video.writer import VideoSink

__all__ = ["Frame", "VideoInfo", "VideoSink", "iter_frames", "probe_video"]
