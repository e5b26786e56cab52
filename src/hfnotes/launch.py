"""Start multi-process training from Python, the way notebook 06 and the tests do.

``accelerate launch`` starts one copy of a script per process and tells each
its rank. From a notebook or a test we run it as a subprocess; this module
builds the command (every setting on the command line, so no
``accelerate config`` file is needed), picks a free port for the processes
to meet on, and stops the whole process tree with a clear error if it
does not finish in time — instead of leaving a cell waiting forever.
:func:`notebook_launch` gives ``accelerate.notebook_launcher`` the same
safeguards.

Example:
    >>> cmd = accelerate_command("scripts/train_accelerate.py", ["--max-steps", "2"], port=29511)
    >>> cmd[1:4], cmd[-3:]
    (['launch', '--multi_gpu', '--num_processes'], ['scripts/train_accelerate.py', '--max-steps', '2'])
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, LaunchError

__all__ = [
    "LaunchError",
    "free_port",
    "needs_cpu",
    "accelerate_command",
    "run_command",
    "accelerate_launch",
    "notebook_launch",
]


def free_port() -> int:
    """A TCP port on this machine that nothing listens on right now.

    The processes of a data-parallel run meet on one port; a fixed one
    (29500, the default) collides with any other run still using it.

    Example:
        >>> with socket.socket() as sock:  # nothing holds it: it can be bound at once
        ...     sock.bind(("127.0.0.1", free_port()))
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def needs_cpu(processes: int | None = None) -> bool:
    """Whether a run of ``processes`` processes must train on the CPU: ``Accelerator(cpu=needs_cpu())``.

    ``processes`` defaults to ``WORLD_SIZE``, which ``accelerate launch``
    sets in each process (1 without it). One process may use any device, so
    ``Accelerator`` picks it (a CUDA GPU, Apple's MPS GPU, else the CPU).
    Several need a CUDA GPU each — NCCL refuses two processes on one GPU,
    and Accelerate joins no processes on an MPS GPU — so with fewer GPUs
    than processes they train on the CPU, joined over gloo.

    Example:
        >>> needs_cpu(1)
        False
        >>> import torch
        >>> needs_cpu(2) == (torch.cuda.device_count() < 2)
        True
    """
    import torch

    if processes is None:
        processes = int(os.environ.get("WORLD_SIZE", "1"))
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise InputError(f"processes must be a positive int, got {processes!r}.")
    return processes > 1 and torch.cuda.device_count() < processes


def accelerate_command(
    script: str | Path,
    script_args: Sequence[str] = (),
    num_processes: int = 2,
    port: int | None = None,
    threads_per_process: int = 1,
    max_restarts: int = 1,
) -> list[str]:
    """The ``accelerate launch`` command that runs ``script`` on ``num_processes`` processes.

    ``--multi_gpu`` makes accelerate start the copies with torchrun; with
    fewer GPUs than processes (:func:`needs_cpu`) the course script then
    joins them over gloo on the CPU (``accelerate launch --cpu
    --num_processes N`` would start only one process unless MPI is set up).
    ``max_restarts`` lets torchrun start the whole group again if a process
    fails.

    Example:
        >>> accelerate_command("train.py", num_processes=0)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.InputError: ...
    """
    if not isinstance(num_processes, int) or num_processes < 1:
        raise InputError(f"num_processes must be a positive int, got {num_processes!r}.")
    if not isinstance(threads_per_process, int) or threads_per_process < 1:
        raise InputError(f"threads_per_process must be a positive int, got {threads_per_process!r}.")
    executable = Path(sys.executable).with_name("accelerate")
    return [
        str(executable) if executable.exists() else "accelerate",
        "launch",
        "--multi_gpu",
        "--num_processes",
        str(num_processes),
        "--num_machines",
        "1",
        "--main_process_port",
        str(port or free_port()),
        "--max_restarts",
        str(max_restarts),
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--num_cpu_threads_per_process",
        str(threads_per_process),
        str(script),
        *map(str, script_args),
    ]


