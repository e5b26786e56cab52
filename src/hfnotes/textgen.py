"""Helpers for notebook 10: a tokenizer and a small GPT trained from scratch on the reviews.

The notebook writes each library call out first (``tokenizers`` parts,
``train_new_from_iterator``, ``GPT2Config``, ``Trainer``,
``DataCollatorForLanguageModeling``, ``pipeline("text-generation")``); the
helpers here wrap the same calls so that the course asset ``review_gpt`` is
built by exactly the recipe the notebook shows:

- :func:`byte_level_bpe` assembles and trains a GPT-2-style byte-level BPE;
- :func:`group_texts` / :func:`pack` cut token streams into fixed blocks;
- :func:`unigram_perplexity` is the baseline the model has to beat;
- :func:`gpt_config` sizes a ``GPT2Config`` for a CPU;
- :func:`train_gpt` runs a :class:`~hfnotes.recipe.GPTRecipe` end to end.

Example:
    >>> group_texts({"input_ids": [[1, 2, 3], [4, 5, 6, 7]]}, block_size=3)
    {'input_ids': [[1, 2, 3], [4, 5, 6]]}
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .recipe import GPTRecipe
from .session import device as default_device
from .train import recipe_trainer, without_autocast_wrapper

if TYPE_CHECKING:
    from datasets import Dataset
    from transformers import GPT2Config, PreTrainedModel, PreTrainedTokenizerBase, PreTrainedTokenizerFast

__all__ = [
    "END_OF_TEXT",
    "PAD",
    "GPTResult",
    "byte_level_bpe",
    "group_texts",
    "pack",
    "unigram_perplexity",
    "gpt_config",
    "train_gpt",
    "word_share",
]

END_OF_TEXT = "<|endoftext|>"
"""GPT-2's special token: it separates texts and starts generation (BOS and EOS)."""
PAD = "<pad>"
"""The padding token, distinct from EOS: a collator masks padding out of the labels, never an end of text."""


