"""The course's one fine-tuning recipe: MiniLM + reviews → sentiment classifier.

Notebook 05 walks through these same steps one cell at a time; the asset
builder (:mod:`hfnotes.checkpoint`) calls :func:`fine_tune` to make the
checkpoint that notebooks 01 and 02 use.

The steps:

1. tokenize the reviews with ``map(batched=True)`` (truncating, no padding),
2. pad each batch only to its longest text (``DataCollatorWithPadding``),
3. batch texts of similar length together (length-grouped sampling),
4. train with ``Trainer`` from a fixed seed, and evaluate with accuracy.

The recipe itself (:class:`~hfnotes.recipe.Recipe`, ``ID2LABEL``,
``LABEL2ID``) lives in :mod:`hfnotes.recipe` and the speed measurement
(:func:`~hfnotes.throughput.train_throughput`) in :mod:`hfnotes.throughput`;
both are importable from here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import data, metrics, models
from .errors import DataError, InputError
from .recipe import ID2LABEL, LABEL2ID, GPTRecipe, Recipe
from .session import device as default_device
from .throughput import train_throughput

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer

__all__ = [
    "Recipe",
    "TrainResult",
    "without_autocast_wrapper",
    "ID2LABEL",
    "LABEL2ID",
    "check_reviews",
    "tokenize_reviews",
    "fine_tune",
    "recipe_trainer",
    "train_throughput",
    "sorted_by_length",
]


@dataclass
class TrainResult:
    """What :func:`fine_tune` returns."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    metrics: dict[str, float]
    seconds: float
    log_history: list[dict[str, float]] = field(default_factory=list)


def check_reviews(dataset: Any) -> None:
    """Check a dataset has what :func:`fine_tune` needs, before any work is done.

    It must be a ``DatasetDict`` (or a mapping of datasets) with the splits
    ``train``, ``validation`` and ``test``, each with a ``text`` column of
    strings and a ``label`` column of class ids in ``ID2LABEL`` (0, 1).
    Anything else raises :class:`~hfnotes.errors.DataError` saying what to
    rename or convert.

    Example:
        >>> from datasets import Dataset, DatasetDict
        >>> split = Dataset.from_dict({"sentence": ["fine"], "label": [1]})
        >>> check_reviews(DatasetDict(train=split, validation=split, test=split))  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.DataError: split 'train' has no 'text' column ...
    """
    if not isinstance(dataset, Mapping):
        raise DataError(
            f"dataset must be a DatasetDict with train, validation and test splits, got {type(dataset).__name__}. "
            "Split a single Dataset first, e.g. with train_test_split."
        )
    missing = [split for split in data.SPLITS if split not in dataset]
    if missing:
        raise DataError(
            f"dataset lacks the split(s) {missing} (it has {sorted(dataset)}); fine_tune needs train, validation "
            "and test. Rename splits with DatasetDict({'validation': ds['dev'], ...})."
        )
    labels = set(ID2LABEL)
    for split in data.SPLITS:
        columns = dataset[split].column_names
        for column, rename in (("text", "the column that holds the text"), ("label", "the class-id column")):
            if column not in columns:
                raise DataError(
                    f"split {split!r} has no {column!r} column (columns: {columns}); rename {rename}: "
                    f"dataset = dataset.rename_column(<old name>, {column!r})."
                )
        found = set(dataset[split].unique("label"))
        if not found <= labels:
            raise DataError(
                f"split {split!r} has label values {sorted(found, key=str)}; the recipe's classifier has labels "
                f"{sorted(labels)} ({', '.join(ID2LABEL.values())}). Map them to 0/1 with dataset.map(...)."
            )


def tokenize_reviews(dataset: DatasetDict, tokenizer: PreTrainedTokenizerBase, max_length: int = 128) -> DatasetDict:
    """Tokenize the ``text`` column in batches, truncating to ``max_length``.

    No padding here: the collator pads each batch to its own longest text.
    Keeps ``label``; drops the other columns.

    Example:
        >>> from transformers import AutoTokenizer
        >>> from hfnotes import data, models
        >>> tok = AutoTokenizer.from_pretrained(models.base_model())
        >>> ds = tokenize_reviews(data.load_reviews(), tok)
        >>> sorted(ds["train"].column_names)
        ['attention_mask', 'input_ids', 'label', 'token_type_ids']
    """
    drop = [c for c in dataset["train"].column_names if c != "label"]
    return dataset.map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length),
        batched=True,
        remove_columns=drop,
    )


