"""hfnotes.checkpoint: atomic, locked, verified, deterministic builds of the sentiment model.

Every test uses a tiny recipe (a few dozen reviews, one epoch) in a temporary cache, so the real
course checkpoint is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch

from hfnotes import checkpoint, inference
from hfnotes.errors import AssetError
from hfnotes.train import Recipe

TINY = Recipe(epochs=1, batch_size=8, max_train_samples=32, max_eval_samples=16)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HFNOTES_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HFNOTES_SOURCE", raising=False)
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One tiny checkpoint, built once for the module; tests copy it before damaging it."""
    cache = tmp_path_factory.mktemp("built-cache")
    old = os.environ.get("HFNOTES_CACHE")
    os.environ["HFNOTES_CACHE"] = str(cache)
    try:
        folder = checkpoint.sentiment_checkpoint(recipe=TINY, progress=False)
    finally:
        if old is None:
            del os.environ["HFNOTES_CACHE"]
        else:
            os.environ["HFNOTES_CACHE"] = old
    return folder


def _install(built, cache):
    """Copy the module's tiny checkpoint into this test's cache."""
    target = cache / built.name
    shutil.copytree(built, target)
    return target


def _test_logits(folder):
    from hfnotes.data import load_reviews

    model, tokenizer = inference.load_classifier(str(folder))
    texts = list(load_reviews()["test"]["text"][:48])
    return inference.forward(model, inference.encode(tokenizer, texts))


