"""The bundled evaluate metrics: same numbers as scikit-learn, clear errors, no network.

``from hfnotes import metrics`` imports hfnotes first, which switches the
Hugging Face libraries offline before evaluate is imported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from hfnotes import metrics
from hfnotes.errors import InputError

# With a single class in the data, scikit-learn's confusion_matrix warns; the tests use such data on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")

SEEDS = range(20)
AVERAGES = ("binary", "macro", "weighted", "micro")
SCALAR_NAMES = tuple(name for name in metrics.NAMES if name != "confusion_matrix")


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory) -> dict:
    """Every metric, loaded once, storing added examples in a private cache folder (evaluate's default mode)."""
    cache = str(tmp_path_factory.mktemp("evaluate-cache"))
    return {name: metrics.load(name, cache_dir=cache) for name in metrics.NAMES}


@pytest.fixture(scope="module")
def in_memory() -> dict:
    """Every metric, loaded once, keeping added examples in memory.

    Error tests use these: when ``compute`` raises, evaluate 0.4.6 leaves its
    cache file locked, and the next ``compute`` on that object waits a second.
    """
    return {name: metrics.load(name, keep_in_memory=True) for name in metrics.NAMES}


def random_case(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Predictions, references and class count: binary for even seeds, 3 classes for odd ones."""
    rng = np.random.default_rng(seed)
    n_classes = 2 if seed % 2 == 0 else 3
    size = (1, 2, 200)[seed] if seed < 3 else int(rng.integers(1, 201))
    references = rng.integers(0, n_classes, size)
    predictions = rng.integers(0, n_classes, size)
    agree = rng.random(size) < 0.6  # like a real model: right more often than chance
    predictions[agree] = references[agree]
    return predictions, references, n_classes


def cases(n_classes: int) -> list[tuple[str, dict]]:
    """(metric name, compute keyword arguments) pairs to check for a problem with ``n_classes`` classes."""
    labels = list(range(n_classes))
    averages = AVERAGES if n_classes == 2 else AVERAGES[1:]
    found = [
        ("accuracy", {}),
        ("accuracy", {"labels": labels}),
        ("matthews_correlation", {}),
        ("matthews_correlation", {"labels": labels}),
        ("confusion_matrix", {}),
        ("confusion_matrix", {"labels": labels}),
        ("confusion_matrix", {"labels": labels[::-1]}),
    ]
    for name in ("precision", "recall", "f1"):
        found += [(name, {"average": average}) for average in averages]
        found += [(name, {"average": "macro", "labels": labels})]
        if n_classes == 2:
            found += [(name, {}), (name, {"average": "binary", "pos_label": 0})]
    return found


def sklearn_result(name: str, predictions, references, kwargs: dict) -> dict:
    """What the metric should return, computed by scikit-learn directly."""
    if name == "accuracy":
        return {name: skm.accuracy_score(references, predictions)}
    if name == "matthews_correlation":
        return {name: skm.matthews_corrcoef(references, predictions)}
    if name == "confusion_matrix":
        return {name: skm.confusion_matrix(references, predictions, labels=kwargs.get("labels")).tolist()}
    score = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
    return {name: score(references, predictions, zero_division=0.0, **kwargs)}


def assert_same(result: dict, expected: dict) -> None:
    """Same keys and values, and every number a plain Python int or float (never numpy)."""
    assert result.keys() == expected.keys()
    for key, value in result.items():
        if isinstance(value, list):
            assert value == expected[key]
            assert all(type(cell) is int for row in value for cell in row)
        else:
            assert type(value) is float
            assert value == pytest.approx(expected[key], abs=1e-12)


# --- same numbers as scikit-learn ---------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_compute_matches_sklearn(on_disk, seed):
    predictions, references, n_classes = random_case(seed)
    for name, kwargs in cases(n_classes):
        result = on_disk[name].compute(predictions=predictions, references=references, **kwargs)
        assert_same(result, sklearn_result(name, predictions, references, kwargs))


@pytest.mark.parametrize("seed", SEEDS)
def test_add_batch_then_compute_matches_sklearn(on_disk, seed):
    predictions, references, _ = random_case(seed)
    rng = np.random.default_rng(1000 + seed)
    cuts = np.sort(rng.integers(0, len(references) + 1, size=3))  # 4 batches, some may be empty
    averages = {"precision": "micro", "recall": "weighted", "f1": "macro"}
    for name in metrics.NAMES:
        kwargs = {"average": averages[name]} if name in averages else {}
        for pred_batch, ref_batch in zip(np.split(predictions, cuts), np.split(references, cuts), strict=True):
            on_disk[name].add_batch(predictions=pred_batch.tolist(), references=ref_batch)
        result = on_disk[name].compute(**kwargs)
        assert_same(result, sklearn_result(name, predictions, references, kwargs))


def test_confusion_matrix_keeps_its_shape_with_labels(in_memory):
    result = in_memory["confusion_matrix"].compute(predictions=[1, 1], references=[1, 0], labels=[0, 1, 2])
    assert result == {"confusion_matrix": [[0, 1, 0], [0, 1, 0], [0, 0, 0]]}


def test_each_metric_is_found_under_its_own_name(on_disk):
    for name, module in on_disk.items():
        assert module.name == name
        assert "references" in module.inputs_description


# --- compute_metrics and combine ----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_compute_metrics_on_fake_logits(seed):
    rng = np.random.default_rng(seed)
    n_classes = 2 if seed % 2 == 0 else 3
    logits = rng.normal(size=(int(rng.integers(1, 60)), n_classes)).astype(np.float32)
    labels = rng.integers(0, n_classes, len(logits))
    average = "binary" if n_classes == 2 else "macro"
    fn = metrics.compute_metrics(SCALAR_NAMES, average=average, labels=list(range(n_classes)))

    result = fn((logits, labels))

    predictions = logits.argmax(axis=-1)
    expected = {}
    for name in SCALAR_NAMES:
        kwargs = {"average": average, "labels": list(range(n_classes))} if name in ("precision", "recall", "f1") else {}
        expected.update(sklearn_result(name, predictions, labels, kwargs))
    assert_same(result, expected)


def test_compute_metrics_accepts_eval_prediction_and_tuple_outputs():
    from transformers.trainer_utils import EvalPrediction

    logits = np.array([[2.0, -1.0], [0.1, 0.3], [1.5, 0.2], [-1.0, 1.0]])
    labels = np.array([0, 1, 1, 1])
    fn = metrics.compute_metrics()  # accuracy and binary f1
    expected = {"accuracy": 0.75, "f1": pytest.approx(0.8)}
    assert fn((logits, labels)) == expected
    assert fn(EvalPrediction(predictions=logits, label_ids=labels)) == expected
    assert fn(((logits, np.zeros((4, 7))), labels)) == expected  # (logits, hidden states) from the model


def test_compute_metrics_rejects_unknown_arguments_and_tables():
    with pytest.raises(InputError, match=r"accuracy, f1 accepts avrage\. Check the spelling"):
        metrics.compute_metrics(avrage="macro")
    with pytest.raises(InputError, match=r"No metric among accuracy accepts average"):
        metrics.compute_metrics(["accuracy"], average="macro")
    with pytest.raises(InputError, match=r"confusion_matrix returns a table.*load\('confusion_matrix'\)"):
        metrics.compute_metrics(["accuracy", "confusion_matrix"])


def test_combine_matches_separate_metrics(tmp_path):
    predictions, references, _ = random_case(4)
    names = ["accuracy", "f1", "matthews_correlation"]
    combined = metrics.combine(names, cache_dir=str(tmp_path))
    expected = {}
    for name in names:
        expected.update(sklearn_result(name, predictions, references, {}))

    assert_same(combined.compute(predictions=predictions, references=references), expected)

    for start in range(0, len(references), 30):
        combined.add_batch(predictions=predictions[start : start + 30], references=references[start : start + 30])
    assert_same(combined.compute(), expected)


def test_combine_passes_compute_arguments_to_every_metric():
    combined = metrics.combine("accuracy", keep_in_memory=True)  # a single name works too
    assert combined.compute(predictions=[0, 1], references=[1, 1]) == {"accuracy": 0.5}
    with pytest.raises(TypeError, match="average"):  # accuracy has no average: use compute_metrics
        metrics.combine(["accuracy", "f1"], keep_in_memory=True).compute(
            predictions=[0, 1], references=[1, 1], average="macro"
        )


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", metrics.NAMES)
def test_length_mismatch(in_memory, name):
    with pytest.raises(ValueError, match=r"Got 3 predictions but 2 references\. Pass exactly one prediction"):
        in_memory[name].compute(predictions=[0, 1, 1], references=[0, 1])
    with pytest.raises(ValueError, match=r"Got 1 predictions but 2 references"):
        in_memory[name].add_batch(predictions=[0], references=[0, 1])


def test_length_mismatch_stores_nothing(on_disk):
    accuracy = on_disk["accuracy"]
    with pytest.raises(ValueError, match="predictions but"):
        accuracy.add_batch(predictions=[0, 0, 0], references=[1])
    accuracy.add_batch(predictions=[1, 0], references=[1, 1])
    assert accuracy.compute() == {"accuracy": 0.5}


@pytest.mark.parametrize("name", metrics.NAMES)
def test_empty_input(in_memory, name):
    with pytest.raises(ValueError, match=r"nothing to score: predictions and references are empty\. Pass at least"):
        in_memory[name].compute(predictions=[], references=[])


@pytest.mark.parametrize("name", metrics.NAMES)
def test_value_outside_labels(in_memory, name):
    with pytest.raises(ValueError, match=r"predictions contain \[2\], which are not in labels=\[0, 1\]\. Add"):
        in_memory[name].compute(predictions=[0, 2], references=[0, 1], labels=[0, 1])
    with pytest.raises(ValueError, match=r"references contain \[3, 5\], which are not in labels=\[0, 1\]"):
        in_memory[name].compute(predictions=[0, 1, 1], references=[3, 5, 3], labels=[0, 1])


@pytest.mark.parametrize("name", metrics.NAMES)
def test_float_predictions(in_memory, name):
    with pytest.raises(ValueError, match=r"predictions must be integer class ids.*0\.7.*argmax"):
        in_memory[name].compute(predictions=[0.7, 0.2], references=[1, 0])


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_bad_average(in_memory, name):
    metric = in_memory[name]
    with pytest.raises(
        ValueError, match=r"average='samples' is not supported\. Use one of: 'binary', 'macro', 'weighted', 'micro'"
    ):
        metric.compute(predictions=[0, 1], references=[0, 1], average="samples")
    with pytest.raises(ValueError, match=r"average='binary' needs two classes, but there are 3: \[0, 1, 2\].*'macro'"):
        metric.compute(predictions=[0, 1, 2], references=[0, 1, 1])
    with pytest.raises(ValueError, match=r"average='binary' needs two classes"):
        metric.compute(predictions=[0, 1], references=[0, 1], labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"pos_label=1 is not one of the classes \[0, 2\]\. Pass pos_label="):
        metric.compute(predictions=[0, 2], references=[2, 2])


def test_unknown_metric_name():
    known = r"Known metrics: accuracy, precision, recall, f1, matthews_correlation, confusion_matrix\."
    with pytest.raises(InputError, match=r"no bundled metric named 'bleu'\. " + known):
        metrics.path("bleu")
    with pytest.raises(InputError, match=known):
        metrics.load("Accuracy")
    with pytest.raises(InputError, match=known):
        metrics.combine(["accuracy", "f2"])
    with pytest.raises(InputError, match=known):
        metrics.compute_metrics(["acc"])


# --- packaging ----------------------------------------------------------------------------------


def test_metric_scripts_match_the_package_data_pattern():
    """pyproject.toml ships ``metrics/*/*.py``: exactly one script per metric, named like its folder."""
    package = Path(metrics.__file__).resolve().parents[1]
    shipped = sorted(str(p.relative_to(package)) for p in package.glob("metrics/*/*.py"))
    assert shipped == sorted(f"metrics/{name}/{name}.py" for name in metrics.NAMES)
    for name in metrics.NAMES:
        assert Path(metrics.path(name), f"{name}.py").is_file()
