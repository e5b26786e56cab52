"""Block every network connection that leaves this machine; loopback stays open.

Bundled mode promises that nothing touches the network. The tests prove it
rather than assume it: ``tests/conftest.py`` installs this guard around
every test in bundled mode, and ``sitecustomize.py`` next to this file
installs it in every Python started with this folder on ``PYTHONPATH``
(``make test`` does so for the notebook kernels nbval starts).

A blocked attempt raises :class:`hfnotes.errors.NetworkBlockedError` at once
(no time-out), is printed to stderr (nbval compares stderr, so a notebook
that tries fails even when a library swallows the error) and is recorded in
:data:`BLOCKED`. Jupyter kernels talk to their client over loopback TCP, and
``accelerate launch`` workers meet on a loopback port: both keep working.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

BLOCKED: list[str] = []
"""Every attempt blocked in this process, as ``host:port``."""

_ORIGINAL = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "getaddrinfo": socket.getaddrinfo,
}
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}


def _is_local_host(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    name = str(host).strip("[]").lower()
    if name in _LOCAL_NAMES or name == socket.gethostname().lower():
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(host: object, port: object) -> None:
    target = f"{host}:{port}"
    BLOCKED.append(target)
    message = (
        f"network access to {target} blocked: in bundled mode hfnotes must not touch the network "
        "(set HFNOTES_SOURCE=hub to allow it)"
    )
    print(f"hfnotes netguard: {message}", file=sys.stderr, flush=True)
    try:
        from hfnotes.errors import NetworkBlockedError
    except ImportError:  # hfnotes not importable here: still refuse, with the closest built-in error
        raise ConnectionRefusedError(message) from None
    raise NetworkBlockedError(message)


def _address(sock: socket.socket, address: object) -> tuple[object, object] | None:
    """(host, port) of an internet address, None for a local (Unix) socket."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    if isinstance(address, tuple) and len(address) >= 2:
        return address[0], address[1]
    return address, None


def _connect(self: socket.socket, address: object):
    target = _address(self, address)
    if target is not None and not _is_local_host(target[0]):
        _refuse(*target)
    return _ORIGINAL["connect"](self, address)


def _connect_ex(self: socket.socket, address: object):
    target = _address(self, address)
    if target is not None and not _is_local_host(target[0]):
        _refuse(*target)
    return _ORIGINAL["connect_ex"](self, address)


def _getaddrinfo(host, port, *args, **kwargs):
    """Name look-ups leave the machine too (and hang on a bad connection): only local names resolve."""
    if not _is_local_host(host):
        _refuse(host, port)
    return _ORIGINAL["getaddrinfo"](host, port, *args, **kwargs)


def install() -> None:
    """Block non-loopback connections and name look-ups in this process (idempotent)."""
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.getaddrinfo = _getaddrinfo


def uninstall() -> None:
    """Put the real socket functions back."""
    socket.socket.connect = _ORIGINAL["connect"]
    socket.socket.connect_ex = _ORIGINAL["connect_ex"]
    socket.getaddrinfo = _ORIGINAL["getaddrinfo"]


def wanted() -> bool:
    """Whether this process runs in bundled mode (the default), where the guard belongs."""
    return os.environ.get("HFNOTES_SOURCE", "").strip().lower() in ("", "bundled")
