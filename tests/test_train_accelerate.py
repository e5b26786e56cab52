"""scripts/train_accelerate.py: one process with plain Python, two with `accelerate launch` on CPU."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_accelerate.py"
ACCELERATE = Path(sys.executable).with_name("accelerate")
TINY = ["--max-train-samples", "32", "--max-steps", "2", "--batch-size", "8", "--max-eval-samples", "40"]

# `--cpu --num_processes 2` starts only one process without MPI (accelerate 1.15);
# `--multi_gpu` starts two through torchrun, and the script picks the CPU (gloo) itself.
LAUNCH_2_CPU = [
    "launch",
    "--multi_gpu",
    "--num_processes",
    "2",
    "--num_machines",
    "1",
    "--mixed_precision",
    "no",
    "--dynamo_backend",
    "no",
    "--num_cpu_threads_per_process",
    "1",
]


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr[-3000:]}"
    )
    return result


def _report(stdout: str) -> tuple[int, int, float]:
    processes = re.findall(r"^processes: (\d+)$", stdout, flags=re.M)
    steps = re.findall(r"^steps: (\d+)$", stdout, flags=re.M)
    accuracy = re.findall(r"^validation accuracy: (\d\.\d{4})", stdout, flags=re.M)
    # only the main process prints, so each line appears exactly once
    assert len(processes) == len(steps) == len(accuracy) == 1, stdout
    return int(processes[0]), int(steps[0]), float(accuracy[0])


def test_one_process_with_plain_python():
    result = _run([sys.executable, str(SCRIPT), *TINY])
    processes, steps, accuracy = _report(result.stdout)
    assert processes == 1
    assert steps == 2
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.skipif(not ACCELERATE.exists(), reason="the accelerate executable is not next to sys.executable")
def test_two_processes_with_accelerate_launch_on_cpu(tmp_path):
    out = tmp_path / "model"
    result = _run([str(ACCELERATE), *LAUNCH_2_CPU, str(SCRIPT), *TINY, "--output-dir", str(out)])
    processes, steps, accuracy = _report(result.stdout)
    assert processes == 2
    assert steps == 2
    assert 0.0 <= accuracy <= 1.0
    assert (out / "config.json").exists() and (out / "model.safetensors").exists()
