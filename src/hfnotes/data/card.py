"""Numbers for the reviews data card, computed from the bundled files.

``scripts/reviews_card.py`` writes them into ``data/reviews/README.md``
between ``<!-- generated:begin -->`` and ``<!-- generated:end -->``; a
unit test checks the card still matches the files.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from . import DOMAINS, LABELS, REVIEWS_DIR, SPLITS

if TYPE_CHECKING:
    from datasets import DatasetDict

__all__ = [
    "BEGIN",
    "END",
    "normalize",
    "counts_table",
    "length_stats",
    "baselines",
    "render",
    "card_section",
    "replace_section",
]

BEGIN = "<!-- generated:begin -->"
END = "<!-- generated:end -->"


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


def baselines(ds: DatasetDict) -> dict[str, dict[str, float]]:
    """Accuracy of a majority-class and a TF-IDF + logistic-regression baseline.

    Both are fitted on train only. Deterministic (liblinear, fixed seed).

    Example:
        >>> from hfnotes.data import load_reviews
        >>> scores = baselines(load_reviews())
        >>> sorted(scores), sorted(scores["majority"])
        (['majority', 'tfidf_logreg'], ['test', 'validation'])
    """
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
    scores: dict[str, dict[str, float]] = {"majority": {}, "tfidf_logreg": {}}
    for split in ("validation", "test"):
        labels = list(ds[split]["label"])
        scores["majority"][split] = sum(y == majority for y in labels) / len(labels)
        predictions = model.predict(list(ds[split]["text"]))
        scores["tfidf_logreg"][split] = float((predictions == labels).mean())
    return scores


def render(ds: DatasetDict, tokenizer) -> str:
    """The generated part of the data card."""
    scores = baselines(ds)
    rows = "\n".join(
        f"| {name} | {s['validation']:.4f} | {s['test']:.4f} |"
        for name, s in (
            ("majority class", scores["majority"]),
            ("TF-IDF (1–2-grams) + logistic regression", scores["tfidf_logreg"]),
        )
    )
    return "\n\n".join(
        [
            "### Counts per split × label × domain",
            counts_table(ds),
            "### Lengths",
            length_stats(ds, tokenizer),
            "### Baselines (accuracy; fitted on train)",
            "| baseline | validation | test |\n|---|---|---|\n" + rows,
        ]
    )


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
