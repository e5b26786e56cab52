"""Where the course's models and data come from, and where its cache lives.

Two environment variables steer hfnotes:

``HFNOTES_SOURCE``
    ``bundled`` (default): everything comes from files installed with the
    course and nothing touches the network. ``hub``: real Hugging Face Hub
    models and datasets, for machines with internet access.
``HFNOTES_CACHE``
    Folder for assets hfnotes builds (the course's sentiment checkpoint).
    Default: the platform's user cache folder, e.g. ``~/.cache/hfnotes``.

In bundled mode, importing :mod:`hfnotes` sets ``HF_HUB_OFFLINE``,
``HF_DATASETS_OFFLINE`` and ``HF_EVALUATE_OFFLINE`` to ``1`` so no Hugging
Face library ever waits on the network. Import hfnotes before transformers,
datasets or evaluate: ``huggingface_hub`` reads these variables once, when
it is first imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import ConfigError

__all__ = ["SOURCES", "OFFLINE_VARIABLES", "source", "cache_dir", "apply_offline_env"]

SOURCES: tuple[str, ...] = ("bundled", "hub")
"""The values ``HFNOTES_SOURCE`` may take; the first is the default."""

OFFLINE_VARIABLES: tuple[str, ...] = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE")
"""Variables set to ``1`` in bundled mode, before any Hugging Face import."""


def source(value: str | None = None) -> str:
    """Return the active source, ``"bundled"`` or ``"hub"``.

    ``value`` overrides ``HFNOTES_SOURCE``; case and surrounding spaces are
    ignored. An unknown value raises :class:`ConfigError` listing the
    allowed ones.

    Example:
        >>> source("Hub")
        'hub'
        >>> source("bundled")
        'bundled'
    """
    raw = os.environ.get("HFNOTES_SOURCE", "") if value is None else value
    name = raw.strip().lower() or SOURCES[0]
    if name not in SOURCES:
        origin = "HFNOTES_SOURCE" if value is None else "source"
        raise ConfigError(
            f"{origin}={raw!r} is not a known source. Allowed values: "
            f"{', '.join(SOURCES)} (default: {SOURCES[0]}). "
            "Set HFNOTES_SOURCE=bundled to run offline or HFNOTES_SOURCE=hub to use the Hugging Face Hub."
        )
    return name


def cache_dir(create: bool = True) -> Path:
    """Return hfnotes' cache folder, creating it and checking it is writable.

    The folder is ``HFNOTES_CACHE`` when set, else the platform's user
    cache folder for ``hfnotes``. A folder that cannot be created or
    written raises :class:`ConfigError` naming the path and the variable to
    set.

    Example:
        >>> cache_dir().name  # doctest: +SKIP
        'hfnotes'
    """
    raw = os.environ.get("HFNOTES_CACHE", "").strip()
    if raw:
        path = Path(raw).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("hfnotes", appauthor=False))
    if not create:
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(
            f"The hfnotes cache folder {str(path)!r} is not writable ({exc.strerror or exc}). "
            "Set HFNOTES_CACHE to a folder you can write to, e.g. HFNOTES_CACHE=$HOME/hfnotes-cache."
        ) from exc
    return path


def apply_offline_env() -> bool:
    """Set the Hugging Face offline variables when the source is bundled.

    Returns True when they were set. Called when :mod:`hfnotes` is imported;
    an unknown ``HFNOTES_SOURCE`` is treated as bundled here (the safe
    choice) and reported by :func:`source` when the course starts.

    Example:
        >>> import os
        >>> apply_offline_env() == (os.environ.get("HF_HUB_OFFLINE") == "1")
        True
    """
    try:
        offline = source() == "bundled"
    except ConfigError:
        offline = True
    if offline:
        for name in OFFLINE_VARIABLES:
            os.environ[name] = "1"
        _patch_loaded_hub(True)
    return offline


def _patch_loaded_hub(offline: bool) -> None:
    """If huggingface_hub was imported before hfnotes, switch it offline too."""
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None and offline:
        constants.HF_HUB_OFFLINE = True
