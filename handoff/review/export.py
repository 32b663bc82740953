"""Annotated review messages as Rasa training data: one YAML file per language in the layout of
bot/data/nlu/ (`version`, then `nlu:` with an `intent:` and its `examples:` block each), written in a
stable order so that a re-export of the same annotations changes nothing in version control.

The texts are the redacted ones (nothing else is stored), with their entities in Rasa's
``[value](entity)`` form. Out-of-scope annotations go to the bot's
out_of_scope intent like any other; dismissed and open items are not exported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from handoff.review.entities import marked
from handoff.review.models import ReviewItem, TrainingExample

RASA_DATA_VERSION = "3.1"


def _quoted(text: str) -> str:
    """One example line: Rasa reads the block as Markdown-ish list items, one per line."""
    return " ".join(text.split())  # newlines would start a new example


def _intent(item: ReviewItem | TrainingExample) -> str | None:
    return item.annotated_intent if isinstance(item, ReviewItem) else item.intent


def render(items: Sequence[ReviewItem | TrainingExample], source: str = "review inbox") -> dict[str, str]:
    """language -> the YAML text of its file."""
    by_language: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        intent = _intent(item)
        if intent and item.text.strip():
            examples = by_language[item.language][intent]
            line = _quoted(marked(item.text, item.entities or []))
            if line not in examples:
                examples.append(line)
    files = {}
    for language, intents in sorted(by_language.items()):
        lines = [f'version: "{RASA_DATA_VERSION}"',
                 f"# From the admins' {source} ({language}); written by handoff/review/export.py.",
                 "nlu:"]
        for intent, examples in sorted(intents.items()):
            lines.append(f"- intent: {intent}")
            lines.append("  examples: |")
            lines.extend(f"    - {example}" for example in examples)
        files[language] = "\n".join(lines) + "\n"
    return files


def write(items: Sequence[ReviewItem], directory: Path) -> dict[str, tuple[Path, int]]:
    """Writes reviewed_<language>.yml per language into `directory`; language -> (path, examples)."""
    return _write(render(items), directory, "reviewed")


def write_examples(examples: Sequence[TrainingExample], directory: Path) -> dict[str, tuple[Path, int]]:
    """Writes the admins' own examples as examples_<language>.yml into `directory`."""
    return _write(render(examples, "own examples"), directory, "examples")


def _write(files: dict[str, str], directory: Path, prefix: str) -> dict[str, tuple[Path, int]]:
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for language, text in files.items():
        path = directory / f"{prefix}_{language}.yml"
        path.write_text(text, encoding="utf-8")
        written[language] = (path, text.count("\n    - "))
    return written
