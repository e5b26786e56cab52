"""Checks for the notebooks' exercises: ``check("04.2", answer)``.

Every exercise asks for a value, an object or a function and names the key
to check it with. A check works out on *this* machine what a right answer
must satisfy (it never compares with a number recorded elsewhere: the course
model differs a little from one CPU to the next), prints one line starting
with ✓ when the answer passes, and otherwise raises
:class:`~hfnotes.errors.ExerciseError` saying what is wrong, with a hint.
Timings are checked for their shape (every variant measured, all positive),
never for which variant won.

Example:
    >>> check("00.2", "distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    ✓ 00.2: the hub source would load distilbert/distilbert-base-uncased-finetuned-sst-2-english
    >>> check("00.2", "bert-base-uncased")
    Traceback (most recent call last):
    ...
    hfnotes.errors.ExerciseError: ✗ 00.2: 'bert-base-uncased' is not the model the hub source names. Hint: ...
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from . import assets, collate, config, data, evaluation, families, inference, metrics, rl, textgen
from .errors import ConfigError, ExerciseError
from .recipe import Recipe

__all__ = ["check", "KEYS"]

_CHECKS: dict[str, tuple[Callable[[Any], str], str]] = {}


class _Wrong(Exception):
    """Raised inside a check: the answer is wrong in the way the message says."""


def _exercise(key: str, hint: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register the decorated function as the check of exercise ``key``."""

    def register(fn: Callable[[Any], str]) -> Callable[[Any], str]:
        _CHECKS[key] = (fn, hint)
        return fn

    return register


def check(key: str, answer: Any) -> None:
    """Check ``answer`` to exercise ``key`` (``"NN.k"``: notebook NN, exercise k; ``"04b.k"`` for notebook 04b).

    Prints ``✓ key: …`` when the answer passes; raises ExerciseError with what
    is wrong and a hint when it does not.

    Example:
        >>> check("99.1", 42)
        Traceback (most recent call last):
        ...
        hfnotes.errors.ExerciseError: no exercise '99.1'. Valid keys: 00.1, 00.2, ...
    """
    if key not in _CHECKS:
        raise ExerciseError(f"no exercise {key!r}. Valid keys: {', '.join(sorted(_CHECKS))}.")
    fn, hint = _CHECKS[key]
    try:
        summary = fn(answer)
    except _Wrong as wrong:
        raise ExerciseError(f"✗ {key}: {wrong} Hint: {hint}") from None
    print(f"✓ {key}: {summary}")


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise _Wrong(message)


def _mapping(answer: Any, keys: Sequence[Any], what: str) -> Mapping:
    """``answer`` as a dict with exactly ``keys``, or a message naming what is missing or extra."""
    _expect(isinstance(answer, Mapping), f"expected a dict of {what}, got {type(answer).__name__}.")
    missing = [k for k in keys if k not in answer]
    extra = [k for k in answer if k not in keys]
    _expect(not missing and not extra, f"expected the keys {list(keys)}; missing {missing}, unexpected {extra}.")
    return answer


def _number(value: Any, what: str) -> float:
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(value)
    _expect(ok, f"{what} should be a finite number, got {value!r}.")
    return float(value)


def _positive_timings(answer: Any, keys: Sequence[Any], what: str) -> str:
    timings = _mapping(answer, keys, f"{what} → seconds")
    seconds = {k: _number(timings[k], f"the time for {k}") for k in keys}
    _expect(all(s > 0 for s in seconds.values()), f"every time must be positive, got {seconds}.")
    fastest = min(seconds, key=seconds.get)
    return f"{len(keys)} timings, all positive; fastest on this machine: {fastest} ({seconds[fastest]:.3f} s)"


def _label(value: Any) -> int:
    """0 or 1 from an int or a label name such as 'NEGATIVE' / 'positive'."""
    if isinstance(value, str) and value.upper() in ("NEGATIVE", "POSITIVE"):
        return int(value.upper() == "POSITIVE")
    _expect(
        value in (0, 1) and not isinstance(value, bool), f"{value!r} is not a label: use 0/1 or 'NEGATIVE'/'POSITIVE'."
    )
    return int(value)


def _probability_pair(value: Any, what: str) -> np.ndarray:
    pair = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float).reshape(-1)
    _expect(pair.shape == (2,), f"{what} should be two probabilities [P(negative), P(positive)], got {value!r}.")
    return pair


def _callable(answer: Any, signature: str) -> Callable:
    _expect(callable(answer), f"expected a function {signature}, got {type(answer).__name__}.")
    return answer


def _call(fn: Callable, *args: Any) -> Any:
    """Call the learner's function; an exception in it becomes a message."""
    try:
        return fn(*args)
    except Exception as error:  # any failure of the learner's code is reported, not raised
        raise _Wrong(f"calling your function raised {type(error).__name__}: {error}") from None


def _against_reference(
    answer: Any, signature: str, cases: Iterable[tuple], reference: Callable[..., Any]
) -> Iterator[tuple[tuple, Any, Any]]:
    """Yield ``(arguments, yours, expected)``: the learner's function and ``reference`` called on every case.

    ``answer`` must be the function itself; it gets a copy of each case's
    arguments (so changing them cannot change the expected value), and an
    exception in it becomes a message.
    """
    fn = _callable(answer, signature)
    for args in cases:
        expected = reference(*args)
        yield args, _call(fn, *copy.deepcopy(args)), expected


def _near(yours: Any, expected: float, what: str, where: str, *, abs_tol: float = 0.0, rel_tol: float = 0.0) -> None:
    """``yours`` is a finite number within the tolerance of ``expected``; the message says ``where`` it is not."""
    value = _number(yours, what)
    _expect(
        math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol),
        f"{where}, {what} is {expected:.6g}, yours {value:.6g}.",
    )


@lru_cache(maxsize=1)
def _course_model():
    """The course sentiment model and its tokenizer, loaded once per process."""
    return inference.load_classifier(assets.sentiment_model())


@lru_cache(maxsize=1)
def _base_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(assets.base_model())


