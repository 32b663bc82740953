from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Stage(StrEnum):
    """Where a job is: each is a step that can fail on its own."""

    PREPARING = "preparing"  # the workspace: the training data and the admins' annotations
    VALIDATING = "validating"  # rasa data validate
    TRAINING = "training"  # rasa train (the component is in the job's `component`)
    COMPARING = "comparing"  # the new model against the live one (bot/compare_models.py)
    DONE = "done"
