"""scripts/train_accelerate.py: one process with plain Python, two with `accelerate launch` on CPU."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hfnotes.launch import accelerate_launch, run_command

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_accelerate.py"
TINY = ["--max-train-samples", "32", "--max-steps", "2", "--batch-size", "8", "--max-eval-samples", "40"]
WATCHDOG = ["--watchdog", "240"]


def _report(stdout: str) -> tuple[int, int, float]:
    processes = re.findall(r"^processes: (\d+)$", stdout, flags=re.M)
    steps = re.findall(r"^steps: (\d+)$", stdout, flags=re.M)
    accuracy = re.findall(r"^validation accuracy: (\d\.\d{4})", stdout, flags=re.M)
    # only the main process prints, so each line appears exactly once
    assert len(processes) == len(steps) == len(accuracy) == 1, stdout
    return int(processes[0]), int(steps[0]), float(accuracy[0])


def test_one_process_with_plain_python():
    stdout = run_command([sys.executable, str(SCRIPT), *TINY, *WATCHDOG], cwd=ROOT, timeout=300)
    processes, steps, accuracy = _report(stdout)
    assert processes == 1
    assert steps == 2
    assert 0.0 <= accuracy <= 1.0


def test_two_processes_with_accelerate_launch_on_cpu(tmp_path):
    out = tmp_path / "model"
    stdout = accelerate_launch(SCRIPT, [*TINY, *WATCHDOG, "--output-dir", str(out)], cwd=ROOT, timeout=420)
    processes, steps, accuracy = _report(stdout)
    assert processes == 2
    assert steps == 2
    assert 0.0 <= accuracy <= 1.0
    assert (out / "config.json").exists() and (out / "model.safetensors").exists()
