"""The course checkpoint and the baselines on the test and challenge splits (the latter per phenomenon).

    python benchmarks/bench_challenge.py           # measure and print
    python benchmarks/bench_challenge.py --write   # also record the checkpoint's numbers for the data card

Classifies the challenge split with the course sentiment checkpoint (batches of 32, truncated to the
model's limit as hfnotes.inference does; the checkpoint is built first if it is not cached) and prints
its accuracy per phenomenon and overall next to the majority-class and TF-IDF + logistic-regression
baselines fitted on train (hfnotes.data.card, as in bench_baselines.py); then the same on the
validation and test splits. --write stores the
checkpoint's numbers in data/reviews/challenge_scores.json with the data version and build conditions
they were measured under; then run python scripts/reviews_card.py --write to put them in the card.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import hfnotes
from hfnotes import assets, data, inference
from hfnotes.data import card
from hfnotes.integrity import sha256_file


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the checkpoint's scores for the data card")
    args = parser.parse_args(argv)
    hfnotes.setup()
    start = time.perf_counter()
    challenge = data.load_challenge()
    folder = Path(assets.sentiment_model("bundled"))
    model, tokenizer = inference.load_classifier(folder)
    label2id = {name.lower(): i for i, name in model.config.id2label.items()}

    def predict(texts: list[str]) -> list[int]:
        return [label2id[r["label"].lower()] for r in inference.classify(texts, model, tokenizer, batch_size=32)]

    checkpoint = card.by_phenomenon(challenge, predict(list(challenge["text"])))
    reviews = data.load_reviews()
    found = card.challenge_baselines(reviews, challenge)
    columns = {"checkpoint": checkpoint, "majority": found["majority"], "tfidf_logreg": found["tfidf_logreg"]}
    print(f"{'phenomenon':<24}" + "".join(f"{name:>14}" for name in columns))
    for tag in [*data.PHENOMENA, "all"]:
        print(f"{tag:<24}" + "".join(f"{scores[tag]:>14.3f}" for scores in columns.values()))
    splits = {}
    for split in ("validation", "test"):
        labels = reviews[split]["label"]
        splits[split] = sum(p == y for p, y in zip(predict(list(reviews[split]["text"])), labels, strict=True)) / len(
            labels
        )
    fitted = card.baselines(reviews)
    print(f"\n{'split':<24}{'checkpoint':>14}{'majority':>14}{'tfidf_logreg':>14}")
    for split, accuracy in splits.items():
        print(f"{split:<24}{accuracy:>14.3f}{fitted['majority'][split]:>14.3f}{fitted['tfidf_logreg'][split]:>14.3f}")
    print(f"({time.perf_counter() - start:.1f} s)")
    if args.write:
        built = json.loads((folder / "hfnotes.json").read_text(encoding="utf-8"))
        record = {
            "challenge_sha256": sha256_file(data.REVIEWS_DIR / data.CHALLENGE_FILE),
            "data_version": built["data_version"],
            "build": built["build"],
            "accuracy": checkpoint,
            "splits": splits,
        }
        path = data.REVIEWS_DIR / card.SCORES_FILE
        path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
