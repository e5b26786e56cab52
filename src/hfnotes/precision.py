"""Which precision the course trains in on this machine: bfloat16 autocast or float32.

bf16 autocast halves the work of a matrix multiplication only where the
hardware computes bf16 natively. On a CPU that means AVX-512 BF16 or AMX
instructions *on the kernel path torch actually takes*: the CPU's flags are
not enough, because ``ATEN_CPU_CAPABILITY`` and ``ONEDNN_MAX_CPU_ISA`` can
send torch down an older path (an AVX2 path emulates bf16 about forty times
slower than float32). On a GPU it means ``torch.cuda.is_bf16_supported(including_emulation=False)``.

``HFNOTES_PRECISION`` overrides the choice: ``auto`` (default), ``bf16`` or
``fp32``. Set ``HFNOTES_PRECISION=fp32`` to train exactly as a machine
without bf16 does.
"""

from __future__ import annotations

import functools
import os
import sys

from .errors import ConfigError

__all__ = ["PRECISIONS", "cpu_flags", "native_bf16", "training_precision", "use_bf16"]

PRECISIONS: tuple[str, ...] = ("auto", "bf16", "fp32")
"""The values ``HFNOTES_PRECISION`` may take; the first is the default."""

_CPU_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
_ATEN_BF16_LEVELS = frozenset({"AVX512"})
"""ATen CPU capabilities whose vectorised kernels handle bf16 without emulation."""


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as the Linux kernel reports them (empty elsewhere).

    Example:
        >>> all(flag and flag == flag.strip().lower() for flag in cpu_flags())  # clean names such as 'avx2'
        True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def _cpu_has_bf16_instructions() -> bool:
    flags = cpu_flags()
    if flags:
        return bool(_CPU_BF16_FLAGS & flags)
    # No /proc/cpuinfo (macOS, Windows): ask torch, whose check is private and may move.
    import torch

    check = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    return bool(check()) if callable(check) else False


def _onednn_allows_bf16(limit: str | None) -> bool:
    """Whether ``ONEDNN_MAX_CPU_ISA=limit`` leaves oneDNN its bf16 instructions."""
    if not limit:
        return True
    name = limit.strip().upper()
    return name in ("ALL", "DEFAULT") or any(part in name for part in ("BF16", "FP16", "AMX", "AVX10"))


@functools.cache
def native_bf16(device: str = "cpu") -> bool:
    """True when bf16 autocast runs natively on ``device`` along the kernel path in use.

    ``device`` is ``"cpu"``, ``"cuda"`` or ``"mps"`` (Apple Silicon: float32,
    the safe choice). Cached per process: the kernel path is fixed when
    torch starts.

    Example:
        >>> native_bf16("mps")
        False
    """
    if device == "cuda":
        import torch

        # including_emulation=False: a GPU without bf16 units (T4, V100) would emulate it, slower than float32
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False))
    if device != "cpu" or sys.platform == "darwin":
        return False
    import torch

    if torch.backends.cpu.get_cpu_capability() not in _ATEN_BF16_LEVELS:
        return False
    return _onednn_allows_bf16(os.environ.get("ONEDNN_MAX_CPU_ISA")) and _cpu_has_bf16_instructions()


def training_precision(device: str = "cpu", value: str | None = None) -> str:
    """``"bf16"`` or ``"fp32"``: the precision the course trains in on ``device``.

    ``value`` overrides ``HFNOTES_PRECISION``; ``auto`` picks bf16 only where
    it is native (:func:`native_bf16`). An unknown value raises
    :class:`~hfnotes.errors.ConfigError`.

    Example:
        >>> training_precision(value="fp32"), training_precision("mps", value="auto")
        ('fp32', 'fp32')
    """
    raw = os.environ.get("HFNOTES_PRECISION", "") if value is None else value
    name = raw.strip().lower() or PRECISIONS[0]
    if name not in PRECISIONS:
        raise ConfigError(
            f"HFNOTES_PRECISION={raw!r} is not a known precision. Allowed values: {', '.join(PRECISIONS)} "
            "(auto: bf16 autocast where the hardware computes bf16 natively, float32 elsewhere)."
        )
    if name == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return name


def use_bf16(device: str = "cpu") -> bool:
    """Whether to train under bf16 autocast on ``device`` (what ``TrainingArguments(bf16=...)`` takes).

    Example:
        >>> import os
        >>> os.environ["HFNOTES_PRECISION"] = "fp32"; use_bf16()
        False
        >>> os.environ["HFNOTES_PRECISION"] = "bf16"; use_bf16()
        True
        >>> del os.environ["HFNOTES_PRECISION"]
    """
    return training_precision(device) == "bf16"
