"""hfnotes.train: the recipe's pieces (the full build is tested in test_checkpoint)."""

from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from hfnotes import assets, data
from hfnotes.errors import InputError
from hfnotes.train import ID2LABEL, LABEL2ID, Recipe, tokenize_reviews


def test_labels_are_upper_case_and_inverse():
    assert ID2LABEL == {0: "NEGATIVE", 1: "POSITIVE"}
    assert all(ID2LABEL[i] == name for name, i in LABEL2ID.items())


def test_tokenize_reviews_truncates_and_keeps_labels():
    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    reviews = data.load_reviews()
    encoded = tokenize_reviews(reviews, tokenizer, max_length=32)
    assert set(encoded["train"].column_names) == {"input_ids", "token_type_ids", "attention_mask", "label"}
    lengths = [len(ids) for ids in encoded["validation"]["input_ids"]]
    assert max(lengths) == 32 and min(lengths) < 32  # truncated, not padded
    assert list(encoded["test"]["label"]) == list(reviews["test"]["label"])


def test_default_recipe_is_the_course_recipe():
    recipe = Recipe()
    assert (recipe.epochs, recipe.learning_rate, recipe.batch_size, recipe.max_length, recipe.seed) == (
        3.0,
        1.5e-4,
        32,
        64,
        1,
    )
    assert recipe.truncation_side == "left"
    assert recipe.max_train_samples is None and recipe.bf16 is None  # None: bf16 autocast where it is native


def test_recipe_rejects_an_unknown_truncation_side():
    with pytest.raises(InputError, match=r"truncation_side must be 'left'.*got 'middle'"):
        Recipe(truncation_side="middle")


def test_use_bf16_follows_the_precision_choice_unless_forced(monkeypatch):
    for value, expected in (("bf16", True), ("fp32", False)):
        monkeypatch.setenv("HFNOTES_PRECISION", value)
        assert Recipe().use_bf16("cpu") is expected
        assert Recipe(bf16=True).use_bf16("cpu") is True
        assert Recipe(bf16=False).use_bf16("cpu") is False


def test_sorted_by_length_is_a_stable_sort_that_keeps_rows():
    from datasets import Dataset

    from hfnotes.train import sorted_by_length

    ds = Dataset.from_dict({"input_ids": [[1, 2], [1], [3, 4], [1, 2, 3], [5]], "label": [0, 1, 2, 3, 4]})
    out = sorted_by_length(ds)
    assert [len(ids) for ids in out["input_ids"]] == [1, 1, 2, 2, 3]
    assert out["label"] == [1, 4, 0, 2, 3]  # ties keep their order


@pytest.mark.parametrize("field", ["epochs", "learning_rate", "batch_size", "max_length"])
def test_recipe_rejects_non_positive_values(field):
    with pytest.raises(InputError, match=rf"Recipe\.{field} must be positive"):
        Recipe(**{field: 0})


def test_train_throughput_counts_tokens_and_refuses_too_little_data():
    from hfnotes.train import train_throughput

    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    encoded = tokenize_reviews(data.load_reviews(), tokenizer, max_length=64)["validation"].select(range(64))
    padded = train_throughput(encoded, tokenizer, pad_to=64, group_by_length=False, steps=2, batch_size=4)
    dynamic = train_throughput(encoded, tokenizer, pad_to=None, group_by_length=True, steps=2, batch_size=4)
    assert padded["computed_tokens"] == 2 * 4 * 64
    assert dynamic["computed_tokens"] <= padded["computed_tokens"]
    assert padded["real_tokens"] <= padded["computed_tokens"]
    assert padded["real_tokens_squared"] >= padded["real_tokens"]
    assert padded["samples"] == 8 and padded["samples_per_second"] > 0
    with pytest.raises(InputError, match="need 640 rows; the data has 64"):
        train_throughput(encoded, tokenizer, steps=20, batch_size=32)


def _bf16_wrapped_tiny_classifier():
    """A tiny BERT classifier, a float32 copy of it, and the same model wrapped in autocast by Accelerate."""
    import copy

    import torch
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState
    from transformers import BertConfig, BertForSequenceClassification

    AcceleratorState._reset_state(reset_partial_state=True)  # an earlier Trainer fixed the precision to fp32
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64
    )
    model = BertForSequenceClassification(config).eval()
    reference = copy.deepcopy(model)
    wrapped = Accelerator(mixed_precision="bf16", cpu=True).prepare(model)
    AcceleratorState._reset_state(reset_partial_state=True)  # leave no bf16 state for later tests
    return model, reference, wrapped


def test_accelerates_own_unwrapping_loses_the_class_forward():
    """Why hfnotes keeps without_autocast_wrapper: extract_model_from_parallel(keep_fp32_wrapper=False)
    unwraps past transformers' decorators, and return_dict=False then fails. If this test fails, a new
    accelerate fixed it: replace the helper in hfnotes.train with the library call."""
    import torch
    from accelerate.utils import extract_model_from_parallel

    model, reference, wrapped = _bf16_wrapped_tiny_classifier()
    ids = torch.randint(1, 100, (2, 7))
    with torch.no_grad():
        assert not torch.equal(wrapped(input_ids=ids).logits, reference(input_ids=ids).logits)  # bf16 changes bits
    assert extract_model_from_parallel(wrapped, keep_fp32_wrapper=False) is model
    assert model.forward.__func__ is not type(model).forward
    with torch.no_grad(), pytest.raises(TypeError):
        model(input_ids=ids, return_dict=False)


def test_without_autocast_wrapper_restores_the_class_forward():
    import torch

    from hfnotes.train import without_autocast_wrapper

    model, reference, _ = _bf16_wrapped_tiny_classifier()
    ids = torch.randint(1, 100, (2, 7))
    without_autocast_wrapper(model)
    assert "forward" not in model.__dict__ and model.forward.__func__ is type(model).forward
    with torch.no_grad():
        assert torch.equal(model(input_ids=ids).logits, reference(input_ids=ids).logits)
        assert torch.equal(model(input_ids=ids, return_dict=False)[0], reference(input_ids=ids).logits)


def test_fine_tune_returns_a_plain_float32_model_after_bf16_training(tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification

    from hfnotes.train import fine_tune

    result = fine_tune(Recipe(epochs=1, batch_size=8, max_train_samples=16, max_eval_samples=8, bf16=True))
    model = result.model
    assert "forward" not in model.__dict__  # Accelerate's autocast wrapper is gone
    assert model.forward.__func__ is type(model).forward
    model.save_pretrained(tmp_path)
    reloaded = AutoModelForSequenceClassification.from_pretrained(tmp_path, use_safetensors=True).eval()
    batch = result.tokenizer(["Loved it.", "Never again, the room was cold."], padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
        assert logits.dtype == torch.float32
        assert torch.equal(logits, reloaded(**batch).logits)  # same computation as the saved weights
