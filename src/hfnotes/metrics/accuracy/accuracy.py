"""Accuracy metric for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("accuracy")`` or ``evaluate.load(<this folder>)``.
The file must stay standalone: evaluate copies it into its module cache and
imports it from there, so it cannot import anything from hfnotes.
"""

import datasets
import evaluate
import numpy as np
from sklearn.metrics import accuracy_score

_DESCRIPTION = "Accuracy: the share of predictions that equal their reference, between 0 and 1."

_INPUTS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): true class ids, one per prediction.
    labels (list of int, optional): every class id that may occur. When given,
        a prediction or reference outside it raises ValueError.

Returns:
    accuracy (float): correct predictions divided by the number of examples.
"""


class Accuracy(evaluate.Metric):
    """Share of correct predictions (scikit-learn's ``accuracy_score``)."""

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

    def _compute(self, predictions: list[int], references: list[int], labels: list[int] | None = None) -> dict:
        _check_inputs(predictions, references, labels)
        return {"accuracy": float(accuracy_score(references, predictions))}


# The two checks below are repeated in every hfnotes metric file on purpose:
# each file must work on its own.


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
