"""Writes the admins' edited texts into a copy of the domain (a training job's workspace), so the
model trained on it says them. Never pointed at the checkout's bot/domain: that stays the original."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import yaml

from handoff.responses import catalogue
from handoff.responses.service import Key

log = logging.getLogger(__name__)


def write(domain: Path, edits: Mapping[Key, str]) -> int:
    """Sets each edited (response, language)'s text in the domain's files: the language's first variant,
    or a variant of its own added when it had none. Rewrites only the files it changed; edits of
    responses the domain no longer has are skipped. Returns how many texts were set."""
    files = list(catalogue.domain_files(domain))
    default = catalogue.default_language([content for _, content in files])
    done: set[Key] = set()
    for path, content in files:
        responses = content.get("responses") or {}
        changed = False
        for (name, language), text in sorted(edits.items()):
            variants = responses.get(name)
            if not isinstance(variants, list):
                continue
            first = catalogue.first_variants(variants, default)
            if language in first:
                first[language]["text"] = text
            elif default in first:  # said in the default language so far: one of its own, like it
                variants.insert(0, {"condition": catalogue.condition_for(language),
                                    **{k: v for k, v in first[default].items() if k != "condition"}, "text": text})
            else:
                continue
            done.add((name, language))
            changed = True
        if changed:
            path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=1000),
                            encoding="utf-8")
    for name, language in sorted(set(edits) - done):
        log.warning("edited response %s (%s) is not in %s: skipped", name, language, domain)
    return len(done)