def run_command(command: Sequence[str], cwd: str | Path | None = None, timeout: float = 300) -> str:
    """Run ``command``; return its stdout, or raise :class:`LaunchError` with the end of its stderr.

    The command runs in its own process group, so on a time-out every
    process it started (the launcher and each worker) is stopped, not just
    the first.

    Example:
        >>> run_command([sys.executable, "-c", "print('hi')"])
        'hi\\n'
        >>> run_command([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.5)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.LaunchError: ...
    """
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # the group may have ended already
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise LaunchError(
            f"{Path(command[0]).name} did not finish within {timeout:g} s and was stopped. "
            f"Output so far:\n{stdout[-2000:]}\nEnd of its stderr:\n{stderr[-4000:]}"
        ) from None
    if process.returncode != 0:
        raise LaunchError(
            f"{Path(command[0]).name} exited with code {process.returncode}.\n"
            f"Output:\n{stdout[-2000:]}\nEnd of its stderr:\n{stderr[-4000:]}"
        )
    return stdout


def accelerate_launch(
    script: str | Path,
    script_args: Sequence[str] = (),
    num_processes: int = 2,
    cwd: str | Path | None = None,
    timeout: float = 300,
    max_restarts: int = 1,
) -> str:
    """Run ``script`` with ``accelerate launch`` on ``num_processes`` CPU processes; return its stdout.

    Each call uses a fresh free port. A failed group is started again
    ``max_restarts`` times before the error is raised.

    Example:
        >>> out = accelerate_launch("scripts/train_accelerate.py", ["--max-steps", "2"])  # doctest: +SKIP
        >>> "processes: 2" in out  # doctest: +SKIP
        True
    """
    command = accelerate_command(script, script_args, num_processes=num_processes, max_restarts=max_restarts)
    return run_command(command, cwd=cwd, timeout=timeout)


class _Watched:
    """``function`` with a watchdog armed first, in the process that calls it.

    A process still running ``seconds`` later prints every thread's stack and
    exits, so the launcher sees a failure instead of waiting forever. The
    watchdog stays armed when ``function`` returns: tearing down the process
    group at exit is where a rare race can hang.
    """

    def __init__(self, function: Callable[..., Any], seconds: float) -> None:
        self.function, self.seconds = function, seconds
        functools.update_wrapper(self, function)  # the launcher reads the function's __name__

    def __call__(self, *args: Any) -> Any:
        faulthandler.dump_traceback_later(self.seconds, exit=True, file=sys.__stderr__)
        return self.function(*args)


def notebook_launch(
    function: Callable[..., Any],
    args: Sequence[Any] = (),
    num_processes: int = 2,
    watchdog: float = 240,
    max_restarts: int = 1,
) -> None:
    """``accelerate.notebook_launcher(function, args, num_processes)`` with a notebook's safeguards.

    The same call, plus: the processes meet on a free port (not the fixed
    29500); each process arms a ``watchdog`` that stops it, with a stack
    dump, if it is still running after that many seconds; the launcher
    starts the group again up to ``max_restarts`` times if a process fails;
    and the launcher's own message is not printed (accelerate 1.15 announces
    "2 CUDAs" even on a CPU).

    Example:
        >>> notebook_launch(print, num_processes=0)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.InputError: ...
    """
    if not isinstance(num_processes, int) or num_processes < 1:
        raise InputError(f"num_processes must be a positive int, got {num_processes!r}.")
    if not watchdog > 0:
        raise InputError(f"watchdog must be a positive number of seconds, got {watchdog!r}.")
    from accelerate import notebook_launcher

    with contextlib.redirect_stdout(io.StringIO()):
        notebook_launcher(
            _Watched(function, watchdog),
            args=tuple(args),
            num_processes=num_processes,
            use_port=str(free_port()),
            max_restarts=max_restarts,
        )
