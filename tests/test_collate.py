"""hfnotes.collate: pad_batch equals DataCollatorWithPadding; padding_stats; bad input."""

from __future__ import annotations

import random

import pytest
import torch
from transformers import AutoTokenizer, DataCollatorWithPadding

from hfnotes import assets
from hfnotes.collate import pad_batch, padding_stats
from hfnotes.errors import InputError


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(assets.base_model())


def _random_batch(rng: random.Random, tokenizer, with_labels: bool) -> list[dict]:
    words = ["good", "bad", "not", "the", "film", "battery", "slow", "great", "hotel", "!", "really", "meh"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(rng.randint(1, 9))]
    features = [dict(tokenizer(text)) for text in texts]
    if with_labels:
        for example in features:
            example["label"] = rng.randint(0, 1)
    return features


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_batch_equals_library_collator(tokenizer, seed, side):
    rng = random.Random(seed)
    features = _random_batch(rng, tokenizer, with_labels=seed % 2 == 0)
    tokenizer.padding_side = side
    try:
        expected = DataCollatorWithPadding(tokenizer)([dict(f) for f in features])
    finally:
        tokenizer.padding_side = "right"
    ours = pad_batch(features, pad_token_id=tokenizer.pad_token_id, padding_side=side)
    assert set(ours) == set(expected)
    for key in expected:
        assert torch.equal(ours[key], expected[key]), key


def test_pad_to_multiple_of_matches_library(tokenizer):
    features = _random_batch(random.Random(3), tokenizer, with_labels=True)
    expected = DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)([dict(f) for f in features])
    ours = pad_batch(features, pad_token_id=tokenizer.pad_token_id, pad_to_multiple_of=8)
    assert ours["input_ids"].shape[1] % 8 == 0
    assert all(torch.equal(ours[k], expected[k]) for k in expected)


@pytest.mark.parametrize(
    "features, message",
    [
        ([], "empty batch"),
        ("not a batch", "expects a list of dicts"),
        ([{"attention_mask": [1]}], "needs 'input_ids'"),
        (
            [{"input_ids": [1, 2]}, {"input_ids": [1], "attention_mask": [1]}],
            "every example in a batch must have the same fields",
        ),
        ([{"input_ids": [1, 2.5]}], "must hold integer token ids, found 2.5"),
        ([{"input_ids": ["the", "cat"]}], "tokenize the text first"),
        ([{"input_ids": [1, 2], "attention_mask": [1]}], "'attention_mask' has 1 items but input_ids has 2"),
    ],
)
def test_pad_batch_bad_input(features, message):
    with pytest.raises(InputError, match=message):
        pad_batch(features)


def test_pad_batch_bad_options():
    with pytest.raises(InputError, match="padding_side must be 'right' or 'left'"):
        pad_batch([{"input_ids": [1]}], padding_side="middle")
    with pytest.raises(InputError, match="pad_to_multiple_of"):
        pad_batch([{"input_ids": [1]}], pad_to_multiple_of=0)


def test_padding_stats_by_hand():
    lengths = [2, 8, 3, 7]
    assert padding_stats(lengths, batch_size=4, strategy="max_length", max_length=8)["computed_tokens"] == 32
    longest = padding_stats(lengths, batch_size=4, strategy="longest")
    assert longest["computed_tokens"] == 32 and longest["real_tokens"] == 20 and longest["padding_share"] == 0.375
    grouped = padding_stats(lengths, batch_size=2, strategy="grouped")
    assert grouped["computed_tokens"] == 2 * 8 + 2 * 3  # [8, 7] and [3, 2]
    assert padding_stats([200, 10], batch_size=1, max_length=128)["real_tokens"] == 138  # truncated


def test_padding_stats_orders_the_strategies():
    rng = random.Random(0)
    lengths = [5 + int(rng.expovariate(1 / 30)) for _ in range(2000)]  # many short, a few long, like reviews
    shares = [padding_stats(lengths, 32, s)["padding_share"] for s in ("max_length", "longest", "grouped")]
    assert shares[0] > shares[1] > shares[2]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lengths": [], "batch_size": 2}, "lengths is empty"),
        ({"lengths": [3, -1], "batch_size": 2}, "non-negative ints"),
        ({"lengths": [3, 1.5], "batch_size": 2}, "non-negative ints"),
        ({"lengths": [3], "batch_size": 0}, "batch_size must be a positive int"),
        (
            {"lengths": [3], "batch_size": 2, "strategy": "random"},
            "strategy must be one of max_length, longest, grouped",
        ),
        ({"lengths": [3], "batch_size": 2, "max_length": 0}, "max_length must be positive"),
    ],
)
def test_padding_stats_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        padding_stats(**kwargs)


def test_length_histogram(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from hfnotes.plots import length_histogram

    ax = length_histogram([3, 50, 200], max_length=128)
    assert ax.get_ylabel() == "number of texts" and "max_length=128" in ax.get_legend().get_texts()[0].get_text()
    with pytest.raises(InputError, match="nothing to plot"):
        length_histogram([])
