"""Classification metrics for :mod:`evaluate` that work offline.

``evaluate.load("accuracy")`` downloads the metric's script from the Hugging
Face Hub, so it fails on a machine without network. hfnotes ships its own
small metric scripts instead, one folder per metric next to this file
(``metrics/accuracy/accuracy.py`` …), and :func:`load` hands that folder to
``evaluate.load``, which needs no network for a local folder. scikit-learn
does the math.

Every metric takes integer ``predictions`` and ``references`` and an optional
``labels`` list (the class set; a value outside it is an error). precision,
recall and f1 also take ``average`` (``"binary"``, ``"macro"``,
``"weighted"``, ``"micro"``) and ``pos_label``.

Example:
    >>> from hfnotes import metrics
    >>> f1 = metrics.load("f1", keep_in_memory=True)
    >>> f1.compute(predictions=[0, 1, 2, 2], references=[0, 1, 1, 2], average="macro")
    {'f1': 0.777...}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import evaluate

__all__ = ["NAMES", "path", "load", "combine", "compute_metrics"]

NAMES: tuple[str, ...] = ("accuracy", "precision", "recall", "f1", "matthews_correlation", "confusion_matrix")
"""The metrics hfnotes ships, one folder each."""

_FOLDER = Path(__file__).resolve().parent


def path(name: str) -> str:
    """Return the folder of the bundled metric ``name``, ready for ``evaluate.load``.

    An unknown name raises :class:`~hfnotes.errors.InputError` listing the known ones.

    Example:
        >>> from pathlib import Path
        >>> folder = Path(path("f1"))
        >>> (folder / "f1.py").is_file()
        True
    """
    if name not in NAMES:
        raise InputError(
            f"There is no bundled metric named {name!r}. Known metrics: {', '.join(NAMES)}. "
            "Other metrics need evaluate.load(name) with network access."
        )
    return str(_FOLDER / name)


def load(name: str, **kwargs: Any) -> evaluate.EvaluationModule:
    """Load the bundled metric ``name`` with ``evaluate.load``, offline.

    ``kwargs`` go to ``evaluate.load`` unchanged, e.g. ``config_name``,
    ``experiment_id``, ``cache_dir`` or ``keep_in_memory``. By default
    evaluate stores the added predictions in a locked file under its cache
    until ``compute``; ``keep_in_memory=True`` keeps them in memory instead.

    Example:
        >>> accuracy = load("accuracy", keep_in_memory=True)
        >>> accuracy.compute(predictions=[0, 1, 1, 0], references=[0, 1, 0, 0])
        {'accuracy': 0.75}
    """
    import evaluate

    return evaluate.load(path(name), **kwargs)


def combine(names: Iterable[str], **load_kwargs: Any) -> evaluate.CombinedEvaluations:
    """Load several bundled metrics and join them with ``evaluate.combine``.

    ``load_kwargs`` go to :func:`load` for every metric. The combined
    ``compute`` passes its keyword arguments to *every* metric, so
    ``compute(..., average="macro")`` fails on accuracy, which has no
    ``average``; use :func:`compute_metrics` for that.

    Example:
        >>> both = combine(["accuracy", "f1"], keep_in_memory=True)
        >>> both.compute(predictions=[0, 1, 1, 0], references=[0, 1, 0, 0])
        {'accuracy': 0.75, 'f1': 0.666...}
    """
    import evaluate

    if isinstance(names, str):
        names = [names]
    return evaluate.combine([load(name, **load_kwargs) for name in names])


def compute_metrics(
    names: Iterable[str] = ("accuracy", "f1"), **compute_kwargs: Any
) -> Callable[[Any], dict[str, float]]:
    """Build a ``compute_metrics`` function for :class:`transformers.Trainer`.

    The returned function takes ``(logits, labels)`` or an ``EvalPrediction``,
    turns logits into predicted classes with an argmax over the last axis, and
    returns ``{metric name: float}``.

    Each metric is computed on its own and gets only the ``compute_kwargs``
    its ``_compute`` accepts: with ``average="macro"``, f1 gets ``average``
    and accuracy does not. (``evaluate.combine`` would pass every argument to
    every metric, and accuracy would reject ``average``.) An argument that no
    chosen metric accepts raises :class:`~hfnotes.errors.InputError`, so a
    typo does not pass silently. confusion_matrix gives a table, not a number,
    so it is refused here. The metrics keep their data in memory: no cache
    files, no clashes between runs.

    Example:
        >>> import numpy as np
        >>> fn = compute_metrics(("accuracy", "f1"), average="macro")
        >>> logits = np.array([[2.0, -1.0], [0.1, 0.3], [1.5, 0.2]])
        >>> fn((logits, np.array([0, 1, 1])))
        {'accuracy': 0.666..., 'f1': 0.666...}
    """
    names = [names] if isinstance(names, str) else list(names)
    if "confusion_matrix" in names:
        raise InputError(
            "confusion_matrix returns a table, not a number, so it cannot be a Trainer metric. "
            "Leave it out here and call load('confusion_matrix').compute(...) on trainer.predict(...) output."
        )
    modules = {name: load(name, keep_in_memory=True) for name in names}
    # Each metric's _compute signature lists the options it takes, e.g. (predictions, references, labels=None).
    options = {name: set(inspect.signature(module._compute).parameters) for name, module in modules.items()}
    unused = set(compute_kwargs) - set().union(*options.values())
    if unused:
        raise InputError(
            f"No metric among {', '.join(names)} accepts {', '.join(sorted(unused))}. "
            "Check the spelling; average and pos_label apply to precision, recall and f1, labels to every metric."
        )

    def fn(eval_pred: Any) -> dict[str, float]:
        import numpy as np

        if hasattr(eval_pred, "label_ids"):  # a transformers EvalPrediction
            logits, labels = eval_pred.predictions, eval_pred.label_ids
        else:
            logits, labels = eval_pred
        if isinstance(logits, tuple):  # models with extra outputs give (logits, ...)
            logits = logits[0]
        predictions = np.asarray(logits).argmax(axis=-1)
        results: dict[str, float] = {}
        for name, module in modules.items():
            kwargs = {key: value for key, value in compute_kwargs.items() if key in options[name]}
            scores = module.compute(predictions=predictions, references=np.asarray(labels), **kwargs)
            results.update({key: float(value) for key, value in scores.items()})
        return results

    return fn
