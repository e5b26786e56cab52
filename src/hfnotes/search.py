"""Sentence embeddings and semantic search with the ``feature-extraction`` pipeline.

The feature-extraction pipeline returns one vector per *token*. A sentence
embedding is their average over the real (non-padding) tokens — "mean
pooling", the way all-MiniLM-L6-v2 was trained — scaled to length 1, so the
dot product of two embeddings is their cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import InputError
from .inference import check_texts

if TYPE_CHECKING:
    import torch

__all__ = ["mean_pool", "embed", "most_similar"]


def mean_pool(token_vectors: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Average token vectors ``(batch, tokens, dim)`` over real tokens, then L2-normalise.

    Example:
        >>> import torch
        >>> vectors = torch.tensor([[[2.0, 0.0], [0.0, 2.0], [9.0, 9.0]]])
        >>> from hfnotes import rounded
        >>> rounded(mean_pool(vectors, torch.tensor([[1, 1, 0]])).tolist(), 4)
        [[0.7071, 0.7071]]
    """
    import torch

    if token_vectors.dim() != 3:
        raise InputError(f"token_vectors must have shape (batch, tokens, dim), got {tuple(token_vectors.shape)}.")
    if attention_mask is None:
        attention_mask = torch.ones(token_vectors.shape[:2])
    mask = attention_mask.unsqueeze(-1).to(token_vectors.dtype)
    summed = (token_vectors * mask).sum(dim=1)
    pooled = summed / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def embed(texts: str | Sequence[str], extractor) -> torch.Tensor:
    """Sentence embeddings ``(len(texts), dim)`` from a ``feature-extraction`` pipeline.

    Each text goes through the pipeline on its own: with ``batch_size`` the
    pipeline would pad texts to a common length and hand back the padding
    positions too, which would then be averaged in.

    Example:
        >>> from transformers import pipeline  # doctest: +SKIP
        >>> extractor = pipeline("feature-extraction", model=assets.base_model())  # doctest: +SKIP
        >>> embed(["a cat", "a dog"], extractor).shape  # doctest: +SKIP
        torch.Size([2, 384])
    """
    import torch

    texts = check_texts(texts)
    outputs = extractor(texts, return_tensors=True, truncation=True)
    return torch.cat([mean_pool(out if out.dim() == 3 else out.unsqueeze(0)) for out in outputs])


def most_similar(query: torch.Tensor, corpus: torch.Tensor, k: int = 3) -> list[tuple[int, float]]:
    """Indices and cosine similarities of the ``k`` corpus rows closest to ``query``.

    Both must be L2-normalised (as :func:`embed` returns them).

    Example:
        >>> import torch
        >>> corpus = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]]), dim=-1)
        >>> most_similar(torch.tensor([0.0, 1.0]), corpus, k=2)
        [(2, 1.0), (1, 0.8)]
    """
    if k < 1:
        raise InputError(f"k must be at least 1, got {k!r}.")
    query = query.reshape(-1)
    if corpus.dim() != 2 or corpus.shape[1] != query.shape[0]:
        raise InputError(f"corpus must have shape (n, {query.shape[0]}), got {tuple(corpus.shape)}.")
    scores = corpus @ query
    top = scores.topk(min(k, corpus.shape[0]))
    return [(int(i), round(float(s), 4)) for s, i in zip(top.values, top.indices, strict=True)]
