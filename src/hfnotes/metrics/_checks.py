"""Input checks shared by the metric scripts in this folder.

Each metric script is loaded by ``evaluate.load(<folder>)``, which copies the
script into evaluate's module cache; the scripts import these checks from the
installed ``hfnotes`` package. They run before evaluate stores a batch, so a
bad batch never leaves half-written data behind. Each raises
:class:`~hfnotes.errors.InputError` (a ``ValueError``) saying what to fix.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

AVERAGES = ("binary", "macro", "weighted", "micro")
"""The values precision, recall and f1 accept for ``average``."""


def check_average(predictions, references, average: str, pos_label: int, labels: list[int] | None) -> None:
    """Raise InputError for an unknown ``average``, or a binary average that does not fit the classes."""
    if average not in AVERAGES:
        raise InputError(f"average={average!r} is not supported. Use one of: {', '.join(map(repr, AVERAGES))}.")
    if average != "binary":
        return
    classes = sorted(set(labels) if labels is not None else set(predictions) | set(references))
    if len(classes) > 2:
        raise InputError(
            f"average='binary' needs two classes, but there are {len(classes)}: {classes}. "
            "For more than two classes pass average='macro', 'weighted' or 'micro'."
        )
    if len(classes) == 2 and pos_label not in classes:
        raise InputError(
            f"pos_label={pos_label!r} is not one of the classes {classes}. "
            "Pass pos_label=<the class that counts as positive>."
        )


def check_batch(predictions, references) -> None:
    """Raise InputError unless a batch holds one integer class id per reference."""
    if predictions is None or references is None:
        return  # evaluate itself reports a missing input
    if len(predictions) != len(references):
        raise InputError(
            f"Got {len(predictions)} predictions but {len(references)} references. "
            "Pass exactly one prediction per reference, taken from the same examples."
        )
    for name, values in (("predictions", predictions), ("references", references)):
        array = np.asarray(values)
        if array.size and array.dtype.kind not in "biu":
            raise InputError(
                f"{name} must be integer class ids, but got {array.dtype} values such as {array.ravel()[0]}. "
                "Convert labels with .astype(int); for logits or probabilities take the argmax over the last axis first."
            )


def check_inputs(predictions: list[int], references: list[int], labels: list[int] | None) -> None:
    """Raise InputError for empty input, or for a class id outside ``labels`` when it is given."""
    if len(references) == 0:
        raise InputError(
            "There is nothing to score: predictions and references are empty. "
            "Pass at least one example to compute(predictions=..., references=...) or add_batch(...)."
        )
    if labels is None:
        return
    for name, values in (("predictions", predictions), ("references", references)):
        outside = sorted(set(values) - set(labels))
        if outside:
            raise InputError(
                f"{name} contain {outside}, which are not in labels={list(labels)}. "
                "Add the missing classes to labels, or leave labels out to use the classes found in the data."
            )
