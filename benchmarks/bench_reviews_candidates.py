"""A candidate revision of the bundled reviews, measured before it ships.

    python benchmarks/bench_reviews_candidates.py                      # keyword baseline only, seconds
    python benchmarks/bench_reviews_candidates.py --fine-tune default batch_size=16   # + the checkpoint, ~3 min each

``benchmarks/data/reviews_candidates.csv`` holds 880 reviews written for the course (columns ``text``,
``label``, ``domain``, ``kind``; 60 per domain and label, 50 for hotels and 30 for travel) whose verdict is clear
to a reader but not carried by sentiment words. ``kind`` says how each carries its verdict: ``action`` (what the
writer did next), ``contrary_words`` (words that point against the verdict), ``mixed`` (good and bad points, a
clear verdict), ``negation`` (negation and comparisons), ``noisy`` (noisy typing), ``one_liner``. They share no six-word
run and no near-duplicate (word 3-gram Jaccard >= 0.3) with any bundled or challenge row.

The benchmark builds the revised dataset in a temporary folder, never in the package: ``--mode replace`` (the
default) retires as many version 1.0 reviews of each domain x label cell as the candidates add, drawn with a
fixed seed, so the splits keep their sizes; ``--mode add`` adds the candidates to every bundled row. Both are then
split by ``scripts/reviews_split.py``'s grouping. It prints the keyword baseline (TF-IDF + logistic regression, as
in the data card) on validation, test and the challenge split (text written unlike the training style, never
trained on), and the same three accuracies for each ``--fine-tune`` recipe (``default`` or comma-separated
``Recipe`` fields), with its training time on this machine. Last, a table of accuracy by kind on the held-out
rows (validation and test together: the candidates of each kind that landed there, and the ``bundled`` rows that
were already in the data), for keywords and each recipe: which kinds a model learns from the others, and which
only add difficulty.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import hfnotes
from hfnotes.data import REVIEWS_DIR, SPLITS, card, features, load_challenge

CANDIDATES = Path(__file__).parent / "data" / "reviews_candidates.csv"
LAST_V1_ID = 3212
"""Reviews ``rv00001``-``rv03212`` are version 1.0, the ones keywords find easiest (see the data card)."""


def _splitter():
    path = Path(__file__).resolve().parents[1] / "scripts" / "reviews_split.py"
    spec = importlib.util.spec_from_file_location("reviews_split", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_candidates(kinds: set[str] | None = None) -> list[dict[str, str]]:
    """The candidate rows of ``kinds`` (default: every kind)."""
    with open(CANDIDATES, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if kinds is None or r["kind"] in kinds]


def revised(folder: Path, mode: str, seed: int, chosen: list[dict[str, str]]) -> dict[str, int]:
    """Write the revised splits, with the ``chosen`` candidates, into ``folder``; return what changed."""
    split = _splitter()
    shutil.copytree(REVIEWS_DIR, folder, dirs_exist_ok=True)
    rows = split.read_rows(folder)
    source = folder / "candidates.csv"  # add_rows reads files: the chosen rows, without their kind
    with open(source, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["text", "label", "domain"], extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(chosen)
    wanted = Counter((r["domain"], r["label"]) for r in chosen)
    retired: set[str] = set()
    if mode == "replace":
        old = defaultdict(list)
        for row in rows:
            if int(row["id"][2:]) <= LAST_V1_ID:
                old[(row["domain"], row["label"])].append(row["id"])
        rng = random.Random(seed)
        for cell, n in sorted(wanted.items()):
            retired |= set(rng.sample(sorted(old[cell]), n))
        rows = [row for row in rows if row["id"] not in retired]
    rows += split.add_rows(rows, [source])
    source.unlink()
    rows.sort(key=lambda r: r["id"])
    split.write(rows, split.assign(rows, split.groups(rows)), folder, "candidate")
    return {"rows": len(rows), "retired": len(retired), "added": sum(wanted.values())}


def kinds_of(held_out, chosen: list[dict[str, str]]) -> list[str]:
    """The candidate kind of each held-out row (matched by its text, spaces as add_rows leaves them), or ``"bundled"``."""
    kind = {" ".join(r["text"].split()): r["kind"] for r in chosen}
    return [kind.get(text, "bundled") for text in held_out["text"]]


def accuracy(rows, predicted) -> float:
    """Share of ``rows`` whose label id is the ``predicted`` one."""
    return sum(int(p) == y for p, y in zip(predicted, rows["label"], strict=True)) / rows.num_rows


def by_kind_table(held_out, columns: dict[str, dict[str, float]]) -> str:
    """Accuracy per kind (rows) for each model (columns), with the number of held-out rows of each kind."""
    sizes = Counter(held_out["phenomenon"])
    names = list(columns)
    lines = [f"{'kind':<16} {'rows':>5} " + " ".join(f"{name[:14]:>14}" for name in names)]
    for tag in [*sorted(sizes, key=lambda t: (t == "bundled", t)), "all"]:
        size = held_out.num_rows if tag == "all" else sizes[tag]
        lines.append(f"{tag:<16} {size:>5} " + " ".join(f"{columns[name][tag]:>14.3f}" for name in names))
    return "\n".join(lines)


def recipe_from(spec: str):
    from hfnotes.recipe import Recipe

    if spec == "default":
        return Recipe()
    fields = dict(item.split("=", 1) for item in spec.split(","))
    return Recipe(**{k: int(v) if v.isdigit() else float(v) for k, v in fields.items()})  # Recipe checks the types


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("replace", "add"), default="replace")
    parser.add_argument("--seed", type=int, default=3, help="which version 1.0 reviews are retired")
    parser.add_argument("--kinds", help="comma-separated kinds of candidates to use (default: all)")
    parser.add_argument("--fine-tune", nargs="*", default=[], metavar="RECIPE")
    args = parser.parse_args()
    hfnotes.setup()
    from datasets import concatenate_datasets, load_dataset

    with tempfile.TemporaryDirectory(prefix="hfnotes-candidates-") as tmp:
        folder = Path(tmp)
        chosen = read_candidates(set(args.kinds.split(",")) if args.kinds else None)
        print(f"mode {args.mode}, kinds {args.kinds or 'all'}:", revised(folder, args.mode, args.seed, chosen))
        files = {split: str(folder / f"{split}.csv") for split in SPLITS}
        ds = load_dataset("csv", data_files=files, features=features(), cache_dir=str(folder / "cache"))
        print({split: ds[split].num_rows for split in SPLITS})
        challenge = load_challenge()
        held_out = concatenate_datasets([ds["validation"], ds["test"]])
        held_out = held_out.add_column("phenomenon", kinds_of(held_out, chosen))
        keyword_model = card._fit_baselines(ds)[1]  # fitted once on train, as the data card's baselines are

        def keywords(rows) -> list[int]:
            return keyword_model.predict(list(rows["text"])).tolist()

        by_kind = {"keywords": card.by_phenomenon(held_out, keywords(held_out))}
        print(f"{'model':<36} {'validation':>10} {'test':>8} {'challenge':>10}")
        print(
            f"{'keywords (TF-IDF)':<36} {accuracy(ds['validation'], keywords(ds['validation'])):>10.4f} "
            f"{accuracy(ds['test'], keywords(ds['test'])):>8.4f} {accuracy(challenge, keywords(challenge)):>10.4f}"
        )
        if args.fine_tune:
            from hfnotes.evaluation import predict_probabilities
            from hfnotes.train import fine_tune, without_autocast_wrapper

            for spec in args.fine_tune:
                start = time.perf_counter()
                result = fine_tune(recipe_from(spec), dataset=ds)
                seconds = time.perf_counter() - start
                without_autocast_wrapper(result.model)  # score in float32, as the saved checkpoint would
                probabilities = predict_probabilities(list(challenge["text"]), result.model.eval(), result.tokenizer)
                on_challenge = card.by_phenomenon(challenge, probabilities.argmax(axis=1).tolist())["all"]
                held_out_probabilities = predict_probabilities(list(held_out["text"]), result.model, result.tokenizer)
                by_kind[spec] = card.by_phenomenon(held_out, held_out_probabilities.argmax(axis=1).tolist())
                print(
                    f"{'checkpoint ' + spec:<36} {result.metrics['validation_accuracy']:>10.4f} "
                    f"{result.metrics['test_accuracy']:>8.4f} {on_challenge:>10.4f}  ({seconds:.0f} s on this machine)"
                )
        print(
            "\naccuracy by kind on validation + test (the checkpoints read up to 512 tokens here, as a pipeline does)"
        )
        print(by_kind_table(held_out, by_kind))


if __name__ == "__main__":
    main()
