"""Worked answers to the exercises of notebook 08 · PEFT: fine-tuning with LoRA.

Training answers take ``base`` (the model to adapt, MiniLM by default) and
``train_samples`` (``None``: every review, as in the notebook) so they can also
run at a tiny scale.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from peft import PeftModel, get_peft_model
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import hfnotes
from hfnotes import data
from hfnotes.lora import lora_config, trainable_parameters
from hfnotes.train import ID2LABEL, LABEL2ID, Recipe, TrainResult, fine_tune, tokenize_reviews, train_throughput

LEARNING_RATE = 2e-3
SEED = 1


def classifier_from(base: str | None = None):
    """A fresh sequence classifier on ``base`` (default: the bundled MiniLM) with a new two-label head."""
    return AutoModelForSequenceClassification.from_pretrained(
        base or hfnotes.assets.base_model(), num_labels=2, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )


def train_lora(epochs: int, seed: int, base: str | None, train_samples: int | None) -> TrainResult:
    """The course recipe with a LoRA adapter (``train_samples=None``: every review)."""
    recipe = Recipe(
        epochs=epochs,
        learning_rate=LEARNING_RATE,
        seed=seed,
        max_train_samples=train_samples,
        max_eval_samples=train_samples,
    )
    return fine_tune(recipe, base=base, adapter=lora_config())


def ex_08_1() -> dict[int, int]:
    """08.1 · Trainable parameters with ``RANK`` 2 and 32 (``ALPHA = 2 * RANK``): {rank: count}.

    Each adapted matrix gets A (r × 384) and B (384 × r): 768 r parameters,
    times 2 targets in 6 layers, plus the 770 of the new head. The file grows
    the same way; accuracy hardly moves from 8 to 32 on this small dataset.
    """
    return {
        rank: trainable_parameters(get_peft_model(classifier_from(), lora_config(r=rank, alpha=2 * rank)))["trainable"]
        for rank in (2, 32)
    }


def ex_08_2() -> list[str]:
    """08.2 · Which modules does the target ``"dense"`` wrap in BERT? Their names.

    In every layer, three: the attention output projection, the feed-forward
    expansion (``intermediate.dense``) and contraction (``output.dense``), plus
    the pooler's. The feed-forward matrices are large, so the trainable share
    grows several times over.
    """
    model = get_peft_model(classifier_from(), lora_config(targets=["query", "key", "value", "dense"]))
    return [name for name, module in model.named_modules() if hasattr(module, "lora_A") and name.endswith("dense")]


def ex_08_3(base: str | None = None, train_samples: int | None = None) -> TrainResult:
    """08.3 · Train LoRA for 3 epochs; compare its validation accuracy with full fine-tuning's.

    With the course recipe LoRA closes much of the one-epoch gap but usually
    stays a point or two below the full model.
    """
    return train_lora(epochs=3, seed=SEED, base=base, train_samples=train_samples)


def ex_08_4(base: str | None = None, steps: int = 8) -> dict[str, dict[str, float]]:
    """08.4 · Training speed of full fine-tuning and LoRA in float32 and under bf16: samples per second.

    On a CPU with native bf16 both speed up, full fine-tuning more: bf16 makes
    the big matrix products cheaper, and LoRA has already removed part of that
    work (the frozen weights' gradients), so its head start shrinks.
    """
    tokenizer = AutoTokenizer.from_pretrained(base or hfnotes.assets.base_model())
    train_set = tokenize_reviews(data.load_reviews(), tokenizer)["train"]
    return {
        precision: {
            "full": train_throughput(train_set, tokenizer, steps=steps, base=base, bf16=bf16)["samples_per_second"],
            "LoRA": train_throughput(train_set, tokenizer, steps=steps, base=base, bf16=bf16, adapter=lora_config())[
                "samples_per_second"
            ],
        }
        for precision, bf16 in (("fp32", False), ("bf16", True))
    }


def ex_08_5(base: str | None = None, train_samples: int | None = None) -> PeftModel:
    """08.5 · Two adapters trained with different seeds, loaded onto one base model; switch with ``set_adapter``.

    Each adapter carries its own copy of the head, so switching changes every
    prediction a little and some of them entirely.
    """
    folder = Path(tempfile.mkdtemp(prefix="hfnotes-08-"))
    for seed in (1, 2):
        train_lora(epochs=1, seed=seed, base=base, train_samples=train_samples).model.save_pretrained(
            folder / f"seed{seed}"
        )
    model = PeftModel.from_pretrained(classifier_from(base), folder / "seed1", adapter_name="seed1")
    model.load_adapter(folder / "seed2", adapter_name="seed2")
    model.set_adapter("seed2")
    return model
