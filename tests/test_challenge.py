"""The challenge split: schema, balance per phenomenon, originality, checksum, what it leaves unchanged."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from datasets import Value

from hfnotes import data
from hfnotes.data import card
from hfnotes.data.card import normalize
from hfnotes.errors import DataError


@pytest.fixture(scope="module")
def challenge():
    return data.load_challenge()


@pytest.fixture(scope="module")
def reviews():
    return data.load_reviews()


def _close_pairs(left: list[str], right: list[str] | None = None) -> list[tuple[float, str, str]]:
    """Near-duplicate pairs as (Jaccard, text, text), readable in a failure message."""
    other = left if right is None else right
    return [(round(score, 2), left[i], other[j]) for i, j, score in card.close_pairs(left, right)]


def test_schema(challenge):
    assert challenge.features == data.challenge_features()
    assert {k: v for k, v in challenge.features.items() if k != "phenomenon"} == dict(data.features())
    assert challenge.features["phenomenon"] == Value("string")
    assert 250 <= challenge.num_rows <= 400
    assert set(challenge["phenomenon"]) == set(data.PHENOMENA)


def test_ids_and_texts_unique(challenge):
    ids = challenge["id"]
    assert ids == [f"ch{i:04d}" for i in range(1, challenge.num_rows + 1)]
    texts = [normalize(t) for t in challenge["text"]]
    assert len(set(texts)) == len(texts)
    assert all(t.strip() == t and len(t.split()) >= 3 for t in challenge["text"])


def test_each_phenomenon_is_large_enough_and_balanced(challenge):
    counts = Counter(zip(challenge["phenomenon"], challenge["label"], strict=True))
    for tag in data.PHENOMENA:
        negative, positive = counts[(tag, 0)], counts[(tag, 1)]
        assert negative + positive >= 25, tag
        assert negative == positive, (tag, negative, positive)


def test_long_rambling_rows_are_long_and_one_liners_short(challenge):
    lengths = [len(t.split()) for t in challenge["text"]]
    long = [n for n, tag in zip(lengths, challenge["phenomenon"], strict=True) if tag == "long_rambling"]
    short = [n for n, tag in zip(lengths, challenge["phenomenon"], strict=True) if tag == "one_liner"]
    assert all(100 <= n <= 200 for n in long)
    assert all(n <= 12 for n in short)


def test_new_domains_are_absent_from_training(challenge, reviews):
    seen = set(reviews["train"]["domain"])
    new = {d for d, tag in zip(challenge["domain"], challenge["phenomenon"], strict=True) if tag == "new_domain"}
    old = {d for d, tag in zip(challenge["domain"], challenge["phenomenon"], strict=True) if tag != "new_domain"}
    assert new and not new & seen
    assert old <= set(data.DOMAINS)


def test_no_near_duplicate_of_any_other_split(challenge, reviews):
    others = [t for split in data.SPLITS for t in reviews[split]["text"]]
    assert not _close_pairs(list(challenge["text"]), others)


def test_no_near_duplicates_within_the_challenge_split(challenge):
    assert not _close_pairs(list(challenge["text"]))


def test_the_jaccard_check_finds_a_paraphrase():
    original = "The battery died after two days and support never answered my emails."
    reworded = "The battery died after two days and support never replied to my emails."
    assert _close_pairs([original], [reworded]) and not _close_pairs([original], ["Lovely hotel, great breakfast."])


def test_not_loaded_with_the_three_splits(reviews):
    assert list(reviews) == list(data.SPLITS)
    assert not any(i.startswith("ch") for split in data.SPLITS for i in reviews[split]["id"])


def test_checksum_catches_a_modified_file(tmp_path):
    copy = tmp_path / "reviews"
    shutil.copytree(data.REVIEWS_DIR, copy)
    assert data.verify_challenge(copy) == copy
    with open(copy / data.CHALLENGE_FILE, "a", encoding="utf-8") as f:
        f.write('ch9999,"A row slipped in afterwards.",positive,movies,noisy\n')
    with pytest.raises(DataError, match=r"challenge\.csv.*was modified"):
        data.verify_challenge(copy)
    data.verify_reviews(copy)  # the three training splits are still intact
    (copy / data.CHALLENGE_FILE).unlink()
    with pytest.raises(DataError, match=r"challenge\.csv.*missing"):
        data.verify_challenge(copy)


def test_manifest_without_the_challenge_table(tmp_path):
    manifest = json.loads((data.REVIEWS_DIR / data.MANIFEST).read_text(encoding="utf-8"))
    del manifest["challenge"]
    (tmp_path / data.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DataError, match="no 'challenge' table"):
        data.verify_challenge(tmp_path)


def test_challenge_hash_does_not_change_the_data_version(tmp_path):
    """The checkpoint is keyed by data_version, which must ignore the challenge file."""
    copy = tmp_path / "reviews"
    shutil.copytree(data.REVIEWS_DIR, copy)
    manifest = json.loads((copy / data.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {f"{s}.csv" for s in data.SPLITS}
    manifest["challenge"][data.CHALLENGE_FILE] = "0" * 64
    (copy / data.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert data.data_version(copy) == data.data_version()


def test_recorded_checkpoint_scores_match_the_file():
    record = card.checkpoint_scores()
    assert record is not None, "run: python benchmarks/bench_challenge.py --write"
    assert record["data_version"] == data.data_version()
    assert set(record["accuracy"]) == {*data.PHENOMENA, "all"}
    assert set(record["splits"]) == {"validation", "test"}


def test_fine_tuning_beats_keywords(reviews, challenge):
    """Keywords alone stay at or below 0.87 on test (version 1.0: 0.89); the recorded checkpoint reaches 0.90 there
    and beats them by 3 points on test and on the challenge split (the data card's claims)."""
    keywords = card.baselines(reviews)["tfidf_logreg"]["test"]
    record = card.checkpoint_scores()
    assert record is not None
    assert keywords <= 0.87, keywords
    assert record["splits"]["test"] >= max(0.90, keywords + 0.03), (keywords, record["splits"])
    on_challenge = card.challenge_baselines(reviews, challenge)["tfidf_logreg"]["all"]
    assert record["accuracy"]["all"] >= on_challenge + 0.03, (on_challenge, record["accuracy"]["all"])


def test_stale_checkpoint_scores_are_refused(tmp_path):
    copy = tmp_path / "reviews"
    shutil.copytree(data.REVIEWS_DIR, copy)
    with open(copy / data.CHALLENGE_FILE, "a", encoding="utf-8") as f:
        f.write('ch9999,"A row slipped in afterwards.",positive,movies,noisy\n')
    with pytest.raises(DataError, match=r"bench_challenge\.py --write"):
        card.checkpoint_scores(copy)


def test_baselines_by_phenomenon(challenge, reviews):
    scores = card.challenge_baselines(reviews, challenge)
    assert all(value == 0.5 for value in scores["majority"].values())  # balanced within every phenomenon
    assert set(scores["tfidf_logreg"]) == {*data.PHENOMENA, "all"}
    with pytest.raises(DataError, match="predictions"):
        card.by_phenomenon(challenge, [0])


def test_card_explains_every_phenomenon_below_0_7():
    """The card's sentences about weak phenomena agree with the recorded checkpoint and the baselines."""
    text = card.card_path().read_text(encoding="utf-8")
    start = text.index("### Below 0.7 on the challenge split")
    explained = text[start : text.index("\n## ", start)]
    record = card.checkpoint_scores()
    assert record is not None
    checkpoint = record["accuracy"]
    found = card.challenge_baselines(data.load_reviews(), data.load_challenge())
    for tag in data.PHENOMENA:
        if min(checkpoint[tag], found["tfidf_logreg"][tag]) < 0.7:
            assert f"`{tag}`" in explained, tag
    # the claims made there
    assert checkpoint["irony_sarcasm"] < 0.7 < found["tfidf_logreg"]["irony_sarcasm"]
    for tag in ("words_against_verdict", "stock_phrase_flipped", "mixed_clear_verdict"):
        assert checkpoint[tag] > found["tfidf_logreg"][tag] + 0.05, tag


def test_bundled_only_even_in_hub_mode(clean_env):
    clean_env.setenv("HFNOTES_SOURCE", "hub")
    assert data.load_challenge()["id"][0] == "ch0001"
