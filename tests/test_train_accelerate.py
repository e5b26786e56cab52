"""scripts/train_accelerate.py: one process with plain Python, two with `accelerate launch` on CPU."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from hfnotes.launch import accelerate_launch, run_command

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_accelerate.py"
EVAL = 41  # odd: with 2 processes one shard is padded with a duplicate, which gather_for_metrics must drop
TINY = ["--max-train-samples", "32", "--max-steps", "2", "--batch-size", "8", "--max-eval-samples", str(EVAL)]
WATCHDOG = ["--watchdog", "240"]


def _report(stdout: str) -> tuple[int, int, float]:
    processes = re.findall(r"^processes: (\d+)$", stdout, flags=re.M)
    steps = re.findall(r"^steps: (\d+)$", stdout, flags=re.M)
    scored = re.findall(r"^validation accuracy: (\d\.\d{4}) \((\d+) reviews\)", stdout, flags=re.M)
    # only the main process prints, so each line appears exactly once
    assert len(processes) == len(steps) == len(scored) == 1, stdout
    accuracy, total = float(scored[0][0]), int(scored[0][1])
    assert total == EVAL, stdout  # every validation review scored exactly once
    assert any(abs(accuracy - k / EVAL) < 5e-5 for k in range(EVAL + 1)), accuracy  # a count out of EVAL
    return int(processes[0]), int(steps[0]), accuracy


def test_one_process_with_plain_python():
    stdout = run_command([sys.executable, str(SCRIPT), *TINY, *WATCHDOG], cwd=ROOT, timeout=300)
    processes, steps, _ = _report(stdout)
    assert processes == 1
    assert steps == 2


def test_two_processes_with_accelerate_launch_on_cpu(tmp_path):
    out = tmp_path / "model"
    stdout = accelerate_launch(SCRIPT, [*TINY, *WATCHDOG, "--output-dir", str(out)], cwd=ROOT, timeout=420)
    processes, steps, _ = _report(stdout)
    assert processes == 2
    assert steps == 2
    assert (out / "config.json").exists() and (out / "model.safetensors").exists()
