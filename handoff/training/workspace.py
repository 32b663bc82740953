"""A training job's workspace: the product's training data (bot/data, its domain and config) plus the
admins' annotations, with every fifth annotated message held out for evaluation, never trained on.

New intents an admin named get a domain entry of their own (`domain/reviewed_intents.yml`), or Rasa
would refuse training data for an intent its domain does not know. Everything is copied: the job
never writes into the checkout's bot/ directory.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from handoff.responses import apply as response_edits
from handoff.review import export
from handoff.review.models import ReviewItem, TrainingExample

HOLD_OUT_EVERY = 5  # an annotated message whose id is a multiple of this is kept for evaluation


@dataclass(frozen=True)
class Workspace:
    root: Path
    data: Path
    domain: Path
    config: Path
    held_out: Path  # reviewed_<lang>.yml files of the held-out annotations
    examples: int
    held_out_examples: int
    data_hash: str


def held_out(item: ReviewItem) -> bool:
    return item.id % HOLD_OUT_EVERY == 0


def _known_intents(domain: Path) -> set[str]:
    known: set[str] = set()
    for path in sorted(domain.rglob("*.yml")):
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            known.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return known


def _hash(*roots: Path) -> str:
    digest = hashlib.sha256()
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(root: Path, bot_dir: Path, annotated: list[ReviewItem],
            responses: Mapping[tuple[str, str], str] | None = None,
            own: Sequence[TrainingExample] = ()) -> Workspace:
    """Builds the workspace in `root` (emptied first) from `bot_dir` (the product's bot/). `responses`:
    the admins' texts in effect per (response, language), written into the copied domain. `own`: the
    examples admins wrote themselves, all trained on (the held-out share is the inbox's)."""
    if root.exists():
        shutil.rmtree(root)
    data, domain, held = root / "data", root / "domain", root / "held_out"
    shutil.copytree(bot_dir / "data", data)
    shutil.copytree(bot_dir / "domain", domain)
    config = root / "config.yml"
    shutil.copy(bot_dir / "config.yml", config)
    training = [i for i in annotated if not held_out(i)]
    kept = [i for i in annotated if held_out(i)]
    export.write(training, data / "nlu")
    export.write(kept, held)
    export.write_examples(own, data / "nlu")
    named = {i.annotated_intent for i in training if i.annotated_intent} | {e.intent for e in own}
    new = sorted(named - _known_intents(domain))
    if new:
        (domain / "reviewed_intents.yml").write_text(
            yaml.safe_dump({"version": export.RASA_DATA_VERSION, "intents": new}, allow_unicode=True),
            encoding="utf-8")
    response_edits.write(domain, responses or {})
    return Workspace(root=root, data=data, domain=domain, config=config, held_out=held,
                     examples=len(training) + len(own), held_out_examples=len(kept),
                     data_hash=_hash(data, domain, config))
