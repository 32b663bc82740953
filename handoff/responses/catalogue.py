"""The bot's responses as bot/domain has them: per response and language, the text an admin may edit.

A variant whose condition is the `language` slot alone (`value: id`) is that language's; the variants
without a condition are what the bot says in every other language: the language slot's initial value
(English). Each language's first variant with a text is the one edited; further variants (Rasa picks
one of them at random), variants with other conditions, and buttons are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoff.language import LANGUAGES

# Rasa's own reading of a placeholder (rasa/core/nlg/interpolator.py): "{" a slot name "}".
PLACEHOLDER = re.compile(r"\{([^\n{}]+?)\}")
MAX_TEXT = 1000
LANGUAGE_SLOT = "language"


class BadEdit(ValueError):
    """A text the bot could not say as the admin meant it (the message is for the admin)."""


@dataclass(frozen=True)
class Response:
    name: str
    texts: dict[str, str]  # language -> its first variant's text; a language missing has no variant of its own
    placeholders: frozenset[str]  # in any variant, any language
    buttons: bool  # some variant has buttons (not edited here)
    other_variants: int  # variants not edited here: further ones of a language, other conditions


@dataclass(frozen=True)
class Catalogue:
    default_language: str  # what the variants without a condition are in
    responses: dict[str, Response]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def variant_language(variant: dict[str, Any], default: str) -> str | None:
    """The language a variant is said in; None for one with conditions other than the language alone."""
    condition = variant.get("condition")
    if not condition:
        return default
    if (len(condition) == 1 and isinstance(condition[0], dict) and condition[0].get("type") == "slot"
            and condition[0].get("name") == LANGUAGE_SLOT):
        return str(condition[0].get("value"))
    return None


def condition_for(language: str) -> list[dict[str, str]]:
    return [{"type": "slot", "name": LANGUAGE_SLOT, "value": language}]


def domain_files(domain: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(domain.rglob("*.yml")):
        yield path, yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def first_variants(variants: list[dict[str, Any]], default: str) -> dict[str, dict[str, Any]]:
    """Each language's first variant with a text (the one an edit changes)."""
    out: dict[str, dict[str, Any]] = {}
    for variant in variants:
        language = variant_language(variant, default)
        if language is not None and isinstance(variant.get("text"), str):
            out.setdefault(language, variant)
    return out


def default_language(files: list[dict[str, Any]]) -> str:
    """The language slot's initial value: with it, no condition matches and the bot says the
    unconditioned variants."""
    for content in files:
        slot = (content.get("slots") or {}).get(LANGUAGE_SLOT)
        if isinstance(slot, dict) and slot.get("initial_value") in LANGUAGES:
            return str(slot["initial_value"])
    return LANGUAGES[0]


def load(domain: Path) -> Catalogue:
    """The responses of a domain directory (bot/domain, or a workspace's copy) that have a text."""
    files = [content for _, content in domain_files(domain)]
    default = default_language(files)
    responses: dict[str, Response] = {}
    for content in files:
        for name, variants in (content.get("responses") or {}).items():
            variants = [v for v in variants or [] if isinstance(v, dict)]
            first = first_variants(variants, default)
            texts = {language: str(first[language]["text"]) for language in LANGUAGES if language in first}
            if not texts:
                continue  # images or custom payloads only: nothing to edit
            used = set().union(*(placeholders(str(v.get("text") or "")) for v in variants))
            responses[name] = Response(
                name=name, texts=texts, placeholders=frozenset(used), buttons=any(v.get("buttons") for v in variants),
                other_variants=sum(1 for v in variants if not any(v is f for f in first.values())))
    return Catalogue(default_language=default, responses=dict(sorted(responses.items())))


def check(response: Response, text: str) -> str:
    """The text an admin typed, stripped, if the bot can say it; BadEdit otherwise."""
    text = text.strip()
    if not text:
        raise BadEdit("the text is empty: send null to go back to the text in bot/domain")
    if len(text) > MAX_TEXT:
        raise BadEdit(f"the text is {len(text)} characters long: at most {MAX_TEXT}")
    new = sorted(placeholders(text) - response.placeholders)
    if new:
        known = ", ".join(f"{{{p}}}" for p in sorted(response.placeholders)) or "none"
        raise BadEdit(f"{', '.join(f'{{{p}}}' for p in new)} is not filled in by the bot for {response.name} "
                      f"and would reach customers as typed; its placeholders: {known}")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise BadEdit("a brace outside a placeholder: the bot could not fill this text in")
    return text