@lru_cache(maxsize=1)
def _reviews():
    return data.load_reviews()


def _course_probabilities(texts: Sequence[str]) -> np.ndarray:
    model, tokenizer = _course_model()
    return evaluation.predict_probabilities(list(texts), model, tokenizer)


def _probabilities_of(batch: Mapping) -> np.ndarray:
    """Softmax of the course model's logits on an already tokenized ``batch``."""
    import torch

    model, _ = _course_model()
    with torch.inference_mode():
        return torch.softmax(model(**batch).logits, dim=-1).numpy()


# 00 · setup and tour


@_exercise("00.1", "the doctor's 'cpu' line reads 'N cores, torch uses T threads'; pass T as an int.")
def _threads(answer: Any) -> str:
    import torch

    expected = torch.get_num_threads()
    _expect(isinstance(answer, int) and not isinstance(answer, bool), f"expected an int, got {answer!r}.")
    _expect(answer == expected, f"PyTorch uses {expected} thread(s) in this process, not {answer}.")
    return f"PyTorch uses {expected} thread(s) here"


@_exercise("00.2", "call hfnotes.assets.sentiment_model(source='hub'): it returns a name, not a folder.")
def _hub_model(answer: Any) -> str:
    expected = assets.REGISTRY["sentiment_model"].hub_id
    _expect(answer == expected, f"{answer!r} is not the model the hub source names.")
    return f"the hub source would load {expected}"


@_exercise(
    "00.3", "wrap hfnotes.config.source('nonsense') in try/except hfnotes.errors.ConfigError and pass the error."
)
def _source_error(answer: Any) -> str:
    _expect(isinstance(answer, ConfigError), f"expected the ConfigError itself, got {type(answer).__name__}.")
    message = str(answer)
    _expect("nonsense" in message, "this error is not about the value 'nonsense'.")
    named = [name for name in config.SOURCES if name in message]
    _expect(len(named) == len(config.SOURCES), "the error should name every allowed source.")
    return f"the error names the allowed sources: {', '.join(named)}"


# 01 · pipeline


@_exercise(
    "01.1",
    "write tricky reviews (sarcasm, faint praise, praise in negative words), classify them, keep five it misses.",
)
def _five_mistakes(answer: Any) -> str:
    _expect(isinstance(answer, (list, tuple)) and len(answer) == 5, "expected a list of five (text, true_label) pairs.")
    pairs = []
    for item in answer:
        ok = isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str) and item[0].strip()
        _expect(bool(ok), f"{item!r} is not a (text, true_label) pair.")
        pairs.append((item[0], _label(item[1])))
    texts = [text for text, _ in pairs]
    _expect(len(set(texts)) == 5, "the five reviews must be different.")
    bundled = {text for split in _reviews().values() for text in split["text"]}
    copied = [text for text in texts if text in bundled]
    if copied:
        raise _Wrong(f"{copied[0][:60]!r}… is a review from the course data: write your own.")
    predicted = _course_probabilities(texts).argmax(axis=1)
    right = [text for (text, label), guess in zip(pairs, predicted, strict=True) if guess == label]
    if right:
        raise _Wrong(f"the course model gets {len(right)} of them right, e.g. {right[0][:60]!r}.")
    return "the course model misclassifies all five"


@_exercise("01.2", "a dict such as {4: seconds, 16: seconds, 64: seconds}, e.g. medians from hfnotes.bench.compare.")
def _pipeline_batch_sizes(answer: Any) -> str:
    return _positive_timings(answer, [4, 16, 64], "batch_size")


@_exercise(
    "01.3", "embed the query and the texts with hfnotes.search.embed, then search.most_similar(query, corpus, k)."
)
def _closest(answer: Any) -> str:
    import torch
    from transformers import AutoModel

    fn = _callable(answer, "closest(query, texts, k)")
    texts = [
        "The battery died after two hours.",
        "Lovely staff and a spotless room.",
        "The plot dragged and the ending made no sense.",
        "Our waiter forgot the order twice.",
        "Charges fast and lasts all weekend.",
        "A gripping story from the first page.",
        "The hotel bed was hard and the room smelt damp.",
        "Best pasta in town, and the prices are fair.",
    ]
    query = "the phone battery does not last"
    hits = _call(fn, query, texts, 3)
    _expect(isinstance(hits, (list, tuple)) and len(hits) == 3, f"expected a list of 3 indices, got {hits!r}.")
    _expect(
        all(isinstance(i, (int, np.integer)) and 0 <= i < len(texts) for i in hits),
        f"{hits!r} are not indices into texts.",
    )
    _expect(len(set(hits)) == 3, f"the indices must be different, got {hits!r}.")
    encoder, tokenizer = AutoModel.from_pretrained(assets.base_model()), _base_tokenizer()
    batch = tokenizer([query, *texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1)
    vectors = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    similarity = (vectors[1:] @ vectors[0]).numpy()
    best = np.sort(similarity)[::-1][:3]
    got = similarity[[int(i) for i in hits]]
    _expect(
        bool(np.all(got >= best - 1e-4)),
        f"the 3 closest texts are {np.argsort(-similarity)[:3].tolist()}, not {list(hits)}.",
    )
    return f"the closest of 8 test texts to {query!r}: {texts[int(hits[0])]!r}"


# 02 · behind the pipeline


_WORDS = ("unbelievably", "unbelieveably", "UNBELIEVABLY")


@_exercise("02.1", "tokenizer.tokenize(word) for each of the three words, in a dict word → list of tokens.")
def _word_pieces(answer: Any) -> str:
    pieces = _mapping(answer, _WORDS, "word → tokens")
    tokenizer = _base_tokenizer()
    for word in _WORDS:
        expected = tokenizer.tokenize(word)
        _expect(list(pieces[word]) == expected, f"{word!r} tokenizes to {expected}, not {list(pieces[word])}.")
    return " · ".join(f"{word}: {len(pieces[word])} tokens" for word in _WORDS)


_BATCH_TEXTS = ["Loved it!", "The staff were not unfriendly, just painfully slow.", "Meh."]


@_exercise(
    "02.2",
    "compare model(**batch).logits with the logits when attention_mask is torch.ones_like(batch['attention_mask']).",
)
def _mask_changes(answer: Any) -> str:
    import torch

    _expect(isinstance(answer, (list, tuple, set)), f"expected a list of text indices, got {type(answer).__name__}.")
    model, tokenizer = _course_model()
    batch = tokenizer(_BATCH_TEXTS, padding=True, return_tensors="pt")
    unmasked = {**batch, "attention_mask": torch.ones_like(batch["attention_mask"])}
    with torch.inference_mode():  # logits, not probabilities: a saturated softmax hides small changes
        changed = (model(**batch).logits - model(**unmasked).logits).abs().max(dim=1).values > 1e-3
    expected = sorted(int(i) for i in torch.nonzero(changed).flatten())
    _expect(
        sorted(int(i) for i in answer) == expected,
        f"the texts whose outputs change are {expected}, not {sorted(answer)}.",
    )
    return f"texts {expected} change: they are the ones with padding"


@_exercise("02.3", "return torch.nn.functional.softmax(logits / temperature, dim=-1).")
def _temperature(answer: Any) -> str:
    import torch

    fn = _callable(answer, "soften(logits, temperature)")
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(0)) * 3
    for temperature in (0.5, 1.0, 2.0):
        result = torch.as_tensor(_call(fn, logits.clone(), temperature), dtype=torch.float32)
        expected = torch.softmax(logits / temperature, dim=-1)
        _expect(
            result.shape == expected.shape,
            f"the result has shape {tuple(result.shape)}, expected {tuple(expected.shape)}.",
        )
        _expect(
            torch.allclose(result, expected, atol=1e-6), f"at temperature {temperature} the probabilities are wrong."
        )
    return "a higher temperature flattens the probabilities; the largest stays the largest"


