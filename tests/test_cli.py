"""The `hfnotes` command: entry points, assets sub-commands, errors."""

from __future__ import annotations

import shutil
import sys
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
