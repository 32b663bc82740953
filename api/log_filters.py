"""Keeps tokens out of the logs.

Uvicorn logs every websocket handshake at INFO with its full URL (`"WebSocket /ws/agent?token=..."
[accepted]`, even with --no-access-log), and its access log every HTTP request line; an HTTP
client's error names the Rasa URL with its `?token=`. A log file is read by more people than the
tokens are meant for, so every `...token=VALUE` in a URL is written as `token=[redacted]`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN_IN_URL = re.compile(r"([?&][A-Za-z0-9_.-]*token=)[^&#\s\"']+", re.IGNORECASE)
REDACTED = "[redacted]"

# Records created on these loggers are redacted before any handler sees them; those of the app's own
# loggers at the handlers they end up in (the root's, uvicorn's, or Python's last resort).
_LOGGERS = ("uvicorn.error", "uvicorn.access", "httpx", "httpcore")
_HANDLERS_OF = ("", "uvicorn", "uvicorn.access")


def redact(text: str) -> str:
    return _TOKEN_IN_URL.sub(rf"\g<1>{REDACTED}", text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites the record in place (message, arguments, traceback) and always lets it through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            # Redacted argument by argument: uvicorn's access formatter unpacks them by position.
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _add_once(target: logging.Filterer) -> None:
    if not any(isinstance(f, RedactTokens) for f in target.filters):
        target.addFilter(RedactTokens())


def install() -> None:
    """Idempotent; call once logging is configured (uvicorn configures it before building the app)."""
    for name in _LOGGERS:
        _add_once(logging.getLogger(name))
    for name in _HANDLERS_OF:
        for handler in logging.getLogger(name).handlers:
            _add_once(handler)
    if logging.lastResort is not None:
        _add_once(logging.lastResort)
