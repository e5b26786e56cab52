"""``hfnotes doctor``: is this machine ready for the course?

Run it before filing a bug: it lists library versions, the CPU/GPU the
course will use, the source mode, the cache folder, and whether every
bundled asset is present and unmodified.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import assets, checkpoint, config
from .errors import HfnotesError
from .precision import native_bf16, training_precision
from .session import device, package_version

__all__ = ["Check", "Report", "doctor", "REQUIRED_PACKAGES", "OPTIONAL_PACKAGES"]

REQUIRED_PACKAGES: tuple[str, ...] = ("torch", "transformers", "datasets", "evaluate", "accelerate")
OPTIONAL_PACKAGES: tuple[str, ...] = ("nbval", "peft")


@dataclass(frozen=True)
class Check:
    """One line of the report. ``ok`` is False only for real problems."""

    name: str
    value: str
    ok: bool = True


@dataclass
class Report:
    """The doctor's findings; ``ok`` is True when nothing required is broken."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def __str__(self) -> str:
        width = max((len(check.name) for check in self.checks), default=0)
        lines = [f"{'ok ' if c.ok else 'BAD'} {c.name:<{width}}  {c.value}" for c in self.checks]
        verdict = "ready" if self.ok else f"{len(self.problems)} problem(s): see the lines marked BAD"
        return "\n".join([*lines, f"hfnotes doctor: {verdict}"])

    __repr__ = __str__


def _packages() -> list[Check]:
    checks = [Check("python", platform.python_version())]
    for name in REQUIRED_PACKAGES:
        version = package_version(name)
        fix = f" (pip install {name})" if version == "missing" else ""
        checks.append(Check(name, version + fix, version != "missing"))
    for name in OPTIONAL_PACKAGES:
        version = package_version(name)
        checks.append(Check(name, version if version != "missing" else "missing (optional)"))
    return checks


def _hardware() -> list[Check]:
    try:
        import torch
    except ImportError:
        return [Check("cpu", f"{os.cpu_count()} cores")]
    mps = getattr(torch.backends, "mps", None)

    checks = [
        Check("cpu", f"{os.cpu_count()} cores, torch uses {torch.get_num_threads()} threads"),
        Check("kernels", f"ATen {torch.backends.cpu.get_cpu_capability()}"),
        Check("cuda", f"available ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "not available"),
        Check("mps", "available" if mps is not None and mps.is_available() else "not available"),
    ]
    try:
        where = device()
        checks.append(Check("device", where))
        native = "native" if native_bf16(where) else "not native"
        checks.append(
            Check("precision", f"{training_precision(where)} (bf16 is {native} here; HFNOTES_PRECISION overrides)")
        )
    except HfnotesError as exc:
        checks.append(Check("device", str(exc), False))
    return checks


def _home_relative(path: Path) -> str:
    """``path`` with the home folder written ``~``, so a pasted report does not show whose machine it is."""
    try:
        return str(Path("~") / path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return str(path)


def _source_and_cache() -> list[Check]:
    checks = []
    try:
        name = config.source()
        offline = [v for v in config.OFFLINE_VARIABLES if os.environ.get(v) == "1"]
        detail = "offline: " + ", ".join(offline) if offline else "online"
        checks.append(Check("source", f"{name} ({detail})"))
    except HfnotesError as exc:
        checks.append(Check("source", str(exc), False))
    try:
        path = config.cache_dir()
        free = shutil.disk_usage(path).free / 1e9
        checks.append(Check("cache", f"{_home_relative(path)} ({free:.1f} GB free)", free > 0.5))
    except HfnotesError as exc:
        checks.append(Check("cache", str(exc), False))
    return checks


def _assets() -> list[Check]:
    checks = []
    for name in ("base_model", "reviews"):
        try:
            assets.REGISTRY[name].bundled()
            checks.append(Check(f"asset {name}", "verified"))
        except Exception as exc:  # the report must list every failure
            checks.append(Check(f"asset {name}", f"not verified: {exc}", False))
    checks.append(
        _built_asset("sentiment_model", checkpoint.checkpoint_state(), checkpoint.checkpoint_dir(), "a few minutes")
    )
    checks.append(_built_asset("review_gpt", checkpoint.gpt_state(), checkpoint.gpt_dir(), "a minute or two"))
    return checks


def _built_asset(name: str, state_detail: tuple[str, str], folder: Path, build_time: str) -> Check:
    """The line of an asset the course builds: its state and its folder. Only a damaged one is a problem."""
    state, detail = state_detail
    value = {
        "ready": "built and verified",
        "not built": f"not built yet (built on first use, {build_time} on a laptop CPU)",
        "stale": f"stale: {detail} (rebuilt on next use, or run: hfnotes assets build {name})",
    }.get(state, f"damaged: {detail} (rebuilt on next use, or run: hfnotes assets build --force {name})")
    return Check(f"asset {name}", f"{value}; folder {_home_relative(folder)}", state in ("ready", "not built", "stale"))


def doctor() -> Report:
    """Check versions, hardware, source, cache and bundled assets.

    Example:
        >>> report = doctor()  # doctest: +SKIP
        >>> report.ok  # doctest: +SKIP
        True
    """
    return Report(_packages() + _hardware() + _source_and_cache() + _assets())
