"""Recall metric for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("recall")`` or ``evaluate.load(<this folder>)``.
evaluate copies this file into its module cache and imports it from there, so
it imports the shared input checks from the installed hfnotes package.
"""

import datasets
import evaluate
from sklearn.metrics import recall_score

from hfnotes.metrics._checks import check_average, check_batch, check_inputs

_DESCRIPTION = (
    "Recall: of the examples that belong to a class, the share predicted as that class "
    "(true positives / (true positives + false negatives)), between 0 and 1."
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
        a prediction or reference outside it raises hfnotes.errors.InputError (a ValueError).

Returns:
    recall (float). A class that never occurs in references scores 0.0.
"""


class Recall(evaluate.Metric):
    """Recall (scikit-learn's ``recall_score`` with ``zero_division=0.0``)."""

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

    def _compute(
        self,
        predictions: list[int],
        references: list[int],
        average: str = "binary",
        pos_label: int = 1,
        labels: list[int] | None = None,
    ) -> dict:
        check_inputs(predictions, references, labels)
        check_average(predictions, references, average, pos_label, labels)
        value = recall_score(
            references, predictions, average=average, pos_label=pos_label, labels=labels, zero_division=0.0
        )
        return {"recall": float(value)}
