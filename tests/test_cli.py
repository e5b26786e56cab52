"""The `hfnotes` command: entry points, assets sub-commands, errors."""

from __future__ import annotations

import re
import shutil
import sys
from functools import partial
from pathlib import Path

from conftest import run_cli

from hfnotes.__main__ import build_parser


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("hfnotes")
    assert script.exists() or shutil.which("hfnotes")


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("doctor", "assets", "run"):
        assert command in result.stdout


def test_parser_defaults():
    args = build_parser().parse_args(["run"])
    assert args.paths == ["notebooks"] and args.out == "build" and not args.in_place


def test_assets_list_names_every_asset_and_its_hub_form():
    result = run_cli("assets", "list")
    assert result.returncode == 0
    assert "base_model" in result.stdout and "sentence-transformers/all-MiniLM-L6-v2" in result.stdout
    assert "reviews" in result.stdout and "stanfordnlp/sst2" in result.stdout
    assert "sentiment_model" in result.stdout
    assert "review_gpt" in result.stdout and "distilbert/distilgpt2" in result.stdout


def test_assets_verify_base_model_and_reviews():
    result = run_cli("assets", "verify", "base_model", "reviews")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok ") == 2


def test_unknown_asset_is_an_error():
    result = run_cli("assets", "verify", "llama")
    assert result.returncode == 2
    assert "Unknown asset 'llama'" in result.stderr


def test_bad_source_is_reported_by_the_cli():
    result = run_cli("assets", "list", env={"HFNOTES_SOURCE": "www"})
    assert result.returncode == 2
    assert "Allowed values: bundled, hub" in result.stderr


def test_asset_names_may_follow_flags():
    from hfnotes.__main__ import main

    assert main(["assets", "verify", "base_model"]) == 0
    result = run_cli("assets", "list", "--force", "reviews")
    assert result.returncode == 0 and "stanfordnlp/sst2" in result.stdout and "base_model" not in result.stdout
    assert run_cli("assets", "list", "--bogus").returncode == 2


def test_assets_build_asks_every_builder_for_no_progress_bars(monkeypatch, tmp_path):
    from hfnotes import assets, checkpoint

    calls = {}

    def recorder(name):
        return lambda **kwargs: calls.setdefault(name, kwargs) and tmp_path

    monkeypatch.setattr(checkpoint, "sentiment_checkpoint", recorder("sentiment_model"))
    monkeypatch.setattr(checkpoint, "review_gpt_checkpoint", recorder("review_gpt"))
    for name in ("sentiment_model", "review_gpt"):
        assert assets.build(name, force=True) == str(tmp_path)
    assert calls == {name: {"force": True, "progress": False} for name in ("sentiment_model", "review_gpt")}


def test_assets_build_prints_one_line_as_it_starts_one_when_done_and_the_result(monkeypatch, tmp_path, capfd):
    """`hfnotes assets build review_gpt` (a tiny recipe): no progress bars, Trainer logs or library warnings."""
    import datasets
    from transformers.utils import logging as transformers_logging

    from hfnotes import checkpoint
    from hfnotes.__main__ import main
    from hfnotes.recipe import GPTRecipe

    tiny = GPTRecipe(
        vocab_size=300, block_size=16, hidden_size=32, num_layers=1, num_heads=2, epochs=1, max_train_texts=200
    )
    monkeypatch.setenv("HFNOTES_CACHE", str(tmp_path))  # an empty cache: the reviews are loaded afresh too
    monkeypatch.setattr(checkpoint, "review_gpt_checkpoint", partial(checkpoint.review_gpt_checkpoint, recipe=tiny))

    def settings():
        return (
            transformers_logging.get_verbosity(),
            transformers_logging.is_progress_bar_enabled(),
            datasets.is_progress_bar_enabled(),
        )

    before = settings()
    assert main(["assets", "build", "review_gpt"]) == 0
    out, err = capfd.readouterr()
    assert out == f"{'review_gpt':<16} ok  {checkpoint.gpt_dir(tiny)}\n"
    lines = err.splitlines()
    assert len(lines) == 2, err
    started, done = lines
    assert started.startswith("hfnotes: building the course's small GPT (test recipe): ")
    number = r"\d+(\.\d+)?"
    assert re.fullmatch(
        rf"hfnotes: built in \d+ s \(validation perplexity {number}; unigram baseline {number}, untrained {number}\)\.",
        done,
    ), done
    assert settings() == before  # what a notebook's own cells print afterwards is unchanged
