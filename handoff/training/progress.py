"""What a line of Rasa's training log says about where it is (the job's stage and component)."""

from __future__ import annotations

import re

_COMPONENT = re.compile(r"Starting to train component '([^']+)'")


def component(line: str) -> str | None:
    """The component Rasa started training on this line, if it did."""
    found = _COMPONENT.search(line)
    return found.group(1) if found else None
