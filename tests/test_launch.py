"""hfnotes.launch: the accelerate command, free ports, and runs that fail or hang."""

from __future__ import annotations

import itertools
import os
import socket
import sys
import time

import pytest

from hfnotes.errors import InputError
from hfnotes.launch import (
    LaunchError,
    _Watched,
    accelerate_command,
    free_port,
    needs_cpu,
    notebook_launch,
    run_command,
)


def test_free_port_can_be_bound():
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_command_sets_every_setting_on_the_command_line():
    cmd = accelerate_command("train.py", ["--epochs", 1], num_processes=3, port=30123, max_restarts=2)
    assert cmd[1] == "launch" and "--multi_gpu" in cmd
    settings = {flag: value for flag, value in itertools.pairwise(cmd) if flag.startswith("--")}
    assert settings["--num_processes"] == "3"
    assert settings["--main_process_port"] == "30123"
    assert settings["--max_restarts"] == "2"
    assert settings["--num_cpu_threads_per_process"] == "1"
    assert cmd[-3:] == ["train.py", "--epochs", "1"]


def test_default_port_is_a_free_one():
    cmd = accelerate_command("train.py")
    port = int(cmd[cmd.index("--main_process_port") + 1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_process_count(bad):
    with pytest.raises(InputError, match="num_processes must be a positive int"):
        accelerate_command("train.py", num_processes=bad)


def test_bad_thread_count():
    with pytest.raises(InputError, match="threads_per_process"):
        accelerate_command("train.py", threads_per_process=0)


def test_run_command_returns_stdout():
    assert run_command([sys.executable, "-c", "print('ok')"]) == "ok\n"


def test_failure_shows_exit_code_and_stderr():
    code = "import sys; print('partial'); sys.stderr.write('the reason\\n'); sys.exit(3)"
    with pytest.raises(LaunchError, match="exited with code 3") as info:
        run_command([sys.executable, "-c", code])
    assert "the reason" in str(info.value) and "partial" in str(info.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_timeout_stops_the_whole_process_tree(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    with pytest.raises(LaunchError, match="did not finish within 3 s") as info:
        run_command([sys.executable, "-c", code], timeout=3)
    assert "started" in str(info.value)
    grandchild = int(pid_file.read_text())
    for _ in range(50):  # the kill is immediate; give the kernel a moment to reap it
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{grandchild}/stat") as stat:  # a zombie has exited too
            if stat.read().split()[2] == "Z":
                break
        time.sleep(0.1)
    else:
        pytest.fail("the grandchild process survived the time-out")


def test_watched_function_runs_and_returns_its_value():
    try:
        assert _Watched(lambda a, b: a + b, 60)(2, 3) == 5
        assert _Watched(test_free_port_can_be_bound, 60).__name__ == "test_free_port_can_be_bound"
    finally:
        import faulthandler

        faulthandler.cancel_dump_traceback_later()


def test_watchdog_stops_a_stuck_process_with_a_stack_dump():
    code = "import time; from hfnotes.launch import _Watched; _Watched(time.sleep, 0.5)(60); print('not stopped')"
    start = time.monotonic()
    with pytest.raises(LaunchError, match="exited with code 1") as caught:
        run_command([sys.executable, "-c", code], timeout=30)
    assert time.monotonic() - start < 25
    assert "Timeout" in str(caught.value) and "not stopped" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"), [({"num_processes": 0}, "num_processes"), ({"watchdog": 0}, "watchdog")]
)
def test_notebook_launch_rejects_bad_settings(options, message):
    with pytest.raises(InputError, match=message):
        notebook_launch(print, **options)


@pytest.mark.parametrize(
    "gpus, processes, cpu",
    [(0, 1, False), (0, 2, True), (1, 1, False), (1, 2, True), (2, 2, False), (8, 8, False), (8, 16, True)],
)
def test_needs_cpu_with_fewer_gpus_than_processes(monkeypatch, gpus, processes, cpu):
    import torch

    monkeypatch.setattr(torch.cuda, "device_count", lambda: gpus)
    assert needs_cpu(processes) is cpu
    monkeypatch.setenv("WORLD_SIZE", str(processes))  # what accelerate launch sets in each process
    assert needs_cpu() is cpu


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_needs_cpu_refuses_a_bad_count(bad):
    with pytest.raises(InputError, match="processes must be a positive int"):
        needs_cpu(bad)
