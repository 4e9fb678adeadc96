"""Pose data: landmark schema, the pose track, model files, estimators, runner selection."""

from runform.pose.estimator import MediaPipePoseEstimator, PersonPose, PoseEstimator
from runform.pose.models import ModelFile, resolve_model
from runform.pose.schema import LANDMARK_NAMES, SKELETON_EDGES
from runform.pose.selection import RunnerSelector, SelectionReport
from runform.pose.track import PoseTrack

__all__ = [
    "LANDMARK_NAMES",
    "SKELETON_EDGES",
    "MediaPipePoseEstimator",
    "ModelFile",
    "PersonPose",
    "PoseEstimator",
    "PoseTrack",
    "RunnerSelector",
    "SelectionReport",
    "resolve_model",
]
