"""NLU evaluation on the held-out sets in bot/eval/ (never trained on), per language.

Run in the bot environment: `make eval-nlu` (or scripts/evaluate-nlu.sh). Writes docs/nlu-report.md
and docs/results/nlu.json. A prediction of nlu_fallback counts as wrong for the true intent (the
bot would have asked to rephrase), except for out_of_scope messages, where fallback is a fine outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "bot" / "eval"
ROUTINE_EXCLUDED = {"out_of_scope", "nlu_fallback"}
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")


def load_holdout(path: Path) -> list[tuple[str, str]]:
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
    return path.name.removeprefix("nlu_holdout_").split("_")[0].split(".")[0]


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    labels = sorted(set(truth))
    per_intent = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(macro, 4), "per_intent": per_intent}


async def evaluate(model: Path) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(EVAL_DIR.glob("nlu_holdout_*.yml")):
        by_language[language_of(path)].extend(load_holdout(path))
    results: dict[str, Any] = {"model": model.name, "languages": {}}
    for language, pairs in sorted(by_language.items()):
        started = time.perf_counter()
        predicted, confusions = [], Counter()
        for text, intent in pairs:
            parse = await agent.parse_message(text)
            name = parse["intent"]["name"]
            if intent == "out_of_scope" and name == "nlu_fallback":
                name = "out_of_scope"  # declining to guess is the right outcome for these
            predicted.append(name)
            if name != intent:
                confusions[(intent, name)] += 1
        truth = [intent for _, intent in pairs]
        result = scores(truth, predicted)
        oos = [(t, p) for t, p in zip(truth, predicted, strict=True) if t == "out_of_scope"]
        result["out_of_scope_contained"] = (
            round(sum(p == "out_of_scope" for _, p in oos) / len(oos), 4) if oos else None
        )
        result["examples"] = len(pairs)
        result["fallback_rate"] = round(predicted.count("nlu_fallback") / len(pairs), 4)
        result["top_confusions"] = [
            {"intent": a, "predicted": b, "count": n} for (a, b), n in confusions.most_common(12)
        ]
        result["ms_per_message"] = round(1000 * (time.perf_counter() - started) / len(pairs), 2)
        results["languages"][language] = result
    return results


def report(results: dict[str, Any]) -> str:
    baseline = results.get("baseline")
    comparison = []
    if baseline:
        comparison = [
            "",
            "## Dense multilingual-e5 vectors: do they help?",
            "",
            f"Baseline `{baseline['model']}`: the same pipeline without the e5 sentence vectors "
            "(`bot/config-sparse.yml`, character n-grams only).",
            "",
            "| language | macro F1 with e5 | macro F1 without | accuracy with e5 | accuracy without |",
            "|---|---|---|---|---|",
        ]
        for lang, r in results["languages"].items():
            b = baseline["languages"][lang]
            comparison.append(
                f"| {lang} | {r['macro_f1']:.3f} | {b['macro_f1']:.3f} | {r['accuracy']:.3f} | {b['accuracy']:.3f} |"
            )
    detection = results.get("language_detection")
    if detection:
        comparison += [
            "",
            "## Language detection",
            "",
            f"On the same held-out messages, without the widget's locale as a hint: accuracy "
            f"**{detection['accuracy']:.3f}** ({detection['correct']}/{detection['examples']}); "
            + ", ".join(f"{k} {v:.3f}" for k, v in detection["per_language"].items())
            + ".",
        ]
    lines = [
        "# NLU evaluation",
        "",
        f"Model `{results['model']}`, held-out sets in `bot/eval/` (never trained on). "
        "Regenerate with `make eval-nlu`; figures also in `docs/results/nlu.json`.",
        "",
        "| language | examples | accuracy | macro F1 | out-of-scope contained | fallback rate |",
        "|---|---|---|---|---|---|",
    ]
    for lang, r in results["languages"].items():
        lines.append(
            f"| {lang} | {r['examples']} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | "
            f"{r['out_of_scope_contained']} | {r['fallback_rate']:.3f} |"
        )
    lines += comparison
    for lang, r in results["languages"].items():
        lines += [
            "",
            f"## {lang}: per intent",
            "",
            "| intent | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for intent, s in r["per_intent"].items():
            lines.append(f"| {intent} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['support']} |")
        lines += ["", f"Most frequent confusions ({lang}):", ""]
        lines += [f"- {c['intent']} -> {c['predicted']}: {c['count']}" for c in r["top_confusions"]] or ["- none"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, help="a variant to compare against (e.g. without dense features)")
    parser.add_argument("--out-json", type=Path, default=ROOT / "docs" / "results" / "nlu.json")
    parser.add_argument("--out-report", type=Path, default=ROOT / "docs" / "nlu-report.md")
    args = parser.parse_args()
    results = asyncio.run(evaluate(args.model))
    if args.baseline:
        results["baseline"] = asyncio.run(evaluate(args.baseline))
    if args.out_json.exists():  # keep figures other tools wrote (language detection)
        previous = json.loads(args.out_json.read_text(encoding="utf-8"))
        if "language_detection" in previous:
            results["language_detection"] = previous["language_detection"]
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out_report.write_text(report(results), encoding="utf-8")
    for lang, r in results["languages"].items():
        print(
            f"{lang}: accuracy {r['accuracy']:.3f}, macro F1 {r['macro_f1']:.3f}, "
            f"out-of-scope contained {r['out_of_scope_contained']}"
        )


if __name__ == "__main__":
    main()