def sorted_by_length(dataset):
    """The rows of a tokenized ``dataset`` from shortest to longest (a stable sort).

    Evaluation does not depend on row order, and batches of similar lengths
    need little padding: sorting makes evaluation two to three times cheaper.

    Example:
        >>> from datasets import Dataset
        >>> ds = Dataset.from_dict({"input_ids": [[1, 2, 3], [1], [1, 2]]})
        >>> [len(x) for x in sorted_by_length(ds)["input_ids"]]
        [1, 2, 3]
    """
    lengths = [len(ids) for ids in dataset["input_ids"]]
    return dataset.select(sorted(range(len(lengths)), key=lengths.__getitem__))


def _subsets(dataset: DatasetDict, recipe: Recipe) -> DatasetDict:
    """The splits the recipe trains and evaluates on, in a new ``DatasetDict`` (the caller's stays as it was)."""
    from datasets import DatasetDict

    splits = {split: dataset[split] for split in data.SPLITS}
    for split, limit in (("train", recipe.max_train_samples), ("validation", recipe.max_eval_samples)):
        if limit is not None:
            splits[split] = splits[split].shuffle(seed=recipe.seed).select(range(min(limit, len(splits[split]))))
    if recipe.max_eval_samples is not None:
        splits["test"] = splits["test"].select(range(min(recipe.max_eval_samples, len(splits["test"]))))
    return DatasetDict(splits)


