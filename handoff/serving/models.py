from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base
from handoff.serving.enums import PromotionStatus


class Promotion(Base):
    """A model put into service at a Rasa server's URL. At most one is starting at a time (`active`
    is 1 then, under a unique index, as for training jobs); the newest live one is what every app
    process sends its bot calls to."""

    __tablename__ = "promotions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    status: Mapped[PromotionStatus] = mapped_column(String(16), index=True)
    active: Mapped[int | None] = mapped_column(Integer, unique=True)
    rollback: Mapped[bool] = mapped_column(Boolean, default=False)  # to a model that was live before
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))  # None: the model at start-up
    url: Mapped[str | None] = mapped_column(String(256))
    # The app process that started its Rasa server, and the server's process id: that app process
    # stops the server once a later promotion has replaced it and the calls in flight are done.
    owner: Mapped[str] = mapped_column(String(64))
    pid: Mapped[int | None] = mapped_column(Integer)
    log_path: Mapped[str | None] = mapped_column(String(512))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    live_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
