"""The course's reviews dataset: bundled CSVs, or SST-2 from the Hub.

Both sources give a ``DatasetDict`` with the splits ``train``,
``validation`` and ``test`` and the columns

- ``id`` (str): stable identifier of the review,
- ``text`` (str): the review,
- ``label`` (``ClassLabel(names=["negative", "positive"])``),
- ``domain`` (str): movies, books, restaurants, electronics, apps, hotels, travel or games
  (always ``movies`` for SST-2).

so every notebook runs unchanged on either source. See
``hfnotes/data/reviews/README.md`` for the data card.

A separate, bundled-only **challenge split** (:func:`load_challenge`) holds
a few hundred reviews written to be unlike the training text, each tagged
with the phenomenon it tests (one of :data:`PHENOMENA`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from ..errors import DataError
from ..integrity import sha256_file

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict, Features

__all__ = [
    "LABELS",
    "SPLITS",
    "DOMAINS",
    "REVIEWS_DIR",
    "features",
    "verify_reviews",
    "data_version",
    "load_reviews",
    "from_sst2",
    "PHENOMENA",
    "CHALLENGE_FILE",
    "challenge_features",
    "verify_challenge",
    "load_challenge",
]

LABELS: tuple[str, ...] = ("negative", "positive")
SPLITS: tuple[str, ...] = ("train", "validation", "test")
DOMAINS: tuple[str, ...] = ("movies", "books", "restaurants", "electronics", "apps", "hotels", "travel", "games")
REVIEWS_DIR = Path(__file__).parent / "reviews"
MANIFEST = "MANIFEST.json"
CHALLENGE_FILE = "challenge.csv"
CHALLENGE_KEY = "challenge"
"""The manifest table that holds the challenge file's SHA-256, apart from ``files`` (see :func:`verify_challenge`)."""
PHENOMENA: tuple[str, ...] = (
    "one_liner",
    "long_rambling",
    "noisy",
    "words_against_verdict",
    "mixed_clear_verdict",
    "hedged_praise",
    "irony_sarcasm",
    "stock_phrase_flipped",
    "new_domain",
    "plain",
)
"""The challenge split's tags, in file order; the data card says what each means."""
SST2_HUB_ID = "stanfordnlp/sst2"
SST2_TEST_SIZE = 872
"""SST-2's test labels are hidden, so hub mode holds out this many train rows (the validation size) as test."""


def features() -> Features:
    """The schema shared by both sources.

    Example:
        >>> features()["label"].names
        ['negative', 'positive']
    """
    from datasets import ClassLabel, Features, Value

    return Features(
        {
            "id": Value("string"),
            "text": Value("string"),
            "label": ClassLabel(names=list(LABELS)),
            "domain": Value("string"),
        }
    )


def challenge_features() -> Features:
    """The challenge split's schema: :func:`features` plus ``phenomenon`` (a string, one of :data:`PHENOMENA`).

    Example:
        >>> list(challenge_features())
        ['id', 'text', 'label', 'domain', 'phenomenon']
    """
    from datasets import Features, Value

    return Features({**features(), "phenomenon": Value("string")})


def _manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"The reviews manifest {str(path)!r} is missing; reinstall hfnotes.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"The reviews manifest {str(path)!r} is not valid JSON ({exc}); reinstall hfnotes.") from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise DataError(
            f"The reviews manifest {str(path)!r} has no 'files' table of file name → SHA-256; reinstall hfnotes, "
            "or regenerate it with scripts/reviews_card.py --write-manifest."
        )
    return manifest


def verify_reviews(folder: Path | None = None) -> Path:
    """Check every bundled CSV against the SHA-256 in ``MANIFEST.json``.

    Returns the folder. A missing or modified file raises :class:`DataError`
    naming it. Results are not cached: hashing the CSVs takes milliseconds.

    Example:
        >>> verify_reviews().name
        'reviews'
    """
    folder = Path(folder) if folder is not None else REVIEWS_DIR
    _verify_files(folder, _manifest(folder)["files"])
    return folder


def _verify_files(folder: Path, table: dict[str, str]) -> None:
    for name, expected in table.items():
        path = folder / name
        if not path.is_file():
            raise DataError(f"Bundled data file {str(path)!r} is missing; reinstall hfnotes.")
        actual = sha256_file(path)
        if actual != expected:
            raise DataError(
                f"Bundled data file {str(path)!r} was modified: SHA-256 {actual}, expected {expected}. "
                "Restore it (git checkout -- <file>, or reinstall hfnotes); to ship a new version, "
                "regenerate MANIFEST.json with scripts/reviews_card.py --write-manifest."
            )


def verify_challenge(folder: Path | None = None) -> Path:
    """Check ``challenge.csv`` against its SHA-256 in ``MANIFEST.json``; returns the folder.

    The hash sits in the manifest's own ``challenge`` table, not in ``files``:
    :func:`data_version` fingerprints ``files`` only, and that version keys the
    course sentiment checkpoint. The checkpoint never sees the challenge split
    (it trains on train and is tuned on validation), so adding or revising
    challenge rows must not force a rebuild. A missing or modified file, or a
    manifest without the table, raises :class:`DataError`.

    Example:
        >>> verify_challenge().name
        'reviews'
    """
    folder = Path(folder) if folder is not None else REVIEWS_DIR
    table = _manifest(folder).get(CHALLENGE_KEY)
    if not isinstance(table, dict) or set(table) != {CHALLENGE_FILE} or not isinstance(table[CHALLENGE_FILE], str):
        raise DataError(
            f"The reviews manifest in {str(folder)!r} has no {CHALLENGE_KEY!r} table with the SHA-256 of "
            f"{CHALLENGE_FILE}; reinstall hfnotes, or regenerate it with scripts/reviews_card.py --write-manifest."
        )
    _verify_files(folder, table)
    return folder


