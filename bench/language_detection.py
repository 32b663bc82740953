"""Language detection accuracy on the NLU held-out messages (bot/eval/), without any hint.

Runs in the app environment (the detector lives in handoff/language.py); adds its figures to
docs/results/nlu.json. Part of `make eval-nlu`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from handoff.language import detect

ROOT = Path(__file__).resolve().parent.parent
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def held_out() -> list[tuple[str, str]]:
    pairs = []
    for path in sorted((ROOT / "bot" / "eval").glob("nlu_holdout_*.yml")):
        language = path.name.removeprefix("nlu_holdout_").split("_")[0].split(".")[0]
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    pairs.append((_ANNOTATION.sub(lambda m: m.group(1), line.strip()[2:]), language))
    return pairs


def main() -> None:
    pairs = held_out()
    per_language: dict[str, list[int]] = {}
    for text, language in pairs:
        counts = per_language.setdefault(language, [0, 0])
        counts[0] += 1
        counts[1] += detect(text) == language
    correct = sum(c for _, c in per_language.values())
    figures = {"examples": len(pairs), "correct": correct, "accuracy": round(correct / len(pairs), 4),
               "per_language": {k: round(c / n, 4) for k, (n, c) in sorted(per_language.items())},
               "detector": "py3langid restricted to en/id/he, plus script and chat-word rules (handoff/language.py)"}
    out = ROOT / "docs" / "results" / "nlu.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    results["language_detection"] = figures
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"language detection: {figures['accuracy']:.3f} ({correct}/{len(pairs)}) {figures['per_language']}")


if __name__ == "__main__":
    main()
