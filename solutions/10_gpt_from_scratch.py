"""Worked answers to the exercises of notebook 10 · A tokenizer and a small GPT from scratch."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

import hfnotes
from hfnotes import textgen

SIZES = (512, 1024, 4096)


def pack_blocks(rows: list[list[int]], block_size: int) -> list[list[int]]:
    """Concatenate, then cut into full blocks; the last len % block_size tokens are dropped."""
    stream = [token for row in rows for token in row]
    usable = len(stream) // block_size * block_size
    return [stream[i : i + block_size] for i in range(0, usable, block_size)]


def ex_10_1():
    """10.1 · The group_texts pattern on plain lists."""
    return pack_blocks


def ex_10_2(sizes: tuple[int, ...] = SIZES) -> dict[int, float]:
    """10.2 · Mean tokens per validation review for byte-level BPEs of several sizes.

    The sequences shrink as the vocabulary grows, fast at first (whole common
    words become single tokens) and then slowly (only rare words are left to merge).
    """
    reviews = hfnotes.data.load_reviews()
    train, validation = reviews["train"]["text"], reviews["validation"]["text"]
    lengths = {}
    for size in sizes:
        tokenizer = textgen.byte_level_bpe(train, vocab_size=size)
        lengths[size] = float(np.mean([len(tokenizer(text)["input_ids"]) for text in validation]))
    return lengths


def perplexity(train_ids: list[int], eval_ids: list[int], vocab_size: int) -> float:
    """Add-one-smoothed unigram perplexity: exp of the mean negative log-probability of the eval tokens."""
    counts = Counter(train_ids)
    total = len(train_ids) + vocab_size
    return math.exp(-sum(math.log((counts[t] + 1) / total) for t in eval_ids) / len(eval_ids))


def ex_10_3():
    """10.3 · The unigram baseline by hand."""
    return perplexity
