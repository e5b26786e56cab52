"""Build the course sentiment checkpoint from scratch and check its targets.

    python benchmarks/bench_checkpoint.py

Builds into a fresh temporary cache (the real cache is untouched), then prints the wall time of
the build (target ≤ 120 s on a 2-core CPU), validation and test accuracy (target ≥ 0.92 on test),
and the pipeline's time one by one vs batch_size=16 on the test split (as the texts come, and
sorted by length), with the ratios.
Exits 1 if a target is missed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

TARGET_SECONDS = 120
TARGET_ACCURACY = 0.92


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hfnotes-bench-") as cache:
        os.environ["HFNOTES_CACHE"] = cache
        import hfnotes

        hfnotes.setup()
        from hfnotes import bench, checkpoint, data

        start = time.perf_counter()
        folder = checkpoint.sentiment_checkpoint(progress=False)
        seconds = time.perf_counter() - start
        import json

        metrics = json.loads((folder / "hfnotes.json").read_text())["metrics"]

        from transformers import pipeline

        classifier = pipeline("sentiment-analysis", model=str(folder))
        texts = list(data.load_reviews()["test"]["text"])
        speed = bench.compare(
            lambda: classifier(texts),
            lambda: classifier(texts, batch_size=16),
            repeats=3,
            names=("one by one", "batch 16"),
        )
        by_length = sorted(texts, key=len)
        sorted_speed = bench.compare(
            lambda: classifier(texts),
            lambda: classifier(by_length, batch_size=16),
            repeats=3,
            names=("one by one", "batch 16, sorted by length"),
        )

    print(f"build from scratch      {seconds:7.1f} s   (target ≤ {TARGET_SECONDS} s)")
    print(f"validation accuracy     {metrics['validation_accuracy']:7.4f}")
    print(f"test accuracy           {metrics['test_accuracy']:7.4f}   (target ≥ {TARGET_ACCURACY})")
    print(f"pipeline, {len(texts)} texts   {speed}")
    print(f"pipeline, {len(texts)} texts   {sorted_speed}")
    ok = seconds <= TARGET_SECONDS and metrics["test_accuracy"] >= TARGET_ACCURACY
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
