"""Logs as one JSON object a line (SHOPBOT_LOG_FORMAT=json, python-json-logger), for a log pipeline:
time, level, logger, message, and the conversation a line is about when there is one. What the lines
say stays the same: no message texts, and tokens redacted (api/log_filters.py, installed after)."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# The conversation the current task works for (a customer's socket, a bot turn): set by them, read
# by every log line they write, and inherited by the tasks they start.
CONVERSATION: ContextVar[str | None] = ContextVar("conversation", default=None)


class _Conversation(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation_id = CONVERSATION.get()
        return True


def install_json(level: int = logging.INFO) -> None:
    """Idempotent: every line through one JSON handler on the root logger, uvicorn's included."""
    formatter = JsonFormatter("{asctime}{levelname}{name}{message}{conversation_id}", style="{",
                              rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_Conversation())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []  # to the root's JSON handler instead of uvicorn's own text ones
        logger.propagate = True
