"""Accuracy metric for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("accuracy")`` or ``evaluate.load(<this folder>)``.
evaluate copies this file into its module cache and imports it from there, so
it imports the shared input checks from the installed hfnotes package.
"""

import datasets
import evaluate
from sklearn.metrics import accuracy_score

from hfnotes.metrics._checks import check_batch, check_inputs

_DESCRIPTION = "Accuracy: the share of predictions that equal their reference, between 0 and 1."

_INPUTS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): true class ids, one per prediction.
    labels (list of int, optional): every class id that may occur. When given,
        a prediction or reference outside it raises hfnotes.errors.InputError (a ValueError).

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
        check_batch(predictions, references)
        return evaluate.Metric.add_batch(self, predictions=predictions, references=references, **kwargs)

    def _compute(self, predictions: list[int], references: list[int], labels: list[int] | None = None) -> dict:
        check_inputs(predictions, references, labels)
        return {"accuracy": float(accuracy_score(references, predictions))}
