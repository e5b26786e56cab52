"""hfnotes.runner: headless execution into build/, the summary table, failures."""

from __future__ import annotations

import os

import nbformat
import pytest
from conftest import run_cli

from hfnotes.errors import InputError
from hfnotes.runner import NotebookResult, find_notebooks, format_results, run_notebooks


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_run_writes_executed_notebook_and_html(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "01_ok.ipynb", "import os\nprint(os.path.basename(os.getcwd()))")
    (result,) = run_notebooks([str(nbs)], out_dir=str(tmp_path / "build"))
    assert result.status == "ok"
    executed = nbformat.read(tmp_path / "build" / "01_ok.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "nbs"  # runs in the notebook's folder
    assert (tmp_path / "build" / "01_ok.html").read_text().startswith("<!DOCTYPE html>")
    assert not nbformat.read(nbs / "01_ok.ipynb", as_version=4).cells[0].outputs  # source untouched


def test_in_place_saves_outputs_into_the_notebook(tmp_path):
    path = _notebook(tmp_path / "02.ipynb", "print(6 * 7)")
    (result,) = run_notebooks([str(path)], in_place=True)
    assert result.status == "ok"
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"] == "42\n"


def test_cli_run_reports_failure_with_non_zero_exit(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "01_good.ipynb", "1 + 1")
    _notebook(nbs / "02_bad.ipynb", "x = 1", "assert x == 1", "raise ValueError('boom')")
    result = run_cli("run", str(nbs), "--out", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["notebook", "seconds", "status"]
    assert any(line.startswith("01_good") and line.rstrip().endswith("ok") for line in lines), result.stdout
    assert any(line.startswith("02_bad") and "FAILED  Cell 2: ValueError: boom" in line for line in lines)
    assert "1/2 ok" in result.stdout


def test_a_kernel_that_fails_to_start_is_started_once_more(tmp_path, monkeypatch):
    """A failed kernel start (on Windows, a TCP port taken meanwhile) is retried once; a second is reported."""
    from nbclient import NotebookClient

    real, calls = NotebookClient.setup_kernel, []

    def flaky(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Address already in use")
        return real(self, **kwargs)

    monkeypatch.setattr(NotebookClient, "setup_kernel", flaky)
    (result,) = run_notebooks([str(_notebook(tmp_path / "01.ipynb", "1 + 1"))], out_dir=None)
    assert (result.status, len(calls)) == ("ok", 2)

    def broken(self, **kwargs):
        calls.append(1)
        raise RuntimeError("no kernel today")

    monkeypatch.setattr(NotebookClient, "setup_kernel", broken)
    (result,) = run_notebooks([str(_notebook(tmp_path / "02.ipynb", "1 + 1"))], out_dir=None)
    assert result.status == "FAILED" and result.error == "setting up the kernel: RuntimeError: no kernel today"
    assert len(calls) == 4


@pytest.mark.skipif(os.name != "posix", reason="Windows kernels talk over TCP")
def test_side_by_side_kernels_talk_over_private_unix_sockets_without_a_warning(tmp_path):
    """Two kernels at once cannot collide on a port, and no kernel prints a TCP warning into `make course`."""
    source = "from ipykernel.kernelapp import IPKernelApp\napp = IPKernelApp.instance()\nprint(app.transport, app.ip)"
    (tmp_path / "nbs").mkdir()
    for name in ("01", "02"):
        _notebook(tmp_path / "nbs" / f"{name}.ipynb", source)
    result = run_cli("run", str(tmp_path / "nbs"), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    folders = set()
    for name in ("01", "02"):
        output = nbformat.read(tmp_path / "out" / f"{name}.ipynb", as_version=4).cells[0].outputs[0]["text"]
        transport, where = output.split()
        assert transport == "ipc" and os.path.basename(os.path.dirname(where)).startswith("hfnotes-kernel-")
        assert not os.path.exists(os.path.dirname(where))  # the sockets' folder is gone with the kernel
        folders.add(os.path.dirname(where))
    assert len(folders) == 2  # one private folder per kernel
    assert "TCP" not in result.stderr, result.stderr


def test_find_notebooks_rejects_bad_paths(tmp_path):
    with pytest.raises(InputError, match="neither a notebook"):
        find_notebooks([str(tmp_path / "missing")])
    with pytest.raises(InputError, match="No notebooks found"):
        find_notebooks([str(tmp_path)])


def test_format_results_counts():
    table = format_results([NotebookResult("a", 1.0, "ok"), NotebookResult("b", 2.0, "FAILED", "boom")])
    assert table.splitlines()[-1].split() == ["total", "3.0", "1/2", "ok"]
    assert "FAILED  boom" in table


def test_a_corrupt_notebook_fails_alone_and_the_others_still_run(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    (nbs / "01_corrupt.ipynb").write_text('{"cells": [')
    _notebook(nbs / "02_fine.ipynb", "print('still ran')")
    corrupt, fine = run_notebooks([str(nbs)], in_place=True)
    assert corrupt.status == "FAILED" and corrupt.error.startswith("not a readable notebook: ")
    assert fine.status == "ok"


def test_running_without_a_kernel_names_the_extra(tmp_path, monkeypatch):
    import importlib.util

    from hfnotes.errors import MissingPackageError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ipykernel" else real(name, *a))
    with pytest.raises(MissingPackageError, match=r'pip install "hfnotes\[lab\]"'):
        run_notebooks([str(_notebook(tmp_path / "01.ipynb", "1"))])