# 03 · tokenizers and padding


@_exercise("03.1", "long technical or foreign words split most; try tokenizer.tokenize(word) until you have three.")
def _long_words(answer: Any) -> str:
    _expect(isinstance(answer, (list, tuple)) and len(answer) == 3, "expected a list of three words.")
    _expect(
        all(isinstance(w, str) and w.strip() and " " not in w.strip() for w in answer), "each item must be one word."
    )
    _expect(len({w.lower() for w in answer}) == 3, "the three words must be different.")
    tokenizer = _base_tokenizer()
    for word in answer:
        pieces = tokenizer.tokenize(word)
        _expect(len(pieces) >= 4, f"MiniLM splits {word!r} into only {len(pieces)} pieces: {pieces}.")
    return ", ".join(f"{w}: {len(tokenizer.tokenize(w))} pieces" for w in answer)


@_exercise(
    "03.2", "tokenize the windows as in section 3, pad them into one batch, softmax the course model's logits, average."
)
def _windows(answer: Any) -> str:
    keys = ["windows", "whole", "first"]
    given = {
        k: _probability_pair(v, f"answer[{k!r}]") for k, v in _mapping(answer, keys, "name → probabilities").items()
    }
    tokenizer = _base_tokenizer()
    long_review = max(_reviews()["train"]["text"], key=len)
    windows = tokenizer(long_review, max_length=64, truncation=True, stride=16, return_overflowing_tokens=True)
    rows = [{"input_ids": ids} for ids in windows["input_ids"]]
    per_window = _probabilities_of(tokenizer.pad(rows, return_tensors="pt"))
    expected = {
        "windows": per_window.mean(axis=0),
        "whole": _probabilities_of(tokenizer(long_review, return_tensors="pt"))[0],
        "first": per_window[0],
    }
    for key in keys:
        _expect(
            np.allclose(given[key], expected[key], atol=2e-3),
            f"answer[{key!r}] is {given[key].round(3)}, expected {expected[key].round(3)}.",
        )
    return " · ".join(f"{k}: P(positive) {expected[k][1]:.3f}" for k in keys)


@_exercise(
    "03.3", "lengths = token counts of the training reviews; padding_stats(lengths, batch_size=b)['padding_share']."
)
def _padding_waste(answer: Any) -> str:
    shares = _mapping(answer, [8, 128], "batch_size → padding share")
    lengths = [len(ids) for ids in _base_tokenizer()(list(_reviews()["train"]["text"]))["input_ids"]]
    for size in (8, 128):
        expected = collate.padding_stats(lengths, batch_size=size, strategy="longest", max_length=128)["padding_share"]
        given = _number(shares[size], f"the share for batch_size {size}")
        _expect(
            abs(given - expected) < 1e-3,
            f"with batch_size {size}, dynamic padding wastes {expected:.4f}, not {given:.4f}.",
        )
    return f"padding share {shares[8]:.2f} with batches of 8, {shares[128]:.2f} with batches of 128"


# 04 · datasets


@_exercise(
    "04.1", "a dict {1: seconds, 10: seconds, 100: seconds, 1000: seconds}, one map(..., batch_size=b) timing per size."
)
def _map_batch_sizes(answer: Any) -> str:
    return _positive_timings(answer, [1, 10, 100, 1000], "batch_size")


@_exercise("04.2", "with batched=True the function gets a dict of lists and returns a list of booleans, one per row.")
def _batched_filter(answer: Any) -> str:
    _expect(
        hasattr(answer, "column_names") and "id" in answer.column_names,
        "expected the filtered Dataset with its 'id' column.",
    )
    train = _reviews()["train"]
    expected = [row["id"] for row in train if len(row["text"].split()) >= 40]
    given = list(answer["id"])
    _expect(
        given == expected,
        f"your dataset keeps {len(given)} rows, the per-example filter {len(expected)} (or a different order).",
    )
    return f"{len(expected)} of {len(train)} reviews have at least 40 words"


# 04b · datasets at scale


