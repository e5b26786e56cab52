"""Small matplotlib helpers for the figures the notebooks repeat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["length_histogram"]


def length_histogram(
    lengths: Sequence[int],
    max_length: int | None = None,
    bins: int = 40,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Histogram of token counts, with the truncation limit drawn as a line.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = length_histogram([5, 12, 12, 40, 300], max_length=128)
        >>> ax.get_xlabel()
        'tokens per text'
    """
    import matplotlib.pyplot as plt

    lengths = list(lengths)
    if not lengths:
        raise InputError("lengths is empty: nothing to plot.")
    if any(not isinstance(n, int) or n < 0 for n in lengths):
        raise InputError("lengths must be non-negative ints (token counts).")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(lengths, bins=bins, color="tab:blue", alpha=0.8)
    if max_length is not None:
        over = sum(n > max_length for n in lengths) / len(lengths)
        ax.axvline(max_length, color="tab:red", linestyle="--", label=f"max_length={max_length} ({over:.0%} longer)")
        ax.legend()
    ax.set_xlabel("tokens per text")
    ax.set_ylabel("number of texts")
    ax.set_title(title or f"Token counts of {len(lengths)} texts")
    return ax
