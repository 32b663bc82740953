"""A newly trained model against the live one, on the same held-out messages, before anyone promotes it.

Run in the bot environment (a training job does, as its compare stage: handoff/training/flows.py):

    python -m bot.compare_models --new NEW.tar.gz --live LIVE.tar.gz --reviewed DIR --out OUT.json \\
        [--sets independent,independent_noised,ood] [--limit N]

The sets are bot/evaluate_nlu.py's (never trained on) plus `reviewed`: the admins' held-out annotated
review messages in DIR (reviewed_<lang>.yml, the fifth of the annotations a training job keeps out).
Loading, parsing and the metrics are evaluate_nlu's own, so the figures are those of `make eval-nlu`.
`--limit N` keeps the first N messages of each file (deterministic; the files are ordered by intent,
so a small N covers their first intents only): quick enough for a test.

Per set and language: macro F1 of both models (for the single-intent OOD sets it rises and falls with
the share of messages kept out, also given), F1 per intent side by side, and the confusions (true ->
predicted pairs) that happen less often (better) or more often (worse) with the new model.

The verdict, with TOLERANCE = 0.01 and each set and language's change in macro F1 (new - live):
- "better": no set/language drops by more than TOLERANCE, and at least one rises by more than it,
  or the new model gets more of the reviewed messages right;
- "worse": no set/language rises by more than TOLERANCE, and at least one drops by more than it, or
  the new model gets fewer of the reviewed messages right;
- "mixed" otherwise: some rise and some drop, or nothing changed by more than TOLERANCE.
`reasons` in the output says which changes decided it.

The output JSON is written atomically (a temporary file renamed over OUT), so a reader never sees
half of it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot import evaluate_nlu
from bot.evaluate_nlu import Pairs, Parses

DEFAULT_SETS = ("independent", "independent_noised", "ood")
REVIEWED = "reviewed"
TOLERANCE = 0.01
CONFUSIONS_SHOWN = 20  # per direction, set and language: the biggest changes first


def load_reviewed(directory: Path | None, limit: int = 0) -> dict[str, Pairs]:
    """language -> pairs of the held-out annotations (reviewed_<lang>.yml); {} without any."""
    by_language: dict[str, Pairs] = {}
    for path in sorted(directory.glob("reviewed_*.yml")) if directory and directory.is_dir() else []:
        pairs = evaluate_nlu.load_holdout(path)
        if pairs:
            by_language[path.stem.removeprefix("reviewed_")] = pairs[:limit] if limit else pairs
    return by_language


def parse_with(model: Path, sets: dict[str, dict[str, Pairs]]) -> Parses:
    """Every distinct text of the sets parsed by the model, which is then let go: two agents (with
    their TensorFlow graphs) need not be in memory at once."""
    started = time.perf_counter()
    agent = evaluate_nlu.load_agent(model)
    print(f"{model.name}: loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    parses = asyncio.run(evaluate_nlu.parse_all(agent, sets))
    del agent
    gc.collect()
    return parses


def _pair(live: float | None, new: float | None) -> dict[str, float | None]:
    delta = None if live is None or new is None else round(new - live, 4)
    return {"live": live, "new": new, "delta": delta}


def confusions(pairs: Pairs, parses: Parses) -> Counter[tuple[str, str]]:
    """(true, predicted) -> how many, for the wrong predictions (evaluate_nlu's reading of a parse)."""
    predicted = ((intent, evaluate_nlu.predict(parses[text], intent)) for text, intent in pairs)
    return Counter((t, p) for t, p in predicted if t != p)


def confusion_changes(pairs: Pairs, live: Parses, new: Parses) -> dict[str, Any]:
    before, after = confusions(pairs, live), confusions(pairs, new)
    changed = [{"intent": t, "predicted": p, "live": before[(t, p)], "new": after[(t, p)]}
               for t, p in sorted(set(before) | set(after)) if before[(t, p)] != after[(t, p)]]
    better = sorted((c for c in changed if c["new"] < c["live"]), key=lambda c: c["new"] - c["live"])
    worse = sorted((c for c in changed if c["new"] > c["live"]), key=lambda c: c["live"] - c["new"])
    return {"better": better[:CONFUSIONS_SHOWN], "worse": worse[:CONFUSIONS_SHOWN],
            "better_pairs": len(better), "worse_pairs": len(worse)}


def compare_set(pairs: Pairs, live: Parses, new: Parses, ood: bool) -> dict[str, Any]:
    a = evaluate_nlu.set_metrics(pairs, live, ood=ood)
    b = evaluate_nlu.set_metrics(pairs, new, ood=ood)
    correct = {name: sum(evaluate_nlu.predict(parses[text], intent) == intent for text, intent in pairs)
               for name, parses in (("live", live), ("new", new))}
    result: dict[str, Any] = {
        "examples": len(pairs), "correct": correct,
        "macro_f1": _pair(a["macro_f1"], b["macro_f1"]), "accuracy": _pair(a["accuracy"], b["accuracy"]),
        "per_intent": {intent: {"support": a["per_intent"][intent]["support"],
                                **_pair(a["per_intent"][intent]["f1"], b["per_intent"][intent]["f1"])}
                       for intent in a["per_intent"]},
        "confusions": confusion_changes(pairs, live, new)}
    if ood:
        result["ood_kept_out"] = _pair(a.get("ood_kept_out"), b.get("ood_kept_out"))
    return result


def verdict(sets: dict[str, dict[str, dict[str, Any]]]) -> tuple[str, list[str]]:
    """The rule of the module's docstring: (verdict, the changes that decided it)."""
    rises, drops = [], []
    for set_name, by_language in sets.items():
        for language, r in by_language.items():
            f1 = r["macro_f1"]
            line = f"{set_name} {language}: macro F1 {f1['live']:.4f} -> {f1['new']:.4f} ({f1['delta']:+.4f})"
            if f1["delta"] > TOLERANCE:
                rises.append(line)
            elif f1["delta"] < -TOLERANCE:
                drops.append(line)
    reviewed = sets.get(REVIEWED, {}).values()
    live_right, new_right = sum(r["correct"]["live"] for r in reviewed), sum(r["correct"]["new"] for r in reviewed)
    examples = sum(r["examples"] for r in reviewed)
    reviewed_line = [f"reviewed messages right: {live_right} -> {new_right} of {examples}"] if examples else []
    if not drops and (rises or new_right > live_right):
        return "better", rises + (reviewed_line if new_right > live_right else [])
    if not rises and (drops or new_right < live_right):
        return "worse", drops + (reviewed_line if new_right < live_right else [])
    if not rises and not drops:
        return "mixed", [f"no set and language changed by more than {TOLERANCE}", *reviewed_line]
    return "mixed", rises + drops + reviewed_line


def compare(new: Path, live: Path, reviewed: Path | None, set_names: tuple[str, ...] = DEFAULT_SETS,
            limit: int = 0) -> dict[str, Any]:
    started = time.perf_counter()
    sets = evaluate_nlu.load_sets(set_names, limit)
    if by_language := load_reviewed(reviewed, limit):
        sets[REVIEWED] = by_language
    live_parses, new_parses = parse_with(live, sets), parse_with(new, sets)
    compared = {set_name: {language: compare_set(pairs, live_parses, new_parses, ood=set_name.startswith("ood"))
                           for language, pairs in by_language.items()}
                for set_name, by_language in sets.items()}
    decided, reasons = verdict(compared)
    return {"verdict": decided, "reasons": reasons, "tolerance": TOLERANCE, "new": new.name, "live": live.name,
            "limit": limit, "sets": compared, "seconds": round(time.perf_counter() - started, 1)}


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would outlive the rename: readable like any report
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _set_names(value: str) -> tuple[str, ...]:
    names = tuple(filter(None, (name.strip() for name in value.split(","))))
    unknown = [name for name in names if name not in evaluate_nlu.SETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown sets {unknown}: choose from {', '.join(evaluate_nlu.SETS)}")
    return names


def _model(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no model at {path}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--new", type=_model, required=True, help="the newly trained model")
    parser.add_argument("--live", type=_model, required=True, help="the model the Rasa server runs")
    parser.add_argument("--reviewed", type=Path, help="a directory of held-out reviewed_<lang>.yml")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sets", type=_set_names, default=DEFAULT_SETS, help="comma-separated evaluate_nlu sets")
    parser.add_argument("--limit", type=int, default=0, help="the first N messages of each file (0: all)")
    args = parser.parse_args()
    if args.limit < 0:
        parser.error("--limit must be 0 (all) or more")
    result = compare(args.new, args.live, args.reviewed, args.sets, args.limit)
    write_atomically(args.out, result)
    for set_name, by_language in result["sets"].items():
        for language, r in by_language.items():
            f1 = r["macro_f1"]
            print(f"{set_name} {language} ({r['examples']}): macro F1 live {f1['live']:.4f}, new {f1['new']:.4f}")
    print(f"verdict: {result['verdict']} ({'; '.join(result['reasons'])})")


if __name__ == "__main__":
    main()