def _texts(texts: Any, what: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise InputError(f"{what} must be a list of strings, got one string: wrap it in a list ([text]).")
    try:
        items = list(texts)
    except TypeError:
        raise InputError(f"{what} must be a list of strings, got {type(texts).__name__}.") from None
    bad = [i for i, t in enumerate(items) if not isinstance(t, str)]
    if bad:
        raise InputError(f"{what}[{bad[0]}] is {type(items[bad[0]]).__name__}, not a string.")
    if not items:
        raise InputError(f"{what} is empty: give at least one text.")
    return items


def byte_level_bpe(texts: Iterable[str], vocab_size: int = 4096, min_frequency: int = 2) -> PreTrainedTokenizerFast:
    """Train a GPT-2-style byte-level BPE on ``texts`` and wrap it as a transformers tokenizer.

    The parts: NFC normalizer, byte-level pre-tokenizer (no prefix space),
    BPE model and trainer starting from the 256 byte symbols (so no text is
    ever unknown), byte-level post-processor and decoder. ``<|endoftext|>``
    (id 0) is BOS and EOS as in GPT-2; ``<pad>`` (id 1) pads. GPT-2 pads
    with ``<|endoftext|>``, but then ``DataCollatorForLanguageModeling``
    masks every end of text out of the labels and the model never learns to
    stop. Deterministic: the same texts give the same vocabulary.

    Example:
        >>> tok = byte_level_bpe(["good food", "bad food", "good price"] * 5, vocab_size=300)
        >>> tok.decode(tok("good food 😋")["input_ids"])
        'good food 😋'
        >>> tok.eos_token_id, tok.pad_token_id
        (0, 1)
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    texts = _texts(texts)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size <= 258:
        raise InputError(
            f"vocab_size must be an int above 258 (256 bytes + {END_OF_TEXT} + {PAD}), got {vocab_size!r}."
        )
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[END_OF_TEXT, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    tokenizer.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=END_OF_TEXT, eos_token=END_OF_TEXT, pad_token=PAD
    )


def group_texts(examples: Mapping[str, Sequence[Sequence[int]]], block_size: int) -> dict[str, list[list[int]]]:
    """Concatenate each column's token lists and cut the stream into blocks of ``block_size``.

    The course's ``group_texts`` for ``Dataset.map(batched=True)``: the
    number of rows changes (many short reviews become a few full blocks).
    Every token of the stream lands in exactly one block, in order; the
    last ``len(stream) % block_size`` tokens, too few for a block, are
    dropped. Columns must have the same lengths row by row.

    Example:
        >>> group_texts({"input_ids": [[1, 2], [3, 4, 5]], "attention_mask": [[1, 1], [1, 1, 1]]}, 2)
        {'input_ids': [[1, 2], [3, 4]], 'attention_mask': [[1, 1], [1, 1]]}
    """
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size <= 0:
        raise InputError(f"block_size must be a positive int, got {block_size!r}.")
    if not isinstance(examples, Mapping) or not examples:
        raise InputError("examples must be a batch: a dict of columns such as {'input_ids': [[...], ...]}.")
    streams: dict[str, list[int]] = {}
    lengths: list[int] | None = None
    for name, rows in examples.items():
        if isinstance(rows, (str, bytes)) or not all(
            isinstance(row, Sequence) and not isinstance(row, (str, bytes)) for row in rows
        ):
            raise InputError(f"column {name!r} must hold lists of token ids, one per row (tokenize first).")
        row_lengths = [len(row) for row in rows]
        if lengths is not None and row_lengths != lengths:
            raise InputError(f"column {name!r} has rows of other lengths than the first column: cannot pack them.")
        lengths = row_lengths
        streams[name] = [token for row in rows for token in row]
    usable = (sum(lengths or []) // block_size) * block_size
    return {
        name: [stream[i : i + block_size] for i in range(0, usable, block_size)] for name, stream in streams.items()
    }


def pack(dataset: Dataset, tokenizer: PreTrainedTokenizerBase, block_size: int, text_column: str = "text") -> Dataset:
    """Tokenize ``dataset[text_column]``, end every text with EOS, and pack the stream into blocks.

    One ``map(batched=True)`` that removes the original columns (the row
    count changes). The result has ``input_ids`` and ``attention_mask``;
    ``DataCollatorForLanguageModeling(mlm=False)`` adds the labels.

    Example:
        >>> from datasets import Dataset  # doctest: +SKIP
        >>> pack(Dataset.from_dict({"text": ["good food"] * 8}), tokenizer, block_size=4)  # doctest: +SKIP
    """
    if text_column not in dataset.column_names:
        raise InputError(f"dataset has no column {text_column!r}; its columns: {', '.join(dataset.column_names)}.")
    if tokenizer.eos_token_id is None:
        raise InputError("the tokenizer has no EOS token: texts could not be separated in the packed stream.")
    eos = tokenizer.eos_token_id

    def tokenize_and_group(batch: dict[str, list]) -> dict[str, list[list[int]]]:
        encoded = tokenizer(batch[text_column])
        ids = [[*row, eos] for row in encoded["input_ids"]]
        return group_texts({"input_ids": ids, "attention_mask": [[1] * len(row) for row in ids]}, block_size)

    return dataset.map(
        tokenize_and_group, batched=True, batch_size=len(dataset) or 1, remove_columns=dataset.column_names
    )


def unigram_perplexity(train_ids: Iterable[int], eval_ids: Iterable[int], vocab_size: int) -> float:
    """Perplexity on ``eval_ids`` of a model that predicts each token from its training frequency alone.

    Add-one smoothing over the whole vocabulary, so a token never seen in
    training still has a probability. A language model that has learnt
    nothing about context cannot do better than about this.

    Example:
        >>> round(unigram_perplexity([0, 0, 1], [0, 1], vocab_size=2), 4)  # p = 3/5 and 2/5
        2.0412
    """
    counts = Counter(train_ids)
    eval_list = list(eval_ids)
    if not eval_list:
        raise InputError("eval_ids is empty: no token to measure the perplexity on.")
    if vocab_size <= 0 or max(eval_list) >= vocab_size or (counts and max(counts) >= vocab_size):
        raise InputError(f"token ids must lie in range(vocab_size={vocab_size}).")
    total = sum(counts.values()) + vocab_size
    nll = -sum(math.log((counts[i] + 1) / total) for i in eval_list) / len(eval_list)
    return math.exp(nll)


def gpt_config(tokenizer: PreTrainedTokenizerBase, recipe: GPTRecipe | None = None) -> GPT2Config:
    """A ``GPT2Config`` sized by ``recipe`` for ``tokenizer``'s vocabulary and special tokens.

    Example:
        >>> tok = byte_level_bpe(["good food"] * 4, vocab_size=300)  # doctest: +SKIP
        >>> gpt_config(tok).n_layer  # doctest: +SKIP
        4
    """
    from transformers import GPT2Config

    recipe = recipe or GPTRecipe()
    return GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=recipe.block_size,
        n_embd=recipe.hidden_size,
        n_layer=recipe.num_layers,
        n_head=recipe.num_heads,
        n_inner=4 * recipe.hidden_size,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )


_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def word_share(text: str, vocabulary: set[str]) -> float:
    """Share of the words in ``text`` (letters, with an apostrophe part) that ``vocabulary`` holds.

    How the notebook checks that samples "read as English": the vocabulary is
    every word of the training reviews, lower-cased. 0.0 for a text without words.

    Example:
        >>> word_share("Great food, grate fod!", {"great", "food", "grate"})
        0.75
    """
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


@dataclass
class GPTResult:
    """What :func:`train_gpt` returns."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerFast
    metrics: dict[str, float]
    seconds: float
    log_history: list[dict[str, Any]] = field(default_factory=list)


def train_gpt(
    recipe: GPTRecipe, train_texts: Sequence[str], validation_texts: Sequence[str], progress: bool = False
) -> GPTResult:
    """Train a tokenizer and a GPT-2 from scratch on ``train_texts``; evaluate on ``validation_texts`` each epoch.

    The recipe the notebook writes out: :func:`byte_level_bpe`, :func:`pack`
    into ``recipe.block_size`` blocks, a ``GPT2LMHeadModel`` from
    :func:`gpt_config`, ``DataCollatorForLanguageModeling(mlm=False)`` and
    ``Trainer``. Metrics: validation loss and perplexity after the last
    epoch, the untrained model's and the unigram baseline's perplexity on
    the same blocks.

    Example:
        >>> result = train_gpt(GPTRecipe(epochs=1, max_train_texts=64), texts, texts[:16])  # doctest: +SKIP
    """
    from datasets import Dataset
    from transformers import DataCollatorForLanguageModeling, GPT2LMHeadModel, set_seed

    if not isinstance(recipe, GPTRecipe):
        raise InputError(f"recipe must be a hfnotes GPTRecipe, got {type(recipe).__name__}.")
    train_texts = _texts(train_texts, "train_texts")
    validation_texts = _texts(validation_texts, "validation_texts")
    if recipe.max_train_texts is not None:
        train_texts = train_texts[: recipe.max_train_texts]
    where = default_device()
    start = time.perf_counter()
    tokenizer = byte_level_bpe(train_texts, vocab_size=recipe.vocab_size)
    train_set = pack(Dataset.from_dict({"text": train_texts}), tokenizer, recipe.block_size)
    validation_set = pack(Dataset.from_dict({"text": validation_texts}), tokenizer, recipe.block_size)
    if len(train_set) == 0 or len(validation_set) == 0:
        raise InputError(f"too little text for one block of {recipe.block_size} tokens in each split.")
    set_seed(recipe.seed)
    model = GPT2LMHeadModel(gpt_config(tokenizer, recipe))
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)
    baseline = unigram_perplexity(
        [t for row in train_set["input_ids"] for t in row],
        [t for row in validation_set["input_ids"] for t in row[1:]],  # the model never predicts a block's first token
        len(tokenizer),
    )
    with recipe_trainer(
        recipe,
        model,
        tokenizer,
        train_set,
        validation_set,
        collator,
        scheduler="cosine",
        progress=progress,
        prefix="hfnotes-gpt-",
        device=where,
    ) as trainer:
        untrained = trainer.evaluate()["eval_loss"]  # logged as epoch 0: the start of the curve
        trainer.train()
        evals = [h for h in trainer.state.log_history if "eval_loss" in h]
        validation_loss = evals[-1]["eval_loss"]
        history = [{"epoch": 0.0, "step": 0, "eval_loss": untrained}, *trainer.state.log_history]
    without_autocast_wrapper(model)
    model.eval()
    metrics = {
        "validation_loss": round(validation_loss, 4),
        "validation_perplexity": round(math.exp(validation_loss), 2),
        "untrained_perplexity": round(math.exp(untrained), 2),
        "unigram_perplexity": round(baseline, 2),
    }
    return GPTResult(model, tokenizer, metrics, time.perf_counter() - start, history)
