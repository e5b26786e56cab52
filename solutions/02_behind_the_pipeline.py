"""Worked answers to the exercises of notebook 02 · Behind the pipeline."""

from __future__ import annotations

from collections.abc import Callable

import torch
from transformers import AutoTokenizer, pipeline

import hfnotes


def ex_02_1() -> dict[str, list[str]]:
    """02.1 · Tokenize "unbelievably", "unbelieveably" and "UNBELIEVABLY": {word: tokens}.

    The tokenizer lower-cases before it splits (MiniLM is uncased), so the
    capitals give the same pieces; the misspelling is a different string,
    which the vocabulary covers only in more, smaller pieces.
    """
    tokenizer = AutoTokenizer.from_pretrained(hfnotes.assets.base_model())
    return {word: tokenizer.tokenize(word) for word in ("unbelievably", "unbelieveably", "UNBELIEVABLY")}


def ex_02_2(classifier=None) -> list[int]:
    """02.2 · Run the batch of section 1 with an all-ones attention mask: which texts' logits change?

    The texts that were padded: with the mask set to ones they attend to their
    ``[PAD]`` tokens. The longest text has no padding, so nothing changes for it.
    """
    classifier = classifier or pipeline("sentiment-analysis", model=hfnotes.assets.sentiment_model())
    model, tokenizer = classifier.model, classifier.tokenizer
    batch = tokenizer(
        ["Loved it!", "The staff were not unfriendly, just painfully slow.", "Meh."], padding=True, return_tensors="pt"
    )
    with torch.inference_mode():
        masked = model(**batch).logits
        unmasked = model(**{**batch, "attention_mask": torch.ones_like(batch["attention_mask"])}).logits
    changed = (masked - unmasked).abs().max(dim=1).values > 1e-3
    return [int(i) for i in torch.nonzero(changed).flatten()]


def ex_02_3() -> Callable[[torch.Tensor, float], torch.Tensor]:
    """02.3 · Write ``soften(logits, temperature)``: the softmax of ``logits / temperature``.

    On the logits of section 2, temperature 2 pulls every probability towards
    0.5: the model looks less sure. The labels stay the same, because dividing
    by a positive number keeps the largest logit the largest.
    """

    def soften(logits: torch.Tensor, temperature: float) -> torch.Tensor:
        return torch.nn.functional.softmax(logits / temperature, dim=-1)

    return soften
