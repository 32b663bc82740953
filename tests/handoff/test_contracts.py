"""Contracts that cross the app/bot boundary have one source: the app's enums."""

from __future__ import annotations

import ast
from pathlib import Path

from handoff.conversations.enums import HandoffReason

ROOT = Path(__file__).resolve().parents[2]


def _class_constants(path: Path, class_name: str) -> dict[str, str]:
    """String constants of a class in a module of the bot's environment (not importable here)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {t.id: s.value.value for s in node.body if isinstance(s, ast.Assign)
                    for t in s.targets if isinstance(t, ast.Name) and isinstance(s.value, ast.Constant)}
    raise AssertionError(f"{class_name} not found in {path}")


def test_every_reason_the_bot_sends_is_a_known_reason() -> None:
    sent = _class_constants(ROOT / "actions" / "handoff.py", "HandoffReason")
    assert sent, "the bot's reasons were not found"
    assert set(sent.values()) <= {r.value for r in HandoffReason}


def test_every_reason_has_a_label() -> None:
    assert all(reason.label for reason in HandoffReason)
