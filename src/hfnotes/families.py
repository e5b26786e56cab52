"""The three Transformer families, built tiny from configs with seeded random weights.

Notebook 09 compares an **encoder** (BERT), a **decoder** (GPT-2) and an
**encoder-decoder** (T5). Nothing is downloaded: :func:`tiny_config` writes a
small config, :func:`tiny_model` builds the model from it with seeded random
weights. All three use the vocabulary of the bundled MiniLM tokenizer, so one
tokenizer feeds every model.

The helpers that look inside a model (:func:`config_summary`,
:func:`parameter_counts`, :func:`attention_pattern`, :func:`task_heads` …)
live in :mod:`hfnotes.anatomy` and are importable from here too.

Example:
    >>> FAMILIES["decoder"].head_class, FAMILIES["decoder"].head_task
    ('GPT2LMHeadModel', 'causal LM')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import anatomy
from .anatomy import HEAD_FAMILIES as HEAD_FAMILIES
from .anatomy import attention_pattern as attention_pattern
from .anatomy import config_summary as config_summary
from .anatomy import output_shapes as output_shapes
from .anatomy import parameter_counts as parameter_counts
from .anatomy import parameter_table as parameter_table
from .anatomy import task_heads as task_heads
from .errors import InputError

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

__all__ = [
    "Family",
    "FAMILIES",
    "MINILM_VOCAB_SIZE",
    "PAD_ID",
    "CLS_ID",
    "SEP_ID",
    "tiny_config",
    "tiny_model",
    *anatomy.__all__,  # re-exported: notebook 09 reads them as hfnotes.families.*
]

MINILM_VOCAB_SIZE = 30522
"""Vocabulary size of the bundled MiniLM tokenizer (BERT's uncased WordPiece)."""
PAD_ID = 0
"""``[PAD]`` in the MiniLM tokenizer: the padding id of all three tiny models."""
CLS_ID = 101
"""``[CLS]``: GPT-2's beginning-of-sequence id here."""
SEP_ID = 102
"""``[SEP]``: the end-of-sequence id of GPT-2 and T5 here (generation stops on it)."""


@dataclass(frozen=True)
class Family:
    """One model family: the architecture used for it and its transformers classes."""

    name: str
    architecture: str
    config_class: str
    base_class: str
    head_class: str
    head_task: str


FAMILIES: dict[str, Family] = {
    "encoder": Family("encoder", "BERT", "BertConfig", "BertModel", "BertForMaskedLM", "masked LM"),
    "decoder": Family("decoder", "GPT-2", "GPT2Config", "GPT2Model", "GPT2LMHeadModel", "causal LM"),
    "encoder-decoder": Family(
        "encoder-decoder", "T5", "T5Config", "T5Model", "T5ForConditionalGeneration", "seq2seq LM"
    ),
}
"""The family registry: name → :class:`Family`."""


def _family(name: str) -> Family:
    if isinstance(name, str) and name in FAMILIES:
        return FAMILIES[name]
    known = ", ".join(repr(key) for key in FAMILIES)
    hint = ""
    if isinstance(name, str):
        by_architecture = {f.architecture.lower().replace("-", ""): f.name for f in FAMILIES.values()}
        match = by_architecture.get(name.lower().replace("-", ""))
        if match:
            hint = f" ({name} is the {match!r} family)"
    raise InputError(f"unknown model family {name!r}: use one of {known}{hint}.")


def _check_size(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError(f"{name} must be a positive int, got {value!r}.")


def tiny_config(
    family: str,
    *,
    vocab_size: int = MINILM_VOCAB_SIZE,
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    intermediate_size: int | None = None,
    max_positions: int = 128,
    tie_word_embeddings: bool = True,
) -> PretrainedConfig:
    """A small transformers config for ``family`` ("encoder", "decoder" or "encoder-decoder").

    ``intermediate_size`` (the feed-forward width) defaults to ``4 * hidden_size``.
    T5 has no position table (it uses relative position buckets), so it ignores
    ``max_positions``; its decoder gets as many layers as its encoder. The token ids
    are those of the bundled MiniLM tokenizer: ``[PAD]`` pads every model, GPT-2
    starts with ``[CLS]`` and stops at ``[SEP]``, T5 stops at ``[SEP]`` and starts its
    decoder with ``[PAD]`` (T5's own convention). Attention is the "eager"
    implementation, the one that can return its attention weights.
    ``tie_word_embeddings=False`` gives the LM head its own output matrix; T5's
    config in transformers 5 ignores it and always ties.

    Example:
        >>> config = tiny_config("decoder", hidden_size=32, num_heads=2)
        >>> type(config).__name__, config.n_embd, config.n_layer, config.eos_token_id
        ('GPT2Config', 32, 2, 102)
    """
    spec = _family(family)
    sizes = {
        "vocab_size": vocab_size,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
        "num_heads": num_heads,
        "max_positions": max_positions,
    }
    if intermediate_size is not None:
        sizes["intermediate_size"] = intermediate_size
    for name, value in sizes.items():
        _check_size(name, value)
    if hidden_size % num_heads:
        raise InputError(
            f"hidden_size {hidden_size} is not divisible by num_heads {num_heads}: each head gets "
            f"hidden_size / num_heads dimensions, so pick sizes such as hidden_size={num_heads * 16}."
        )
    largest_id = max(PAD_ID, CLS_ID, SEP_ID)
    if vocab_size <= largest_id:
        raise InputError(
            f"vocab_size {vocab_size} is too small for the MiniLM special tokens (ids up to {largest_id}): "
            f"use at least {largest_id + 1}."
        )
    ffn = intermediate_size or 4 * hidden_size

    import transformers

    config_class = getattr(transformers, spec.config_class)
    common = {"vocab_size": vocab_size, "tie_word_embeddings": tie_word_embeddings, "attn_implementation": "eager"}
    if family == "encoder":
        return config_class(
            hidden_size=hidden_size,
            num_hidden_layers=num_layers,
            num_attention_heads=num_heads,
            intermediate_size=ffn,
            max_position_embeddings=max_positions,
            pad_token_id=PAD_ID,
            **common,
        )
    if family == "decoder":
        return config_class(
            n_embd=hidden_size,
            n_layer=num_layers,
            n_head=num_heads,
            n_inner=ffn,
            n_positions=max_positions,
            pad_token_id=PAD_ID,
            bos_token_id=CLS_ID,
            eos_token_id=SEP_ID,
            **common,
        )
    return config_class(
        d_model=hidden_size,
        d_kv=hidden_size // num_heads,
        d_ff=ffn,
        num_layers=num_layers,
        num_decoder_layers=num_layers,
        num_heads=num_heads,
        pad_token_id=PAD_ID,
        eos_token_id=SEP_ID,
        decoder_start_token_id=PAD_ID,
        **common,
    )


def tiny_model(family: str, head: bool | str = True, *, seed: int = 0, **sizes: Any) -> PreTrainedModel:
    """Build the tiny model of ``family`` with seeded random weights, in eval mode.

    ``head=True`` (or ``"lm"``) gives the language-model head class of the family
    (``BertForMaskedLM``, ``GPT2LMHeadModel``, ``T5ForConditionalGeneration``);
    ``head=False`` (or ``"base"``) the body alone. ``sizes`` go to :func:`tiny_config`.
    The same seed gives the same weights; the global random state is left as it was.

    Example:
        >>> model = tiny_model("encoder", head=False, hidden_size=32, num_heads=2, num_layers=1)
        >>> type(model).__name__, model.training
        ('BertModel', False)
    """
    spec = _family(family)
    if head is True or head == "lm":
        class_name = spec.head_class
    elif head is False or head == "base":
        class_name = spec.base_class
    else:
        raise InputError(f"head must be True/'lm' (with the LM head) or False/'base' (body only), got {head!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"seed must be a non-negative int, got {seed!r}.")
    config = tiny_config(family, **sizes)

    import torch
    import transformers

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = getattr(transformers, class_name)(config)
    return model.eval()
