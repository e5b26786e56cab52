"""hfnotes.bench: alternating timing and its input checks (no timing assertions)."""

from __future__ import annotations

import pytest

from hfnotes import bench
from hfnotes.errors import InputError


def test_compare_alternates_and_counts_calls():
    calls = []
    result = bench.compare(lambda: calls.append("a"), lambda: calls.append("b"), repeats=3, names=("slow", "fast"))
    assert calls == ["a", "b"] * 4  # one warm-up pair, then three alternating pairs
    assert result.repeats == 3 and result.baseline == "slow" and result.candidate == "fast"
    assert result.baseline_seconds >= 0 and result.candidate_seconds >= 0


def test_ratio_and_text():
    result = bench.Comparison("a", "b", 2.0, 0.5, 3)
    assert result.ratio == 4.0
    assert str(result) == "a: 2.000 s · b: 0.500 s → b is 4.0× faster (median of 3)"
    assert str(bench.Comparison("a", "b", 1.0, 2.0, 3)).endswith("→ b is 2.0× slower (median of 3)")


def test_bad_arguments():
    with pytest.raises(InputError, match="repeats must be at least 1"):
        bench.compare(lambda: None, lambda: None, repeats=0)
    with pytest.raises(InputError, match="must both be callables"):
        bench.compare(lambda: None, 3)
    with pytest.raises(InputError, match="seconds must be positive"):
        bench.throughput(10, 0)