def data_version(folder: Path | None = None) -> str:
    """A short fingerprint of train, validation and test (changes whenever one of them changes).

    The challenge split is left out on purpose (see :func:`verify_challenge`).

    Example:
        >>> len(data_version())
        12
    """
    manifest = _manifest(Path(folder) if folder is not None else REVIEWS_DIR)
    joined = "".join(f"{name}:{digest}\n" for name, digest in sorted(manifest["files"].items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def _cache_dir() -> str:
    return str(config.cache_dir() / "datasets")


def load_reviews(source: str | None = None, verify: bool = True) -> DatasetDict:
    """Load the reviews as a ``DatasetDict`` with train, validation and test.

    ``source`` overrides ``HFNOTES_SOURCE``. Bundled mode reads the CSVs
    shipped in the package (checked against their checksums unless
    ``verify=False``) and needs no network; hub mode downloads SST-2 and
    maps it to the same columns with :func:`from_sst2`.

    Example:
        >>> ds = load_reviews()
        >>> list(ds), ds["train"].column_names
        (['train', 'validation', 'test'], ['id', 'text', 'label', 'domain'])
    """
    from datasets import load_dataset

    if config.source(source) == "hub":
        return from_sst2(load_dataset(SST2_HUB_ID, cache_dir=_cache_dir()))
    folder = verify_reviews() if verify else REVIEWS_DIR
    files = {split: str(folder / f"{split}.csv") for split in SPLITS}
    return load_dataset("csv", data_files=files, features=features(), cache_dir=_cache_dir())


def from_sst2(raw: DatasetDict, test_size: int = SST2_TEST_SIZE, seed: int = 0) -> DatasetDict:
    """Map SST-2 (``idx``, ``sentence``, ``label``) to the course's schema.

    SST-2's ``test`` split has no labels (all ``-1``), so a stratified,
    seeded slice of ``test_size`` rows of its train split becomes the test
    split and the rest stays train; ``validation`` is kept as it is.

    Example:
        >>> from datasets import Dataset, DatasetDict
        >>> rows = {"idx": list(range(8)), "sentence": ["ok"] * 8, "label": [0, 1] * 4}
        >>> fake = DatasetDict({s: Dataset.from_dict(rows) for s in ("train", "validation", "test")})
        >>> ds = from_sst2(fake, test_size=2)
        >>> ds.num_rows
        {'train': 6, 'validation': 8, 'test': 2}
    """
    from datasets import DatasetDict

    missing = [s for s in ("train", "validation") if s not in raw]
    if missing:
        raise DataError(f"SST-2 data lacks the split(s) {missing}; expected train and validation.")
    for split in ("train", "validation"):
        columns = set(raw[split].column_names)
        if not {"sentence", "label"} <= columns:
            raise DataError(f"SST-2 split {split!r} has columns {sorted(columns)}; expected 'sentence' and 'label'.")
    schema = features()

    def convert(split: str, ds):
        ds = ds.map(
            lambda batch, indices: {
                "id": [f"sst2-{split}-{i}" for i in batch.get("idx", indices)],
                "text": [s.strip() for s in batch["sentence"]],
                "label": batch["label"],
                "domain": ["movies"] * len(batch["sentence"]),
            },
            batched=True,
            with_indices=True,
            remove_columns=ds.column_names,
        )
        return ds.cast(schema)

    train = convert("train", raw["train"])
    held = train.train_test_split(test_size=test_size, seed=seed, stratify_by_column="label")
    return DatasetDict(
        {"train": held["train"], "validation": convert("validation", raw["validation"]), "test": held["test"]}
    )


def load_challenge(verify: bool = True) -> Dataset:
    """Load the challenge split: about 300 hand-written reviews, each tagged with a phenomenon.

    Columns: those of :func:`features` plus ``phenomenon`` (one of :data:`PHENOMENA`).
    Labels are balanced within every phenomenon. The file is checked against
    its checksum unless ``verify=False`` (:func:`verify_challenge`).
    :func:`load_reviews` does not load it: it is for evaluation only.

    The split is bundled-only and this function ignores ``HFNOTES_SOURCE``:
    in hub mode it still returns the bundled rows, which suit any English
    binary sentiment model (the SST-2 one included), since nothing
    comparable exists on the Hub under the same tags.

    Example:
        >>> challenge = load_challenge()
        >>> challenge.column_names, sorted(set(challenge["phenomenon"])) == sorted(PHENOMENA)
        (['id', 'text', 'label', 'domain', 'phenomenon'], True)
    """
    from datasets import load_dataset

    folder = verify_challenge() if verify else REVIEWS_DIR
    files = {"challenge": str(folder / CHALLENGE_FILE)}
    return load_dataset("csv", data_files=files, features=challenge_features(), cache_dir=_cache_dir())["challenge"]
