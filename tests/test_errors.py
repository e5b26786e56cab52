"""Every bad input a learner is likely to try raises an HfnotesError that names the bad value and the fix.

One table: (what is called, the error class expected, a fragment of its message). Each case is a path
that used to end in a TypeError, KeyError, AttributeError, JSONDecodeError, a plain ValueError, or no
error at all.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest

from hfnotes import checkpoint, data, errors, inference, lora, metrics
from hfnotes.errors import AssetError, ConfigError, DataError, HfnotesError, InputError, LaunchError
from hfnotes.launch import run_command
from hfnotes.recipe import Recipe
from hfnotes.session import device
from hfnotes.throughput import train_throughput
from hfnotes.train import fine_tune


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from hfnotes import models

    return AutoTokenizer.from_pretrained(models.base_model())


def _reviews(**changes):
    """A tiny DatasetDict shaped like the reviews, with ``changes`` applied to every split."""
    from datasets import Dataset, DatasetDict

    rows = {"text": ["good", "bad"], "label": [1, 0], **changes}
    return DatasetDict({split: Dataset.from_dict(rows) for split in data.SPLITS})


def _manifest_folder(tmp_path, content):
    (tmp_path / "MANIFEST.json").write_text(json.dumps(content))
    return tmp_path


def _adapter_folder(tmp_path, text):
    (tmp_path / "adapter_config.json").write_text(text)
    return tmp_path


def _hfnotes_device(monkeypatch, value):
    monkeypatch.setenv("HFNOTES_DEVICE", value)
    return device()


CASES = {
    # the recipe: wrong types and ranges used to pass or fail late inside Trainer
    "recipe-batch-size-str": (
        lambda t, m, tok: Recipe(batch_size="32"),
        InputError,
        "Recipe.batch_size must be an int, got '32'",
    ),
    "recipe-batch-size-float": (
        lambda t, m, tok: Recipe(batch_size=2.5),
        InputError,
        "Recipe.batch_size must be an int, got 2.5",
    ),
    "recipe-batch-size-bool": (
        lambda t, m, tok: Recipe(batch_size=True),
        InputError,
        "Recipe.batch_size must be an int",
    ),
    "recipe-epochs-str": (lambda t, m, tok: Recipe(epochs="3"), InputError, "Recipe.epochs must be a number, got '3'"),
    "recipe-negative-warmup": (
        lambda t, m, tok: Recipe(warmup=-0.1),
        InputError,
        "Recipe.warmup must be zero or more, got -0.1",
    ),
    "recipe-negative-seed": (lambda t, m, tok: Recipe(seed=-1), InputError, "Recipe.seed must be zero or more, got -1"),
    "recipe-bf16-str": (lambda t, m, tok: Recipe(bf16="yes"), InputError, "Recipe.bf16 must be None"),
    "recipe-zero-samples": (
        lambda t, m, tok: Recipe(max_train_samples=0),
        InputError,
        "Recipe.max_train_samples must be positive or None",
    ),
    # fine_tune checks the user's dataset before tokenizing (it used to fail deep in Trainer)
    "fine-tune-label-renamed": (
        lambda t, m, tok: fine_tune(dataset=_reviews().rename_column("label", "sentiment")),
        DataError,
        "split 'train' has no 'label' column",
    ),
    "fine-tune-text-renamed": (
        lambda t, m, tok: fine_tune(dataset=_reviews().rename_column("text", "sentence")),
        DataError,
        "rename_column(<old name>, 'text')",
    ),
    "fine-tune-missing-split": (
        lambda t, m, tok: fine_tune(dataset={"train": _reviews()["train"], "validation": _reviews()["train"]}),
        DataError,
        "lacks the split(s) ['test']",
    ),
    "fine-tune-three-labels": (
        lambda t, m, tok: fine_tune(dataset=_reviews(label=[2, 0])),
        DataError,
        "label values [0, 2]",
    ),
    "fine-tune-not-a-dict": (lambda t, m, tok: fine_tune(dataset=_reviews()["train"]), DataError, "got Dataset"),
    "fine-tune-recipe-str": (
        lambda t, m, tok: fine_tune(recipe="fast"),
        InputError,
        "recipe must be a hfnotes Recipe, got str",
    ),
    "checkpoint-dir-recipe-dict": (lambda t, m, tok: checkpoint.checkpoint_dir({"epochs": 1}), InputError, "got dict"),
    "throughput-steps-float": (
        lambda t, m, tok: train_throughput([], tok, steps=2.5),
        InputError,
        "steps must be a positive int, got 2.5",
    ),
    "throughput-pad-to-zero": (
        lambda t, m, tok: train_throughput([], tok, pad_to=0),
        InputError,
        "pad_to must be a positive int, got 0",
    ),
    # inference
    "encode-max-length-zero": (
        lambda t, m, tok: inference.encode(tok, "fine", max_length=0),
        InputError,
        "max_length must be a positive int or None (the model's limit), got 0",
    ),
    "encode-max-length-float": (
        lambda t, m, tok: inference.encode(tok, "fine", max_length=12.5),
        InputError,
        "got 12.5",
    ),
    "texts-bytes": (
        lambda t, m, tok: inference.check_texts(b"great"),
        InputError,
        "texts is bytes, not a string: decode it",
    ),
    "text-item-bytes": (
        lambda t, m, tok: inference.check_texts(["ok", b"bad"]),
        InputError,
        "text 1 is bytes, not a string",
    ),
    "load-classifier-none": (
        lambda t, m, tok: inference.load_classifier(None),
        InputError,
        "hfnotes.assets.sentiment_model()",
    ),
    # environment
    "device-gpu": (
        lambda t, m, tok: _hfnotes_device(m, "gpu"),
        ConfigError,
        "HFNOTES_DEVICE='gpu' is not a device hfnotes knows (for an NVIDIA GPU use 'cuda')",
    ),
    "device-missing-cuda": (
        lambda t, m, tok: _hfnotes_device(m, "cuda"),
        ConfigError,
        "HFNOTES_DEVICE='cuda', but torch finds no cuda device",
    ),
    # files that are JSON but not what hfnotes wrote
    "manifest-without-files": (
        lambda t, m, tok: data.verify_reviews(_manifest_folder(t, {"version": 1})),
        DataError,
        "has no 'files' table",
    ),
    "manifest-a-list": (
        lambda t, m, tok: data.data_version(_manifest_folder(t, ["train.csv"])),
        DataError,
        "has no 'files' table",
    ),
    "adapter-config-corrupt": (
        lambda t, m, tok: lora.base_model_of(_adapter_folder(t, "{not json")),
        InputError,
        "is not valid JSON",
    ),
    "adapter-config-a-list": (
        lambda t, m, tok: lora.base_model_of(_adapter_folder(t, "[]")),
        InputError,
        "holds a list, not an adapter config",
    ),
    "adapter-without-safetensors": (
        lambda t, m, tok: lora.load_adapter(_adapter_folder(t, "{}"), base="base"),
        InputError,
        "has no adapter_model.safetensors: hfnotes loads adapters from safetensors only",
    ),
    "adapter-num-labels-zero": (
        lambda t, m, tok: lora.load_adapter(t, num_labels=0),
        InputError,
        "num_labels must be a positive int, got 0",
    ),
    "save-adapter-unknown-asset": (
        lambda t, m, tok: lora.save_adapter(SimpleNamespace(peft_config={}), t, base_asset="gpt-5"),
        InputError,
        "base_asset 'gpt-5' is not a course asset",
    ),
    "trainable-parameters-str": (
        lambda t, m, tok: lora.trainable_parameters("model"),
        InputError,
        "model must be a torch model",
    ),
    # metrics: their checks were plain ValueErrors
    "metric-float-predictions": (
        lambda t, m, tok: metrics.load("accuracy", keep_in_memory=True).compute(
            predictions=[0.5, 1.0], references=[1, 0]
        ),
        InputError,
        "predictions must be integer class ids",
    ),
    "metric-length-mismatch": (
        lambda t, m, tok: metrics.load("f1", keep_in_memory=True).compute(predictions=[1], references=[1, 0]),
        InputError,
        "Got 1 predictions but 2 references",
    ),
    "metric-bad-average": (
        lambda t, m, tok: metrics.load("f1", keep_in_memory=True).compute(
            predictions=[1], references=[1], average="mean"
        ),
        InputError,
        "average='mean' is not supported",
    ),
    # assets and launching
    "asset-name-not-a-string": (
        lambda t, m, tok: __import__("hfnotes.assets").assets.resolve(3),
        AssetError,
        "Unknown asset 3",
    ),
    "launch-failure": (
        lambda t, m, tok: run_command([sys.executable, "-c", "raise SystemExit(3)"]),
        LaunchError,
        "exited with code 3",
    ),
}


@pytest.mark.parametrize("call, error, fragment", CASES.values(), ids=CASES.keys())
def test_bad_input_raises_an_hfnotes_error_saying_what_to_do(call, error, fragment, tmp_path, monkeypatch, tokenizer):
    monkeypatch.delenv("HFNOTES_DEVICE", raising=False)
    with pytest.raises(error) as info:
        call(tmp_path, monkeypatch, tokenizer)
    assert isinstance(info.value, HfnotesError)
    assert fragment in str(info.value)


def test_every_error_class_is_an_hfnotes_error():
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(cls, errors.HfnotesError) for cls in classes)
    from hfnotes import launch

    assert launch.LaunchError is errors.LaunchError  # still importable where notebooks found it


def test_fine_tune_leaves_the_callers_dataset_alone():
    """It used to replace the caller's train/validation/test splits with shuffled subsets."""
    from hfnotes.train import _subsets

    reviews = data.load_reviews()
    before = {split: (reviews[split].num_rows, reviews[split]._fingerprint) for split in data.SPLITS}
    subsets = _subsets(reviews, Recipe(max_train_samples=8, max_eval_samples=4))
    assert {split: ds.num_rows for split, ds in subsets.items()} == {"train": 8, "validation": 4, "test": 4}
    assert {split: (reviews[split].num_rows, reviews[split]._fingerprint) for split in data.SPLITS} == before
