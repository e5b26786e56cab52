"""Shared fixtures: a clean hfnotes environment per test, and no network in bundled mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ROOT / "tests" / "offline"
"""Folder of the network guard; on PYTHONPATH, its sitecustomize.py guards every Python started (kernels too)."""
sys.path.insert(0, str(OFFLINE))

import netguard  # noqa: E402

# The notebooks that take longest, longest first. `make test` runs two test files or notebooks at a time and
# hands them out in collection order (--no-loadscope-reorder): starting the long ones first keeps one worker
# from running the last long notebook alone while the other idles. Only the speed depends on this list.
LONGEST_FIRST = ("06_", "08_", "05_", "11_", "01_", "10_", "07_")


def pytest_collection_modifyitems(config, items):
    """Move the cells of the longest notebooks to the front, keeping every file's own order."""

    def rank(item) -> int:
        name = item.path.name
        return next((i for i, prefix in enumerate(LONGEST_FIRST) if name.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def no_network():
    """In bundled mode a test that opens a connection outside this machine fails, even if the error is caught."""
    if not netguard.wanted():
        yield
        return
    netguard.install()
    before = len(netguard.BLOCKED)
    yield
    tried = netguard.BLOCKED[before:]
    del netguard.BLOCKED[before:]
    assert not tried, f"the test tried to reach the network in bundled mode: {tried}"


@pytest.fixture
def clean_env(monkeypatch):
    """Remove every variable hfnotes reads, so a test sets exactly what it needs."""
    for name in ("HFNOTES_SOURCE", "HFNOTES_CACHE", "HFNOTES_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def run_python(code: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with the test environment plus ``env``, minus ``drop``."""
    full = {k: v for k, v in os.environ.items() if k not in drop}
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=300)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m hfnotes ARGS`` in a subprocess."""
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "hfnotes", *args], env=full, capture_output=True, text=True, timeout=600, cwd=ROOT
    )