@_exercise("04b.1", "list(row['idx'] for row in stream.shuffle(seed=SEED, buffer_size=size).take(10)) for each size.")
def _shuffle_buffer(answer: Any) -> str:
    firsts = _mapping(answer, [1_000, 10_000], "buffer_size → first ten idx")
    for size in (1_000, 10_000):
        idx = list(firsts[size])
        _expect(
            len(idx) == 10 and all(isinstance(i, (int, np.integer)) for i in idx),
            f"expected ten idx values for {size}.",
        )
        _expect(len(set(idx)) == 10, f"the idx values for {size} repeat: {idx}.")
        reachable = all(i < size + position for position, i in enumerate(idx))
        _expect(
            reachable,
            f"{idx} cannot come from a buffer of {size}: the k-th row drawn is among the first {size} + k rows.",
        )
        _expect(idx != sorted(idx), f"{idx} is in file order: did you shuffle?")
    return f"with a buffer of 1,000 the first rows come from the first {max(firsts[1_000]) + 1:,} of the file"


@_exercise(
    "04b.2",
    "pa.total_allocated_bytes() before and after load_from_disk(path) and load_from_disk(path, keep_in_memory=True).",
)
def _memory_mapping(answer: Any) -> str:
    given = _mapping(answer, ["memory_mapped", "in_memory", "table"], "what you measured")
    table, mapped, in_memory = (_number(given[k], k) for k in ("table", "memory_mapped", "in_memory"))
    smallest = _reviews()["train"].data.nbytes
    _expect(table >= smallest, f"a table of {table:,.0f} bytes is smaller than the training split ({smallest:,}).")
    _expect(
        mapped < 0.1 * table,
        f"loading memory-mapped allocated {mapped:,.0f} bytes for a table of {table:,.0f}: was it memory-mapped?",
    )
    _expect(
        in_memory >= 0.9 * table,
        f"keep_in_memory=True allocated {in_memory:,.0f} bytes, less than the table's {table:,.0f}.",
    )
    return f"memory-mapped: {mapped:,.0f} bytes allocated; in memory: {in_memory / table:.2f}× the table"


# 05 · fine-tuning with Trainer


@_exercise(
    "05.1",
    "after the full run, result.global_step; it is epochs × batches per epoch (len(trainer.get_train_dataloader())).",
)
def _full_steps(answer: Any) -> str:
    recipe = Recipe()
    expected = math.ceil(len(_reviews()["train"]) / recipe.batch_size) * int(recipe.epochs)
    _expect(answer == expected, f"the full recipe takes {expected} optimisation steps, not {answer!r}.")
    return f"{expected} steps: {int(recipe.epochs)} epochs of {expected // int(recipe.epochs)} batches"


@_exercise("05.2", "set LEARNING_RATE = 3e-4, re-run from the top, then pass trainer.state.log_history.")
def _learning_rate(answer: Any) -> str:
    _expect(
        isinstance(answer, list) and all(isinstance(h, Mapping) for h in answer),
        "expected trainer.state.log_history (a list of dicts).",
    )
    losses = [h["loss"] for h in answer if "loss" in h]
    peak = max((h["learning_rate"] for h in answer if "learning_rate" in h), default=0.0)
    _expect(
        len(losses) >= 2,
        f"the log holds {len(losses)} training losses; log more often (logging_steps) or train longer.",
    )
    _expect(all(math.isfinite(x) for x in losses), "a logged loss is not finite: the run diverged.")
    _expect(1.5e-4 < peak <= 3e-4 * 1.001, f"the largest logged learning rate is {peak:.1e}, not about 3e-4.")
    return (
        f"{len(losses)} losses logged at a peak learning rate of {peak:.1e}: from {losses[0]:.3f} to {losses[-1]:.3f}"
    )


@_exercise(
    "05.3",
    "tokenizer.truncation_side = side; tokenizer(texts, truncation=True, max_length=64, padding=True, return_tensors='pt').",
)
def _truncation_sides(answer: Any) -> str:
    _expect(
        isinstance(answer, Mapping) and len(answer) > 0, "expected a dict review id → {'left': label, 'right': label}."
    )
    validation = _reviews()["validation"]
    by_id = dict(zip(validation["id"], validation["text"], strict=True))
    unknown = [i for i in answer if i not in by_id]
    _expect(not unknown, f"{unknown[:3]} are not ids of validation reviews.")
    ids = list(answer)
    _, tokenizer = _course_model()
    expected, saved = {}, tokenizer.truncation_side
    for side in ("left", "right"):
        tokenizer.truncation_side = side
        try:
            batch = tokenizer(
                [by_id[i] for i in ids], truncation=True, max_length=64, padding=True, return_tensors="pt"
            )
        finally:
            tokenizer.truncation_side = saved
        expected[side] = _probabilities_of(batch).argmax(axis=1)
    labels = dict(zip(validation["id"], validation["label"], strict=True))
    for row, review in enumerate(ids):
        given = answer[review]
        _expect(
            isinstance(given, Mapping) and set(given) == {"left", "right"},
            f"answer[{review!r}] should be {{'left': …, 'right': …}}.",
        )
        for side in ("left", "right"):
            _expect(
                _label(given[side]) == expected[side][row],
                f"review {review!r} truncated on the {side} is predicted {int(expected[side][row])}.",
            )
    changed = int((expected["left"] != expected["right"]).sum())
    right = {side: int(sum(expected[side][r] == labels[i] for r, i in enumerate(ids))) for side in ("left", "right")}
    return f"{changed} of {len(ids)} predictions change; correct: {right['left']} keeping the end, {right['right']} keeping the start"


@_exercise(
    "05.4",
    "add matthews_correlation = evaluate.load(metrics.path('matthews_correlation')) and merge its compute() into the dict.",
)
def _compute_metrics(answer: Any) -> str:
    from sklearn.metrics import f1_score, matthews_corrcoef

    fn = _callable(answer, "compute_metrics(eval_pred)")
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 100)
    logits = rng.normal(size=(200, 2)) + np.eye(2)[labels] * 1.5
    result = _call(fn, (logits, labels))
    _expect(isinstance(result, Mapping), f"compute_metrics should return a dict, got {type(result).__name__}.")
    for name in ("accuracy", "f1", "matthews_correlation"):
        _expect(name in result, f"the result has no {name!r}: it has {sorted(result)}.")
    predictions = logits.argmax(axis=1)
    expected = {
        "accuracy": float((predictions == labels).mean()),
        "f1": f1_score(labels, predictions),
        "matthews_correlation": matthews_corrcoef(labels, predictions),
    }
    for name, value in expected.items():
        _expect(abs(_number(result[name], name) - value) < 1e-9, f"{name} is {result[name]:.4f}, expected {value:.4f}.")
    return f"on balanced toy data: MCC {expected['matthews_correlation']:.3f}, 2 × accuracy − 1 = {2 * expected['accuracy'] - 1:.3f}"


