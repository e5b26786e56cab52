"""Worked answers to the exercises of notebook 07 · Evaluation metrics.

Each answer is a function; apply it to the notebook's ``pred_test``,
``y_test``, ``probs_val`` … to answer the questions about the course model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hfnotes import evaluation, metrics


def ex_07_1() -> Callable[[np.ndarray, np.ndarray], float]:
    """07.1 · Write ``specificity(predictions, references)`` = TN / (TN + FP).

    It equals the recall of the negative class, ``recall`` with ``pos_label=0``.
    """

    def specificity(predictions: np.ndarray, references: np.ndarray) -> float:
        predictions, references = np.asarray(predictions), np.asarray(references)
        tn = int(((predictions == 0) & (references == 0)).sum())
        fp = int(((predictions == 1) & (references == 0)).sum())
        return tn / (tn + fp)

    return specificity


def ex_07_2() -> Callable[[np.ndarray, np.ndarray, Sequence[float]], float]:
    """07.2 · Write ``choose_threshold(positive_probabilities, references, thresholds)``: the best-F1 threshold.

    On an imbalanced validation subset the best threshold is above 0.5: with
    few positives, every false alarm costs precision, so the model should say
    "positive" only when it is sure. Applied to the imbalanced test subset it
    wins back part of the F1 that section 6 lost.
    """

    def choose_threshold(positive_probabilities, references, thresholds) -> float:
        rows = evaluation.threshold_table(positive_probabilities, references, thresholds)
        return float(max(rows, key=lambda row: row["f1"])["threshold"])

    return choose_threshold


def ex_07_3() -> Callable[[np.ndarray, np.ndarray, int], dict[str, float]]:
    """07.3 · Write ``imbalanced_scores(predictions, references, seed)``: F1 and MCC on section 6's subset.

    Run over ``SEED`` 0 … 9, F1 and MCC move by several points, because the
    minority class holds about 24 reviews and each one weighs heavily: report
    a spread over draws (or a confidence interval), not one number.
    """
    f1, mcc = metrics.load("f1", keep_in_memory=True), metrics.load("matthews_correlation", keep_in_memory=True)

    def imbalanced_scores(predictions, references, seed: int, share: float = 0.10) -> dict[str, float]:
        predictions, references = np.asarray(predictions), np.asarray(references)
        rng = np.random.default_rng(seed)
        negatives, positives = np.flatnonzero(references == 0), np.flatnonzero(references == 1)
        kept = rng.choice(positives, size=round(share * len(positives)), replace=False)
        subset = np.sort(np.concatenate([negatives, kept]))
        pred, ref = predictions[subset], references[subset]
        return {
            "f1": f1.compute(predictions=pred, references=ref)["f1"],
            "mcc": mcc.compute(predictions=pred, references=ref)["matthews_correlation"],
        }

    return imbalanced_scores
