"""Tokenization throughput of ``Dataset.map``: per example vs batched, one process vs two.

    python benchmarks/bench_tokenize.py

Replicates the bundled train split to at least 20,000 rows and tokenizes it with the course's
MiniLM fast tokenizer through ``map``. Prints rows/s and ratios of

- per-example ``map`` vs ``batched=True`` (goal: batched at least 10× faster),
- ``batched=True`` with ``num_proc=2`` vs one process,

timed with ``hfnotes.bench.compare`` (alternating runs, medians). Every ``map`` passes
``load_from_cache_file=False`` so no run is served from the cache, and the data and cache files live
in a temporary folder that is removed at the end.

Two diagnostic lines explain the first ratio: the per-row overhead of per-example ``map`` (timed with
a function that only counts words) and the tokenizer's own cost per row. A last measurement turns
``TOKENIZERS_PARALLELISM`` on (it runs after every multi-process ``map``, so nothing forks after the
tokenizer's thread pool has started). Exits 1 if the batched goal is missed.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time

MIN_ROWS = 20_000
GOAL_BATCHED = 10.0


def main() -> int:
    import hfnotes

    hfnotes.setup()
    from datasets import concatenate_datasets, load_from_disk
    from transformers import AutoTokenizer

    from hfnotes import bench, data

    tokenizer = AutoTokenizer.from_pretrained(hfnotes.assets.base_model())

    def tokenize_one(example):
        return tokenizer(example["text"], truncation=True)

    def tokenize_batch(batch):
        return tokenizer(batch["text"], truncation=True)

    def count_words_one(example):
        return {"n_words": len(example["text"].split())}

    def count_words_batch(batch):
        return {"n_words": [len(text.split()) for text in batch["text"]]}

    start = time.perf_counter()
    train = data.load_reviews()["train"]
    copies = math.ceil(MIN_ROWS / len(train))
    with tempfile.TemporaryDirectory(prefix="hfnotes-bench-tokenize-", ignore_cleanup_errors=True) as folder:
        concatenate_datasets([train] * copies).save_to_disk(folder)
        ds = load_from_disk(folder)  # map writes its cache files next to these, in the temporary folder
        rows = ds.num_rows
        print(
            f"{rows:,} rows (train split × {copies}), tokenizer {type(tokenizer).__name__} (fast: {tokenizer.is_fast})"
        )
        print(f"TOKENIZERS_PARALLELISM={os.environ.get('TOKENIZERS_PARALLELISM')}, CPUs: {os.cpu_count()}\n")

        def row(name: str, seconds: float) -> None:
            print(f"  {name:<28} {seconds:>8.3f} s {bench.throughput(rows, seconds):>10,.0f} rows/s")

        batching = bench.compare(
            lambda: ds.map(tokenize_one, load_from_cache_file=False),
            lambda: ds.map(tokenize_batch, batched=True, load_from_cache_file=False),
            names=("per example", "batched=True"),
        )
        verdict = "met" if batching.ratio >= GOAL_BATCHED else "MISSED"
        print("map: per example vs batched (median of 3)")
        row(batching.baseline, batching.baseline_seconds)
        row(batching.candidate, batching.candidate_seconds)
        print(f"  → batched is {batching.ratio:.2f}× per example (goal ≥ {GOAL_BATCHED:.0f}×: {verdict})\n")

        processes = bench.compare(
            lambda: ds.map(tokenize_batch, batched=True, load_from_cache_file=False),
            lambda: ds.map(tokenize_batch, batched=True, num_proc=2, load_from_cache_file=False),
            names=("batched, num_proc=1", "batched, num_proc=2"),
        )
        print("map: one process vs two, both batched (median of 3)")
        row(processes.baseline, processes.baseline_seconds)
        row(processes.candidate, processes.candidate_seconds)
        print(f"  → num_proc=2 is {processes.ratio:.2f}× num_proc=1\n")

        overhead = bench.compare(
            lambda: ds.map(count_words_one, load_from_cache_file=False),
            lambda: ds.map(count_words_batch, batched=True, load_from_cache_file=False),
        )
        texts = list(ds["text"])
        tokenizer_seconds = min(_timed(lambda: tokenizer(texts, truncation=True)) for _ in range(3))
        print("where the time goes")
        per_row = (overhead.baseline_seconds - overhead.candidate_seconds) / rows
        print(f"  per-example overhead of map: {per_row * 1e6:.0f} µs/row (word count: {overhead.ratio:.1f}× batched)")
        print(f"  tokenizer alone, batched: {tokenizer_seconds / rows * 1e6:.0f} µs/row")

        os.environ["TOKENIZERS_PARALLELISM"] = "true"  # no multi-process map runs after this point
        threaded = bench.compare(
            lambda: ds.map(tokenize_one, load_from_cache_file=False),
            lambda: ds.map(tokenize_batch, batched=True, load_from_cache_file=False),
            repeats=1,
        )
        print(
            f"  with TOKENIZERS_PARALLELISM=true: batched {bench.throughput(rows, threaded.candidate_seconds):,.0f}"
            f" rows/s, {threaded.ratio:.2f}× per example"
        )
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    return 0 if batching.ratio >= GOAL_BATCHED else 1


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
