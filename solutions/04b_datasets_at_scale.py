"""Worked answers to the exercises of notebook 04b · Datasets at scale."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pyarrow as pa
from datasets import concatenate_datasets, load_dataset, load_from_disk

from hfnotes import data

SEED = 0


def ex_04b_1(rows: int = 20_000) -> dict[int, list[int]]:
    """04b.1 · The first ten ``idx`` of a streamed file shuffled with a buffer of 1,000 and of 10,000.

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


def ex_04b_2(copies: int = 100) -> dict[str, int]:
    """04b.2 · Bytes Arrow allocates to load a saved dataset memory-mapped, and with ``keep_in_memory=True``.

    Memory-mapped, the table stays in its file: Arrow allocates (almost)
    nothing. ``keep_in_memory=True`` reads the whole table into this
    process's memory: about its size. That costs RAM and the time to read
    the file, and can be worth it for a small table read many times over
    (no page faults), or when the file will be deleted or changed.
    """
    train = data.load_reviews()["train"]
    with tempfile.TemporaryDirectory() as folder:
        concatenate_datasets([train] * copies).save_to_disk(folder)
        before = pa.total_allocated_bytes()
        big = load_from_disk(folder)
        memory_mapped = pa.total_allocated_bytes() - before
        before = pa.total_allocated_bytes()
        in_memory = load_from_disk(folder, keep_in_memory=True)
        allocated = pa.total_allocated_bytes() - before
        measured = {"memory_mapped": memory_mapped, "in_memory": allocated, "table": big.data.nbytes}
        del big, in_memory
    return measured
