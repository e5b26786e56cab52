"""Numbers for the reviews data card, computed from the bundled files.

``scripts/reviews_card.py`` writes them into ``data/reviews/README.md``
between ``<!-- generated:begin -->`` and ``<!-- generated:end -->``; a
unit test checks the card still matches the files.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataError
from ..integrity import sha256_file
from . import CHALLENGE_FILE, DOMAINS, LABELS, PHENOMENA, REVIEWS_DIR, SPLITS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from datasets import Dataset, DatasetDict

__all__ = [
    "BEGIN",
    "END",
    "normalize",
    "MAX_JACCARD",
    "trigrams",
    "close_pairs",
    "counts_table",
    "length_stats",
    "word_bands",
    "cue_table",
    "baselines",
    "challenge_baselines",
    "by_phenomenon",
    "challenge_table",
    "checkpoint_scores",
    "render",
    "card_section",
    "replace_section",
]

BEGIN = "<!-- generated:begin -->"
END = "<!-- generated:end -->"
SCORES_FILE = "challenge_scores.json"
"""The course checkpoint's measured accuracy on the challenge split, written by benchmarks/bench_challenge.py --write."""


def normalize(text: str) -> str:
    """Lower-case, strip accents, punctuation, emoji and repeated spaces (for duplicate checks).

    Example:
        >>> normalize("  Not BAD at all!! 👍 ")
        'not bad at all'
    """
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


MAX_JACCARD = 0.3
"""Two reviews sharing this share of their word 3-grams (Jaccard) count as near-duplicates."""


def trigrams(text: str) -> frozenset[tuple[str, str, str]]:
    """The word 3-grams of a review after :func:`normalize`.

    Example:
        >>> sorted(trigrams("Not bad, not bad at all"))[:2]
        [('bad', 'at', 'all'), ('bad', 'not', 'bad')]
    """
    words = normalize(text).split()
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def close_pairs(
    left: Sequence[str], right: Sequence[str] | None = None, threshold: float = MAX_JACCARD
) -> list[tuple[int, int, float]]:
    """Index pairs ``(i, j, jaccard)`` of near-duplicates: ``left[i]`` against ``right[j]``, or within ``left``.

    Without ``right``, each pair of ``left`` is reported once (``i < j``).

    Example:
        >>> a = "The battery died after two days and support never answered my emails."
        >>> b = "The battery died after two days and support never replied to my emails."
        >>> [(i, j) for i, j, _ in close_pairs([a, "Lovely hotel."], [b])]
        [(0, 0)]
    """
    same = right is None
    right_grams = [trigrams(t) for t in (left if right is None else right)]
    index: dict[tuple[str, str, str], list[int]] = {}
    for j, grams in enumerate(right_grams):
        for gram in grams:
            index.setdefault(gram, []).append(j)
    pairs = []
    for i, text in enumerate(left):
        grams = right_grams[i] if same else trigrams(text)
        for j in sorted({j for gram in grams for j in index.get(gram, ())}):
            if same and j <= i:
                continue
            score = len(grams & right_grams[j]) / len(grams | right_grams[j])
            if score >= threshold:
                pairs.append((i, j, score))
    return pairs


