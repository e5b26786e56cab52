"""Shared fixtures: a clean hfnotes environment per test, and no network in bundled mode."""

from __future__ import annotations

import json
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

# `make test` runs two test files or notebooks at a time and hands them out in this order (--no-loadscope-reorder);
# notebooks not listed come last. First the two course builds, one per worker (tests/test_course_builds.py, which
# says why a worker holding a build takes no more work until it is done). Meanwhile the other worker runs, after the
# small GPT, the notebooks that need neither model or only the GPT, then the unit tests (UNIT_TESTS: every test
# file and doctest not named here); the notebooks that need the sentiment model come last, longest first, so that
# no worker runs the last long notebook alone while the other idles. Only the speed depends on this order.
UNIT_TESTS = "unit tests"
ORDER = (
    "test_course_builds.py::TestSentimentModel",
    "test_course_builds.py::TestReviewGPT",
    "06_",
    "10_",
    "04b_",
    "04_",
    "09_",
    "00_",
    UNIT_TESTS,
    "11_",
    "08_",
    "05_",
    "01_",
    "07_",
)


def pytest_collection_modifyitems(config, items):
    """Put the course builds and the longest notebooks first (see ORDER), keeping every file's own order."""

    def rank(item) -> int:
        name = f"{item.path.name}::{item.nodeid.partition('::')[2]}"
        for i, prefix in enumerate(ORDER):
            if name.startswith(prefix) or (prefix is UNIT_TESTS and item.path.suffix != ".ipynb"):
                return i
        return len(ORDER)

    items.sort(key=rank)


class CourseModels:
    """Before a notebook's first cell, get the course models its code calls: built, or waited for while a worker builds them.

    Otherwise a notebook that reached its first use during a build would print "waiting" into a cell whose
    output is compared. Registered as a plugin (``pytest_configure``), because a hook in this conftest
    would only run for the items under ``tests/``, not for the notebooks.
    """

    def __init__(self) -> None:
        self.ready: set[Path] = set()

    def pytest_runtest_setup(self, item) -> None:
        if item.path.suffix != ".ipynb" or item.path in self.ready:
            return
        self.ready.add(item.path)
        import hfnotes

        cells = json.loads(item.path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        for name, asset in hfnotes.assets.REGISTRY.items():
            if asset.build is not None and f"assets.{name}(" in text:  # the assets a course build makes
                getattr(hfnotes.assets, name)()


def pytest_configure(config):
    config.pluginmanager.register(CourseModels(), "hfnotes-course-models")


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
