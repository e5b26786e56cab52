"""Matthews correlation coefficient for `evaluate`, shipped with hfnotes so it loads offline.

Load it with ``hfnotes.metrics.load("matthews_correlation")`` or ``evaluate.load(<this folder>)``.
evaluate copies this file into its module cache and imports it from there, so
it imports the shared input checks from the installed hfnotes package.
"""

import warnings

import datasets
import evaluate
from sklearn.metrics import matthews_corrcoef

from hfnotes.metrics._checks import check_batch, check_inputs

_DESCRIPTION = (
    "Matthews correlation coefficient (MCC): the correlation between predicted and true classes, "
    "from -1 (always wrong) through 0 (no better than chance) to 1 (always right). "
    "Unlike accuracy it stays informative when one class is much more common than the others."
)

_INPUTS_DESCRIPTION = """
Args:
    predictions (list of int): predicted class ids.
    references (list of int): true class ids, one per prediction.
    labels (list of int, optional): every class id that may occur. When given,
        a prediction or reference outside it raises hfnotes.errors.InputError (a ValueError). Classes that
        never occur do not change the value.

Returns:
    matthews_correlation (float): between -1 and 1; 0.0 when it is undefined
        (for example when every prediction is the same class).
"""


class MatthewsCorrelation(evaluate.Metric):
    """Matthews correlation coefficient (scikit-learn's ``matthews_corrcoef``)."""

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
        with warnings.catch_warnings():
            # With a single class MCC is undefined: scikit-learn returns 0.0 and
            # warns about the shape of its internal confusion matrix, which is noise here.
            warnings.filterwarnings("ignore", message="A single label was found")
            value = matthews_corrcoef(references, predictions)
        return {"matthews_correlation": float(value)}