def counts_table(ds: DatasetDict) -> str:
    """Markdown table of rows per split × label × domain, with totals."""
    names = ds["train"].features["label"].names
    header = "| split | label | " + " | ".join(DOMAINS) + " | total |"
    lines = [header, "|" + "---|" * (len(DOMAINS) + 3)]
    for split in SPLITS:
        counts = Counter(zip(ds[split]["label"], ds[split]["domain"], strict=True))
        for label in range(len(LABELS)):
            row = [counts[(label, d)] for d in DOMAINS]
            lines.append(f"| {split} | {names[label]} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    total = {d: sum(ds[s]["domain"].count(d) for s in SPLITS) for d in DOMAINS}
    all_rows = sum(total.values())
    lines.append("| all | both | " + " | ".join(str(total[d]) for d in DOMAINS) + f" | {all_rows} |")
    shares = " | ".join(f"{total[d] / all_rows:.1%}" for d in DOMAINS)
    lines.append(f"| all | share | {shares} | 100% |")
    return "\n".join(lines)


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def length_stats(ds: DatasetDict, tokenizer) -> str:
    """Markdown table of lengths in words and in MiniLM tokens (with [CLS]/[SEP]), per split."""
    lines = [
        "| split | rows | words min / median / max | tokens min / median / p90 / max | > 64 tokens | > 128 tokens |",
        "|---|---|---|---|---|---|",
    ]
    for split in [*SPLITS, "all"]:
        texts = [t for s in SPLITS for t in ds[s]["text"]] if split == "all" else list(ds[split]["text"])
        words = [len(t.split()) for t in texts]
        tokens = [len(ids) for ids in tokenizer(texts)["input_ids"]]
        over64 = sum(n > 64 for n in tokens)
        over128 = sum(n > 128 for n in tokens)
        lines.append(
            f"| {split} | {len(texts)} | {min(words)} / {statistics.median(words):g} / {max(words)} "
            f"| {min(tokens)} / {statistics.median(tokens):g} / {_percentile(tokens, 0.9)} / {max(tokens)} "
            f"| {over64} ({over64 / len(texts):.1%}) | {over128} ({over128 / len(texts):.1%}) |"
        )
    return "\n".join(lines)


WORD_BANDS: tuple[tuple[int, int], ...] = ((3, 10), (11, 29), (30, 60), (61, 89), (90, 150), (151, 10_000))
"""Length bands in words for :func:`word_bands`."""


def word_bands(ds: DatasetDict) -> str:
    """Markdown table: reviews per length band in words, per split, to show no band is left empty."""
    names = [f"{low}–{high}" if high < 10_000 else f"> {low - 1}" for low, high in WORD_BANDS]
    lines = ["| split | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for split in SPLITS:
        words = [len(t.split()) for t in ds[split]["text"]]
        counts = [sum(low <= n <= high for n in words) for low, high in WORD_BANDS]
        lines.append(f"| {split} | " + " | ".join(f"{c} ({c / len(words):.0%})" for c in counts) + " |")
    return "\n".join(lines)


STOCK_PHRASES: tuple[str, ...] = (
    "only gripe",
    "only complaint",
    "only downside",
    "give it that",
    "give them that",
    "good news ends",
    "two stars",
    "five stars",
    "highly recommend",
    "waste of money",
    "would not recommend",
)
"""Stock phrases a model could learn as a label cue if they sat on one side only."""
STRONG_POSITIVE = frozenset(
    [
        "amazing",
        "brilliant",
        "excellent",
        "fantastic",
        "perfect",
        "superb",
        "wonderful",
        "outstanding",
        "love",
        "loved",
        "gorgeous",
        "stunning",
        "incredible",
        "flawless",
        "delightful",
    ]
)
STRONG_NEGATIVE = frozenset(
    [
        "awful",
        "terrible",
        "horrible",
        "worst",
        "hate",
        "hated",
        "disaster",
        "dreadful",
        "useless",
        "nightmare",
        "disgusting",
        "appalling",
        "rubbish",
        "garbage",
        "pathetic",
    ]
)


def cue_table(ds: DatasetDict) -> str:
    """Markdown table: how many negative and positive reviews (all splits) hold each label cue.

    Stock phrases are matched in :func:`normalize`-d text; the last two rows count reviews whose
    words include a strong word of the *other* label (:data:`STRONG_POSITIVE`, :data:`STRONG_NEGATIVE`).
    """
    rows = [(normalize(t), y) for s in SPLITS for t, y in zip(ds[s]["text"], ds[s]["label"], strict=True)]
    lines = ["| cue | negative reviews | positive reviews |", "|---|---|---|"]
    for phrase in STOCK_PHRASES:
        counts = Counter(y for text, y in rows if f" {phrase} " in f" {text} ")
        lines.append(f"| “{phrase}” | {counts[0]} | {counts[1]} |")
    praise = sum(y == 0 and not STRONG_POSITIVE.isdisjoint(text.split()) for text, y in rows)
    scorn = sum(y == 1 and not STRONG_NEGATIVE.isdisjoint(text.split()) for text, y in rows)
    lines.append(f"| a strong positive word in a negative review | {praise} | – |")
    lines.append(f"| a strong negative word in a positive review | – | {scorn} |")
    return "\n".join(lines)


def _fit_baselines(ds: DatasetDict):
    """The majority label of train and a TF-IDF + logistic-regression pipeline fitted on train."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train_labels = list(ds["train"]["label"])
    majority = Counter(train_labels).most_common(1)[0][0]
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        LogisticRegression(C=10.0, solver="liblinear", random_state=0),
    )
    model.fit(list(ds["train"]["text"]), train_labels)
    return majority, model


def baselines(ds: DatasetDict) -> dict[str, dict[str, float]]:
    """Accuracy of a majority-class and a TF-IDF + logistic-regression baseline.

    Both are fitted on train only. Deterministic (liblinear, fixed seed).

    Example:
        >>> from hfnotes.data import load_reviews
        >>> scores = baselines(load_reviews())
        >>> sorted(scores), sorted(scores["majority"])
        (['majority', 'tfidf_logreg'], ['test', 'validation'])
    """
    majority, model = _fit_baselines(ds)
    scores: dict[str, dict[str, float]] = {"majority": {}, "tfidf_logreg": {}}
    for split in ("validation", "test"):
        labels = list(ds[split]["label"])
        scores["majority"][split] = sum(y == majority for y in labels) / len(labels)
        predictions = model.predict(list(ds[split]["text"]))
        scores["tfidf_logreg"][split] = float((predictions == labels).mean())
    return scores


def by_phenomenon(challenge: Dataset, predictions: Sequence[int]) -> dict[str, float]:
    """Accuracy of label ids ``predictions`` on the challenge split, per phenomenon and overall (``"all"``).

    Example:
        >>> from datasets import Dataset
        >>> rows = Dataset.from_dict({"label": [0, 1, 1], "phenomenon": ["noisy", "noisy", "one_liner"]})
        >>> by_phenomenon(rows, [0, 0, 1])
        {'noisy': 0.5, 'one_liner': 1.0, 'all': 0.6666666666666666}
    """
    labels = list(challenge["label"])
    if len(predictions) != len(labels):
        raise DataError(f"got {len(predictions)} predictions for {len(labels)} challenge rows; pass one per row.")
    hits: dict[str, list[bool]] = {}
    for tag, label, predicted in zip(challenge["phenomenon"], labels, predictions, strict=True):
        hits.setdefault(tag, []).append(int(predicted) == label)
    scores = {tag: sum(h) / len(h) for tag, h in hits.items()}
    scores["all"] = sum(sum(h) for h in hits.values()) / len(labels)
    return scores


def challenge_baselines(ds: DatasetDict, challenge: Dataset) -> dict[str, dict[str, float]]:
    """The two baselines of :func:`baselines` (fitted on train) scored on the challenge split by phenomenon.

    Example:
        >>> from hfnotes.data import load_challenge, load_reviews
        >>> scores = challenge_baselines(load_reviews(), load_challenge())
        >>> sorted(scores), scores["majority"]["all"]
        (['majority', 'tfidf_logreg'], 0.5)
    """
    majority, model = _fit_baselines(ds)
    return {
        "majority": by_phenomenon(challenge, [majority] * challenge.num_rows),
        "tfidf_logreg": by_phenomenon(challenge, model.predict(list(challenge["text"])).tolist()),
    }


def checkpoint_scores(folder: Path | None = None) -> dict | None:
    """The checkpoint's recorded challenge accuracy (``challenge_scores.json``), or None if not recorded.

    A record made on another version of ``challenge.csv`` raises :class:`DataError`:
    measure again with ``python benchmarks/bench_challenge.py --write``.
    """
    folder = Path(folder) if folder is not None else REVIEWS_DIR
    path = folder / SCORES_FILE
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("challenge_sha256") != sha256_file(folder / CHALLENGE_FILE):
        raise DataError(
            f"{str(path)!r} was measured on another version of {CHALLENGE_FILE}; "
            "run python benchmarks/bench_challenge.py --write to measure the checkpoint again."
        )
    return record


def challenge_table(challenge: Dataset, scores: dict[str, dict[str, float]]) -> str:
    """Markdown table: rows per phenomenon and label, then one accuracy column per entry of ``scores``."""
    counts = Counter(zip(challenge["phenomenon"], challenge["label"], strict=True))
    names = list(scores)
    lines = [
        "| phenomenon | negative | positive | " + " | ".join(names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for tag in [*PHENOMENA, "all"]:
        if tag == "all":
            negative, positive = (sum(counts[(t, label)] for t in PHENOMENA) for label in (0, 1))
        else:
            negative, positive = counts[(tag, 0)], counts[(tag, 1)]
        cells = " | ".join(f"{scores[name][tag]:.3f}" for name in names)
        lines.append(f"| {tag} | {negative} | {positive} | {cells} |")
    return "\n".join(lines)


def render(ds: DatasetDict, tokenizer, challenge: Dataset | None = None, checkpoint: dict | None = None) -> str:
    """The generated part of the data card.

    With ``challenge`` (from :func:`~hfnotes.data.load_challenge`) it adds the
    challenge split's accuracy per phenomenon: the baselines, and the course
    checkpoint when ``checkpoint`` (from :func:`checkpoint_scores`) is given.
    """
    scores = baselines(ds)
    named = [
        ("majority class", scores["majority"]),
        ("TF-IDF (1–2-grams) + logistic regression", scores["tfidf_logreg"]),
    ]
    if checkpoint is not None and "splits" in checkpoint:
        named.append(("course checkpoint (fine-tuned MiniLM)", checkpoint["splits"]))
    rows = "\n".join(f"| {name} | {s['validation']:.4f} | {s['test']:.4f} |" for name, s in named)
    return "\n\n".join(
        [
            "### Counts per split × label × domain",
            counts_table(ds),
            "### Lengths",
            length_stats(ds, tokenizer),
            word_bands(ds),
            "### Label cues on both sides",
            cue_table(ds),
            "### Baselines and the course checkpoint (accuracy; all fitted on train)",
            "| baseline | validation | test |\n|---|---|---|\n" + rows,
            *_challenge_section(ds, challenge, checkpoint),
        ]
    )


def _challenge_section(ds: DatasetDict, challenge: Dataset | None, checkpoint: dict | None) -> list[str]:
    if challenge is None:
        return []
    found = challenge_baselines(ds, challenge)
    scores = {"majority class": found["majority"], "TF-IDF + logistic regression": found["tfidf_logreg"]}
    note = "The course checkpoint has not been measured on this version of the split."
    if checkpoint is not None:
        scores = {"course checkpoint": checkpoint["accuracy"], **scores}
        note = (
            f"Course checkpoint: data version `{checkpoint['data_version']}`, measured with "
            f"{checkpoint['build']['precision']} on {checkpoint['build']['device']} (torch {checkpoint['build']['torch']}, "
            f"transformers {checkpoint['build']['transformers']}) by `python benchmarks/bench_challenge.py --write`."
        )
    return [
        "### Challenge split (accuracy per phenomenon; baselines fitted on train)",
        challenge_table(challenge, scores),
        note,
    ]


def card_section(card: str) -> str:
    """The generated section of a card's text (between the markers)."""
    start, end = card.index(BEGIN) + len(BEGIN), card.index(END)
    return card[start:end].strip()


def replace_section(card: str, section: str) -> str:
    """``card`` with its generated section replaced by ``section``."""
    start, end = card.index(BEGIN) + len(BEGIN), card.index(END)
    return card[:start] + "\n" + section + "\n" + card[end:]


def card_path() -> Path:
    return REVIEWS_DIR / "README.md"
