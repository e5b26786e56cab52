"""hfnotes.evaluation: small hand-made cases with known answers, the real model, and bad input."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from sklearn import metrics as skm

from hfnotes import assets, data, evaluation, inference
from hfnotes.errors import InputError

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def classifier():
    return inference.load_classifier(assets.sentiment_model())


@pytest.fixture(scope="module")
def texts():
    """About 20 reviews of very different lengths, in an order that length sorting changes."""
    reviews = data.load_reviews()["test"].shuffle(seed=3).select(range(18))
    return [*reviews["text"], "ok", "Not bad at all, honestly a pleasant surprise."]


# predict_probabilities


def test_predict_probabilities_equals_classify_and_keeps_order(classifier, texts):
    model, tokenizer = classifier
    probs = evaluation.predict_probabilities(texts, model, tokenizer, batch_size=4)
    assert probs.shape == (len(texts), 2)
    assert np.argsort([len(t) for t in texts]).tolist() != list(range(len(texts)))  # sorting really reorders
    label2id = model.config.label2id
    for row, ranked in zip(probs, inference.classify(texts, model, tokenizer, top_k=None), strict=True):
        expected = np.zeros(2)
        for entry in ranked:
            expected[label2id[entry["label"]]] = entry["score"]
        np.testing.assert_allclose(row, expected, atol=1e-5)


def test_predict_probabilities_does_not_depend_on_batch_size(classifier, texts):
    model, tokenizer = classifier
    one = evaluation.predict_probabilities(texts[:6], model, tokenizer, batch_size=1)
    many = evaluation.predict_probabilities(texts[:6], model, tokenizer, batch_size=64)
    np.testing.assert_allclose(one, many, atol=1e-5)
    np.testing.assert_allclose(many.sum(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize(
    "texts, batch_size, message",
    [([], 8, "empty list"), (["fine", ""], 8, "text 1 is empty"), (["fine"], 0, "batch_size"), (None, 8, "None")],
)
def test_predict_probabilities_refuses_bad_input(classifier, texts, batch_size, message):
    model, tokenizer = classifier
    with pytest.raises(InputError, match=message):
        evaluation.predict_probabilities(texts, model, tokenizer, batch_size=batch_size)


# per_group_accuracy


def test_per_group_accuracy_by_hand():
    predictions = [1, 0, 1, 1, 0, 0]
    references = [1, 1, 1, 0, 0, 0]
    groups = ["books", "books", "apps", "apps", "games", "games"]
    assert evaluation.per_group_accuracy(predictions, references, groups) == {"apps": 0.5, "books": 0.5, "games": 1.0}


def test_per_group_accuracy_accepts_arrays_and_matches_overall_for_one_group():
    rng = np.random.default_rng(0)
    predictions, references = rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    result = evaluation.per_group_accuracy(predictions, references, np.array(["all"] * 50))
    assert result == {"all": pytest.approx(skm.accuracy_score(references, predictions))}


@pytest.mark.parametrize(
    "predictions, references, groups, message",
    [
        ([1, 0], [1], ["a", "b"], "Got 2 predictions, 1 references, 2 groups"),
        ([1, 0], [1, 0], ["a"], "1 groups"),
        ([], [], [], "predictions is empty"),
    ],
)
def test_per_group_accuracy_refuses_bad_input(predictions, references, groups, message):
    with pytest.raises(InputError, match=message):
        evaluation.per_group_accuracy(predictions, references, groups)


# threshold_table


def test_threshold_table_by_hand():
    probabilities = [0.95, 0.7, 0.55, 0.4, 0.3, 0.1]
    references = [1, 1, 0, 1, 0, 0]
    rows = evaluation.threshold_table(probabilities, references, [0.5, 0.0, 1.0])
    assert [row["threshold"] for row in rows] == [0.5, 0.0, 1.0]
    # t = 0.5: predicted 1 1 1 0 0 0 → TP 2, FP 1, FN 1, TN 2
    assert rows[0] == pytest.approx(
        {"threshold": 0.5, "accuracy": 4 / 6, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3}
    )
    # t = 0: everything positive; t = 1: nothing reaches 1.0, so nothing positive (scores with 0/0 are 0).
    assert rows[1] == pytest.approx({"threshold": 0.0, "accuracy": 0.5, "precision": 0.5, "recall": 1.0, "f1": 2 / 3})
    assert rows[2] == {"threshold": 1.0, "accuracy": 0.5, "precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_threshold_table_matches_sklearn_on_random_data():
    rng = np.random.default_rng(1)
    probabilities, references = rng.random(200), rng.integers(0, 2, 200)
    for row in evaluation.threshold_table(probabilities, references, np.linspace(0.1, 0.9, 9)):
        predicted = (probabilities >= row["threshold"]).astype(int)
        assert row["f1"] == pytest.approx(skm.f1_score(references, predicted))
        assert row["precision"] == pytest.approx(skm.precision_score(references, predicted))
        assert row["recall"] == pytest.approx(skm.recall_score(references, predicted))
        assert row["accuracy"] == pytest.approx(skm.accuracy_score(references, predicted))


@pytest.mark.parametrize(
    "probabilities, references, thresholds, message",
    [
        ([0.2, 0.8], [0, 1], [0.5, 1.5], r"thresholds must lie in \[0, 1\].*1\.5"),
        ([0.2, 0.8], [0, 1], [-0.1], r"thresholds must lie in \[0, 1\]"),
        ([0.2, 0.8], [0, 1], [], "thresholds is empty"),
        ([0.2, 0.8, 0.5], [0, 1], [0.5], "Got 3 positive_probabilities, 2 references"),
        ([], [], [0.5], "positive_probabilities is empty"),
        ([0.2, 1.3], [0, 1], [0.5], r"probabilities in \[0, 1\]"),
        ([[0.8, 0.2], [0.1, 0.9]], [0, 1], [0.5], "positive-class column"),
        ([0.2, 0.8], [0, 2], [0.5], "0/1 class ids"),
    ],
)
def test_threshold_table_refuses_bad_input(probabilities, references, thresholds, message):
    with pytest.raises(InputError, match=message):
        evaluation.threshold_table(probabilities, references, thresholds)


# most_confident_mistakes

PROBS = [[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.05, 0.95], [0.7, 0.3]]
REFS = [0, 0, 0, 1, 1, 1]
TEXTS = ["a", "b", "c", "d", "e", "f"]


def test_most_confident_mistakes_by_hand():
    rows = evaluation.most_confident_mistakes(TEXTS, PROBS, REFS, k=3)
    # Mistakes: a (0.9 → 1), c (0.7 → 1), d (0.6 → 0), f (0.7 → 0); c and f tie, input order breaks it.
    assert [row["text"] for row in rows] == ["a", "c", "f"]
    assert rows[0] == {"index": 0, "text": "a", "label": 0, "predicted": 1, "probability": 0.9}
    assert rows[2]["label"] == 1 and rows[2]["predicted"] == 0


def test_most_confident_mistakes_returns_all_when_fewer_than_k():
    rows = evaluation.most_confident_mistakes(TEXTS, np.array(PROBS), np.array(REFS), k=50)
    assert [row["index"] for row in rows] == [0, 2, 5, 3]
    assert evaluation.most_confident_mistakes(["x"], [[0.9, 0.1]], [0], k=1) == []


@pytest.mark.parametrize(
    "texts, probabilities, references, k, message",
    [
        (TEXTS, PROBS, REFS, 0, "k must be a positive int"),
        (TEXTS, PROBS, REFS, -2, "k must be a positive int"),
        (TEXTS[:5], PROBS, REFS, 3, "Got 5 texts, 6 probabilities, 6 references"),
        ([], [], [], 3, "texts is empty"),
        (["a", "b"], [0.2, 0.9], [0, 1], 1, "one row of class probabilities"),
    ],
)
def test_most_confident_mistakes_refuses_bad_input(texts, probabilities, references, k, message):
    with pytest.raises(InputError, match=message):
        evaluation.most_confident_mistakes(texts, probabilities, references, k=k)


# plot_confusion_matrix


def test_plot_confusion_matrix_labels_and_counts():
    import matplotlib.pyplot as plt

    ax = evaluation.plot_confusion_matrix([[50, 5], [8, 37]], ["negative", "positive"])
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert ax.get_title() == "Confusion matrix (100 examples)"
    assert [t.get_text() for t in ax.texts] == ["50", "5", "8", "37"]
    assert ax.images[0].get_array().tolist() == [[50, 5], [8, 37]]  # cell colours follow the counts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["negative", "positive"]
    plt.close(ax.figure)


def test_plot_confusion_matrix_draws_on_given_axes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    ax = evaluation.plot_confusion_matrix(np.eye(3, dtype=int), ["a", "b", "c"], ax=axes[1], title="three")
    assert ax is axes[1] and ax.get_title() == "three" and len(ax.texts) == 9
    plt.close(fig)


@pytest.mark.parametrize(
    "matrix, labels, message",
    [
        ([[1, 2, 3], [4, 5, 6]], ["a", "b"], "square"),
        ([], [], "square"),
        ([[1, 2], [3, 4]], ["a", "b", "c"], "2 classes but 3 labels"),
        ([[1, -2], [3, 4]], ["a", "b"], "non-negative integer"),
        ([[0.5, 0.5], [0.2, 0.8]], ["a", "b"], "non-negative integer"),
    ],
)
def test_plot_confusion_matrix_refuses_bad_input(matrix, labels, message):
    with pytest.raises(InputError, match=message):
        evaluation.plot_confusion_matrix(matrix, labels)


# calibration_bins and expected_calibration_error


def test_calibration_bins_by_hand():
    probabilities = [0.05, 0.1, 0.35, 0.5, 0.55, 0.9, 0.95, 1.0]
    references = [0, 0, 1, 0, 1, 1, 1, 0]
    rows = evaluation.calibration_bins(probabilities, references, n_bins=4)
    # Bins (0, 0.25], (0.25, 0.5], (0.5, 0.75], (0.75, 1]: an edge value such as 0.5 falls in the lower bin.
    assert [(row["low"], row["high"], row["count"]) for row in rows] == [
        (0.0, 0.25, 2),
        (0.25, 0.5, 2),
        (0.5, 0.75, 1),
        (0.75, 1.0, 3),
    ]
    assert [row["predicted"] for row in rows] == pytest.approx([0.075, 0.425, 0.55, 0.95])
    assert [row["observed"] for row in rows] == pytest.approx([0.0, 0.5, 1.0, 2 / 3])
    assert all(type(value) in (int, float) for row in rows for value in row.values())  # plain numbers, not numpy


def test_calibration_bins_skips_empty_bins_and_matches_sklearn():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(2)
    probabilities = np.concatenate([rng.random(300) * 0.3, 0.7 + rng.random(300) * 0.3])  # nothing in (0.3, 0.7]
    references = (rng.random(600) < probabilities).astype(int)
    rows = evaluation.calibration_bins(probabilities, references, n_bins=10)
    assert [row["low"] for row in rows] == [0.0, 0.1, 0.2, 0.7, 0.8, 0.9]
    assert sum(row["count"] for row in rows) == 600
    observed, predicted = calibration_curve(references, probabilities, n_bins=10)
    np.testing.assert_allclose([row["observed"] for row in rows], observed)
    np.testing.assert_allclose([row["predicted"] for row in rows], predicted)


def test_expected_calibration_error_by_hand():
    probabilities = [0.05, 0.1, 0.35, 0.5, 0.55, 0.9, 0.95, 1.0]
    references = [0, 0, 1, 0, 1, 1, 1, 0]
    # Gaps per bin (from test_calibration_bins_by_hand), weighted by 2, 2, 1 and 3 of 8 predictions:
    # 2/8·0.075 + 2/8·0.075 + 1/8·0.45 + 3/8·(0.95 − 2/3) = 0.01875 + 0.01875 + 0.05625 + 0.10625 = 0.2
    assert evaluation.expected_calibration_error(probabilities, references, n_bins=4) == pytest.approx(0.2)


def test_expected_calibration_error_is_zero_when_each_bin_is_calibrated_and_one_when_all_wrong():
    # A quarter of the 0.25 predictions and three quarters of the 0.75 ones are positive.
    probabilities = [0.25] * 4 + [0.75] * 4
    references = [1, 0, 0, 0, 1, 1, 1, 0]
    assert evaluation.expected_calibration_error(probabilities, references) == pytest.approx(0.0)
    assert evaluation.expected_calibration_error([0.0, 1.0, 1.0], [1, 0, 0]) == 1.0


def test_expected_calibration_error_equals_its_definition_on_random_data():
    rng = np.random.default_rng(4)
    probabilities = rng.random(500) ** 3
    references = (rng.random(500) < np.sqrt(probabilities)).astype(int)  # underconfident on purpose
    # The definition with plain numpy: bin index = how many inner edges lie below p.
    bins = np.searchsorted(np.linspace(0, 1, 16)[1:-1], probabilities)
    expected = sum(
        (bins == b).mean() * abs(references[bins == b].mean() - probabilities[bins == b].mean()) for b in set(bins)
    )
    assert evaluation.expected_calibration_error(probabilities, references, n_bins=15) == pytest.approx(expected)


@pytest.mark.parametrize(
    "probabilities, references, n_bins, message",
    [
        ([0.2, 0.8], [0, 1], 0, "n_bins must be a positive int.*got 0"),
        ([0.2, 0.8], [0, 1], 2.5, "n_bins must be a positive int"),
        ([0.2, 0.8], [0, 1, 1], 10, "Got 2 positive_probabilities, 3 references"),
        ([], [], 10, "positive_probabilities is empty"),
        ([0.2, 1.3], [0, 1], 10, r"probabilities in \[0, 1\]"),
        ([[0.8, 0.2], [0.1, 0.9]], [0, 1], 10, "positive-class column"),
        ([0.2, 0.8], [0, 2], 10, "0/1 class ids"),
    ],
)
def test_calibration_helpers_refuse_bad_input(probabilities, references, n_bins, message):
    for helper in (evaluation.calibration_bins, evaluation.expected_calibration_error):
        with pytest.raises(InputError, match=message):
            helper(probabilities, references, n_bins=n_bins)


# plot_reliability


def test_plot_reliability_draws_diagonal_curve_and_counts():
    import matplotlib.pyplot as plt

    rows = evaluation.calibration_bins([0.05, 0.1, 0.35, 0.5, 0.55, 0.9, 0.95, 1.0], [0, 0, 1, 0, 1, 1, 1, 0], n_bins=4)
    ax = evaluation.plot_reliability(rows)
    diagonal, curve = ax.get_lines()
    assert diagonal.get_xydata().tolist() == [[0, 0], [1, 1]]
    np.testing.assert_allclose(curve.get_xdata(), [0.075, 0.425, 0.55, 0.95])
    np.testing.assert_allclose(curve.get_ydata(), [0.0, 0.5, 1.0, 2 / 3])
    assert [t.get_text() for t in ax.texts] == ["2", "2", "1", "3"]
    assert ax.get_xlabel() == "predicted probability of positive (mean in the bin)"
    assert ax.get_ylabel() == "observed share of positives"
    assert ax.get_title() == "Reliability curve (8 predictions)"
    plt.close(ax.figure)


def test_plot_reliability_draws_on_given_axes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    rows = evaluation.calibration_bins([0.2, 0.9], [0, 1])
    assert evaluation.plot_reliability(rows, ax=axes[0], title="val") is axes[0] and axes[0].get_title() == "val"
    plt.close(fig)


@pytest.mark.parametrize("rows", [[], [{"predicted": 0.5}], [[0.5, 0.5]]])
def test_plot_reliability_refuses_bad_input(rows):
    with pytest.raises(InputError, match="calibration_bins rows"):
        evaluation.plot_reliability(rows)
