"""Worked answers to the exercises of notebook 03 · Tokenizers and padding."""

from __future__ import annotations

import torch
from transformers import AutoTokenizer, pipeline

import hfnotes
from hfnotes import data
from hfnotes.collate import padding_stats


def base_tokenizer():
    """The MiniLM tokenizer the notebook uses."""
    return AutoTokenizer.from_pretrained(hfnotes.assets.base_model())


def ex_03_1() -> list[str]:
    """03.1 · Three words from your own field that MiniLM splits into four or more pieces.

    Here from biology. A reviews tokenizer trained on product reviews does no
    better on them: it never saw these words either, and its vocabulary is smaller.
    """
    return ["electrophoresis", "chromatography", "phosphorylation"]


def ex_03_2(classifier=None) -> dict[str, list[float]]:
    """03.2 · Classify the long review window by window and average: {"windows", "whole", "first"} probabilities.

    Each value is [P(negative), P(positive)]. The windows are those of
    section 3 (64 tokens, stride 16); "whole" is the review at once (it fits
    in 512 tokens); "first" is its first window alone.
    """
    classifier = classifier or pipeline("sentiment-analysis", model=hfnotes.assets.sentiment_model())
    tokenizer = base_tokenizer()
    long_review = max(data.load_reviews()["train"]["text"], key=len)
    windows = tokenizer(long_review, max_length=64, truncation=True, stride=16, return_overflowing_tokens=True)
    batch = tokenizer.pad({"input_ids": windows["input_ids"]}, return_tensors="pt")
    with torch.inference_mode():
        per_window = classifier.model(**batch).logits.softmax(dim=-1)
        whole = classifier.model(**tokenizer(long_review, return_tensors="pt")).logits.softmax(dim=-1)[0]
    return {"windows": per_window.mean(dim=0).tolist(), "whole": whole.tolist(), "first": per_window[0].tolist()}


def ex_03_3() -> dict[int, float]:
    """03.3 · The padding share of dynamic padding with batches of 8 and of 128: {batch_size: share}.

    Small batches rarely contain one of the few long reviews, so most are
    padded to a short length; a batch of 128 almost always holds a long review
    and is padded to it, wasting nearly as much as padding everything to 128.
    """
    lengths = [len(ids) for ids in base_tokenizer()(list(data.load_reviews()["train"]["text"]))["input_ids"]]
    return {
        size: padding_stats(lengths, batch_size=size, strategy="longest", max_length=128)["padding_share"]
        for size in (8, 128)
    }
