"""F1 metric for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("f1")`` or ``evaluate.load(<this folder>)``.
The file must stay standalone: evaluate copies it into its module cache and
imports it from there, so it cannot import anything from hfnotes.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import f1_score

AVERAGES = ("binary", "macro", "weighted", "micro")

_DESCRIPTION = (
    "F1: the harmonic mean of precision and recall, 2 * P * R / (P + R), between 0 and 1. "
    "It is high only when both are high."
)

_INPUTS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): true class ids, one per prediction.
    average (str): "binary" (default) scores only the class pos_label; "macro" is the
        plain mean over classes; "weighted" weighs each class by its number of
        references; "micro" counts all decisions together.
    pos_label (int): the positive class for average="binary". Default 1.
    labels (list of int, optional): every class id that may occur. When given,
        a prediction or reference outside it raises ValueError.

Returns:
    f1 (float). A class with no true positives scores 0.0.
"""


class F1(evaluate.Metric):
    """F1 score (scikit-learn's ``f1_score`` with ``zero_division=0.0``)."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation="",
            inputs_description=_INPUTS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.Value("int64"), "references": datasets.Value("int64")}),
        )

    # Checked here, before evaluate stores anything. Keep the docstring: evaluate appends the inputs description to it.
    def add_batch(self, *, predictions=None, references=None, **kwargs):
        """Check one batch of predictions and references, then store it."""
        _check_batch(predictions, references)
        return evaluate.Metric.add_batch(self, predictions=predictions, references=references, **kwargs)

    def _compute(
        self,
        predictions: list[int],
        references: list[int],
        average: str = "binary",
        pos_label: int = 1,
        labels: list[int] | None = None,
    ) -> dict:
        _check_inputs(predictions, references, labels)
        _check_average(predictions, references, average, pos_label, labels)
        value = f1_score(
            references, predictions, average=average, pos_label=pos_label, labels=labels, zero_division=0.0
        )
        return {"f1": float(value)}


# The checks below are repeated in every hfnotes metric file on purpose:
# each file must work on its own.


def _check_average(predictions, references, average: str, pos_label: int, labels: list[int] | None) -> None:
    """Raise ValueError for an unknown ``average``, or a binary average that does not fit the classes."""
    if average not in AVERAGES:
        raise ValueError(f"average={average!r} is not supported. Use one of: {', '.join(map(repr, AVERAGES))}.")
    if average != "binary":
        return
    classes = sorted(set(labels) if labels is not None else set(predictions) | set(references))
    if len(classes) > 2:
        raise ValueError(
            f"average='binary' needs two classes, but there are {len(classes)}: {classes}. "
            "For more than two classes pass average='macro', 'weighted' or 'micro'."
        )
    if len(classes) == 2 and pos_label not in classes:
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the classes {classes}. "
            "Pass pos_label=<the class that counts as positive>."
        )


def _check_batch(predictions, references) -> None:
    """Raise ValueError unless a batch holds one integer class id per reference."""
    if predictions is None or references is None:
        return  # evaluate itself reports a missing input
    if len(predictions) != len(references):
        raise ValueError(
            f"Got {len(predictions)} predictions but {len(references)} references. "
            "Pass exactly one prediction per reference, taken from the same examples."
        )
    for name, values in (("predictions", predictions), ("references", references)):
        array = np.asarray(values)
        if array.size and array.dtype.kind not in "biu":
            raise ValueError(
                f"{name} must be integer class ids, but got {array.dtype} values such as {array.ravel()[0]}. "
                "Convert labels with .astype(int); for logits or probabilities take the argmax over the last axis first."
            )


def _check_inputs(predictions: list[int], references: list[int], labels: list[int] | None) -> None:
    """Raise ValueError for empty input, or for a class id outside ``labels`` when it is given."""
    if len(references) == 0:
        raise ValueError(
            "There is nothing to score: predictions and references are empty. "
            "Pass at least one example to compute(predictions=..., references=...) or add_batch(...)."
        )
    if labels is None:
        return
    for name, values in (("predictions", predictions), ("references", references)):
        outside = sorted(set(values) - set(labels))
        if outside:
            raise ValueError(
                f"{name} contain {outside}, which are not in labels={list(labels)}. "
                "Add the missing classes to labels, or leave labels out to use the classes found in the data."
            )
