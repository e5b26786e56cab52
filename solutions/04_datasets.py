"""Worked answers to the exercises of notebook 04 · Datasets."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from datasets import Dataset, load_dataset

from hfnotes import data

SEED = 0


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


def ex_04_3(rows: int = 20_000) -> dict[int, list[int]]:
    """04.3 · The first ten ``idx`` of a streamed file shuffled with a buffer of 1,000 and of 10,000.

    A shuffle buffer holds ``buffer_size`` rows and hands out a random one,
    refilling from the file: the first rows out come from the start of the
    file. A bigger buffer mixes further, but must be filled (read, and held in
    memory) before the first row comes out.
    """
    texts = list(data.load_reviews()["train"]["text"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stream.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for index in range(rows):
                handle.write(json.dumps({"idx": index, "text": texts[index % len(texts)]}) + "\n")
        stream = load_dataset("json", data_files=str(path), split="train", streaming=True)
        return {
            size: [row["idx"] for row in stream.shuffle(seed=SEED, buffer_size=size).take(10)]
            for size in (1_000, 10_000)
        }
