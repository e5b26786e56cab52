"""The rules of notebooks/CONVENTIONS.md that can be checked without running a notebook."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 04b_… too
TIMING_ASSERT = re.compile(r"^\s*assert\b.*\b(speedup|ratio|faster|slower|seconds|elapsed|samples_per_second)\b")
HARD_CODED_CPU = re.compile(r"use_cpu\s*=\s*True|Accelerator\(\s*cpu\s*=\s*True|torch\.device\(\s*[\"']cpu[\"']\s*\)")
MACHINE_PATH = re.compile(r"/(root|home|Users|tmp|work)/\S+")


def _code_cells(path):
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def _text(output) -> str:
    value = output.get("text") or output.get("data", {}).get("text/plain", "")
    return "".join(value) if isinstance(value, list) else str(value)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_conventions(path):
    problems = []
    for number, cell in enumerate(_code_cells(path)):
        source = "".join(cell["source"])
        if source.strip() and cell.get("execution_count") is None:
            problems.append(f"code cell {number} was saved without running (nbval would not compare it)")
        for line in source.splitlines():
            if TIMING_ASSERT.search(line):
                problems.append(f"code cell {number} asserts a timing: {line.strip()}")
            if HARD_CODED_CPU.search(line):
                problems.append(f"code cell {number} hard-codes the CPU: {line.strip()}")
        for output in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                problems.append(f"code cell {number} saved a widget (it renders frozen): use a text progress bar")
            if output.get("output_type") == "error":
                problems.append(f"code cell {number} saved an error ({output.get('ename')})")
            if MACHINE_PATH.search(_text(output)):
                problems.append(f"code cell {number} prints a machine path: {MACHINE_PATH.search(_text(output))[0]}")
            if "+cpu" in _text(output) and not source.lstrip().startswith("# NBVAL_IGNORE_OUTPUT"):
                problems.append(f"code cell {number} compares a build-tagged version string (+cpu)")
    assert not problems, "\n".join(problems)
