"""Confusion matrix for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("confusion_matrix")`` or ``evaluate.load(<this folder>)``.
evaluate copies this file into its module cache and imports it from there, so
it imports the shared input checks from the installed hfnotes package.
"""

import datasets
import evaluate
from sklearn.metrics import confusion_matrix

from hfnotes.metrics._checks import check_batch, check_inputs

_DESCRIPTION = (
    "Confusion matrix: a table that counts, for every true class (row), "
    "how often each class was predicted (column). The diagonal holds the correct predictions."
)

_INPUTS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): true class ids, one per prediction.
    labels (list of int, optional): the classes, in the order of the rows and
        columns. Default: every class found in the data, sorted. When given, a
        prediction or reference outside it raises hfnotes.errors.InputError (a ValueError). Pass it whenever
        a class might be missing from the data, so the table keeps its shape.

Returns:
    confusion_matrix (list of lists of int): entry [i][j] counts the examples
        of class labels[i] that were predicted as labels[j].
"""


class ConfusionMatrix(evaluate.Metric):
    """Confusion matrix (scikit-learn's ``confusion_matrix``) as nested lists of ints."""

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
        table = confusion_matrix(references, predictions, labels=labels)
        return {"confusion_matrix": table.tolist()}  # .tolist() gives plain Python ints