# 06 · training loop and Accelerate


@_exercise("06.1", "turn dropout off (it draws different masks) and feed the same rows in the same order to both runs.")
def _accumulation(answer: Any) -> str:
    import torch

    runs = _mapping(answer, ["accumulated", "batch_64"], "run → trained model")
    _expect(all(isinstance(m, torch.nn.Module) for m in runs.values()), "both values must be the trained models.")
    _expect(runs["accumulated"] is not runs["batch_64"], "the two runs must train two different models.")
    a, b = dict(runs["accumulated"].named_parameters()), dict(runs["batch_64"].named_parameters())
    _expect(a.keys() == b.keys(), "the two models have different parameters: train the same architecture twice.")
    gap = max((a[name] - b[name]).abs().max().item() for name in a)
    _expect(gap < 1e-5, f"the weights differ by up to {gap:.1e}: the runs did not see the same gradients.")
    return f"the weights agree to {gap:.1e}: two accumulated batches of 32 make one step of 64"


def _main_process_batches(rows: int, batch_size: int, processes: int) -> list[list[int]]:
    """The batches process 0 gets when ``accelerator.prepare`` shards a sequential loader."""
    from accelerate.data_loader import BatchSamplerShard
    from torch.utils.data import BatchSampler, SequentialSampler

    batches = BatchSampler(SequentialSampler(range(rows)), batch_size, drop_last=False)
    return list(BatchSamplerShard(batches, num_processes=processes, process_index=0, even_batches=True))


@_exercise("06.2", "prepare gives each process every n-th batch of 64 and tops the last ones up with repeated reviews.")
def _eval_shards(answer: Any) -> str:
    counts = _mapping(answer, [2, 3, 4], "number of processes → reviews the main process scores")
    rows = len(_reviews()["validation"])
    for processes in (2, 3, 4):
        expected = sum(len(batch) for batch in _main_process_batches(rows, 64, processes))
        _expect(
            counts[processes] == expected,
            f"with {processes} processes the main process scores {expected} reviews, not {counts[processes]!r}.",
        )
    return f"{counts[2]}, {counts[3]} and {counts[4]} reviews on the main process; gather_for_metrics drops the repeats"


@_exercise("06.3", "each process takes batches of 32 of its own; count the batches of one shard.")
def _train_steps(answer: Any) -> str:
    steps = _mapping(answer, [1, 2], "number of processes → steps in one epoch")
    rows = len(_reviews()["train"])
    for processes in (1, 2):
        expected = len(_main_process_batches(rows, 32, processes))
        _expect(
            steps[processes] == expected,
            f"with {processes} process(es) one epoch is {expected} steps, not {steps[processes]!r}.",
        )
    return f"{steps[1]} steps on one process, {steps[2]} on two (each step sees 64 reviews)"


# 07 · evaluation metrics


