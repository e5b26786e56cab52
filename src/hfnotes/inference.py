"""What ``pipeline("sentiment-analysis")`` does, one step at a time.

1. :func:`check_texts` — refuse input the model cannot classify, with a clear message;
2. :func:`encode` — tokenizer: text → ``input_ids`` + ``attention_mask`` (padded, truncated);
3. :func:`forward` — model: ids → one logit per label;
4. :func:`softmax` — logits → probabilities that sum to 1;
5. :func:`to_labels` — probabilities → ``[{"label": ..., "score": ...}]`` via ``config.id2label``.

:func:`classify` chains them and returns what the pipeline returns; the
tests check it against the pipeline on many inputs.

Behaviour on unusual input (each case is tested):

- ``None``, an empty list, a non-string item, an empty or whitespace-only
  text → :class:`~hfnotes.errors.InputError` naming the problem;
- ``bytes`` instead of ``str`` → :class:`~hfnotes.errors.InputError` saying to decode it;
- a text longer than the model's limit (512 tokens for MiniLM) → truncated
  to the limit, with a :class:`TruncationWarning` naming the text and its
  length (the pipeline itself would fail without ``truncation=True``);
- non-English text → classified like any other text. The course model saw
  only English reviews, so such scores mean little; nothing stops you.

The limit is the tokenizer's ``model_max_length``, as in the pipeline: for
the course checkpoint that is MiniLM's 512 tokens, although the recipe
trained on the last 128 tokens of each review (faster; see
:class:`hfnotes.recipe.Recipe`). The helpers here therefore give exactly
the pipeline's answers; pass ``max_length=128`` to :func:`encode` to read
reviews as training did.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import torch
    from transformers import BatchEncoding, PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "TruncationWarning",
    "kept_end",
    "check_texts",
    "encode",
    "forward",
    "softmax",
    "to_labels",
    "classify",
    "load_classifier",
]


class TruncationWarning(UserWarning):
    """A text was longer than the model's limit and was cut to fit."""


def check_texts(texts: str | Sequence[str] | None) -> list[str]:
    """Return ``texts`` as a non-empty list of non-empty strings, or raise InputError.

    A single string is wrapped in a list.

    Example:
        >>> check_texts("Great!")
        ['Great!']
        >>> check_texts(["ok", "   "])  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.InputError: text 1 is empty or only whitespace: there is nothing to classify.
    """
    if texts is None:
        raise InputError("texts is None: pass a string or a list of strings.")
    if isinstance(texts, (bytes, bytearray)):
        raise InputError(f"texts is {type(texts).__name__}, not a string: decode it first, e.g. texts.decode('utf-8').")
    if isinstance(texts, str):
        texts = [texts]
    elif not isinstance(texts, Sequence):
        raise InputError(f"texts must be a string or a list of strings, not {type(texts).__name__}.")
    texts = list(texts)
    if not texts:
        raise InputError("texts is an empty list: pass at least one text.")
    for i, text in enumerate(texts):
        if isinstance(text, (bytes, bytearray)):
            raise InputError(
                f"text {i} is {type(text).__name__}, not a string: decode it first, e.g. .decode('utf-8')."
            )
        if not isinstance(text, str):
            raise InputError(
                f"text {i} is not a string but {type(text).__name__} ({text!r}); convert it with str() or drop it."
            )
        if not text.strip():
            raise InputError(f"text {i} is empty or only whitespace: there is nothing to classify.")
    return texts


def kept_end(truncation_side: str) -> str:
    """Which tokens of a long text survive truncation from ``truncation_side``: ``"first"`` or ``"last"``.

    Example:
        >>> kept_end("right"), kept_end("left")
        ('first', 'last')
    """
    return "last" if truncation_side == "left" else "first"


def encode(
    tokenizer: PreTrainedTokenizerBase, texts: str | Sequence[str], max_length: int | None = None
) -> BatchEncoding:
    """Tokenize a batch: pad to the longest text, truncate to the model's limit.

    Texts longer than ``max_length`` (default: ``tokenizer.model_max_length``)
    are truncated with a :class:`TruncationWarning` saying which and by how much;
    a ``max_length`` that is not a positive int raises :class:`~hfnotes.errors.InputError`.

    Example:
        >>> from transformers import AutoTokenizer
        >>> from hfnotes import assets
        >>> tok = AutoTokenizer.from_pretrained(assets.base_model())
        >>> batch = encode(tok, ["Loved it", "Not my cup of tea at all"])
        >>> batch["input_ids"].shape, batch["attention_mask"][0].tolist()
        (torch.Size([2, 9]), [1, 1, 1, 1, 0, 0, 0, 0, 0])
    """
    texts = check_texts(texts)
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1):
        raise InputError(f"max_length must be a positive int or None (the model's limit), got {max_length!r}.")
    limit = tokenizer.model_max_length if max_length is None else max_length
    lengths = [len(ids) for ids in tokenizer(texts, truncation=False)["input_ids"]]
    kept = kept_end(tokenizer.truncation_side)
    for i, n in enumerate(lengths):
        if n > limit:
            warnings.warn(
                f"text {i} has {n} tokens; only its {kept} {limit} (the model's limit) are used.",
                TruncationWarning,
                stacklevel=2,
            )
    return tokenizer(texts, padding=True, truncation=True, max_length=limit, return_tensors="pt")


