"""Annotated review messages as Rasa training data: one YAML file per language in the layout of
bot/data/nlu/ (`version`, then `nlu:` with an `intent:` and its `examples:` block each), written in a
stable order so that a re-export of the same annotations changes nothing in version control.

The texts are the redacted ones (nothing else is stored). Out-of-scope annotations go to the bot's
out_of_scope intent like any other; dismissed and open items are not exported.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from handoff.review.models import ReviewItem

RASA_DATA_VERSION = "3.1"


def _quoted(text: str) -> str:
    """One example line: Rasa reads the block as Markdown-ish list items, one per line."""
    return " ".join(text.split())  # newlines would start a new example


def render(items: list[ReviewItem]) -> dict[str, str]:
    """language -> the YAML text of its file."""
    by_language: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        if item.annotated_intent and item.text.strip():
            examples = by_language[item.language][item.annotated_intent]
            line = _quoted(item.text)
            if line not in examples:
                examples.append(line)
    files = {}
    for language, intents in sorted(by_language.items()):
        lines = [f'version: "{RASA_DATA_VERSION}"',
                 f"# Annotated in the admins' review inbox ({language}); written by handoff/review/export.py.",
                 "nlu:"]
        for intent, examples in sorted(intents.items()):
            lines.append(f"- intent: {intent}")
            lines.append("  examples: |")
            lines.extend(f"    - {example}" for example in examples)
        files[language] = "\n".join(lines) + "\n"
    return files


def write(items: list[ReviewItem], directory: Path) -> dict[str, tuple[Path, int]]:
    """Writes reviewed_<language>.yml per language into `directory`; language -> (path, examples)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for language, text in render(items).items():
        path = directory / f"reviewed_{language}.yml"
        path.write_text(text, encoding="utf-8")
        written[language] = (path, text.count("\n    - "))
    return written