def _toy_predictions(seed: int, rows: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    references = rng.integers(0, 2, size=rows)
    flip = rng.random(rows) < 0.15 + 0.1 * references
    return np.where(flip, 1 - references, references), references


@_exercise(
    "07.1", "specificity = TN / (TN + FP): count the negatives predicted negative, divide by all true negatives."
)
def _specificity(answer: Any) -> str:
    recall = metrics.load("recall", keep_in_memory=True)
    for _, yours, expected in _against_reference(
        answer,
        "specificity(predictions, references)",
        [_toy_predictions(seed) for seed in range(3)],
        lambda predictions, references: recall.compute(predictions=predictions, references=references, pos_label=0)[
            "recall"
        ],
    ):
        _near(yours, expected, "specificity", "on a toy example", abs_tol=1e-12)
    return "equal to the recall of the negative class on three toy examples"


@_exercise(
    "07.2",
    "evaluation.threshold_table(probabilities, references, thresholds) gives F1 per threshold; return the best one.",
)
def _best_threshold(answer: Any) -> str:
    from sklearn.metrics import f1_score

    fn = _callable(answer, "choose_threshold(positive_probabilities, references, thresholds)")
    rng = np.random.default_rng(1)
    references = (rng.random(400) < 0.1).astype(int)
    probabilities = np.clip(rng.normal(0.35 + 0.4 * references, 0.2), 0, 1)
    thresholds = np.round(np.arange(0.05, 0.951, 0.05), 2)
    chosen = _number(_call(fn, probabilities, references, thresholds), "the threshold")
    _expect(bool(np.isclose(thresholds, chosen).any()), f"{chosen} is not one of the thresholds passed in.")
    f1 = {float(t): f1_score(references, (probabilities >= t).astype(int), zero_division=0) for t in thresholds}
    best = max(f1.values())
    _expect(
        f1[float(thresholds[np.isclose(thresholds, chosen)][0])] >= best - 1e-12,
        f"F1 at {chosen} is below the best, {best:.4f}.",
    )
    return f"picked {chosen:.2f} on a toy imbalanced split (F1 {best:.3f})"


def _minority_subset(references: np.ndarray, seed: int, share: float) -> np.ndarray:
    """Section 6 of notebook 07: every negative, a seeded random ``share`` of the positives."""
    rng = np.random.default_rng(seed)
    negatives, positives = np.flatnonzero(references == 0), np.flatnonzero(references == 1)
    kept = rng.choice(positives, size=round(share * len(positives)), replace=False)
    return np.sort(np.concatenate([negatives, kept]))


@_exercise(
    "07.3",
    "copy section 6's subset (rng = np.random.default_rng(seed) …), then score pred[subset] against ref[subset].",
)
def _seed_spread(answer: Any) -> str:
    from sklearn.metrics import f1_score, matthews_corrcoef

    references = np.array(_reviews()["test"]["label"])
    predictions = np.where(np.random.default_rng(7).random(len(references)) < 0.9, references, 1 - references)

    def scores(predictions: np.ndarray, references: np.ndarray, seed: int) -> dict[str, float]:
        subset = _minority_subset(references, seed, 0.10)
        return {
            "f1": f1_score(references[subset], predictions[subset]),
            "mcc": matthews_corrcoef(references[subset], predictions[subset]),
        }

    spread = []
    for (*_, seed), result, expected in _against_reference(
        answer,
        "imbalanced_scores(predictions, references, seed)",
        [(predictions, references, seed) for seed in range(4)],
        scores,
    ):
        _expect(isinstance(result, Mapping) and {"f1", "mcc"} <= set(result), "return a dict with 'f1' and 'mcc'.")
        for name, value in expected.items():
            _near(result[name], value, name, f"with seed {seed}", abs_tol=1e-9)
        spread.append(expected["f1"])
    return f"on toy predictions F1 moves between {min(spread):.3f} and {max(spread):.3f} over 4 draws"


# 08 · PEFT / LoRA


@_exercise(
    "08.1",
    "build the model, get_peft_model(model, lora_config(r=rank, alpha=2 * rank)), then trainable_parameters(...).",
)
def _lora_ranks(answer: Any) -> str:
    from transformers import AutoConfig

    counts = _mapping(answer, [2, 32], "rank → trainable parameters")
    base = AutoConfig.from_pretrained(assets.base_model())
    hidden, layers = base.hidden_size, base.num_hidden_layers
    head = hidden * 2 + 2  # the new classifier is trained in full
    for rank in (2, 32):
        expected = layers * 2 * rank * (hidden + hidden) + head  # A (r × in) and B (out × r) for query and value
        _expect(counts[rank] == expected, f"with r={rank}, LoRA trains {expected:,} parameters, not {counts[rank]!r}.")
    return f"{counts[2]:,} trainable parameters at r=2, {counts[32]:,} at r=32"


def _strip_peft_prefix(name: str) -> str:
    return name.removeprefix("base_model.model.")


@_exercise(
    "08.2", "[name for name, module in model.named_modules() if hasattr(module, 'lora_A') and name.endswith('dense')]."
)
def _dense_modules(answer: Any) -> str:
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    _expect(
        isinstance(answer, (list, tuple, set)) and all(isinstance(n, str) for n in answer),
        "expected a list of module names.",
    )
    with torch.device("meta"):
        model = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(assets.base_model()))
    expected = {
        n for n, m in model.named_modules() if n.rsplit(".", 1)[-1] == "dense" and isinstance(m, torch.nn.Linear)
    }
    given = {_strip_peft_prefix(n) for n in answer}
    _expect(
        given == expected,
        f"{len(expected)} modules are named 'dense'; missing {sorted(expected - given)[:2]}, extra {sorted(given - expected)[:2]}.",
    )
    kinds = sorted({".".join(n.split(".")[-2:]) for n in expected})
    return f"'dense' matches {len(expected)} layers: {', '.join(kinds)}"


@_exercise(
    "08.3",
    "fine_tune(Recipe(epochs=3, learning_rate=LEARNING_RATE, seed=SEED), adapter=lora_config(...)) and pass its result.",
)
def _lora_three_epochs(answer: Any) -> str:
    import json
    from pathlib import Path

    _expect(
        hasattr(answer, "log_history") and hasattr(answer, "metrics"),
        "expected what fine_tune returns (a TrainResult).",
    )
    epochs = sorted({round(h["epoch"]) for h in answer.log_history if "eval_accuracy" in h})
    _expect(epochs == [1, 2, 3], f"validation accuracy was logged after epochs {epochs}, not after 1, 2 and 3.")
    lora = [n for n, _ in answer.model.named_parameters() if "lora_" in n]
    _expect(bool(lora), "the model has no LoRA weights: pass adapter=lora_config(...).")
    card = json.loads((Path(assets.sentiment_model()) / "hfnotes.json").read_text())
    mine = answer.metrics["validation_accuracy"]
    return (
        f"LoRA after 3 epochs: {mine:.4f} on validation; full fine-tuning: {card['metrics']['validation_accuracy']:.4f}"
    )


@_exercise(
    "08.5",
    "model = PeftModel.from_pretrained(base, first, adapter_name='a'); model.load_adapter(second, adapter_name='b').",
)
def _two_adapters(answer: Any) -> str:
    import torch

    names = list(getattr(answer, "peft_config", {}))
    _expect(
        len(names) >= 2 and hasattr(answer, "set_adapter"), f"expected a PeftModel with two adapters, found {names}."
    )
    batch = _base_tokenizer()(_BATCH_TEXTS, padding=True, return_tensors="pt")
    active = answer.active_adapter
    logits = {}
    try:
        answer.eval()
        for name in names[:2]:
            answer.set_adapter(name)
            with torch.inference_mode():
                logits[name] = answer(**batch).logits
    finally:
        answer.set_adapter(active)
    gap = (logits[names[0]] - logits[names[1]]).abs().max().item()
    _expect(gap > 1e-6, "both adapters give the same logits: were they trained with different seeds?")
    return f"switching from {names[0]!r} to {names[1]!r} moves the logits by up to {gap:.3f}"


@_exercise(
    "08.4",
    "train_throughput(train_set, tokenizer, steps=TIMING_STEPS, bf16=...) with and without adapter=lora_config().",
)
def _bf16_speed(answer: Any) -> str:
    speeds = _mapping(answer, ["fp32", "bf16"], "precision → {'full': samples/s, 'LoRA': samples/s}")
    for precision in ("fp32", "bf16"):
        _positive_timings(speeds[precision], ["full", "LoRA"], f"{precision}: variant")
    gain = {v: speeds["bf16"][v] / speeds["fp32"][v] for v in ("full", "LoRA")}
    return f"bf16 ÷ fp32 on this machine: full {gain['full']:.2f}×, LoRA {gain['LoRA']:.2f}×"