def test_build_writes_a_complete_card(built):
    for name in checkpoint.REQUIRED_FILES:
        assert (built / name).is_file(), name
    card = json.loads((built / "hfnotes.json").read_text())
    assert card["recipe"] == TINY.as_dict()
    assert set(card["metrics"]) == {"validation_accuracy", "test_accuracy"}
    assert card["base_sha256"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    readme = (built / "README.md").read_text()
    assert card["data_version"] in readme and "## Recipe" in readme and "test_accuracy" in readme
    config = json.loads((built / "config.json").read_text())
    assert config["id2label"] == {"0": "NEGATIVE", "1": "POSITIVE"}
    assert not list(built.glob("*.bin")) and not list(built.glob("*.pt"))  # safetensors only
    assert card["precision"] == ("bf16 autocast" if TINY.use_bf16() else "float32")
    assert card["build"] == checkpoint.build_conditions(TINY)
    assert [h["epoch"] for h in card["log_history"] if "eval_accuracy" in h] == [1.0]  # one evaluation per epoch
    assert card["precision"] in readme and f"kept the last {TINY.max_length} tokens" in readme


def test_saved_tokenizer_truncates_from_the_recipe_side(built):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(built)
    assert tokenizer.truncation_side == TINY.truncation_side == "left"


def test_tiny_recipe_never_replaces_the_course_checkpoint(built):
    assert built.name.startswith("sentiment_model-")
    assert checkpoint.checkpoint_dir().name == "sentiment_model"


def test_ready_checkpoint_is_reused_without_building(built, cache, monkeypatch):
    folder = _install(built, cache)
    monkeypatch.setattr(checkpoint, "fine_tune", lambda *a, **k: pytest.fail("rebuilt a ready checkpoint"))
    assert checkpoint.sentiment_checkpoint(recipe=TINY) == folder


@pytest.mark.parametrize(
    "damage, reason",
    [
        (
            lambda f: f.joinpath("model.safetensors").write_bytes(f.joinpath("model.safetensors").read_bytes()[:1000]),
            "truncated or modified",
        ),
        (lambda f: f.joinpath("tokenizer.json").unlink(), "missing file(s): tokenizer.json"),
        (lambda f: f.joinpath("hfnotes.json").write_text("{not json"), "not valid JSON"),
        (lambda f: f.joinpath("hfnotes.json").write_text("[1, 2]"), "holds a list, not the object"),
    ],
    ids=["truncated-weights", "missing-file", "bad-card", "card-not-an-object"],
)
def test_damaged_cache_is_detected_and_rebuilt(built, cache, capsys, damage, reason):
    folder = _install(built, cache)
    damage(folder)
    state, why = checkpoint.checkpoint_state(TINY)
    assert state == "damaged" and reason in why
    with pytest.raises(AssetError, match="damaged"):
        checkpoint.check_checkpoint(TINY)
    assert checkpoint.sentiment_checkpoint(recipe=TINY, progress=False) == folder
    assert "damaged" in capsys.readouterr().err
    assert checkpoint.checkpoint_state(TINY) == ("ready", "")


def test_a_checkpoint_built_in_another_precision_is_not_reused(built, cache, monkeypatch):
    folder = _install(built, cache)
    card = json.loads((folder / "hfnotes.json").read_text())
    other = "fp32" if card["build"]["precision"] == "bf16" else "bf16"
    monkeypatch.setenv("HFNOTES_PRECISION", other)
    state, why = checkpoint.checkpoint_state(TINY)
    assert state == "stale" and "built for another precision" in why and other in why
    with pytest.raises(AssetError, match="stale"):
        checkpoint.check_checkpoint(TINY)


def test_a_checkpoint_from_another_torch_is_rebuilt(built, cache, capsys):
    folder = _install(built, cache)
    card = json.loads((folder / "hfnotes.json").read_text())
    (folder / "hfnotes.json").write_text(json.dumps({**card, "build": {**card["build"], "torch": "1.0"}}))
    assert checkpoint.checkpoint_state(TINY)[0] == "stale"
    assert checkpoint.sentiment_checkpoint(recipe=TINY, progress=False) == folder
    assert "rebuilding it" in capsys.readouterr().err
    assert checkpoint.checkpoint_state(TINY) == ("ready", "")


def test_a_checkpoint_of_older_data_is_stale_and_rebuilt(built, cache, capsys):
    """A course update (new data, new recipe) makes the cached model out of date, not damaged."""
    folder = _install(built, cache)
    card = json.loads((folder / "hfnotes.json").read_text())
    (folder / "hfnotes.json").write_text(json.dumps({**card, "data_version": "0123456789ab"}))
    state, why = checkpoint.checkpoint_state(TINY)
    assert state == "stale" and "built for another bundled data version" in why
    assert checkpoint.sentiment_checkpoint(recipe=TINY, progress=False) == folder
    assert "was built for another bundled data version" in capsys.readouterr().err
    assert checkpoint.checkpoint_state(TINY) == ("ready", "")


def test_failed_build_leaves_nothing_half_written(cache, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(checkpoint, "fine_tune", explode)
    with pytest.raises(RuntimeError, match="power cut"):
        checkpoint.sentiment_checkpoint(recipe=TINY, progress=False)
    leftovers = [p.name for p in cache.iterdir() if p.name.startswith((".sentiment", "sentiment"))]
    assert [name for name in leftovers if not name.endswith(".lock")] == []
    assert checkpoint.checkpoint_state(TINY)[0] == "not built"


def test_not_built_is_reported(cache):
    assert checkpoint.checkpoint_state(TINY) == ("not built", "")
    with pytest.raises(AssetError, match=r"not built yet.*hfnotes assets build"):
        checkpoint.check_checkpoint(TINY)


def test_two_builds_give_identical_predictions(built, cache):
    rebuilt = checkpoint.sentiment_checkpoint(force=True, recipe=TINY, progress=False)
    assert rebuilt != built
    a, b = _test_logits(built), _test_logits(rebuilt)
    assert torch.equal(a.argmax(-1), b.argmax(-1))
    assert torch.allclose(a, b, atol=1e-5)


def test_two_processes_build_once(cache):
    code = (
        "from hfnotes import checkpoint; from hfnotes.train import Recipe; "
        f"print(checkpoint.sentiment_checkpoint(recipe=Recipe(**{TINY.as_dict()!r}), progress=False))"
    )
    env = {**os.environ, "HFNOTES_CACHE": str(cache)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert outputs[0][0] == outputs[1][0]
    errs = "".join(err for _, err in outputs)
    assert errs.count("building the course sentiment model") == 1, errs
    assert checkpoint.checkpoint_state(TINY) == ("ready", "")


def test_hub_mode_names_the_hub_model(monkeypatch):
    from hfnotes import assets

    monkeypatch.setenv("HFNOTES_SOURCE", "hub")
    assert assets.sentiment_model() == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


def test_model_card_metadata_reads_back_with_huggingface_hub(built):
    from huggingface_hub import ModelCard

    card = ModelCard.load(built / "README.md")
    assert card.data.license == "mit" and card.data.pipeline_tag == "text-classification"
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert set(card.data.tags) == {"sentiment", "hfnotes"}
    assert "# hfnotes sentiment model" in card.text and "## Metrics (bundled reviews)" in card.text


def test_saved_tokenizer_reads_the_models_limit_not_the_training_length(built):
    """The chosen behaviour: training cut reviews to 64 tokens, predictions read up to the model's 512."""
    from transformers import AutoTokenizer

    card = json.loads((built / "hfnotes.json").read_text())
    tokenizer = AutoTokenizer.from_pretrained(built)
    assert TINY.max_length == 64 and tokenizer.model_max_length == card["tokenizer_max_length"] == 512
    text = " ".join(["word"] * 300)
    assert inference.encode(tokenizer, text)["input_ids"].shape[1] == 302  # 300 words + [CLS] + [SEP]
    assert f"at the model's limit of {tokenizer.model_max_length} tokens" in " ".join(
        (built / "README.md").read_text().split()
    )


def test_build_conditions_are_read_once_per_card(built, tmp_path, monkeypatch):
    from hfnotes.train import TrainResult

    calls = []
    real = checkpoint.build_conditions
    monkeypatch.setattr(checkpoint, "build_conditions", lambda recipe=None: calls.append(recipe) or real(recipe))
    model, tokenizer = inference.load_classifier(str(built))
    result = TrainResult(model=model, tokenizer=tokenizer, metrics={"test_accuracy": 0.5}, seconds=1.0)
    checkpoint.write_checkpoint(result, tmp_path / "copy", TINY)
    assert len(calls) == 1
    assert checkpoint.checkpoint_state(TINY, tmp_path / "copy") == ("ready", "")


def test_a_build_killed_between_the_renames_gets_its_checkpoint_back(built, cache, monkeypatch):
    folder = cache / built.name
    shutil.copytree(built, folder.with_name(f".{folder.name}-old-4242"))  # moved aside, new one never renamed in
    (cache / f".{folder.name}-tmp-abc").mkdir()  # a temporary folder of a killed build
    monkeypatch.setattr(checkpoint, "fine_tune", lambda *a, **k: pytest.fail("rebuilt a checkpoint it could restore"))
    assert checkpoint.checkpoint_state(TINY) == ("not built", "")
    assert checkpoint.sentiment_checkpoint(recipe=TINY, progress=False) == folder
    assert checkpoint.checkpoint_state(TINY) == ("ready", "")
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [folder.name]


def test_leftover_temporary_folders_are_removed_before_a_build(built, cache, monkeypatch):
    folder = _install(built, cache)
    for leftover in (f".{folder.name}-tmp-x1", f".{folder.name}-old-77"):
        (cache / leftover).mkdir()
        (cache / leftover / "model.safetensors").write_bytes(b"0" * 1000)
    checkpoint.sentiment_checkpoint(force=True, recipe=TINY, progress=False)
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".")) == []
