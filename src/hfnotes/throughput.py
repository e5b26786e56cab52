"""How fast the recipe trains: samples per second and the tokens each batch computes.

Notebooks 05 and 08 and ``benchmarks/bench_train.py`` measure padding,
length grouping, bf16 and LoRA with :func:`train_throughput`; it is also
importable as ``hfnotes.train.train_throughput``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import models
from .errors import InputError
from .recipe import ID2LABEL, LABEL2ID
from .session import device as default_device

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

__all__ = ["train_throughput"]


def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive int, got {value!r}.")


def train_throughput(
    encoded_train,
    tokenizer: PreTrainedTokenizerBase,
    pad_to: int | None = None,
    group_by_length: bool = True,
    steps: int = 25,
    batch_size: int = 32,
    base: str | None = None,
    seed: int = 0,
    bf16: bool = False,
    adapter: Any = None,
) -> dict[str, float]:
    """Train ``steps`` optimisation steps on ``encoded_train`` and measure samples per second.

    ``pad_to=None`` pads each batch to its longest text (dynamic padding);
    ``pad_to=128`` pads every text to 128 tokens, like tokenizing with
    ``padding="max_length"``. ``group_by_length`` batches similar lengths:
    Trainer sorts "mega-batches" of about ``len(data) // (4 * batch_size)``
    batches by length (27 for the course's 3,524 training reviews), so the
    default ``steps`` covers about one mega-batch — a fair mix of long and short.
    The model is a fresh copy of ``base`` (default: :func:`hfnotes.models.base_model`)
    each call. ``bf16`` trains under
    bfloat16 autocast (fast only on CPUs with bf16 instructions).
    ``adapter`` (a peft config) measures adapter training instead of full
    fine-tuning.

    Besides the speed it returns token counts of the batches it trained on:
    ``computed_tokens`` (padding included), ``real_tokens`` and
    ``real_tokens_squared`` (the sum of each text's length squared, which
    attention's cost grows with).

    Example:
        >>> stats = train_throughput(encoded["train"], tokenizer, pad_to=128, group_by_length=False)  # doctest: +SKIP
        >>> sorted(stats)  # doctest: +SKIP
        ['computed_tokens', 'real_tokens', 'real_tokens_squared', 'samples', 'samples_per_second', 'seconds']
    """
    import tempfile

    from transformers import (
        AutoModelForSequenceClassification,
        DataCollatorWithPadding,
        PrinterCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    _check_count("steps", steps)
    _check_count("batch_size", batch_size)
    if pad_to is not None:
        _check_count("pad_to", pad_to)
    if len(encoded_train) < steps * batch_size:
        raise InputError(
            f"{steps} steps of {batch_size} need {steps * batch_size} rows; the data has {len(encoded_train)}."
        )
    if pad_to is None:
        collator = DataCollatorWithPadding(tokenizer)
    else:
        collator = DataCollatorWithPadding(tokenizer, padding="max_length", max_length=pad_to)
    set_seed(seed)
    model = AutoModelForSequenceClassification.from_pretrained(
        base or models.base_model(), num_labels=2, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )
    if adapter is not None:
        from peft import get_peft_model

        model = get_peft_model(model, adapter)
    with tempfile.TemporaryDirectory(prefix="hfnotes-throughput-") as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            max_steps=steps,
            per_device_train_batch_size=batch_size,
            train_sampling_strategy="group_by_length" if group_by_length else "random",
            save_strategy="no",
            logging_strategy="no",
            seed=seed,
            data_seed=seed,
            use_cpu=default_device() == "cpu",
            bf16=bf16,
            disable_tqdm=True,
            report_to="none",
        )
        trainer = Trainer(model=model, args=args, train_dataset=encoded_train, data_collator=collator)
        trainer.remove_callback(PrinterCallback)
        batches = [batch for _, batch in zip(range(steps), trainer.get_train_dataloader(), strict=False)]
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    return {
        "samples": steps * batch_size,
        "seconds": round(seconds, 2),
        "samples_per_second": round(steps * batch_size / seconds, 1),
        "computed_tokens": sum(int(b["input_ids"].numel()) for b in batches),
        "real_tokens": sum(int(b["attention_mask"].sum()) for b in batches),
        "real_tokens_squared": sum(int((b["attention_mask"].sum(dim=1) ** 2).sum()) for b in batches),
    }
