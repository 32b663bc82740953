"""NLU evaluation on held-out sets (never trained on), per set and per language.

Run in the bot environment: `make eval-nlu` (or scripts/evaluate-nlu.sh). Writes docs/nlu-report.md
and docs/results/nlu.json. The sets (SETS below): the authors' held-out files, independent ones
written by people who never saw the training data, out-of-domain ones, and typo-noised copies of
each (bot/eval/noise.py). A prediction of nlu_fallback counts as wrong for the true intent (the bot
would have asked to rephrase), except for out_of_scope messages, where fallback is a fine outcome.
Each distinct text is parsed once per model; the similarity-floor sweep recomputes offline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "bot" / "eval"
SETS: dict[str, tuple[Path, str]] = {
    "authors": (EVAL_DIR, "nlu_holdout_*.yml"),
    "authors_noised": (EVAL_DIR / "noised", "nlu_holdout_*.yml"),
    "independent": (EVAL_DIR / "independent", "heldout_*.yml"),
    "independent_noised": (EVAL_DIR / "noised", "heldout_*.yml"),
    "ood": (EVAL_DIR / "independent", "ood_*.yml"),
    "ood_noised": (EVAL_DIR / "noised", "ood_*.yml"),
}
OUT_OF_SCOPE, FALLBACK = "out_of_scope", "nlu_fallback"
# They all reach a person, so mistaking one for another is harmless.
PROBLEM_INTENTS = frozenset({"complaint", "damaged_item", "missing_item", "wrong_item", "not_received",
                             "charge_dispute", "human_handoff"})
SEEN = 0.9999  # similarity this close to 1: the message is (nearly) a training example, word for word
THRESHOLDS = (0.0, 0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.90)
SWEEP_COLUMNS = (("independent_macro_f1", "independent", "macro_f1"),  # (column, set, metric)
                 ("independent_noised_macro_f1", "independent_noised", "macro_f1"),
                 ("ood_kept_out", "ood", "ood_kept_out"), ("ood_noised_kept_out", "ood_noised", "ood_kept_out"))
SUMMARY_KEYS = ("macro_f1", "accuracy", "ood_kept_out", "unsupported_kept_out", "problem_recall", "seen_in_training")
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")

Pairs = list[tuple[str, str]]
Parses = dict[str, dict[str, Any]]


def load_holdout(path: Path) -> Pairs:
    """(text, intent) pairs of a Rasa NLU YAML file, entity annotations stripped."""
    import yaml

    pairs = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:].strip())
                pairs.append((text, intent))
    return pairs


def language_of(path: Path) -> str:
    stem = path.stem
    for prefix in ("nlu_holdout_", "heldout_", "ood_"):
        stem = stem.removeprefix(prefix)
    return stem.split("_")[0]


def load_sets(names: tuple[str, ...], limit: int = 0) -> dict[str, dict[str, Pairs]]:
    """set name -> language -> pairs; a set without files (noised copies not generated) is skipped.
    `limit`: only the first that many messages of each file (0: all), for quick comparisons."""
    sets: dict[str, dict[str, Pairs]] = {}
    for name in names:
        directory, pattern = SETS[name]
        by_language: dict[str, Pairs] = defaultdict(list)
        for path in sorted(directory.glob(pattern)):
            pairs = load_holdout(path)
            by_language[language_of(path)].extend(pairs[:limit] if limit else pairs)
        if by_language:
            sets[name] = dict(sorted(by_language.items()))
        else:
            print(f"no files for set {name} ({directory}/{pattern}): skipped", file=sys.stderr)
    return sets


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    per_intent = {}
    for label in sorted(set(truth)):
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                             "f1": round(f1, 4), "support": tp + fn}
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(macro, 4), "per_intent": per_intent}


def component_config(agent: Any, class_name: str) -> dict[str, Any]:
    """The effective config of a pipeline component of the loaded model ({} if absent)."""
    metadata = getattr(agent.processor, "model_metadata", None)
    for node in metadata.predict_schema.nodes.values() if metadata else []:
        if node.uses.__name__ == class_name:
            return {**node.uses.get_default_config(), **node.config}
    return {}


def summarise(parse: dict[str, Any], fallback_threshold: float, ms: float) -> dict[str, Any]:
    """What the metrics need of a parse. `ungated`: the prediction without the similarity floor.
    A gated message's softmax pick is `gated_from`, unless its confidence is below the
    FallbackClassifier threshold (ambiguity was already checked on the unchanged ranking). A
    message the FallbackClassifier took over has lost `similarity`: it stays nlu_fallback."""
    intent = parse.get("intent") or {}
    name = intent.get("name") or FALLBACK
    ungated = name
    if intent.get("gated_from"):
        ranking = parse.get("intent_ranking") or [{}]
        ungated = FALLBACK if ranking[0].get("confidence", 1.0) < fallback_threshold else intent["gated_from"]
    return {"name": name, "ungated": ungated, "similarity": intent.get("similarity"), "ms": ms}


async def parse_all(agent: Any, sets: dict[str, dict[str, Pairs]]) -> Parses:
    """Each distinct text parsed once, whatever the number of sets it is in."""
    fallback_threshold = float(component_config(agent, "FallbackClassifier").get("threshold", 0.0))
    texts = list(dict.fromkeys(text for by_language in sets.values()
                               for pairs in by_language.values() for text, _ in pairs))
    parses: Parses = {}
    for index, text in enumerate(texts, 1):
        started = time.perf_counter()
        parse = await agent.parse_message(text)
        parses[text] = summarise(parse, fallback_threshold, 1000 * (time.perf_counter() - started))
        if index % 500 == 0 or index == len(texts):
            print(f"parsed {index}/{len(texts)} distinct messages", file=sys.stderr)
    return parses


def predict(parse: dict[str, Any], truth: str, threshold: float | None = None) -> str:
    name: str = parse["name"]
    if threshold is not None and parse["similarity"] is not None:
        name = OUT_OF_SCOPE if parse["similarity"] < threshold else parse["ungated"]
    if truth == OUT_OF_SCOPE and name == FALLBACK:
        return OUT_OF_SCOPE  # declining to guess is the right outcome for these
    return name


def rate(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def set_metrics(pairs: Pairs, parses: Parses, threshold: float | None = None, ood: bool = False) -> dict[str, Any]:
    truth = [intent for _, intent in pairs]
    predicted = [predict(parses[text], intent, threshold) for text, intent in pairs]
    both = list(zip(truth, predicted, strict=True))
    result = scores(truth, predicted)
    result["examples"] = len(pairs)
    result["fallback_rate"] = round(predicted.count(FALLBACK) / len(pairs), 4)
    result["out_of_scope_contained"] = rate([p == OUT_OF_SCOPE for t, p in both if t == OUT_OF_SCOPE])
    if ood:  # nlu_fallback already counts as out_of_scope here (predict)
        result["ood_kept_out"] = rate([p in (OUT_OF_SCOPE, FALLBACK) for p in predicted])
    result["unsupported_kept_out"] = rate([p != "change_account_details" for t, p in both
                                           if t == "account_unsupported"])
    result["problem_recall"] = rate([p in PROBLEM_INTENTS for t, p in both if t in PROBLEM_INTENTS])
    confusions = Counter((t, p) for t, p in both if t != p)
    result["top_confusions"] = [{"intent": a, "predicted": b, "count": n} for (a, b), n in confusions.most_common(12)]
    similarities = [parses[text]["similarity"] for text, _ in pairs]
    result["seen_in_training"] = rate([s >= SEEN for s in similarities if s is not None])
    result["ms_per_message"] = round(sum(parses[text]["ms"] for text, _ in pairs) / len(pairs), 2)
    return result


def similarity_sweep(sets: dict[str, dict[str, Pairs]], parses: Parses) -> dict[str, Any] | None:
    if all(p["similarity"] is None for p in parses.values()):
        return None  # a model from before the similarity floor
    languages = sorted({language for by_language in sets.values() for language in by_language})
    table: dict[str, list[dict[str, Any]]] = {}
    for language in languages:
        table[language] = []
        for threshold in THRESHOLDS:
            row: dict[str, Any] = {"threshold": threshold}
            for column, set_name, metric in SWEEP_COLUMNS:
                if pairs := sets.get(set_name, {}).get(language):
                    row[column] = set_metrics(pairs, parses, threshold, ood=set_name.startswith("ood"))[metric]
            table[language].append(row)
    return {"thresholds": list(THRESHOLDS), "languages": table}


def load_agent(model: Path) -> Any:
    """The model as a Rasa Agent, ready to parse (NLU only: no endpoints)."""
    import structlog
    from rasa.core.agent import Agent

    # Rasa logs every parse at debug level unless its CLI configured logging: keep warnings only.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return Agent.load(str(model))


async def evaluate(model: Path, set_names: tuple[str, ...] = tuple(SETS), sweep: bool = True,
                   limit: int = 0) -> dict[str, Any]:
    agent = load_agent(model)
    sets = load_sets(set_names, limit)
    parses = await parse_all(agent, sets)
    floor = component_config(agent, "E5IntentClassifier").get("min_similarity")
    results: dict[str, Any] = {"model": model.name, "min_similarity": floor, "sets": {}}
    for set_name, by_language in sets.items():
        results["sets"][set_name] = {language: set_metrics(pairs, parses, ood=set_name.startswith("ood"))
                                     for language, pairs in by_language.items()}
    results["languages"] = results["sets"].get("authors", {})  # the fields downstream tools read
    if sweep and (table := similarity_sweep(sets, parses)):
        results["similarity_sweep"] = table
    return results


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _value(result: dict[str, Any] | None, key: str, ood: bool) -> float | None:
    if result is None or (ood and key in ("macro_f1", "accuracy")):
        return None  # one intent only: macro F1 and accuracy say nothing, OOD kept out does
    return result.get(key)


def summary_section(results: dict[str, Any]) -> list[str]:
    before = results.get("before", {}).get("sets")
    lines = ["## Summary", ""]
    if before is not None:
        lines += [f"Before, in parentheses: `{results['before']['model']}`.", ""]
    lines += ["| language | set | examples | macro F1 | accuracy | OOD kept out | unsupported kept out | "
              "problem recall | seen in training |", "|---|---|---|---|---|---|---|---|---|"]
    languages = sorted({language for by_language in results["sets"].values() for language in by_language})
    for language in languages:
        for set_name, by_language in results["sets"].items():
            if language not in by_language:
                continue
            r, ood = by_language[language], set_name.startswith("ood")
            b = None if before is None else before.get(set_name, {}).get(language)
            cells = [_cell(_value(r, k, ood)) if before is None
                     else f"{_cell(_value(r, k, ood))} ({_cell(_value(b, k, ood))})" for k in SUMMARY_KEYS]
            lines.append(f"| {language} | {set_name} | {r['examples']} | " + " | ".join(cells) + " |")
    return lines


def sweep_section(results: dict[str, Any]) -> list[str]:
    sweep = results.get("similarity_sweep")
    if not sweep:
        return ["", "## Similarity floor sweep", "", "Skipped: this model reports no `similarity`."]
    floor = results.get("min_similarity")
    lines = ["", "## Similarity floor sweep", "",
             "Offline, from the same parses: a message whose cosine similarity to its nearest in-domain training "
             "example is below the floor is classified out_of_scope (0: no floor). Messages the FallbackClassifier "
             f"took carry no similarity and stay nlu_fallback. This model's `min_similarity`: {floor}.", ""]
    for language, rows in sweep["languages"].items():
        keys = [k for k in rows[0] if k != "threshold"]
        header = " | ".join(k.replace("_", " ").replace("f1", "F1") for k in keys)
        lines += [f"{language}:", "", f"| floor | {header} |", "|---" * (len(keys) + 1) + "|"]
        for row in rows:
            mark = " (model)" if floor is not None and abs(row["threshold"] - float(floor)) < 1e-9 else ""
            lines.append(f"| {row['threshold']:.2f}{mark} | " + " | ".join(_cell(row.get(k)) for k in keys) + " |")
        lines.append("")
    return lines[:-1]


def per_intent_section(title: str, by_language: dict[str, dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for language, r in by_language.items():
        lines += ["", f"## {language}: per intent, {title}", "",
                  "| intent | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        lines += [f"| {i} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['support']} |"
                  for i, s in r["per_intent"].items()]
        lines += ["", f"Most frequent confusions ({language}, {title}):", ""]
        lines += [f"- {c['intent']} -> {c['predicted']}: {c['count']}" for c in r["top_confusions"]] or ["- none"]
    return lines


def baseline_section(results: dict[str, Any]) -> list[str]:
    baseline = results.get("baseline")
    if not baseline:
        return []
    lines = ["", "## Dense multilingual-e5 vectors: do they help?", "",
             f"Baseline `{baseline['model']}`: the same pipeline without the e5 sentence vectors "
             "(`bot/config-sparse.yml`, character n-grams only), on the authors' sets.", "",
             "| language | macro F1 with e5 | macro F1 without | accuracy with e5 | accuracy without |",
             "|---|---|---|---|---|"]
    for lang, r in results["languages"].items():
        b = baseline["languages"][lang]
        lines.append(f"| {lang} | {r['macro_f1']:.3f} | {b['macro_f1']:.3f} | "
                     f"{r['accuracy']:.3f} | {b['accuracy']:.3f} |")
    return lines


def detection_section(results: dict[str, Any]) -> list[str]:
    detection = results.get("language_detection")
    if not detection:
        return []
    return ["", "## Language detection", "",
            f"On the authors' held-out messages, without the widget's locale as a hint: accuracy "
            f"**{detection['accuracy']:.3f}** ({detection['correct']}/{detection['examples']}); "
            + ", ".join(f"{k} {v:.3f}" for k, v in detection["per_language"].items()) + "."]


def report(results: dict[str, Any]) -> str:
    lines = ["# NLU evaluation", "",
             f"Model `{results['model']}`. Regenerate with `make eval-nlu`; figures also in `docs/results/nlu.json`. "
             "No set below is ever trained on:", ""]
    for name, (directory, pattern) in SETS.items():
        lines.append(f"- `{name}`: `{(directory / pattern).relative_to(ROOT).as_posix()}`")
    lines += ["", "The `independent` and `ood` sets were written by people who never saw the training data; "
              "`ood` is messages from outside the shop's domain (single intent out_of_scope). The `*_noised` sets "
              "are generated by `bot/eval/noise.py`: typo-noised copies (dropped, swapped and doubled letters in "
              "about one word in six, lower case, no punctuation; entity values untouched).", "",
              "OOD kept out: share of out-of-domain messages answered out_of_scope or nlu_fallback. Unsupported kept "
              "out: share of account_unsupported messages not taken for change_account_details. Problem recall: "
              "share of " + ", ".join(sorted(PROBLEM_INTENTS)) + " messages predicted as any of them (they all "
              f"reach a person). Seen in training: share of messages whose similarity to the nearest in-domain "
              f"training example is at least {SEEN}, i.e. (nearly) word for word a training example; short "
              "replies (hi, yes, thanks) are expected there, long messages are not.", ""]
    lines += summary_section(results) + sweep_section(results)
    lines += per_intent_section("independent set", results["sets"].get("independent", {}))
    lines += baseline_section(results) + detection_section(results)
    lines += per_intent_section("authors' set", results["languages"])
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, help="a variant to compare against (e.g. without dense features)")
    parser.add_argument("--before", type=Path, help="an older model to compare against on the same sets")
    parser.add_argument("--out-json", type=Path, default=ROOT / "docs" / "results" / "nlu.json")
    parser.add_argument("--out-report", type=Path, default=ROOT / "docs" / "nlu-report.md")
    parser.add_argument("--limit", type=int, default=0,
                        help="the first N messages of each file only (a smoke run; its figures mean little)")
    args = parser.parse_args()
    results = asyncio.run(evaluate(args.model, limit=args.limit))
    if args.baseline:
        results["baseline"] = asyncio.run(evaluate(args.baseline, ("authors",), sweep=False, limit=args.limit))
    if args.before:
        results["before"] = asyncio.run(evaluate(args.before, sweep=False, limit=args.limit))
    if args.out_json.exists():  # keep figures other tools wrote (language detection)
        previous = json.loads(args.out_json.read_text(encoding="utf-8"))
        if "language_detection" in previous:
            results["language_detection"] = previous["language_detection"]
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out_report.parent.mkdir(parents=True, exist_ok=True)
    args.out_report.write_text(report(results), encoding="utf-8")
    for set_name, by_language in results["sets"].items():
        for lang, r in by_language.items():
            extra = ", ".join(f"{k} {r[k]}" for k in SUMMARY_KEYS[2:] if r.get(k) is not None)
            print(f"{set_name} {lang}: accuracy {r['accuracy']:.3f}, macro F1 {r['macro_f1']:.3f}"
                  + (f", {extra}" if extra else ""))


if __name__ == "__main__":
    main()
