"""Bundled mode never touches the network: the guard that the tests and notebook kernels run under.

Proven, not assumed: a connection outside this machine fails at once with hfnotes' error (no time-out), in
the test process, in a fresh interpreter and in a Jupyter kernel like those nbval starts, while loopback
(how a kernel talks to its client) keeps working.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import netguard
import pytest
from conftest import OFFLINE

from hfnotes.errors import HfnotesError, NetworkBlockedError

PROBE = textwrap.dedent(
    """
    import socket, time
    server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
    socket.create_connection(server.getsockname(), timeout=5).close()
    print("loopback ok")
    start = time.perf_counter()
    try:
        socket.create_connection(("1.1.1.1", 443), timeout=30)
    except Exception as error:
        print(type(error).__module__, type(error).__name__, round(time.perf_counter() - start, 1))
    else:
        print("connected")
    """
)


def _guarded_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**os.environ, "PYTHONPATH": path, **extra}


def test_this_test_runs_guarded_and_a_blocked_attempt_is_recorded():
    assert socket.socket.connect is netguard._connect
    with pytest.raises(NetworkBlockedError, match=r"1\.1\.1\.1:443 blocked.*HFNOTES_SOURCE=hub") as info:
        socket.create_connection(("1.1.1.1", 443), timeout=30)
    assert isinstance(info.value, HfnotesError) and isinstance(info.value, ConnectionError)
    with pytest.raises(NetworkBlockedError, match=r"example\.com"):
        socket.getaddrinfo("example.com", 443)
    assert netguard.BLOCKED[-2:] == ["1.1.1.1:443", "example.com:443"]
    del netguard.BLOCKED[-2:]  # expected here; any other attempt fails the test that made it


def test_a_fresh_interpreter_is_blocked_at_once_and_keeps_loopback():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=_guarded_env(HFNOTES_SOURCE=""), capture_output=True, text=True, timeout=60
    )
    lines = result.stdout.split("\n")
    assert lines[0] == "loopback ok", result.stdout + result.stderr
    module, name, seconds = lines[1].split()
    assert (module, name) == ("hfnotes.errors", "NetworkBlockedError") and float(seconds) < 1
    assert "hfnotes netguard: network access to 1.1.1.1:443 blocked" in result.stderr


def test_hub_mode_is_not_guarded():
    code = "import socket, netguard; print(socket.socket.connect is netguard._ORIGINAL['connect'])"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_guarded_env(HFNOTES_SOURCE="hub"), capture_output=True, text=True
    )
    assert result.stdout.strip() == "True", result.stderr


def test_a_jupyter_kernel_like_nbvals_is_blocked_and_still_talks_over_loopback():
    """nbval --nbval-current-env starts kernels with this interpreter and the current environment."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", env=_guarded_env(HFNOTES_SOURCE=""))
    outputs: list[dict] = []
    try:
        reply = client.execute_interactive(PROBE, timeout=60, output_hook=lambda msg: outputs.append(msg))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    assert "loopback ok" in text and "hfnotes.errors NetworkBlockedError" in text, text


def test_blocking_is_immediate_not_a_time_out():
    start = time.perf_counter()
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("93.184.216.34", 80), timeout=30)
    del netguard.BLOCKED[-1:]
    assert time.perf_counter() - start < 0.5
