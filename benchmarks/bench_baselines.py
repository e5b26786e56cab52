"""Baselines on the bundled reviews: majority class and TF-IDF + logistic regression.

    python benchmarks/bench_baselines.py

Prints accuracy on validation and test (fitted on train only). The same
numbers are in the data card, written by scripts/reviews_card.py.
"""

from __future__ import annotations

import time

import hfnotes
from hfnotes.data import card, load_reviews


def main() -> None:
    hfnotes.setup()
    start = time.perf_counter()
    scores = card.baselines(load_reviews())
    print(f"{'baseline':<16} {'validation':>10} {'test':>8}")
    for name, split_scores in scores.items():
        print(f"{name:<16} {split_scores['validation']:>10.4f} {split_scores['test']:>8.4f}")
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
