"""Build the course sentiment checkpoint from scratch and report it, optionally against targets.

    python benchmarks/bench_checkpoint.py
    python benchmarks/bench_checkpoint.py --max-seconds 300 --min-test-accuracy 0.92

Builds into a fresh temporary cache (the real cache is untouched), then prints the wall time of
the build, validation and test accuracy, and the pipeline's time one by one vs batch_size=16 on
the test split (as the texts come, and sorted by length), with the ratios. Build times depend on
the machine and its precision (see the checkpoint's estimate), so there is no built-in target:
pass the ones that hold for your machine. Exits 1 if a target given is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-seconds", type=float, help="fail when the build takes longer (default: no target)")
    parser.add_argument("--min-test-accuracy", type=float, help="fail below this test accuracy (default: no target)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
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

    time_target = f"   (target ≤ {args.max_seconds:g} s)" if args.max_seconds is not None else ""
    accuracy_target = f"   (target ≥ {args.min_test_accuracy})" if args.min_test_accuracy is not None else ""
    print(f"build from scratch      {seconds:7.1f} s{time_target}")
    print(f"validation accuracy     {metrics['validation_accuracy']:7.4f}")
    print(f"test accuracy           {metrics['test_accuracy']:7.4f}{accuracy_target}")
    print(f"pipeline, {len(texts)} texts   {speed}")
    print(f"pipeline, {len(texts)} texts   {sorted_speed}")
    missed = [
        name
        for name, bad in (
            ("build time", args.max_seconds is not None and seconds > args.max_seconds),
            ("test accuracy", args.min_test_accuracy is not None and metrics["test_accuracy"] < args.min_test_accuracy),
        )
        if bad
    ]
    if args.max_seconds is None and args.min_test_accuracy is None:
        print("no targets given")
    else:
        print(f"TARGET MISSED: {', '.join(missed)}" if missed else "targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