# 09 · model families


_SIZES = {"hidden_size": 64, "num_layers": 2, "num_heads": 4}


@_exercise(
    "09.1",
    "parameter_counts(model)['embeddings'] / ['total']; then raise hidden_size in steps of NUM_HEADS until blocks > embeddings.",
)
def _embedding_share(answer: Any) -> str:
    given = _mapping(answer, ["embeddings_share", "hidden_size"], "the two answers")
    share = _number(given["embeddings_share"], "embeddings_share")
    _expect(share <= 1, f"{share} looks like a percentage: give a fraction between 0 and 1.")
    body = families.tiny_model("encoder", head=False, vocab_size=8000, **_SIZES)
    embeddings = sum(p.numel() for n, p in body.named_parameters() if n.startswith("embeddings."))
    expected = embeddings / sum(p.numel() for p in body.parameters())
    _expect(
        abs(share - expected) < 1e-3,
        f"with 8,000 tokens the embeddings are {expected:.3f} of the tiny BERT body, not {share:.3f}.",
    )

    def blocks_outweigh(hidden: int) -> bool:  # BERT: 12h² + 13h per block; token, 128 positions, 2 segments + norm
        return 2 * (12 * hidden**2 + 13 * hidden) > (families.MINILM_VOCAB_SIZE + 128 + 2) * hidden + 2 * hidden

    heads = _SIZES["num_heads"]
    crossing = next(h for h in range(heads, 10 * families.MINILM_VOCAB_SIZE, heads) if blocks_outweigh(h))
    _expect(
        given["hidden_size"] == crossing,
        f"the smallest such hidden size (a multiple of {heads}) is {crossing}, not {given['hidden_size']!r}.",
    )
    return (
        f"embeddings {expected:.1%} of the body at 8,000 tokens; two blocks outweigh them from hidden size {crossing}"
    )


def _tiny_gpt2_batch():
    model = families.tiny_model("decoder", seed=0, **_SIZES)
    batch = _base_tokenizer()(
        ["the hotel was really great", "too noisy"], padding=True, return_tensors="pt", return_token_type_ids=False
    )
    return model, batch


@_exercise(
    "09.2",
    "loop over range(NUM_LAYERS) and range(NUM_HEADS) with layer=, head=; count distinct patterns with {p.tobytes() for p in …}.",
)
def _attention_everywhere(answer: Any) -> str:
    import torch

    given = _mapping(answer, ["distinct_patterns", "without_mask"], "the two answers")
    model, batch = _tiny_gpt2_batch()
    with torch.inference_mode():
        attentions = model(**batch, output_attentions=True, use_cache=False).attentions
    patterns = {(layer[1, head] > 0).int().numpy().tobytes() for layer in attentions for head in range(layer.shape[1])}
    _expect(
        given["distinct_patterns"] == len(patterns),
        f"'too noisy' has {len(patterns)} distinct pattern(s), not {given['distinct_patterns']!r}.",
    )
    length = batch["input_ids"].shape[1]
    expected = np.tril(np.ones((length, length), dtype=int))
    unmasked = np.asarray(given["without_mask"])
    _expect(
        unmasked.shape == expected.shape and (unmasked == expected).all(),
        "without a mask, every position reads all earlier positions, padding included.",
    )
    return f"{len(patterns)} pattern in every layer and head; without the mask the padding is read too"


@_exercise(
    "09.3",
    "rebuild the model as in section 1 and call torch.manual_seed(SEED) right before each generate(…, do_sample=True).",
)
def _temperatures(answer: Any) -> str:
    import torch

    texts = _mapping(answer, [0.1, 5.0], "temperature → continuation text")
    model, _ = _tiny_gpt2_batch()
    tokenizer = _base_tokenizer()
    prompt = torch.tensor(
        [[model.config.bos_token_id, *tokenizer("the hotel was", add_special_tokens=False)["input_ids"]]]
    )
    options = {"attention_mask": torch.ones_like(prompt), "max_new_tokens": 12}
    greedy = model.generate(prompt, do_sample=False, **options)[0, prompt.shape[1] :]
    same = {}
    for temperature in (0.1, 5.0):
        torch.manual_seed(0)
        sample = model.generate(prompt, do_sample=True, temperature=temperature, top_k=50, **options)[
            0, prompt.shape[1] :
        ]
        expected = tokenizer.decode(sample)
        _expect(
            texts[temperature] == expected,
            f"at temperature {temperature} the seeded sample is {expected!r}, not {texts[temperature]!r}.",
        )
        same[temperature] = int((sample == greedy).sum())
    return f"tokens equal to greedy decoding's: {same[0.1]} of 12 at 0.1, {same[5.0]} of 12 at 5.0"


# 10 · a tokenizer and a small GPT from scratch


@_exercise("10.1", "concatenate the rows into one list, keep len // block_size * block_size tokens, then slice.")
def _pack_blocks(answer: Any) -> str:
    rng = np.random.default_rng(0)
    cases = [([[1, 2, 3], [4, 5]], 2), ([[7]], 3), ([[1, 2], [3, 4]], 4)]
    cases += [
        ([list(rng.integers(0, 100, int(n))) for n in rng.integers(0, 12, 6)], int(rng.integers(1, 9)))
        for _ in range(20)
    ]
    cases = [([[int(t) for t in row] for row in rows], block_size) for rows, block_size in cases]
    for (rows, block_size), got, expected in _against_reference(
        answer,
        "pack_blocks(rows, block_size)",
        cases,
        lambda rows, block_size: textgen.group_texts({"input_ids": rows}, block_size)["input_ids"],
    ):
        got = [list(map(int, block)) for block in got] if isinstance(got, (list, tuple)) else got
        _expect(got == expected, f"pack_blocks({rows}, {block_size}) returned {got!r}; expected {expected!r}.")
    return f"{len(cases)} cases agree with textgen.group_texts"


