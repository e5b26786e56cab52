"""Worked answers to the exercises of notebook 06 · Your own training loop, then Accelerate."""

from __future__ import annotations

import math

import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, set_seed

import hfnotes
from hfnotes import data
from hfnotes.train import ID2LABEL, LABEL2ID, tokenize_reviews

SEED = 1
LEARNING_RATE = 1e-4


def ex_06_1(base: str | None = None, train_samples: int = 128) -> dict[str, torch.nn.Module]:
    """06.1 · Gradient accumulation: do 2 accumulated batches of 32 equal batches of 64? Return both models.

    Yes, up to float rounding, when both runs see the same rows in the same
    order and nothing random differs: dropout draws new masks for every
    forward pass, so it is turned off here. ``accumulate`` divides each loss by 2
    and lets the optimizer step only every second batch.
    """
    base = base or hfnotes.assets.base_model()
    tokenizer = AutoTokenizer.from_pretrained(base)
    train = tokenize_reviews(data.load_reviews(), tokenizer)["train"].select(range(train_samples))
    collator = DataCollatorWithPadding(tokenizer)

    def fresh_model():
        set_seed(SEED)
        model = AutoModelForSequenceClassification.from_pretrained(
            base,
            num_labels=2,
            id2label=ID2LABEL,
            label2id=LABEL2ID,
            use_safetensors=True,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        )
        return model.train()

    batch_64 = fresh_model()
    optimizer = torch.optim.AdamW(batch_64.parameters(), lr=LEARNING_RATE)
    for batch in DataLoader(train, batch_size=64, collate_fn=collator):
        batch_64(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    accelerator = Accelerator(gradient_accumulation_steps=2)
    accumulated = fresh_model()
    optimizer = torch.optim.AdamW(accumulated.parameters(), lr=LEARNING_RATE)
    loader = DataLoader(train, batch_size=32, collate_fn=collator)
    accumulated, optimizer, loader = accelerator.prepare(accumulated, optimizer, loader)
    for batch in loader:
        with accelerator.accumulate(accumulated):
            accelerator.backward(accumulated(**batch).loss)
            optimizer.step()
            optimizer.zero_grad()
    return {"accumulated": accelerator.unwrap_model(accumulated).cpu(), "batch_64": batch_64.cpu()}


def ex_06_2() -> dict[int, int]:
    """06.2 · Without ``gather_for_metrics``, how many validation reviews does the main process score?

    For 2, 3 and 4 processes. ``prepare`` deals the 12 batches of 64 (the last
    holds 54 of the 758 reviews) out in turn and gives every process as many
    batches, topping the short ones up with reviews from the start. The main
    process then counts only its own share, repeats included; gather_for_metrics
    collects every process's predictions and drops the repeats.
    """
    reviews, batch_size = len(data.load_reviews()["validation"]), 64
    batches = math.ceil(reviews / batch_size)
    return {processes: math.ceil(batches / processes) * batch_size for processes in (2, 3, 4)}


def ex_06_3() -> dict[int, int]:
    """06.3 · Steps in one epoch on all 3,524 training reviews with one and with two processes.

    Every process takes its own batches of 32, so two processes cover the
    epoch in half the steps (each step sees 64 reviews). With the same learning
    rate that is half as many updates: a larger rate can make up for it.
    """
    batches = math.ceil(len(data.load_reviews()["train"]) / 32)
    return {1: batches, 2: math.ceil(batches / 2)}
