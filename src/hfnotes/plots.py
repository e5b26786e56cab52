"""Small matplotlib helpers for the figures the notebooks repeat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["length_histogram", "attention_masks"]


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


def _panel_labels(name: str, shape: tuple[int, int], tokens: Any) -> tuple[Sequence[str] | None, Sequence[str] | None]:
    """Query and key tick labels of one panel, checked against the matrix shape."""
    if tokens is None:
        return None, None
    if isinstance(tokens, Mapping):
        if name not in tokens:
            return None, None
        pair = tokens[name]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InputError(f"tokens[{name!r}] must be a pair (query tokens, key tokens).")
        queries, keys = pair
    else:
        queries = keys = tokens
    for axis, labels, size in (("query", queries, shape[0]), ("key", keys, shape[1])):
        if labels is not None and len(labels) != size:
            raise InputError(
                f"panel {name!r} has {size} {axis} positions but {len(labels)} {axis} tokens were given; "
                "pass a mapping name → (query tokens, key tokens) when the panels differ."
            )
    return queries, keys


def attention_masks(
    patterns: Mapping[str, Any],
    tokens: Sequence[str] | Mapping[str, tuple[Sequence[str] | None, Sequence[str] | None]] | None = None,
    title: str | None = None,
    panel_size: float = 3.2,
) -> list[Axes]:
    """Plot attention patterns side by side: a filled cell means "this query attends to that key".

    ``patterns`` maps a panel title to a 2-D 0/1 matrix (rows = query positions,
    columns = key positions), such as :func:`hfnotes.families.attention_pattern`
    returns. ``tokens`` labels the axes: one list for every panel, or a mapping of
    panel title → (query tokens, key tokens) when the panels differ.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> axes = attention_masks({"causal": [[1, 0], [1, 1]], "bidirectional": [[1, 1], [1, 1]]})
        >>> axes[0].get_xlabel(), axes[0].get_ylabel(), axes[1].get_title()
        ('key position', 'query position', 'bidirectional')
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if not isinstance(patterns, Mapping) or not patterns:
        raise InputError("patterns must be a non-empty mapping of panel title → 2-D matrix, e.g. {'GPT-2': pattern}.")
    matrices = {}
    for name, pattern in patterns.items():
        matrix = np.asarray(pattern, dtype=float)
        if matrix.ndim != 2 or 0 in matrix.shape:
            raise InputError(
                f"patterns[{name!r}] has shape {matrix.shape}: each pattern must be a 2-D matrix "
                "(query positions × key positions)."
            )
        matrices[name] = matrix, _panel_labels(name, matrix.shape, tokens)
    fig, axes = plt.subplots(1, len(matrices), figsize=(panel_size * len(matrices), panel_size + 0.6), squeeze=False)
    for ax, (name, (matrix, (queries, keys))) in zip(axes[0], matrices.items(), strict=True):
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(matrix.shape[1]))
        ax.set_yticks(range(matrix.shape[0]))
        if keys is not None:
            ax.set_xticklabels(keys, rotation=90)
        if queries is not None:
            ax.set_yticklabels(queries)
        ax.set_xticks(np.arange(-0.5, matrix.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, matrix.shape[0]), minor=True)
        ax.grid(which="minor", color="lightgrey", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
        ax.set_xlabel("key position")
        ax.set_ylabel("query position")
        ax.set_title(name)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return list(axes[0])
