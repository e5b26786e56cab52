"""Dynamic padding, by hand — a teaching twin of ``DataCollatorWithPadding``.

Tokenize without padding, then pad each *batch* to its own longest text:
:func:`pad_batch` shows how, and the tests check it equals
``transformers.DataCollatorWithPadding`` on random batches. In real code use
the library's collator.

:func:`padding_stats` counts how much of a batch is padding under three
strategies, which is why dynamic padding and length grouping make training
faster.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import torch

__all__ = ["STRATEGIES", "pad_batch", "padding_stats"]

STRATEGIES: tuple[str, ...] = ("max_length", "longest", "grouped")
"""The padding strategies: ``max_length`` pads every text to one fixed length; ``longest``
pads each batch to its longest text (dynamic padding); ``grouped`` is dynamic padding with
batches of similar lengths (length-grouped sampling)."""

_PAD_VALUES = {"attention_mask": 0, "token_type_ids": 0, "special_tokens_mask": 1}


def _check_features(features: Sequence[dict]) -> list[str]:
    if not isinstance(features, Sequence) or isinstance(features, (str, bytes)):
        raise InputError(f"pad_batch expects a list of dicts (one per example), got {type(features).__name__}.")
    if len(features) == 0:
        raise InputError("pad_batch got an empty batch: pass at least one example.")
    keys = list(features[0])
    if "input_ids" not in keys:
        raise InputError(f"each example needs 'input_ids'; the first one has {keys}.")
    for i, example in enumerate(features):
        if set(example) != set(keys):
            raise InputError(
                f"example {i} has keys {sorted(example)} but example 0 has {sorted(keys)}: "
                "every example in a batch must have the same fields."
            )
        length = len(example["input_ids"])
        for key, value in example.items():
            if key in ("label", "labels", "label_ids"):
                continue
            if len(value) != length:
                raise InputError(f"example {i}: {key!r} has {len(value)} items but input_ids has {length}.")
            bad = [v for v in value if not isinstance(v, int) or isinstance(v, bool)]
            if bad:
                raise InputError(
                    f"example {i}: {key!r} must hold integer token ids, found {bad[0]!r} "
                    f"({type(bad[0]).__name__}); tokenize the text first."
                )
    return keys


def pad_batch(
    features: Sequence[dict],
    pad_token_id: int = 0,
    padding_side: str = "right",
    pad_to_multiple_of: int | None = None,
) -> dict[str, torch.Tensor]:
    """Pad a list of tokenized examples to the batch's longest and stack them as tensors.

    ``input_ids`` are padded with ``pad_token_id``, ``attention_mask`` and
    ``token_type_ids`` with 0, ``special_tokens_mask`` with 1; a ``label``
    (or ``label_ids``) is renamed ``labels``, as the library collator does.

    Example:
        >>> batch = pad_batch([{"input_ids": [101, 7, 102], "attention_mask": [1, 1, 1], "label": 1},
        ...                    {"input_ids": [101, 102], "attention_mask": [1, 1], "label": 0}])
        >>> batch["input_ids"].tolist(), batch["attention_mask"].tolist(), batch["labels"].tolist()
        ([[101, 7, 102], [101, 102, 0]], [[1, 1, 1], [1, 1, 0]], [1, 0])
    """
    import torch

    if padding_side not in ("right", "left"):
        raise InputError(f"padding_side must be 'right' or 'left', got {padding_side!r}.")
    if pad_to_multiple_of is not None and pad_to_multiple_of < 1:
        raise InputError(f"pad_to_multiple_of must be None or at least 1, got {pad_to_multiple_of!r}.")
    keys = _check_features(features)
    longest = max(len(example["input_ids"]) for example in features)
    if pad_to_multiple_of:
        longest = -(-longest // pad_to_multiple_of) * pad_to_multiple_of

    batch: dict[str, torch.Tensor] = {}
    for key in keys:
        if key in ("label", "labels", "label_ids"):
            batch["labels"] = torch.tensor([example[key] for example in features])
            continue
        fill = pad_token_id if key == "input_ids" else _PAD_VALUES.get(key, 0)
        rows = []
        for example in features:
            padding = [fill] * (longest - len(example[key]))
            rows.append(list(example[key]) + padding if padding_side == "right" else padding + list(example[key]))
        batch[key] = torch.tensor(rows, dtype=torch.long)
    return batch


def padding_stats(
    lengths: Sequence[int], batch_size: int, strategy: str = "longest", max_length: int = 128, seed: int = 0
) -> dict[str, float]:
    """How many tokens a pass over ``lengths`` computes, and how many of them are padding.

    Texts longer than ``max_length`` count as ``max_length`` (truncated).
    ``longest`` batches the texts in a seeded random order, as a shuffling
    data loader would; ``grouped`` shuffles, cuts the order into chunks of
    50 batches and sorts each chunk by length, as length-grouped sampling does.

    Example:
        >>> stats = padding_stats([3, 5, 5, 10], batch_size=2, strategy="max_length", max_length=10)
        >>> stats["computed_tokens"], stats["real_tokens"], stats["padding_share"]
        (40, 23, 0.425)
    """
    if strategy not in STRATEGIES:
        raise InputError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputError(f"batch_size must be a positive int, got {batch_size!r}.")
    if max_length < 1:
        raise InputError(f"max_length must be positive, got {max_length!r}.")
    lengths = list(lengths)
    if not lengths:
        raise InputError("lengths is empty: pass the token count of at least one text.")
    bad = [n for n in lengths if not isinstance(n, int) or n < 0]
    if bad:
        raise InputError(f"lengths must be non-negative ints (token counts), found {bad[0]!r}.")

    clipped = [min(n, max_length) for n in lengths]
    order = list(range(len(clipped)))
    random.Random(seed).shuffle(order)
    if strategy == "grouped":
        chunk = 50 * batch_size
        order = [
            i
            for start in range(0, len(order), chunk)
            for i in sorted(order[start : start + chunk], key=lambda i: -clipped[i])
        ]
    batches = [[clipped[i] for i in order[start : start + batch_size]] for start in range(0, len(order), batch_size)]
    if strategy == "max_length":
        computed = max_length * len(clipped)
    else:
        computed = sum(max(batch) * len(batch) for batch in batches)
    real = sum(clipped)
    return {
        "strategy": strategy,
        "batches": len(batches),
        "real_tokens": real,
        "computed_tokens": computed,
        "padding_share": round(1 - real / computed, 4) if computed else 0.0,
    }