def forward(model: PreTrainedModel, batch: BatchEncoding) -> torch.Tensor:
    """Run the model without gradients and return its logits, shape ``(batch, num_labels)``.

    The batch goes to the model's device (a GPU model takes tokenizer output
    as it comes); the logits come back on the CPU.

    Example:
        >>> forward(model, encode(tokenizer, "fine")).shape  # doctest: +SKIP
        torch.Size([1, 2])
    """
    import torch

    model.eval()
    with torch.inference_mode():
        return model(**batch.to(model.device)).logits.cpu()


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Turn logits into probabilities along the last axis (numerically stable).

    Example:
        >>> import torch
        >>> from hfnotes import rounded
        >>> rounded(softmax(torch.tensor([[0.0, 0.0], [2.0, 0.0]])).tolist(), 4)
        [[0.5, 0.5], [0.8808, 0.1192]]
    """
    shifted = logits - logits.max(dim=-1, keepdim=True).values
    exp = shifted.exp()
    return exp / exp.sum(dim=-1, keepdim=True)


def to_labels(probabilities: torch.Tensor, id2label: dict[int, str], top_k: int | None = 1) -> list:
    """Name the probabilities with ``id2label``, best first.

    ``top_k=1`` (the pipeline's default) gives one dict per text;
    ``top_k=None`` gives, per text, a list of every label sorted by score.

    Example:
        >>> import torch
        >>> to_labels(torch.tensor([[0.25, 0.75]]), {0: "NEGATIVE", 1: "POSITIVE"})
        [{'label': 'POSITIVE', 'score': 0.75}]
        >>> to_labels(torch.tensor([[0.25, 0.75]]), {0: "NEGATIVE", 1: "POSITIVE"}, top_k=None)
        [[{'label': 'POSITIVE', 'score': 0.75}, {'label': 'NEGATIVE', 'score': 0.25}]]
    """
    if top_k is not None and top_k < 1:
        raise InputError(f"top_k must be None or at least 1, got {top_k!r}.")
    results = []
    for row in probabilities.tolist():
        ranked = sorted(range(len(row)), key=lambda i: -row[i])
        entries = [{"label": id2label[i], "score": row[i]} for i in ranked]
        results.append(entries[0] if top_k == 1 else entries[:top_k])
    return results


def classify(
    texts: str | Sequence[str],
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    top_k: int | None = 1,
    batch_size: int = 32,
) -> list:
    """Classify texts by hand; returns what ``pipeline(...)(texts, top_k=top_k)`` returns.

    Example:
        >>> model, tokenizer = load_classifier(assets.sentiment_model())  # doctest: +SKIP
        >>> classify("What a lovely little hotel.", model, tokenizer)  # doctest: +SKIP
        [{'label': 'POSITIVE', 'score': 0.99...}]
    """
    texts = check_texts(texts)
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, got {batch_size!r}.")
    results: list = []
    for start in range(0, len(texts), batch_size):
        batch = encode(tokenizer, texts[start : start + batch_size])
        probabilities = softmax(forward(model, batch))
        results.extend(to_labels(probabilities, model.config.id2label, top_k))
    return results


def load_classifier(path: str | Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Load a sequence classifier and its tokenizer from ``path`` (a folder or a Hub id).

    Only safetensors weights are accepted. For the course model pass
    ``hfnotes.assets.sentiment_model()``.

    Example:
        >>> from hfnotes import assets
        >>> model, tokenizer = load_classifier(assets.sentiment_model())  # doctest: +SKIP
        >>> model.config.id2label  # doctest: +SKIP
        {0: 'NEGATIVE', 1: 'POSITIVE'}
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if not isinstance(path, (str, Path)) or not str(path):
        raise InputError(
            f"path must name a model folder or Hub id, got {path!r}; for the course model pass "
            "hfnotes.assets.sentiment_model()."
        )
    path = str(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, use_safetensors=True)
    model.eval()
    return model, AutoTokenizer.from_pretrained(path)