@lru_cache(maxsize=1)
def _reviews_texts() -> tuple[list[str], list[str]]:
    reviews = data.load_reviews()
    return list(reviews["train"]["text"]), list(reviews["validation"]["text"])


@_exercise(
    "10.2",
    "train with textgen.byte_level_bpe(train_texts, vocab_size=size) and average len(tokenizer(text).input_ids).",
)
def _vocab_lengths(answer: Any) -> str:
    _expect(isinstance(answer, Mapping) and len(answer) >= 3, "give a dict with at least three vocabulary sizes.")
    sizes = sorted(answer)
    _expect(
        all(isinstance(k, int) and 300 <= k <= 8000 for k in sizes), f"sizes must be ints in 300..8000, got {sizes}."
    )
    train, validation = _reviews_texts()
    for size in sizes:
        tokenizer = textgen.byte_level_bpe(train, vocab_size=size)
        expected = float(np.mean([len(tokenizer(t)["input_ids"]) for t in validation]))
        _expect(
            math.isclose(float(answer[size]), expected, rel_tol=1e-6),
            f"at vocabulary {size} the validation reviews average {expected:.2f} tokens, not {answer[size]!r}.",
        )
    values = [float(answer[k]) for k in sizes]
    _expect(values == sorted(values, reverse=True), "longer vocabularies should give shorter sequences.")
    return f"from {values[0]:.1f} tokens per review at {sizes[0]} to {values[-1]:.1f} at {sizes[-1]}"


@_exercise("10.3", "count each id in train_ids, add 1 to every count, divide by the total; exp of the mean -log p.")
def _unigram(answer: Any) -> str:
    rng = np.random.default_rng(1)
    cases = []
    for _ in range(10):
        vocab = int(rng.integers(2, 30))
        train = [int(t) for t in rng.integers(0, vocab, int(rng.integers(0, 50)))]
        cases.append((train, [int(t) for t in rng.integers(0, vocab, int(rng.integers(1, 30)))], vocab))
    for args, got, expected in _against_reference(
        answer, "perplexity(train_ids, eval_ids, vocab_size)", cases, textgen.unigram_perplexity
    ):
        _near(got, expected, "the perplexity", f"for perplexity{args}", rel_tol=1e-6)
    return "10 random cases agree with textgen.unigram_perplexity"


@_exercise("11.1", "walk backwards: running = reward + gamma * running * (1 - done); store running at each step.")
def _discounted(answer: Any) -> str:
    import torch

    def reference(rewards: list[float], dones: list[bool], gamma: float) -> np.ndarray:
        # GAE with lam = 1, a critic that says 0 and nothing after the rollout gives the discounted returns
        column = torch.tensor(rewards)[:, None]
        done = torch.tensor(dones, dtype=torch.float32)[:, None]
        advantages, _ = rl.gae(column, torch.zeros_like(column), done, torch.zeros(1), gamma, 1.0)
        return advantages.squeeze(1).numpy()

    rng = np.random.default_rng(2)
    cases = []
    for _ in range(10):
        steps = int(rng.integers(1, 12))
        dones = [bool(d) for d in rng.random(steps) < 0.25]
        cases.append(([float(r) for r in rng.uniform(-1, 2, steps)], dones, float(rng.uniform(0.5, 1.0))))
    for (rewards, dones, gamma), yours, expected in _against_reference(
        answer, "discounted_returns(rewards, dones, gamma)", cases, reference
    ):
        _expect(
            isinstance(yours, Sequence | np.ndarray) and len(yours) == len(rewards),
            f"discounted_returns should give one return per step ({len(rewards)}), got {yours!r}.",
        )
        _expect(
            np.allclose(np.asarray(yours, dtype=float), expected, atol=1e-5),
            f"for rewards={rewards}, dones={dones}, gamma={gamma:.3f}: got {list(yours)}, "
            f"expected {[round(float(x), 4) for x in expected]}.",
        )
    return "10 random rollouts agree with rl.gae(lam=1) on zero values"


@_exercise("11.2", "ratio = exp(new - old); take min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A), average, negate.")
def _surrogate(answer: Any) -> str:
    import torch

    rng = np.random.default_rng(3)
    cases = [
        (*(torch.tensor(rng.normal(0, s, 40), dtype=torch.float32) for s in (0.3, 0.3, 1.0)), clip)
        for clip in (0.1, 0.2, 0.3)
    ]
    for args, yours, expected in _against_reference(
        answer, "ppo_loss(new_log_prob, old_log_prob, advantage, clip)", cases, rl.clipped_surrogate
    ):
        yours = yours.item() if hasattr(yours, "item") else yours
        _near(yours, expected.item(), "the clipped surrogate loss", f"with clip={args[3]}", rel_tol=1e-4, abs_tol=1e-6)
    return "three clip ranges agree with rl.clipped_surrogate"


@_exercise(
    "11.3", "return [1.0 if c.rstrip().endswith(('.', '!', '?')) else 0.0 for c in completions]; accept **kwargs."
)
def _sentence_reward(answer: Any) -> str:
    fn = _callable(answer, "ends_a_sentence(prompts, completions, **kwargs)")
    prompts = ["The soup", "My phone", "This hotel", "The game"]
    completions = [" was cold.", " broke", " is great!", " is it worth it?  "]
    try:
        got = fn(prompts=prompts, completions=completions, completion_ids=[[1], [2], [3], [4]], domain=["a"] * 4)
    except TypeError as error:
        raise _Wrong(f"TRL calls a reward with keyword arguments and extra columns; yours raised {error}.") from None
    _expect(isinstance(got, list), f"a TRL reward returns a list of floats, got {type(got).__name__}.")
    _expect(got == [1.0, 0.0, 1.0, 1.0], f"expected [1.0, 0.0, 1.0, 1.0] for {completions}, got {got}.")
    return "one float per completion, keyword arguments accepted"


KEYS: tuple[str, ...] = tuple(sorted(_CHECKS))
"""Every exercise key, ``"00.1"`` … ``"11.3"``."""
