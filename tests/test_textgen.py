"""hfnotes.textgen and the review_gpt asset: byte-level BPE, packing, the unigram baseline, the GPT recipe."""

from __future__ import annotations

import json
import math
import shutil

import pytest
import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForLanguageModeling

from hfnotes import checkpoint, data
from hfnotes import textgen as tg
from hfnotes.errors import AssetError, InputError
from hfnotes.recipe import GPTRecipe

TEXTS = [
    "The food was great and the staff were kind.",
    "Terrible app, it crashes every time I open it.",
    "Great battery, bad screen 😕",
    "I would not stay at this hotel again.",
] * 10
TINY = GPTRecipe(
    vocab_size=300,
    block_size=16,
    hidden_size=32,
    num_layers=1,
    num_heads=2,
    epochs=1,
    batch_size=8,
    max_train_texts=256,
)


@pytest.fixture(scope="module")
def tokenizer():
    return tg.byte_level_bpe(TEXTS, vocab_size=300)


def test_byte_level_bpe_round_trips_any_text_and_never_has_unknowns(tokenizer):
    for text in ["The fooood was grate!!", "naïve café 🍜🔥", "Ωμέγα"]:
        ids = tokenizer(text)["input_ids"]
        assert tokenizer.decode(ids) == text
        assert tokenizer.unk_token_id is None or tokenizer.unk_token_id not in ids
    assert tokenizer.eos_token == tokenizer.bos_token == tg.END_OF_TEXT
    assert tokenizer.pad_token == tg.PAD and tokenizer.pad_token_id != tokenizer.eos_token_id


def test_byte_level_bpe_is_deterministic_and_saves_and_reloads(tokenizer, tmp_path):
    again = tg.byte_level_bpe(TEXTS, vocab_size=300)
    assert again.get_vocab() == tokenizer.get_vocab()
    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded("Great food 😕")["input_ids"] == tokenizer("Great food 😕")["input_ids"]
    assert (loaded.eos_token, loaded.pad_token) == (tg.END_OF_TEXT, tg.PAD)


@pytest.mark.parametrize(
    "texts, vocab_size, message",
    [
        ("one text", 300, "got one string"),
        ([], 300, "is empty"),
        (["a", 3], 300, r"texts\[1\] is int"),
        (TEXTS, 100, "vocab_size must be an int above 258"),
    ],
)
def test_byte_level_bpe_rejects_bad_inputs(texts, vocab_size, message):
    with pytest.raises(InputError, match=message):
        tg.byte_level_bpe(texts, vocab_size=vocab_size)


@pytest.mark.parametrize("block_size", [1, 3, 7, 64])
def test_group_texts_loses_and_duplicates_no_token(block_size):
    rows = [list(range(start, start + length)) for start, length in [(0, 5), (100, 1), (200, 9), (300, 4)]]
    stream = [t for row in rows for t in row]
    blocks = tg.group_texts({"input_ids": rows}, block_size)["input_ids"]
    assert all(len(block) == block_size for block in blocks)
    flat = [t for block in blocks for t in block]
    assert flat == stream[: len(flat)]  # in order, nothing duplicated
    assert len(stream) - len(flat) == len(stream) % block_size  # only the short tail is dropped


@pytest.mark.parametrize(
    "examples, block_size, message",
    [
        ({"input_ids": [[1, 2]]}, 0, "block_size must be a positive int"),
        ({"input_ids": [[1, 2]]}, True, "block_size must be a positive int"),
        ({}, 2, "examples must be a batch"),
        ({"input_ids": ["a text"]}, 2, "tokenize first"),
        ({"input_ids": [[1, 2]], "attention_mask": [[1]]}, 2, "other lengths"),
    ],
)
def test_group_texts_rejects_bad_inputs(examples, block_size, message):
    with pytest.raises(InputError, match=message):
        tg.group_texts(examples, block_size)


def test_pack_ends_every_text_with_eos_and_the_collator_copies_inputs_to_labels(tokenizer):
    packed = tg.pack(Dataset.from_dict({"text": TEXTS[:4], "label": [0, 1, 0, 0]}), tokenizer, block_size=8)
    assert packed.column_names == ["input_ids", "attention_mask"]
    stream = [t for text in TEXTS[:4] for t in [*tokenizer(text)["input_ids"], tokenizer.eos_token_id]]
    flat = [t for row in packed["input_ids"] for t in row]
    assert flat == stream[: len(flat)] and len(stream) - len(flat) < 8
    batch = DataCollatorForLanguageModeling(tokenizer, mlm=False)(list(packed))
    # no padding in full blocks, so the labels are the inputs (the model shifts them itself),
    # end-of-text tokens included: the model learns to end a text
    assert tokenizer.eos_token_id in batch["input_ids"]
    assert torch.equal(batch["labels"], batch["input_ids"])
    with pytest.raises(InputError, match="no column 'review'"):
        tg.pack(Dataset.from_dict({"text": ["a"]}), tokenizer, 8, text_column="review")


def test_the_collator_masks_padding_but_keeps_end_of_text_in_the_labels(tokenizer):
    eos = tokenizer.eos_token_id
    rows = [{"input_ids": [*tokenizer("Great food")["input_ids"], eos]}, {"input_ids": [eos]}]
    batch = DataCollatorForLanguageModeling(tokenizer, mlm=False)(rows)
    padded = batch["input_ids"] == tokenizer.pad_token_id
    assert padded.any() and (batch["labels"][padded] == -100).all()
    assert torch.equal(batch["labels"][~padded], batch["input_ids"][~padded])
    assert (batch["labels"] == eos).sum() == 2


