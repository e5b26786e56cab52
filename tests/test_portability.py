"""The course on another CPU's kernel paths, emulated on this one.

``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2`` makes torch take the code
paths of an older CPU without bf16 instructions. There the course must train in
float32 (bf16 would be emulated, about forty times slower) and notebook 02 must
pass its comparisons, although float results differ in their last digits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hfnotes import checkpoint
from tests.conftest import ROOT, run_python

OLDER_CPU = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def test_a_build_on_the_older_kernel_path_trains_in_float32(tmp_path):
    code = (
        "from hfnotes import checkpoint; from hfnotes.train import Recipe; "
        "folder = checkpoint.sentiment_checkpoint(recipe=Recipe(epochs=1, batch_size=8, max_train_samples=16, "
        "max_eval_samples=8), progress=False); print(folder)"
    )
    out = run_python(code, env={**OLDER_CPU, "HFNOTES_CACHE": str(tmp_path)}, drop=("HFNOTES_PRECISION",))
    assert out.returncode == 0, out.stderr
    card = json.loads((Path(out.stdout.strip()) / "hfnotes.json").read_text())
    assert card["build"]["precision"] == "fp32" and card["precision"] == "float32"
    assert "about 330 s" in out.stderr  # the estimate shown before building names the float32 time


def test_notebook_02_passes_on_the_older_kernel_path():
    """Inference only: the course checkpoint built here is reused (the precision names it), run on AVX2 kernels."""
    folder = checkpoint.sentiment_checkpoint(progress=False)  # built by test_course_builds.py (or waited for)
    built_in = json.loads((folder / "hfnotes.json").read_text())["build"]["precision"]
    env = {**os.environ, **OLDER_CPU, "HFNOTES_PRECISION": built_in}
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks/02_behind_the_pipeline.ipynb",
        "--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
    ]  # fmt: skip
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
