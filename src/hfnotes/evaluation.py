"""Evaluate a classifier beyond one accuracy number (notebook 07).

- :func:`predict_probabilities` — class probabilities for many texts, batched by length;
- :func:`per_group_accuracy` — accuracy within each group (e.g. each review domain);
- :func:`threshold_table` — accuracy, precision, recall and F1 of "positive when p ≥ t" for several t;
- :func:`most_confident_mistakes` — the wrong predictions the model was surest about;
- :func:`calibration_bins` — predicted probability against observed frequency, bin by bin;
- :func:`expected_calibration_error` — the count-weighted mean gap between the two (ECE);
- :func:`plot_confusion_matrix` — a labelled confusion-matrix figure;
- :func:`plot_reliability` — the reliability curve of :func:`calibration_bins`, with the diagonal.

The scores themselves come from scikit-learn; the functions here only check
their input and arrange the results. Bad input raises
:class:`~hfnotes.errors.InputError` with a message saying what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import inference
from .errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "predict_probabilities",
    "per_group_accuracy",
    "threshold_table",
    "most_confident_mistakes",
    "calibration_bins",
    "expected_calibration_error",
    "plot_confusion_matrix",
    "plot_reliability",
]


def _check_same_length(**columns: Sequence[Any]) -> int:
    """Return the common length of ``columns``; raise InputError if any is empty or lengths differ."""
    lengths = {name: len(values) for name, values in columns.items()}
    for name, n in lengths.items():
        if n == 0:
            raise InputError(f"{name} is empty: pass at least one example.")
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n} {name}" for name, n in lengths.items())
        raise InputError(f"Got {listed}: pass exactly one entry per example, taken from the same examples.")
    return next(iter(lengths.values()))


def _binary_labels(references: Sequence[int]) -> np.ndarray:
    """``references`` as an int array of 0/1, or InputError."""
    array = np.asarray(references)
    if array.ndim != 1 or array.dtype.kind not in "biu" or not np.isin(array, (0, 1)).all():
        raise InputError("references must be a flat list of 0/1 class ids (0 = negative, 1 = positive).")
    return array.astype(int)


def _positive_probabilities(values: Sequence[float]) -> np.ndarray:
    """``values`` as a flat float array of probabilities in [0, 1], or InputError."""
    probabilities = np.asarray(values, dtype=float)
    if probabilities.ndim != 1 or not ((probabilities >= 0) & (probabilities <= 1)).all():
        raise InputError(
            "positive_probabilities must be a flat list of probabilities in [0, 1]; "
            "pass the positive-class column, e.g. probs[:, 1]."
        )
    return probabilities


def predict_probabilities(
    texts: Sequence[str],
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    batch_size: int = 64,
) -> np.ndarray:
    """Class probabilities for every text, shape ``(len(texts), num_labels)``, in input order.

    Texts are sorted by length (in characters, a cheap stand-in for tokens)
    before batching, so each batch holds texts of similar length and little
    padding is computed; row ``i`` of the result still belongs to ``texts[i]``.
    Each batch goes through :func:`hfnotes.inference.encode`, ``forward`` and ``softmax``.

    Example:
        >>> from hfnotes import assets
        >>> from hfnotes.inference import load_classifier
        >>> model, tokenizer = load_classifier(assets.sentiment_model())
        >>> probs = predict_probabilities(["Dull and far too long.", "Loved every minute of it!"], model, tokenizer)
        >>> probs.shape, probs.argmax(axis=1).tolist()
        ((2, 2), [0, 1])
    """
    texts = inference.check_texts(texts)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive int, got {batch_size!r}.")
    order = np.argsort([len(text) for text in texts], kind="stable")
    result = np.empty((len(texts), model.config.num_labels), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        rows = order[start : start + batch_size]
        batch = inference.encode(tokenizer, [texts[i] for i in rows])
        result[rows] = inference.softmax(inference.forward(model, batch)).numpy()
    return result


def per_group_accuracy(
    predictions: Sequence[int], references: Sequence[int], groups: Sequence[str]
) -> dict[str, float]:
    """Accuracy within each group, as ``{group: accuracy}`` sorted by group name.

    Example:
        >>> per_group_accuracy([1, 0, 1, 1], [1, 1, 1, 0], ["books", "books", "apps", "apps"])
        {'apps': 0.5, 'books': 0.5}
        >>> per_group_accuracy([1, 0, 1], [1, 0, 1], ["a", "b", "a"])
        {'a': 1.0, 'b': 1.0}
    """
    _check_same_length(predictions=predictions, references=references, groups=groups)
    correct = np.asarray(predictions) == np.asarray(references)
    names = np.asarray(groups)
    return {str(name): float(correct[names == name].mean()) for name in sorted(set(names.tolist()))}


def threshold_table(
    positive_probabilities: Sequence[float], references: Sequence[int], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """Scores of the rule "predict positive when p ≥ threshold", one row per threshold.

    Each row has ``threshold``, ``accuracy``, and ``precision``, ``recall``
    and ``f1`` of the positive class (1). A score whose denominator is zero
    (e.g. precision when nothing is predicted positive) is 0.0.

    Example:
        >>> rows = threshold_table([0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0], [0.5, 0.3])
        >>> rows[0]
        {'threshold': 0.5, 'accuracy': 0.5, 'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
        >>> rows[1]["recall"], rows[1]["precision"]
        (1.0, 0.666...)
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    _check_same_length(positive_probabilities=positive_probabilities, references=references)
    probabilities = _positive_probabilities(positive_probabilities)
    labels = _binary_labels(references)
    cutoffs = [float(t) for t in thresholds]
    if not cutoffs:
        raise InputError("thresholds is empty: pass at least one threshold, e.g. [0.5].")
    outside = [t for t in cutoffs if not 0.0 <= t <= 1.0]
    if outside:
        raise InputError(f"thresholds must lie in [0, 1] (they are compared with probabilities), got {outside}.")
    rows = []
    for t in cutoffs:
        predicted = (probabilities >= t).astype(int)
        precision, recall, f1, _ = precision_recall_fscore_support(
            labels, predicted, average="binary", pos_label=1, labels=[0, 1], zero_division=0.0
        )
        accuracy = accuracy_score(labels, predicted)
        scores = {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}
        rows.append({"threshold": t} | {name: float(value) for name, value in scores.items()})
    return rows


def most_confident_mistakes(
    texts: Sequence[str], probabilities: Sequence[Sequence[float]], references: Sequence[int], k: int = 10
) -> list[dict[str, Any]]:
    """The ``k`` wrong predictions with the highest probability, most confident first.

    The prediction is the argmax of each row of ``probabilities``. Each
    result has ``index`` (position in the input), ``text``, ``label`` (the
    true class id), ``predicted`` and ``probability`` (of the predicted
    class). Fewer than ``k`` rows come back when there are fewer mistakes;
    equal probabilities keep input order.

    Example:
        >>> probs = [[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]]
        >>> for row in most_confident_mistakes(["a", "b", "c", "d"], probs, [0, 0, 0, 1], k=2):
        ...     print(row["index"], row["text"], row["predicted"], round(row["probability"], 2))
        0 a 1 0.9
        2 c 1 0.7
    """
    n = _check_same_length(texts=texts, probabilities=probabilities, references=references)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a positive int (how many mistakes to return), got {k!r}.")
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise InputError(f"probabilities must have one row of class probabilities per text; got shape {probs.shape}.")
    labels = np.asarray(references)
    if labels.shape != (n,) or labels.dtype.kind not in "biu":
        raise InputError("references must be a flat list of integer class ids.")
    predicted = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    ranked = wrong[np.argsort(-confidence[wrong], kind="stable")][:k]
    return [
        {
            "index": int(i),
            "text": texts[i],
            "label": int(labels[i]),
            "predicted": int(predicted[i]),
            "probability": float(confidence[i]),
        }
        for i in ranked
    ]


def calibration_bins(
    positive_probabilities: Sequence[float], references: Sequence[int], n_bins: int = 10
) -> list[dict[str, float]]:
    """Predicted P(positive) against the observed share of positives, one row per non-empty bin.

    The range [0, 1] is cut into ``n_bins`` bins of equal width; a bin holds the
    predictions with ``low < p ≤ high`` (the first also p = 0). Each row has
    ``low``, ``high``, ``count`` (predictions in the bin), ``predicted`` (their
    mean probability) and ``observed`` (the share of them that is truly
    positive). The two means come from ``sklearn.calibration.calibration_curve``.
    For a calibrated model ``observed`` ≈ ``predicted`` in every bin.

    Example:
        >>> for row in calibration_bins([0.125, 0.375, 0.75, 0.75, 0.75], [0, 1, 1, 1, 0], n_bins=2):
        ...     print(row)
        {'low': 0.0, 'high': 0.5, 'count': 2, 'predicted': 0.25, 'observed': 0.5}
        {'low': 0.5, 'high': 1.0, 'count': 3, 'predicted': 0.75, 'observed': 0.666...}
    """
    from sklearn.calibration import calibration_curve

    _check_same_length(positive_probabilities=positive_probabilities, references=references)
    probabilities = _positive_probabilities(positive_probabilities)
    labels = _binary_labels(references)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise InputError(f"n_bins must be a positive int (how many equal-width bins), got {n_bins!r}.")
    observed, predicted = calibration_curve(labels, probabilities, n_bins=n_bins, strategy="uniform", pos_label=1)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # The same bins as calibration_curve (it returns the means of the non-empty ones, not their counts).
    counts = np.bincount(np.searchsorted(edges[1:-1], probabilities), minlength=n_bins)
    filled = np.flatnonzero(counts)
    return [
        {
            "low": int(i) / n_bins,  # the edges as printed; the binning above uses calibration_curve's own
            "high": (int(i) + 1) / n_bins,
            "count": int(counts[i]),
            "predicted": float(p),
            "observed": float(o),
        }
        for i, p, o in zip(filled, predicted, observed, strict=True)
    ]


def expected_calibration_error(
    positive_probabilities: Sequence[float], references: Sequence[int], n_bins: int = 10
) -> float:
    """Expected calibration error (ECE): how far predicted probabilities are from observed frequencies.

    ECE = Σ (count / N) · abs(observed − predicted) over the bins of
    :func:`calibration_bins`: the gap between the reliability curve and the
    diagonal, averaged with each bin weighted by its share of the predictions.
    0 means calibrated bin by bin; 0.05 means the stated probabilities are off
    by 5 percentage points on average.

    Example:
        >>> # bins as in calibration_bins: 2 of 5 predictions off by |0.5 − 0.25|, 3 of 5 by |2/3 − 0.75|
        >>> round(expected_calibration_error([0.125, 0.375, 0.75, 0.75, 0.75], [0, 1, 1, 1, 0], n_bins=2), 4)
        0.15
    """
    rows = calibration_bins(positive_probabilities, references, n_bins=n_bins)
    total = sum(row["count"] for row in rows)
    return float(sum(row["count"] / total * abs(row["observed"] - row["predicted"]) for row in rows))


def plot_confusion_matrix(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw a confusion matrix (rows: true class, columns: predicted) with the count in every cell.

    The drawing is scikit-learn's ``ConfusionMatrixDisplay``; this checks the
    input and names the axes and the figure.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = plot_confusion_matrix([[50, 5], [8, 37]], ["negative", "positive"])
        >>> ax.get_xlabel(), ax.get_ylabel(), [t.get_text() for t in ax.texts]
        ('predicted label', 'true label', ['50', '5', '8', '37'])
    """
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    counts = np.asarray(matrix)
    names = [str(label) for label in labels]
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise InputError(f"matrix must be a non-empty square table of counts; got shape {counts.shape}.")
    if counts.shape[0] != len(names):
        raise InputError(
            f"matrix has {counts.shape[0]} classes but {len(names)} labels were given: pass one per class."
        )
    if counts.dtype.kind not in "biu" or (counts < 0).any():
        raise InputError(
            "matrix must hold non-negative integer counts, e.g. the output of the confusion_matrix metric."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    display = ConfusionMatrixDisplay(confusion_matrix=counts, display_labels=names)
    display.plot(ax=ax, cmap="Blues", colorbar=False, values_format="d", text_kw={"fontsize": 14})
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(title or f"Confusion matrix ({counts.sum()} examples)")
    return ax


def plot_reliability(rows: Sequence[dict[str, float]], ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw a reliability curve from :func:`calibration_bins` rows, with the diagonal of perfect calibration.

    Each point is one bin: its mean predicted probability (x) against the share
    of positives in it (y), labelled with the number of predictions it holds.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = plot_reliability(calibration_bins([0.125, 0.375, 0.75, 0.75, 0.75], [0, 1, 1, 1, 0], n_bins=2))
        >>> ax.get_xlabel(), ax.get_ylabel(), [t.get_text() for t in ax.texts]
        ('predicted probability of positive (mean in the bin)', 'observed share of positives', ['2', '3'])
    """
    import matplotlib.pyplot as plt

    needed = {"count", "predicted", "observed"}
    if not rows or any(not isinstance(row, dict) or not needed <= row.keys() for row in rows):
        raise InputError(
            "rows must be a non-empty list of calibration_bins rows (dicts with count, predicted, observed)."
        )
    predicted = [row["predicted"] for row in rows]
    observed = [row["observed"] for row in rows]
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    ax.plot(predicted, observed, "o-", color="tab:blue", label="model")
    for row in rows:
        ax.annotate(
            str(row["count"]),
            (row["predicted"], row["observed"]),
            textcoords="offset points",
            xytext=(6, -12),
            fontsize=8,
            color="tab:blue",
        )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("predicted probability of positive (mean in the bin)")
    ax.set_ylabel("observed share of positives")
    ax.set_title(title or f"Reliability curve ({sum(row['count'] for row in rows)} predictions)")
    ax.legend(loc="upper left")
    return ax
