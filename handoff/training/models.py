from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class TrainingJob(Base):
    """One run of validate-then-train. At most one runs at a time: `active` is 1 while it runs and
    NULL after, under a unique index (NULLs never collide), so two admins (or two app instances)
    starting one at the same moment cannot both win."""

    __tablename__ = "training_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16))  # JobStatus
    active: Mapped[int | None] = mapped_column(Integer, unique=True)
    stage: Mapped[str] = mapped_column(String(16))  # Stage
    component: Mapped[str | None] = mapped_column(String(128))  # the Rasa component being trained
    requested_by: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    # The app process running it, and when it last said so: a job whose process died is failed by
    # the next sweep instead of blocking every later one.
    owner: Mapped[str] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    examples: Mapped[int] = mapped_column(Integer, default=0)  # annotated messages trained on
    held_out: Mapped[int] = mapped_column(Integer, default=0)  # annotated messages kept for evaluation
    log_path: Mapped[str] = mapped_column(String(512))
    error: Mapped[str | None] = mapped_column(Text)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("model_versions.id"))


class ModelVersion(Base):
    """A trained model, kept with what it was made from and by whom (and, once promoted, by whom)."""

    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(String(512))
    data_hash: Mapped[str] = mapped_column(String(64))  # of the training data, config and domain
    trained_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    promoted_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    promoted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    metrics: Mapped[dict[str, Any] | None]
