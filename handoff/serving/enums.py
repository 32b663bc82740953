from __future__ import annotations

from enum import StrEnum


class PromotionStatus(StrEnum):
    STARTING = "starting"  # its Rasa server is starting on the model, not serving yet
    LIVE = "live"  # the app's bot calls go to it
    REPLACED = "replaced"  # a later promotion is live; its server is stopped once drained
    FAILED = "failed"  # its server never became ready: the live model was not touched
