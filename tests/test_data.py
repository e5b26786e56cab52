"""The bundled reviews: schema, counts, balance, leakage, lengths, checksums, loaders."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import run_python
from datasets import ClassLabel, Dataset, DatasetDict

from hfnotes import assets, data
from hfnotes.data import card
from hfnotes.data.card import normalize
from hfnotes.errors import DataError


def six_word_runs(text: str) -> set[tuple[str, ...]]:
    """Every run of six words in ``text`` after :func:`normalize` (a persona, an opening, a frame)."""
    words = normalize(text).split()
    return {tuple(words[k : k + 6]) for k in range(len(words) - 5)}


@pytest.fixture(scope="module")
def reviews():
    return data.load_reviews()


@pytest.fixture(scope="module")
def token_lengths(reviews):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    texts = [t for s in data.SPLITS for t in reviews[s]["text"]]
    return [len(ids) for ids in tokenizer(texts)["input_ids"]]


def test_schema(reviews):
    assert list(reviews) == ["train", "validation", "test"]
    for split in data.SPLITS:
        assert reviews[split].features == data.features()
    label = reviews["train"].features["label"]
    assert isinstance(label, ClassLabel) and label.names == ["negative", "positive"]


def test_size_and_split_shares(reviews):
    total = sum(reviews.num_rows.values())
    assert total >= 3000
    shares = {s: n / total for s, n in reviews.num_rows.items()}
    assert shares["train"] == pytest.approx(0.70, abs=0.01)
    assert shares["validation"] == pytest.approx(0.15, abs=0.01)
    assert shares["test"] == pytest.approx(0.15, abs=0.01)


@pytest.mark.parametrize("split", data.SPLITS)
def test_labels_balanced_within_two_points(reviews, split):
    labels = reviews[split]["label"]
    assert set(labels) == {0, 1}
    assert abs(sum(labels) / len(labels) - 0.5) <= 0.02


def test_domains_each_at_least_eight_percent(reviews):
    domains = Counter(d for s in data.SPLITS for d in reviews[s]["domain"])
    assert set(domains) == set(data.DOMAINS)
    total = sum(domains.values())
    assert all(count / total >= 0.08 for count in domains.values()), domains


def test_splits_stratified_by_domain(reviews):
    total = sum(reviews.num_rows.values())
    everywhere = Counter(d for s in data.SPLITS for d in reviews[s]["domain"])
    for split in data.SPLITS:
        here = Counter(reviews[split]["domain"])
        for domain, count in everywhere.items():
            assert here[domain] / reviews.num_rows[split] == pytest.approx(count / total, abs=0.02)


def test_ids_unique_and_well_formed(reviews):
    ids = [i for s in data.SPLITS for i in reviews[s]["id"]]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("rv") and len(i) == 7 and i[2:].isdigit() for i in ids)


def test_no_empty_texts(reviews):
    for split in data.SPLITS:
        assert all(t.strip() == t and len(t.split()) >= 3 for t in reviews[split]["text"])


def test_no_duplicates_after_normalising(reviews):
    normalised = [normalize(t) for s in data.SPLITS for t in reviews[s]["text"]]
    assert len(normalised) == len(set(normalised))


@pytest.mark.parametrize("held_out", ["validation", "test"])
def test_no_held_out_row_has_a_near_duplicate_in_train(reviews, held_out):
    """A word 3-gram Jaccard ≥ 0.3 with any training row would let the split reward memorising."""
    train, other = list(reviews["train"]["text"]), list(reviews[held_out]["text"])
    close = [(round(score, 2), other[i], train[j]) for i, j, score in card.close_pairs(other, train)]
    assert not close, close[:3]


def test_no_near_duplicates_between_validation_and_test(reviews):
    assert not card.close_pairs(list(reviews["validation"]["text"]), list(reviews["test"]["text"]))


def test_rows_sharing_a_six_word_run_stay_in_one_split(reviews):
    """Personas, openings and sentence frames that recur are kept inside one split (scripts/reviews_split.py)."""
    where: dict[tuple[str, ...], set[str]] = {}
    for split in data.SPLITS:
        for text in reviews[split]["text"]:
            for run in six_word_runs(text):
                where.setdefault(run, set()).add(split)
    straddling = [" ".join(run) for run, splits in where.items() if len(splits) > 1]
    assert not straddling, straddling[:5]


def test_the_near_duplicate_check_finds_a_word_swap():
    original = "The battery died after two days and support never answered my emails."
    swapped = "The battery died after three days and support never answered my calls."
    assert card.close_pairs([original], [swapped]) and not card.close_pairs([original], ["Lovely hotel, great view."])


def test_length_distribution(token_lengths):
    over64 = sum(n > 64 for n in token_lengths) / len(token_lengths)
    over128 = sum(n > 128 for n in token_lengths)
    short = sum(n <= 12 for n in token_lengths)
    assert over64 >= 0.10
    assert over128 >= 5
    assert short >= 100  # 3-word fragments and one-liners are there too


def test_checksums_verified(tmp_path, monkeypatch):
    copy = tmp_path / "reviews"
    shutil.copytree(data.REVIEWS_DIR, copy)
    assert data.verify_reviews(copy) == copy
    with open(copy / "test.csv", "a", encoding="utf-8") as f:
        f.write('rv99999,"An extra review that should not be here.",positive,movies\n')
    with pytest.raises(DataError) as info:
        data.verify_reviews(copy)
    assert str(copy / "test.csv") in str(info.value) and "was modified" in str(info.value)
    (copy / "train.csv").unlink()
    with pytest.raises(DataError, match=r"train\.csv.*missing"):
        data.verify_reviews(copy)


def test_missing_manifest(tmp_path):
    with pytest.raises(DataError, match=r"MANIFEST\.json.*missing"):
        data.verify_reviews(tmp_path)


def test_data_version_follows_the_manifest_not_the_folder(tmp_path):
    """The same files elsewhere give the same version; one changed hash gives another."""
    import json

    copy = tmp_path / "reviews"
    shutil.copytree(data.REVIEWS_DIR, copy)
    version = data.data_version()
    assert len(version) == 12 and int(version, 16) >= 0
    assert data.data_version(copy) == version
    manifest = json.loads((copy / "MANIFEST.json").read_text())
    manifest["files"]["test.csv"] = "0" * 64
    (copy / "MANIFEST.json").write_text(json.dumps(manifest))
    assert data.data_version(copy) != version


def test_loader_works_offline():
    """Nothing set beforehand: importing hfnotes switches the libraries offline, and the network guard
    (which fails any connection leaving the machine) sees no attempt."""
    import os

    from conftest import OFFLINE

    code = (
        "import hfnotes, os, netguard; from hfnotes.data import load_reviews; ds = load_reviews(); "
        "print(os.environ['HF_DATASETS_OFFLINE'], ds.num_rows['train'] > 2000, netguard.BLOCKED)"
    )
    offline = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE", "HFNOTES_SOURCE")
    path = os.pathsep.join([str(OFFLINE), *filter(None, [os.environ.get("PYTHONPATH")])])
    result = run_python(code, env={"PYTHONPATH": path}, drop=offline)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "True", "[]"]


def test_registered_as_asset(clean_env):
    assert assets.reviews() == str(data.REVIEWS_DIR)


def _fake_sst2(n=40):
    """An in-memory stand-in for SST-2: idx, padded sentences, 0/1 labels, an unlabeled test split."""

    def split(labels):
        k = len(labels)
        return Dataset.from_dict(
            {"idx": list(range(k)), "sentence": [f" sentence {i} " for i in range(k)], "label": labels}
        )

    return DatasetDict(
        {
            "train": split([i % 2 for i in range(n)]),
            "validation": split([i % 2 for i in range(10)]),
            "test": split([-1] * 8),
        }
    )


def test_hub_mapping_gives_course_schema():
    ds = data.from_sst2(_fake_sst2(), test_size=10)
    assert list(ds) == ["train", "validation", "test"]
    assert ds.num_rows == {"train": 30, "validation": 10, "test": 10}
    for split in data.SPLITS:
        assert ds[split].features == data.features()
        assert set(ds[split]["domain"]) == {"movies"}
        assert all(t == t.strip() for t in ds[split]["text"])
    assert sum(ds["test"]["label"]) == 5  # stratified hold-out, no -1 labels
    assert ds["validation"]["id"][0] == "sst2-validation-0"
    assert not set(ds["train"]["id"]) & set(ds["test"]["id"])


def test_hub_mapping_rejects_unexpected_columns():
    bad = DatasetDict(
        {
            "train": Dataset.from_dict({"text": ["x"], "label": [0]}),
            "validation": Dataset.from_dict({"text": ["x"], "label": [0]}),
        }
    )
    with pytest.raises(DataError, match="expected 'sentence' and 'label'"):
        data.from_sst2(bad)


def test_hub_loader_calls_load_dataset_with_sst2(clean_env, monkeypatch):
    import datasets

    calls = []
    monkeypatch.setattr(datasets, "load_dataset", lambda name, **kw: calls.append(name) or _fake_sst2(1000))
    clean_env.setenv("HFNOTES_SOURCE", "hub")
    ds = data.load_reviews()
    assert calls == ["stanfordnlp/sst2"]
    assert ds.num_rows["test"] == data.SST2_TEST_SIZE


def test_data_card_numbers_match_the_files(reviews):
    from transformers import AutoTokenizer

    from hfnotes.data import card

    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    text = card.card_path().read_text(encoding="utf-8")
    expected = card.render(reviews, tokenizer, data.load_challenge(), card.checkpoint_scores())
    assert card.card_section(text) == expected, "run: python scripts/reviews_card.py --write"


def test_normalize_for_duplicates():
    assert normalize("Zero stars if I could.") == normalize("zero   STARS, if i could!! 😡")


def test_candidate_reviews_are_balanced_and_new(reviews):
    """benchmarks/data/reviews_candidates.csv (a measured candidate revision) repeats nothing already written."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "reviews_candidates.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["label"] for r in rows} == set(data.LABELS) and {r["domain"] for r in rows} == set(data.DOMAINS)
    cells = Counter((r["domain"], r["label"]) for r in rows)
    assert all(cells[(d, "negative")] == cells[(d, "positive")] for d in data.DOMAINS), cells
    kinds = Counter(r["kind"] for r in rows)  # how each carries its verdict; the benchmark scores each kind
    assert set(kinds) == {"action", "contrary_words", "mixed", "negation", "noisy", "one_liner"}, kinds
    texts = [r["text"] for r in rows]
    bundled = [t for s in data.SPLITS for t in reviews[s]["text"]] + list(data.load_challenge()["text"])
    assert len({normalize(t) for t in texts}) == len(texts)
    assert not card.close_pairs(texts) and not card.close_pairs(texts, bundled)

    taken = set().union(*map(six_word_runs, bundled))
    for text in texts:
        shared = six_word_runs(text) & taken
        assert not shared, (text, shared)
        taken |= six_word_runs(text)
