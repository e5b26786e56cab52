"""Worked answers to the exercises of notebook 04 · Datasets."""

from __future__ import annotations

import time

from datasets import Dataset

from hfnotes import data


def count_words_batch(batch):
    return {"n_words": [len(text.split()) for text in batch["text"]]}


def ex_04_1(repeats: int = 3) -> dict[int, float]:
    """04.1 · Time ``count_words_batch`` with ``batch_size`` 1, 10, 100 and 1,000: {batch_size: seconds}.

    The gain stops once the per-batch overhead is small next to the work on
    the rows: usually somewhere between 100 and 1,000 rows per batch.
    """
    train = data.load_reviews()["train"]
    seconds = {}
    for batch_size in (1, 10, 100, 1000):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            train.map(count_words_batch, batched=True, batch_size=batch_size, keep_in_memory=True)
            times.append(time.perf_counter() - start)
        seconds[batch_size] = sorted(times)[len(times) // 2]
    return seconds


def ex_04_2() -> Dataset:
    """04.2 · A batched ``filter`` keeping the training reviews of at least 40 words.

    With ``batched=True`` the function receives a batch (a dict of lists) and
    returns one boolean per row. It keeps exactly the rows of the per-example filter.
    """
    train = data.load_reviews()["train"]
    return train.filter(
        lambda batch: [len(text.split()) >= 40 for text in batch["text"]], batched=True, keep_in_memory=True
    )