def test_unigram_perplexity_matches_a_hand_computation():
    # counts 2, 1, 0 plus one each over 3 tokens: p = 3/6, 2/6, 1/6
    expected = math.exp(-(math.log(3 / 6) + math.log(2 / 6)) / 2)
    assert tg.unigram_perplexity([0, 0, 1], [0, 1], vocab_size=3) == pytest.approx(expected)
    assert tg.unigram_perplexity([], [0, 1], vocab_size=4) == pytest.approx(4.0)  # uniform
    with pytest.raises(InputError, match="empty"):
        tg.unigram_perplexity([0], [], vocab_size=3)
    with pytest.raises(InputError, match="range"):
        tg.unigram_perplexity([0], [5], vocab_size=3)


def test_word_share_counts_dictionary_words():
    assert tg.word_share("Great food, grate fod!", {"great", "food", "grate"}) == 0.75
    assert tg.word_share("!!! 123", {"a"}) == 0.0


def test_gpt_config_follows_the_tokenizer_and_the_recipe(tokenizer):
    config = tg.gpt_config(tokenizer, TINY)
    assert (config.vocab_size, config.n_positions, config.n_embd, config.n_layer, config.n_head) == (300, 16, 32, 1, 2)
    assert config.eos_token_id == config.bos_token_id == tokenizer.eos_token_id
    assert config.pad_token_id == tokenizer.pad_token_id != tokenizer.eos_token_id


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"vocab_size": 0}, "vocab_size must be a positive int"),
        ({"epochs": 0}, "epochs must be a positive"),
        ({"hidden_size": 30, "num_heads": 4}, "multiple of num_heads"),
        ({"bf16": "yes"}, "bf16 must be None"),
    ],
)
def test_gpt_recipe_rejects_bad_values(kwargs, message):
    with pytest.raises(InputError, match=message):
        GPTRecipe(**kwargs)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """review_gpt built by the tiny recipe into a private cache."""
    import os

    cache = tmp_path_factory.mktemp("cache")
    old = os.environ.get("HFNOTES_CACHE")
    os.environ["HFNOTES_CACHE"] = str(cache)
    try:
        yield checkpoint.review_gpt_checkpoint(recipe=TINY)
    finally:
        if old is None:
            os.environ.pop("HFNOTES_CACHE", None)  # a test's monkeypatch may have removed it already
        else:
            os.environ["HFNOTES_CACHE"] = old


def test_review_gpt_folder_loads_with_the_auto_classes_and_generates(built):
    assert built.name.startswith("review_gpt-") and (built / "model.safetensors").is_file()
    assert not list(built.glob("*.bin"))
    model = AutoModelForCausalLM.from_pretrained(built)
    tok = AutoTokenizer.from_pretrained(built)
    out = model.generate(**tok("The food", return_tensors="pt"), max_new_tokens=5, do_sample=False)
    assert out.shape[1] == len(tok("The food")["input_ids"]) + 5
    card = (built / "README.md").read_text()
    assert "pipeline_tag: text-generation" in card and "unigram_perplexity" in card


def test_review_gpt_state_damage_and_no_rebuild_when_ready(built, monkeypatch, tmp_path):
    import os

    os.environ["HFNOTES_CACHE"] = str(built.parent)
    try:
        assert checkpoint.gpt_state(TINY) == ("ready", "")
        monkeypatch.setattr(checkpoint, "train_gpt", lambda *a, **k: pytest.fail("rebuilt a ready model"))
        assert checkpoint.review_gpt_checkpoint(recipe=TINY) == built
        copy = tmp_path / "copy"
        shutil.copytree(built, copy)
        card = json.loads((copy / "hfnotes.json").read_text())
        (copy / "hfnotes.json").write_text(json.dumps({**card, "build": {**card["build"], "torch": "0.0"}}))
        state, reason = checkpoint.gpt_state(TINY, copy)
        assert state == "stale" and "'0.0'" in reason  # built by another torch: rebuilt, not reused
        (copy / "hfnotes.json").write_text(json.dumps(card))
        assert checkpoint.gpt_state(TINY, copy) == ("ready", "")
        with open(copy / "model.safetensors", "r+b") as f:
            f.truncate(100)
        assert checkpoint.gpt_state(TINY, copy)[0] == "damaged"
        (copy / "config.json").unlink()
        assert checkpoint.gpt_state(TINY, copy) == ("damaged", "missing file(s): config.json")
    finally:
        del os.environ["HFNOTES_CACHE"]


def test_check_gpt_names_the_build_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HFNOTES_CACHE", str(tmp_path))
    with pytest.raises(AssetError, match="hfnotes assets build review_gpt"):
        checkpoint.check_gpt(TINY)


def test_train_gpt_metrics_and_the_curve_start_untrained():
    reviews = data.load_reviews(source="bundled")
    result = tg.train_gpt(TINY, reviews["train"]["text"][:80], reviews["validation"]["text"][:20])
    assert set(result.metrics) == {
        "validation_loss",
        "validation_perplexity",
        "untrained_perplexity",
        "unigram_perplexity",
    }
    losses = [h for h in result.log_history if "eval_loss" in h]
    assert losses[0]["epoch"] == 0 and losses[-1]["eval_loss"] < losses[0]["eval_loss"]
    with pytest.raises(InputError, match="GPTRecipe"):
        tg.train_gpt({"epochs": 1}, TEXTS, TEXTS)
