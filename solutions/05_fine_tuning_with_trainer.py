"""Worked answers to the exercises of notebook 05 · Fine-tuning with ``Trainer``.

Training answers take ``base`` (the model to fine-tune, MiniLM by default) and
``train_samples`` so they can also run at a tiny scale.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable

import evaluate
import numpy as np
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    PrinterCallback,
    Trainer,
    TrainingArguments,
    pipeline,
    set_seed,
)

import hfnotes
from hfnotes import data, metrics
from hfnotes.train import ID2LABEL, LABEL2ID, tokenize_reviews

SEED = 1
BATCH_SIZE = 32


def ex_05_1() -> int:
    """05.1 · How many optimisation steps does the full recipe (all reviews, 3 epochs) take?

    Each epoch is one pass in batches of 32, the last one short:
    ceil(3,524 / 32) = 111 batches, so 3 epochs take 333 steps (``result.global_step``).
    On the same machine and precision the full run reproduces the card's accuracies exactly.
    """
    return math.ceil(len(data.load_reviews()["train"]) / BATCH_SIZE) * 3


def ex_05_2(base: str | None = None, train_samples: int = 1280) -> list[dict]:
    """05.2 · Train the quick run at learning rate 3e-4 and return ``trainer.state.log_history``.

    The loss falls at first, then often stalls near ln 2 ≈ 0.69 — the model
    gives up and predicts one class. Big steps on a small dataset overshoot;
    a pre-trained model needs only small nudges.
    """
    base = base or hfnotes.assets.base_model()
    tokenizer = AutoTokenizer.from_pretrained(base, truncation_side="left")
    train = tokenize_reviews(data.load_reviews(), tokenizer)["train"].shuffle(seed=SEED).select(range(train_samples))
    set_seed(SEED)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=2, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )
    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch,
            learning_rate=3e-4,
            num_train_epochs=1,
            per_device_train_batch_size=BATCH_SIZE,
            warmup_steps=0.1,
            weight_decay=0.01,
            train_sampling_strategy="group_by_length",
            logging_steps=1,
            save_strategy="no",
            seed=SEED,
            disable_tqdm=True,
            report_to="none",
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=train,
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer),
        )
        trainer.remove_callback(PrinterCallback)  # it prints every log when tqdm is off
        trainer.train()
    return trainer.state.log_history


def ex_05_3(classifier=None, n_reviews: int | None = None) -> dict[str, dict[str, str]]:
    """05.3 · Validation reviews over 64 tokens, truncated to 64 from the left and from the right: {id: labels}.

    Only reviews longer than 64 tokens can change. Keeping the end (left
    truncation) keeps the verdict, which is why the course model was trained so.
    """
    classifier = classifier or pipeline("sentiment-analysis", model=hfnotes.assets.sentiment_model())
    tokenizer = classifier.tokenizer
    validation = data.load_reviews()["validation"]
    long = [row for row in validation if len(tokenizer(row["text"])["input_ids"]) > 64][:n_reviews]
    labels = {}
    saved = tokenizer.truncation_side
    for side in ("left", "right"):
        tokenizer.truncation_side = side
        predictions = classifier([row["text"] for row in long], truncation=True, max_length=64)
        labels[side] = [out["label"] for out in predictions]
    tokenizer.truncation_side = saved
    return {
        row["id"]: {"left": left, "right": right}
        for row, left, right in zip(long, labels["left"], labels["right"], strict=True)
    }


def ex_05_4() -> Callable:
    """05.4 · ``compute_metrics`` with ``matthews_correlation`` added.

    On balanced data with about as many errors in each class, MCC ≈ 2 × accuracy − 1:
    both are 0 for guessing, 1 for a perfect model, and grow linearly with the
    share of right answers when the mistakes are symmetric.
    """
    accuracy = evaluate.load(metrics.path("accuracy"))
    f1 = evaluate.load(metrics.path("f1"))
    mcc = evaluate.load(metrics.path("matthews_correlation"))

    def compute_metrics(eval_pred):
        logits, labels = eval_pred
        predictions = np.argmax(logits, axis=-1)
        return {
            **accuracy.compute(predictions=predictions, references=labels),
            **f1.compute(predictions=predictions, references=labels),
            **mcc.compute(predictions=predictions, references=labels),
        }

    return compute_metrics
