"""NLU figures in the benchmarks' format: accuracy and macro F1 per language on every held-out set,
from `make eval-nlu` (docs/results/nlu.json, written by bot/evaluate_nlu.py), and the time to train
the model on this machine, measured here once.

    python -m bench.nlu.run [--no-train] [--no-write]

Each figure's baseline is from the same evaluation run: on the authors' held-out set the same pipeline
without the dense sentence features (bot/config-sparse.yml, what `make eval-nlu` trains beside it),
on the other sets the model evaluated before it (`--before`; the only other model that run has
figures for there). Training: `rasa train` of bot/config.yml from an empty cache (Rasa's cache of
trained components is a directory of its own, so nothing is reused) into a temporary directory; the
product's model is left alone. --no-train keeps the training time of the last run. Writes
docs/results/nlu-bench.json and its section of docs/benchmarks.md (docs/nlu-report.md is the
evaluation's own report).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.plot import bars
from bench.report import RESULTS, command, figure, machine, today, venvs, write_results, write_section
from devstack.stack import ROOT

NAME = "nlu-bench"
METRICS = ("accuracy", "macro_f1")


def _train() -> float:
    """Seconds for one training of the product's pipeline, from nothing, on this machine."""
    _, bot_venv = venvs()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache"), "RASA_TELEMETRY_ENABLED": "false",
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        started = time.monotonic()
        subprocess.run([str(bot_venv / "bin" / "rasa"), "train", "--config", "bot/config.yml", "--domain",
                        "bot/domain", "--data", "bot/data", "--out", tmp, "--fixed-model-name", "timed"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - started


def _baseline(nlu: dict[str, Any], set_name: str) -> tuple[str, dict[str, Any]] | None:
    sparse = (nlu.get("baseline") or {}).get("sets", {}).get(set_name)
    if sparse:
        return f"without dense features (`{nlu['baseline']['model']}`)", sparse
    before = (nlu.get("before") or {}).get("sets", {}).get(set_name)
    if before:
        return f"the model before (`{nlu['before']['model']}`)", before
    return None


def _figures(nlu: dict[str, Any], training_s: float | None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    figures, baselines = [], {}
    for set_name, by_lang in nlu["sets"].items():
        base = _baseline(nlu, set_name)
        if base:
            baselines[set_name] = base[0]
        for lang, r in by_lang.items():
            for metric in METRICS:
                b = base[1].get(lang, {}).get(metric) if base else None
                figures.append(figure(f"nlu.{set_name}.{lang}.{metric}", r.get(metric), "fraction", b))
    figures.append(figure("nlu.training_time", round(training_s, 1) if training_s else None, "s", None))
    return figures, baselines


def _report(results: dict[str, Any]) -> str:
    nlu_model = results["model"]
    rows = ["| set | language | examples | accuracy (baseline) | macro F1 (baseline) |", "|---|---|---|---|---|"]
    by_name = {f["name"]: f for f in results["figures"]}
    for set_name, by_lang in results["sets"].items():
        for lang, examples in by_lang.items():
            cells = []
            for metric in METRICS:
                f = by_name[f"nlu.{set_name}.{lang}.{metric}"]
                cells.append(f"{f['value']:.3f}" + (f" ({f['baseline']:.3f})" if f["baseline"] is not None else ""))
            rows.append(f"| {set_name} | {lang} | {examples} | {' | '.join(cells)} |")
    by_baseline: dict[str, list[str]] = {}
    for set_name, baseline in results["baselines"].items():
        by_baseline.setdefault(baseline, []).append(f"`{set_name}`")
    baselines = "; ".join(f"{', '.join(sets)}: {baseline}" for baseline, sets in by_baseline.items())
    training = results["training_s"]
    return (
        "## NLU: accuracy and macro F1 per language, and training time\n\n"
        f"`make bench-nlu` (bench/nlu/run.py), {results['generated']}, {results['machine']}, `{results['command']}`. "
        f"The figures are `make eval-nlu`'s (bot/evaluate_nlu.py, docs/nlu-report.md) for `{nlu_model}`, on "
        "every held-out set, none ever trained on; each beside its baseline from the same evaluation run "
        f"({baselines}). On the `ood` sets every message is out of the shop's domain: accuracy is the share "
        "kept out (answered `out_of_scope` or `nlu_fallback`).\n\n"
        + "\n".join(rows) + "\n\n"
        + (f"Training (`rasa train` of bot/config.yml on bot/data as it was on {results['training_on']}, from an "
           f"empty component cache): **{training:.0f} s** on this machine, while others' tests ran on its 2 cores; "
           "no baseline (a second training would double the bench's time). The accuracy figures are for the "
           "model `make eval-nlu` last evaluated, named above; when bot/ has changed since, `make eval-nlu` "
           "refreshes them (and `python -m bench.nlu.run --no-train` this section).\n" if training else
           "Training time: not measured.\n")
        + "\n![NLU macro F1](plots/nlu.svg)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-train", action="store_true", help="keep the training time of the last run")
    parser.add_argument("--no-write", action="store_true", help="print the section, write nothing")
    args = parser.parse_args()
    nlu = json.loads((RESULTS / "nlu.json").read_text())
    previous = RESULTS / f"{NAME}.json"
    if args.no_train:
        last = json.loads(previous.read_text()) if previous.exists() else {}
        training_s, training_on = last.get("training_s"), last.get("training_on", "")
    else:
        training_s, training_on = round(_train(), 1), today()
    figures, baselines = _figures(nlu, training_s)
    results = {"generated": today(), "machine": machine(), "command": command("bench.nlu.run"),
               "model": nlu["model"], "training_s": training_s, "training_on": training_on, "baselines": baselines,
               "sets": {name: {lang: r.get("examples") for lang, r in by_lang.items()}
                        for name, by_lang in nlu["sets"].items()},
               "figures": figures}
    section = _report(results)
    if not args.no_write:
        write_results(NAME, results)
        langs = sorted({lang for by_lang in nlu["sets"].values() for lang in by_lang})
        bars("nlu", "NLU macro F1 by held-out set", list(nlu["sets"]),
             {lang: [nlu["sets"][s].get(lang, {}).get("macro_f1") for s in nlu["sets"]] for lang in langs},
             "macro F1", "held-out set")
        write_section("nlu", section)
    print(section)


if __name__ == "__main__":
    main()
