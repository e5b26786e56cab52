"""Training speed of the course recipe: padding strategies, and how close we get to the CPU's peak.

    python benchmarks/bench_train.py            # about 3 minutes on 2 cores
    python benchmarks/bench_train.py --quick    # fewer levers, about 2 minutes

In one run it prints:

(a) training samples/s with dynamic padding + length grouping vs padding every text to 128,
    and the ratio, in float32 and (where the CPU has bf16 instructions) under bf16 autocast;
(b) the fp32 (and bf16) matrix-multiply peak of this machine, measured before and after the
    training runs (the better of the two), and the training FLOP/s the course recipe achieves,
    as a share of those peaks. Useful FLOPs are estimated from the real (unpadded)
    tokens: 6 × non-embedding parameters per token for the dense layers (forward 2, backward 4),
    plus 12 × layers × hidden × length² per text for the attention scores and weighted sums;
(c) the same for a few levers, in the recipe's precision: batch size, length grouping, threads.
"""

from __future__ import annotations

import argparse
import time

import hfnotes


def matmul_peak(dtype_name: str = "float32", size: int = 2048, repeats: int = 20) -> float:
    """Best GFLOP/s of a square matrix multiply (2 n³ FLOPs each).

    On a shared machine one measurement can catch a busy moment, so main() measures before and
    after the training runs and keeps the higher value: a peak is a best case.
    """
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(size, size, dtype=dtype), torch.randn(size, size, dtype=dtype)
    torch.matmul(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def useful_flops(stats: dict, dense_params: int, layers: int, hidden: int) -> float:
    """Training FLOPs spent on real tokens (padding excluded), for the batches in ``stats``."""
    dense = 6 * dense_params * stats["real_tokens"]
    attention = 12 * layers * hidden * stats["real_tokens_squared"]
    return dense + attention


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only (a) and (b)")
    args = parser.parse_args()

    hfnotes.setup()
    import torch
    from transformers import AutoConfig, AutoTokenizer

    from hfnotes import assets, data
    from hfnotes.precision import use_bf16
    from hfnotes.train import tokenize_reviews, train_throughput

    base = assets.base_model()
    config = AutoConfig.from_pretrained(base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    encoded = tokenize_reviews(data.load_reviews(), tokenizer, max_length=128)["train"]
    from transformers import AutoModel

    body = AutoModel.from_pretrained(base)
    embeddings = sum(p.numel() for p in body.embeddings.parameters())
    dense_params = sum(p.numel() for p in body.parameters()) - embeddings
    layers, hidden = config.num_hidden_layers, config.hidden_size
    del body

    threads = torch.get_num_threads()
    bf16 = use_bf16()
    precision = "bf16" if bf16 else "fp32"
    dtypes = ("float32", "bfloat16") if bf16 else ("float32",)
    peaks = {dtype: matmul_peak(dtype) for dtype in dtypes}
    print(f"MiniLM: {dense_params / 1e6:.1f} M non-embedding parameters, {layers} layers, hidden {hidden}")
    print(f"bf16 is native on this kernel path: {bf16} (the course recipe trains in {precision})")

    runs = [
        ("pad to 128, random batches, fp32", dict(pad_to=128, group_by_length=False, steps=5)),
        ("dynamic + grouped, fp32", dict(pad_to=None, group_by_length=True, steps=25)),
    ]
    if bf16:
        runs += [
            ("pad to 128, random batches, bf16", dict(pad_to=128, group_by_length=False, steps=5, bf16=True)),
            ("dynamic + grouped, bf16", dict(pad_to=None, group_by_length=True, steps=25, bf16=True)),
        ]
    if not args.quick:
        levers = {
            "dynamic, random batches": dict(group_by_length=False, steps=10),
            "dynamic + grouped, batches of 16": dict(steps=35, batch_size=16),
            "dynamic + grouped, batches of 64": dict(steps=8, batch_size=64),
            "dynamic + grouped, 1 thread": dict(steps=25, threads=1),
        }
        runs += [(f"{name}, {precision}", dict(pad_to=None, bf16=bf16, **options)) for name, options in levers.items()]

    results = {}
    for name, options in runs:
        torch.set_num_threads(options.pop("threads", threads))
        results[name] = train_throughput(encoded, tokenizer, **options)
        torch.set_num_threads(threads)
    for dtype in dtypes:  # again after training: keep the better of the two measurements
        peaks[dtype] = max(peaks[dtype], matmul_peak(dtype))
    peak = peaks["float32"]
    print(
        ", ".join(f"{dtype} matmul peak {value:.0f} GFLOP/s" for dtype, value in peaks.items()), f"({threads} threads)"
    )

    def achieved(stats: dict) -> float:
        return useful_flops(stats, dense_params, layers, hidden) / stats["seconds"] / 1e9

    print(
        f"\n{'setup (batches of 32 unless named)':<40} {'samples/s':>9} {'padding':>8} {'GFLOP/s':>8} {'of fp32 peak':>12}"
    )
    for name, stats in results.items():
        padding = 1 - stats["real_tokens"] / stats["computed_tokens"]
        flops = achieved(stats)
        print(f"{name:<40} {stats['samples_per_second']:>9.1f} {padding:>8.0%} {flops:>8.0f} {flops / peak:>12.0%}")

    def speed(name: str) -> float:
        return results[name]["samples_per_second"]

    print()
    for p in ("fp32", "bf16") if bf16 else ("fp32",):
        ratio = speed(f"dynamic + grouped, {p}") / speed(f"pad to 128, random batches, {p}")
        print(f"(a) {p}: dynamic padding + length grouping vs pad to 128: {ratio:.1f}× the samples/s (goal ≥ 4×)")
    if bf16:
        gain = speed("dynamic + grouped, bf16") / speed("dynamic + grouped, fp32")
        print(f"    bf16 autocast vs fp32, dynamic + grouped: {gain:.2f}×")
    recipe = achieved(results[f"dynamic + grouped, {precision}"])
    print(
        f"(b) the course recipe ({precision}): {recipe / peak:.0%} of the fp32 matmul peak on useful FLOPs (goal ≥ 35 %)"
    )
    if bf16:
        print(f"    and {recipe / peaks['bfloat16']:.0%} of the bf16 matmul peak")
    fp32 = achieved(results["dynamic + grouped, fp32"])
    print(f"    the same setup in fp32: {fp32 / peak:.0%} of the fp32 matmul peak")


if __name__ == "__main__":
    main()
