"""Execute the course notebooks headless: what ``make course`` runs.

Each notebook runs in a fresh kernel with the notebook's folder as working
directory (as in JupyterLab and nbval). Results go to an output folder as
an executed ``.ipynb`` and an ``.html`` page, or back into the notebook
itself with ``in_place=True`` (what ``make notebooks`` uses to refresh the
saved outputs).

With ``jobs=2`` two notebooks run at a time, each kernel computing on one
thread (``OMP_NUM_THREADS=1``): on a small CPU that finishes sooner than one
notebook at a time on every core, because much of a notebook's time (starting
the kernel, imports, tokenizing, small matrix products) uses one core only.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, MissingPackageError

__all__ = ["NotebookResult", "run_notebook", "run_notebooks", "format_results", "find_notebooks"]


@dataclass(frozen=True)
class NotebookResult:
    """Outcome of one notebook: its name, wall time and ``ok``/``FAILED``."""

    name: str
    seconds: float
    status: str
    error: str = ""


def find_notebooks(paths: list[str]) -> list[Path]:
    """Expand folders to their numbered ``*.ipynb`` files, sorted by name.

    Example:
        >>> find_notebooks(["no-such-folder"])  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.InputError: ...
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.ipynb") if not p.name.startswith(".")))
        elif path.suffix == ".ipynb" and path.is_file():
            found.append(path)
        else:
            raise InputError(f"{raw!r} is neither a notebook (.ipynb) nor a folder of notebooks.")
    if not found:
        raise InputError(f"No notebooks found in {', '.join(paths)}.")
    return found


def run_notebook(
    path: Path, out_dir: Path | None, in_place: bool = False, timeout: int = 900, progress: bool = True
) -> NotebookResult:
    """Execute one notebook cell by cell, with a progress bar; never raises on cell errors.

    A file that is not a readable notebook is reported as ``FAILED`` too, so
    one broken file does not stop a run over many.
    """
    import nbformat
    from tqdm.auto import tqdm

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and Unicode errors alike
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        return NotebookResult(path.stem, 0.0, "FAILED", f"not a readable notebook: {type(exc).__name__}: {message}")
    start = time.perf_counter()
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    bar = tqdm(total=len(code_cells), desc=path.stem, unit="cell", disable=not progress, leave=False)
    try:
        status, error, started = _execute(nb, path, code_cells, timeout, bar)
        if not started:  # a kernel that fails to start (on Windows, a TCP port taken meanwhile) is tried once more
            status, error, started = _execute(nb, path, code_cells, timeout, bar)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    if in_place:
        if status == "ok":
            nbformat.write(nb, path)
    elif out_dir is not None:
        _write_outputs(nb, path, out_dir)
    return NotebookResult(path.stem, seconds, status, error)


def _kernel_config(folder: str):
    """Kernel settings: on Linux and macOS the kernel talks over Unix sockets in ``folder``, not TCP ports.

    Sockets in a private folder cannot collide when kernels start side by side,
    and the kernel then has no reason to warn that TCP traffic is unencrypted.
    Windows has no such sockets and keeps TCP on a free port.
    """
    from traitlets.config import Config

    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(folder, "kernel")
    return config


def _execute(nb, path: Path, code_cells: list, timeout: int, bar) -> tuple[str, str, bool]:
    """Run ``code_cells`` of ``nb`` in a new kernel: (status, error, whether the kernel started)."""
    import tempfile

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    where, started = "setting up the kernel", False
    with tempfile.TemporaryDirectory(prefix="hfnotes-kernel-") as sockets:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent.resolve())}},
            record_timing=False,
            config=_kernel_config(sockets),
        )
        try:
            with client.setup_kernel():
                started = True
                for number, (index, cell) in enumerate(code_cells):
                    where = f"Cell {number}"  # code cells counted from 0, as nbval names them
                    client.execute_cell(cell, index)
                    bar.update()
        except CellExecutionError as exc:
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip()  # the kernel colours its traceback
            last_line = text.splitlines()[-1] if text else "cell error"
            return "FAILED", f"{where}: {last_line}", started
        except Exception as exc:  # a dead kernel or timeout must still be reported
            return "FAILED", f"{where}: {type(exc).__name__}: {exc}", started
    return "ok", "", started


def _write_outputs(nb, path: Path, out_dir: Path) -> None:
    import nbformat

    try:
        from nbconvert import HTMLExporter
    except ImportError as exc:
        raise MissingPackageError(
            "Writing HTML pages of the notebooks needs nbconvert, part of the course's [lab] extra: "
            'pip install "hfnotes[lab]" (or run with --in-place, which writes no HTML).'
        ) from exc

    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (out_dir / f"{path.stem}.html").write_text(html, encoding="utf-8")


def run_notebooks(
    paths: list[str], out_dir: str | None = "build", in_place: bool = False, timeout: int = 900, jobs: int = 1
) -> list[NotebookResult]:
    """Execute every notebook in ``paths``, ``jobs`` at a time; return one result per notebook, in order.

    Needs a Jupyter kernel (``ipykernel``, in the ``[lab]`` extra); without
    one it raises :class:`~hfnotes.errors.MissingPackageError` before running anything.
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs must be a whole number of at least 1, got {jobs!r}.")
    if importlib.util.find_spec("ipykernel") is None:
        raise MissingPackageError(
            "Running notebooks needs a Jupyter kernel (ipykernel), part of the course's [lab] extra: "
            'pip install "hfnotes[lab]".'
        )
    out = None if in_place or out_dir is None else Path(out_dir)
    notebooks = find_notebooks(paths)
    if jobs == 1 or len(notebooks) == 1:
        return [run_notebook(nb, out, in_place=in_place, timeout=timeout) for nb in notebooks]
    results: dict[Path, NotebookResult] = {}
    with ProcessPoolExecutor(max_workers=jobs, initializer=_one_thread_each) as pool:
        futures = {
            pool.submit(run_notebook, nb, out, in_place=in_place, timeout=timeout, progress=False): nb
            for nb in notebooks
        }
        for future in as_completed(futures):
            result = future.result()
            results[futures[future]] = result
            print(f"{result.name}: {result.status} in {result.seconds:.0f} s", flush=True)
    return [results[nb] for nb in notebooks]


def _one_thread_each() -> None:
    """Runs in each worker before its kernels start: kernels inherit one compute thread (unless set already)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def format_results(results: list[NotebookResult]) -> str:
    """A plain-text table: notebook, seconds, status (and the error, if any).

    Example:
        >>> print(format_results([NotebookResult("00_setup", 1.234, "ok")]))
        notebook  seconds  status
        00_setup      1.2  ok
        total         1.2  1/1 ok
    """
    width = max([len("notebook"), len("total"), *(len(r.name) for r in results)])
    lines = [f"{'notebook':<{width}}  seconds  status"]
    for r in results:
        extra = f"  {r.error}" if r.error else ""
        lines.append(f"{r.name:<{width}}  {r.seconds:7.1f}  {r.status}{extra}")
    passed = sum(r.status == "ok" for r in results)
    total = sum(r.seconds for r in results)
    lines.append(f"{'total':<{width}}  {total:7.1f}  {passed}/{len(results)} ok")
    return "\n".join(lines)
