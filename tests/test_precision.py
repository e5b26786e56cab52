"""hfnotes.precision: bf16 only where the kernel path in use computes it natively."""

from __future__ import annotations

import pytest

from hfnotes import precision
from hfnotes.errors import ConfigError, HfnotesError
from tests.conftest import run_python

CHOICE = "from hfnotes import precision; print(precision.training_precision(), precision.native_bf16())"


def test_override_and_auto(monkeypatch):
    monkeypatch.setenv("HFNOTES_PRECISION", " BF16 ")
    assert precision.training_precision() == "bf16" and precision.use_bf16()
    monkeypatch.setenv("HFNOTES_PRECISION", "fp32")
    assert precision.training_precision() == "fp32" and not precision.use_bf16()
    monkeypatch.setenv("HFNOTES_PRECISION", "auto")
    assert precision.training_precision() == ("bf16" if precision.native_bf16() else "fp32")
    assert precision.training_precision("mps") == "fp32"


def test_unknown_precision_names_the_allowed_values(monkeypatch):
    monkeypatch.setenv("HFNOTES_PRECISION", "half")
    with pytest.raises(ConfigError, match=r"HFNOTES_PRECISION='half'.*auto, bf16, fp32") as caught:
        precision.training_precision()
    assert isinstance(caught.value, HfnotesError)


@pytest.mark.parametrize(
    ("limit", "allowed"),
    [(None, True), ("", True), ("ALL", True), ("AVX512_CORE_BF16", True), ("AVX512_CORE_AMX", True),
     ("AVX10_1_512", True), ("AVX2", False), ("AVX512_CORE", False), ("avx512_core_vnni", False)],
)  # fmt: skip
def test_onednn_isa_limits(limit, allowed):
    assert precision._onednn_allows_bf16(limit) is allowed


def test_cpu_flags_are_read_from_the_kernel():
    from pathlib import Path

    flags = precision.cpu_flags()
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        assert flags == frozenset()
        return
    assert flags and all(flag in text for flag in list(flags)[:20])


def test_an_older_kernel_path_trains_in_float32_even_on_a_bf16_cpu():
    """The AVX2 path emulates bf16: auto must pick fp32 there, whatever the CPU's flags say."""
    out = run_python(
        CHOICE, env={"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}, drop=("HFNOTES_PRECISION",)
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["fp32", "False"]


def test_auto_follows_the_cpu_flags_on_the_default_path():
    out = run_python(CHOICE, drop=("HFNOTES_PRECISION", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA"))
    assert out.returncode == 0, out.stderr
    # a CPU with these flags has AVX-512, which torch's default path uses
    native = bool({"avx512_bf16", "amx_bf16"} & precision.cpu_flags())
    assert out.stdout.split() == ["bf16" if native else "fp32", str(native)]


def test_a_gpu_that_only_emulates_bf16_trains_in_float32(monkeypatch):
    import torch

    asked = []

    def bf16_supported(including_emulation=True):
        asked.append(including_emulation)
        return including_emulation  # a T4 or V100: bf16 only through emulation

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", bf16_supported)
    precision.native_bf16.cache_clear()
    try:
        assert precision.native_bf16("cuda") is False and asked == [False]
    finally:
        precision.native_bf16.cache_clear()