def fine_tune(
    recipe: Recipe | None = None,
    output_dir: str | None = None,
    base: str | None = None,
    dataset: DatasetDict | None = None,
    progress: bool = False,
    adapter: Any = None,
) -> TrainResult:
    """Fine-tune ``base`` (default: :func:`hfnotes.models.base_model`) on ``dataset`` (default: the reviews).

    Returns the trained model, its tokenizer, validation and test accuracy
    and the wall time. ``dataset`` is checked first (:func:`check_reviews`)
    and never modified. ``adapter`` (a peft config such as
    :func:`hfnotes.lora.lora_config`) freezes the encoder and trains only
    the adapter and the head, with everything else in the recipe the same;
    the returned model is then a peft model. ``output_dir`` receives Trainer's scratch files only
    (nothing is saved there unless you call ``save_pretrained``).

    Example:
        >>> result = fine_tune(Recipe(epochs=1, max_train_samples=32, max_eval_samples=16))  # doctest: +SKIP
        >>> sorted(result.metrics)  # doctest: +SKIP
        ['test_accuracy', 'validation_accuracy']
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, set_seed

    recipe = recipe or Recipe()
    if not isinstance(recipe, Recipe):
        raise InputError(f"recipe must be a hfnotes Recipe, got {type(recipe).__name__}: fine_tune(Recipe(epochs=1)).")
    where = default_device()
    base = base or models.base_model()
    if dataset is None:
        dataset = data.load_reviews()
    check_reviews(dataset)
    dataset = _subsets(dataset, recipe)

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(base, truncation_side=recipe.truncation_side)
    encoded = tokenize_reviews(dataset, tokenizer, recipe.max_length)
    validation_set, test_set = sorted_by_length(encoded["validation"]), sorted_by_length(encoded["test"])
    set_seed(recipe.seed)  # the classification head is initialised randomly
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(ID2LABEL), id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )
    if adapter is not None:
        from peft import get_peft_model

        set_seed(recipe.seed)  # the adapter's initial weights are random too
        model = get_peft_model(model, adapter)
    with recipe_trainer(
        recipe,
        model,
        tokenizer,
        encoded["train"],
        validation_set,
        DataCollatorWithPadding(tokenizer),
        group_by_length=True,
        compute_metrics=metrics.compute_metrics(["accuracy"]),
        progress=progress,
        output_dir=output_dir,
        device=where,
    ) as trainer:
        trainer.train()
        evals = [h for h in trainer.state.log_history if "eval_accuracy" in h]
        if evals and evals[-1]["step"] == trainer.state.global_step:
            validation = {"validation_accuracy": evals[-1]["eval_accuracy"]}  # the last epoch's evaluation
        else:
            validation = trainer.evaluate(validation_set, metric_key_prefix="validation")
        test = trainer.evaluate(test_set, metric_key_prefix="test")
        history = list(trainer.state.log_history)
    without_autocast_wrapper(model)
    seconds = time.perf_counter() - start
    scores = {
        "validation_accuracy": round(validation["validation_accuracy"], 4),
        "test_accuracy": round(test["test_accuracy"], 4),
    }
    model.eval()
    return TrainResult(model=model, tokenizer=tokenizer, metrics=scores, seconds=seconds, log_history=history)


@contextmanager
def recipe_trainer(
    recipe: Recipe | GPTRecipe,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    train_set: Dataset,
    eval_set: Dataset,
    collator: Callable,
    *,
    scheduler: str = "linear",
    group_by_length: bool = False,
    compute_metrics: Callable | None = None,
    progress: bool = False,
    output_dir: str | None = None,
    prefix: str = "hfnotes-train-",
    device: str | None = None,
) -> Iterator[Trainer]:
    """A ``Trainer`` set up from ``recipe`` the way the course's builders train, while the ``with`` block lasts.

    Shared by :func:`fine_tune` and :func:`hfnotes.textgen.train_gpt`: the
    recipe's epochs, learning rate, batch size, warm-up, weight decay, seed and
    precision (bf16 autocast where native); evaluation on ``eval_set`` after
    every epoch, a log every 10 steps, no checkpoints saved, no reporting.
    ``progress=False`` turns the progress bars off and does not print the log
    dicts either. Trainer's scratch files go to ``output_dir``, or to a
    temporary folder removed when the block ends. ``device`` defaults to
    :func:`hfnotes.device`.

    Example:
        >>> with recipe_trainer(Recipe(epochs=1), model, tokenizer, train, validation, collator) as trainer:  # doctest: +SKIP
        ...     trainer.train()
    """
    import tempfile

    from transformers import PrinterCallback, Trainer, TrainingArguments

    where = device or default_device()
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        args = TrainingArguments(
            output_dir=output_dir or scratch,
            num_train_epochs=recipe.epochs,
            learning_rate=recipe.learning_rate,
            per_device_train_batch_size=recipe.batch_size,
            per_device_eval_batch_size=64,
            warmup_steps=recipe.warmup,
            weight_decay=recipe.weight_decay,
            lr_scheduler_type=scheduler,
            train_sampling_strategy="group_by_length" if group_by_length else "random",
            eval_strategy="epoch",
            save_strategy="no",
            logging_strategy="steps",
            logging_steps=10,
            seed=recipe.seed,
            data_seed=recipe.seed,
            use_cpu=where == "cpu",
            bf16=recipe.use_bf16(where),
            dataloader_num_workers=0,
            disable_tqdm=not progress,
            report_to="none",
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=train_set,
            eval_dataset=eval_set,
            processing_class=tokenizer,
            data_collator=collator,
            compute_metrics=compute_metrics,
        )
        if not progress:
            trainer.remove_callback(PrinterCallback)  # it prints every log dict when tqdm is off
        yield trainer


def without_autocast_wrapper(model) -> None:
    """Give ``model`` back its class's ``forward``: for bf16 training Accelerate wraps it in autocast.

    Left in place, the trained model would keep computing in bfloat16, unlike
    the same weights saved and loaded again. Accelerate's own
    ``extract_model_from_parallel(model, keep_fp32_wrapper=False)`` is not
    used because it unwraps one level too deep: past transformers' own
    decorators on ``forward``, so that ``model(..., return_dict=False)`` then
    fails (``tests/test_train.py`` checks both, and will say when a new
    accelerate makes this helper unnecessary).
    """
    if model.__dict__.pop("_original_forward", None) is not None:
        model.__dict__.pop("forward", None)  # the wrapper was set on the instance; the class's forward is back
