"""Fine-tune the course MiniLM on the reviews with a hand-written loop and 🤗 Accelerate.

The same file runs on one process or many; Accelerate decides from how it is launched.

One process (plain Python):

    python scripts/train_accelerate.py --max-train-samples 64 --max-steps 3

Two data-parallel processes on CPU (there is no ``accelerate config`` file on the
course machines, so every setting is given on the command line):

    accelerate launch --multi_gpu --num_processes 2 --num_machines 1 \\
        --mixed_precision no --dynamo_backend no --num_cpu_threads_per_process 1 \\
        scripts/train_accelerate.py --max-train-samples 64 --max-steps 3

From Python (a notebook, a test), ``hfnotes.launch.accelerate_launch`` builds
that command with a free port and stops the run if it hangs.

Why ``--multi_gpu`` on a machine without GPUs: in accelerate 1.15,
``accelerate launch --cpu --num_processes 2`` starts a *single* process unless
MPI is set up (``--mpirun_hostfile``); it prints ``processes: 1``.
``--multi_gpu`` starts the processes with torchrun, and because there are
fewer GPUs than processes (none) this script creates ``Accelerator(cpu=True)``
(``hfnotes.launch.needs_cpu``), which joins them into CPU data parallelism
over the gloo backend (it prints ``processes: 2``). On a machine with a GPU
per process the same command trains on the GPUs.

Without ``--max-steps`` it trains for ``--epochs`` full passes over the
(optionally shrunk) training split. The main process prints the number of
processes, the optimizer steps taken, and the validation accuracy.
"""

from __future__ import annotations

import hfnotes  # first: switches the Hugging Face libraries offline in bundled mode

# isort: split
import argparse
import faulthandler
import math
import os
import sys

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    get_linear_schedule_with_warmup,
)

from hfnotes import assets, data
from hfnotes.launch import needs_cpu
from hfnotes.train import ID2LABEL, LABEL2ID, Recipe, tokenize_reviews


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-train-samples", type=int, default=None, help="use only the first N training reviews")
    parser.add_argument("--max-eval-samples", type=int, default=None, help="evaluate on the first N validation reviews")
    parser.add_argument(
        "--max-steps", type=int, default=None, help="train exactly this many optimizer steps (overrides --epochs)"
    )
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32, help="per process")
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of the steps used for warm-up")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default=None, help="save the fine-tuned model here")
    parser.add_argument(
        "--watchdog",
        type=float,
        default=None,
        help="a process still running after this many seconds prints where it is stuck and exits",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    if args.watchdog:  # a stuck process becomes an error with a stack dump, which torchrun can restart
        faulthandler.dump_traceback_later(args.watchdog, exit=True)
    # One process: Accelerate picks the device. Several, with fewer CUDA GPUs than processes (none here): the
    # CPU, where they train together over gloo.
    accelerator = Accelerator(cpu=needs_cpu())
    hfnotes.setup(seed=args.seed)  # seeds Python, NumPy and torch identically on every process

    # Data: tokenize (no padding), keep the model's columns, shrink if asked.
    recipe = Recipe()  # reviews cut as the course recipe cuts them
    tokenizer = AutoTokenizer.from_pretrained(assets.base_model(), truncation_side=recipe.truncation_side)
    with accelerator.main_process_first():  # the main process fills the datasets cache first
        encoded = tokenize_reviews(data.load_reviews(), tokenizer, max_length=recipe.max_length)
    train_set, eval_set = encoded["train"], encoded["validation"]
    if args.max_train_samples:
        train_set = train_set.select(range(min(args.max_train_samples, len(train_set))))
    if args.max_eval_samples:
        eval_set = eval_set.select(range(min(args.max_eval_samples, len(eval_set))))

    collator = DataCollatorWithPadding(tokenizer)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, collate_fn=collator)
    eval_loader = DataLoader(eval_set, batch_size=64, collate_fn=collator)

    # Model (the new classification head is random: it was seeded above), optimizer, schedule.
    model = AutoModelForSequenceClassification.from_pretrained(
        assets.base_model(), num_labels=2, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=0.01)

    # prepare() wraps the model for data parallelism and gives each process its own shard of batches.
    model, optimizer, train_loader, eval_loader = accelerator.prepare(model, optimizer, train_loader, eval_loader)

    # Count steps after prepare(): each process now sees 1/num_processes of the batches.
    # --max-steps, when given, wins over --epochs (as in Trainer).
    total_steps = args.max_steps or args.epochs * len(train_loader)
    scheduler = get_linear_schedule_with_warmup(optimizer, math.ceil(args.warmup * total_steps), total_steps)

    step = seen = 0
    model.train()
    while step < total_steps:
        for batch in train_loader:
            loss = model(**batch).loss
            accelerator.backward(loss)  # replaces loss.backward(); averages gradients across processes
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            seen += len(batch["labels"])
            if step >= total_steps:
                break

    # Every process reports its own shard (these lines arrive in any order). One write per line: print() writes
    # the text and its newline separately, and unbuffered (python -u) two ranks' lines could interleave.
    sys.stdout.write(f"rank {accelerator.process_index}: {step} steps on {seen} reviews (its shard)\n")
    sys.stdout.flush()
    reviews_per_process = accelerator.gather(torch.tensor([seen])).tolist()

    # Evaluation: every process predicts its shard; gather_for_metrics collects them (minus padding duplicates).
    model.eval()
    correct = total = 0
    for batch in eval_loader:
        with torch.no_grad():
            predictions = model(**batch).logits.argmax(dim=-1)
        predictions, labels = accelerator.gather_for_metrics((predictions, batch["labels"]))
        correct += (predictions == labels).sum().item()
        total += labels.numel()
    accuracy = correct / total

    accelerator.print(f"processes: {accelerator.num_processes}")
    accelerator.print(f"steps: {step}")
    accelerator.print(f"reviews per process: {reviews_per_process}")
    accelerator.print(f"validation accuracy: {accuracy:.4f} ({total} reviews)")

    if args.output_dir:
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            accelerator.unwrap_model(model).save_pretrained(args.output_dir)
            tokenizer.save_pretrained(args.output_dir)
            accelerator.print(f"saved to {args.output_dir}")
    accelerator.wait_for_everyone()  # no process leaves while another still gathers
    accelerator.end_training()
    if accelerator.num_processes > 1:
        # Tearing down a gloo process group while a worker thread still releases the tensors of the last
        # gather can deadlock in torch 2.13 (that thread waits for the GIL, which the main thread holds
        # while it waits for that thread). Every process has finished and said what it had to say, so
        # leave without running destructors.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    faulthandler.cancel_dump_traceback_later()
    return accuracy


if __name__ == "__main__":
    main()
