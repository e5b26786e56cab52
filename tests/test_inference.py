"""hfnotes.inference: the manual steps equal the pipeline; bad input is refused clearly."""

from __future__ import annotations

import pytest
import torch

from hfnotes import assets, data, inference
from hfnotes.errors import InputError
from hfnotes.inference import TruncationWarning

ODD_TEXTS = [
    "ok",
    "Not bad at all!",
    "NOT GOOD. AT ALL. 😡",
    "great cast, but the plot goes nowhere",
    "C'est vraiment magnifique, je recommande.",
    "¿Dónde está el baño?",
    "1234567890",
    "a " * 40,
]


@pytest.fixture(scope="module")
def classifier():
    return inference.load_classifier(assets.sentiment_model())


@pytest.fixture(scope="module")
def pipe(classifier):
    from transformers import pipeline

    model, tokenizer = classifier
    return pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, device="cpu")


@pytest.fixture(scope="module")
def texts():
    test = data.load_reviews()["test"].shuffle(seed=1).select(range(64))
    return list(test["text"]) + ODD_TEXTS


def test_manual_top1_equals_pipeline(classifier, pipe, texts):
    model, tokenizer = classifier
    manual = inference.classify(texts, model, tokenizer, batch_size=1)
    expected = pipe(texts)
    assert [m["label"] for m in manual] == [e["label"] for e in expected]
    assert max(abs(m["score"] - e["score"]) for m, e in zip(manual, expected, strict=True)) < 1e-6


def test_manual_batched_equals_pipeline_batched(classifier, pipe, texts):
    model, tokenizer = classifier
    manual = inference.classify(texts, model, tokenizer, batch_size=16)
    expected = pipe(texts, batch_size=16)
    assert [m["label"] for m in manual] == [e["label"] for e in expected]
    assert max(abs(m["score"] - e["score"]) for m, e in zip(manual, expected, strict=True)) < 1e-6


def test_manual_all_scores_equal_pipeline(classifier, pipe, texts):
    model, tokenizer = classifier
    manual = inference.classify(texts, model, tokenizer, top_k=None, batch_size=1)
    expected = pipe(texts, top_k=None)
    for m, e in zip(manual, expected, strict=True):
        assert [x["label"] for x in m] == [x["label"] for x in e]
        assert all(abs(x["score"] - y["score"]) < 1e-6 for x, y in zip(m, e, strict=True))
        assert sum(x["score"] for x in m) == pytest.approx(1.0, abs=1e-6)


def test_batching_does_not_change_results(classifier, texts):
    model, tokenizer = classifier
    one_by_one = [inference.classify(t, model, tokenizer)[0] for t in texts[:12]]
    batched = inference.classify(texts[:12], model, tokenizer, batch_size=12)
    for a, b in zip(one_by_one, batched, strict=True):
        assert a["label"] == b["label"] and abs(a["score"] - b["score"]) < 1e-5


@pytest.mark.parametrize(
    "bad, message",
    [
        (None, "texts is None"),
        ([], "empty list"),
        ("", "text 0 is empty"),
        ("   \n\t", "text 0 is empty or only whitespace"),
        (["fine", None], "text 1 is not a string but NoneType"),
        (["fine", 3], "text 1 is not a string but int"),
        (42, "must be a string or a list of strings, not int"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(classifier, bad, message):
    model, tokenizer = classifier
    with pytest.raises(InputError, match=message):
        inference.classify(bad, model, tokenizer)


def test_long_text_is_truncated_with_a_visible_note(classifier, pipe):
    model, tokenizer = classifier
    long_text = "The room was terrible and the staff were rude. " * 40 + "Yet I loved every minute there. " * 40
    kept = "last" if tokenizer.truncation_side == "left" else "first"  # the course model keeps the end
    with pytest.warns(TruncationWarning, match=rf"text 0 has \d+ tokens; only its {kept} 512"):
        (result,) = inference.classify(long_text, model, tokenizer)
    (expected,) = pipe(long_text, truncation=True)
    assert result["label"] == expected["label"]
    assert abs(result["score"] - expected["score"]) < 1e-6


@pytest.mark.parametrize(("side", "kept"), [("right", "first"), ("left", "last")])
def test_encode_keeps_the_end_the_tokenizer_says(side, kept):
    from transformers import AutoTokenizer

    from hfnotes import assets

    tokenizer = AutoTokenizer.from_pretrained(assets.base_model(), truncation_side=side)
    text = "alpha " * 10 + "omega " * 10
    with pytest.warns(TruncationWarning, match=f"only its {kept} 8"):
        batch = inference.encode(tokenizer, text, max_length=8)
    words = tokenizer.decode(batch["input_ids"][0], skip_special_tokens=True).split()
    assert words == (["alpha"] * 6 if side == "right" else ["omega"] * 6)


def test_non_english_text_is_classified(classifier, pipe):
    """No refusal and no special case: the same answer as the pipeline, and both labels' scores sum to one."""
    model, tokenizer = classifier
    text = "Das Essen war kalt und der Kellner unhöflich."
    (result,) = inference.classify(text, model, tokenizer)
    (expected,) = pipe([text])
    assert result["label"] == expected["label"] and abs(result["score"] - expected["score"]) < 1e-6
    (both,) = inference.classify(text, model, tokenizer, top_k=None)
    assert abs(sum(entry["score"] for entry in both) - 1) < 1e-6 and both[0] == result


def test_encode_pads_to_longest_and_masks_padding(classifier):
    _, tokenizer = classifier
    batch = inference.encode(tokenizer, ["short", "a somewhat longer text here"])
    lengths = batch["attention_mask"].sum(dim=1).tolist()
    assert batch["input_ids"].shape[1] == max(lengths)
    assert lengths[0] < lengths[1]
    assert (batch["input_ids"][0, lengths[0] :] == tokenizer.pad_token_id).all()


def test_softmax_matches_torch():
    logits = torch.randn(16, 5, generator=torch.Generator().manual_seed(0)) * 20
    assert torch.allclose(inference.softmax(logits), torch.softmax(logits, dim=-1), atol=1e-7)


def test_to_labels_top_k():
    probs = torch.tensor([[0.2, 0.5, 0.3]])
    names = {0: "a", 1: "b", 2: "c"}
    assert [x["label"] for x in inference.to_labels(probs, names, top_k=2)[0]] == ["b", "c"]
    with pytest.raises(InputError, match="top_k must be None or at least 1"):
        inference.to_labels(probs, names, top_k=0)
