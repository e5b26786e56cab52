"""hfnotes: helpers for a notebook course on Hugging Face Transformers and Datasets.

Importing hfnotes is cheap and does one thing: in bundled mode (the
default) it switches the Hugging Face libraries offline before they are
imported. Everything heavy (torch, transformers) is imported inside the
helpers that need it.

Layers. The modules form layers that only point down: a module imports
hfnotes modules from its own layer or a lower one, at the top of its file
(never inside a function), and the imports have no cycle
(``tests/test_layers.py`` checks all three). Low-level helpers take what
they work on as arguments; defaults that resolve a course asset belong to
the registry and above.

1. base: errors, config, integrity, precision, display, session, recipe, metrics._checks
2. helpers: data, models, inference, collate, search, bench, plots, metrics, evaluation, anatomy, families, launch, rl
3. builders: throughput, train, textgen, checkpoint
4. registry: assets
5. front: lora, doctor, runner, exercises, __main__

Example:
    >>> import hfnotes
    >>> hfnotes.config.source() in hfnotes.config.SOURCES
    True
"""

from __future__ import annotations

from . import config

config.apply_offline_env()

from . import assets, errors  # noqa: E402
from .display import rounded, show_source  # noqa: E402
from .doctor import doctor  # noqa: E402
from .session import device, seed_everything, setup  # noqa: E402

__version__ = "0.1.0"

_LAZY_MODULES = (
    "bench",
    "checkpoint",
    "collate",
    "data",
    "evaluation",
    "exercises",
    "families",
    "inference",
    "launch",
    "lora",
    "metrics",
    "plots",
    "rl",
    "runner",
    "search",
    "textgen",
    "train",
)


def __getattr__(name: str):
    """Import the heavier submodules (``hfnotes.data`` …) on first use."""
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "assets",
    "config",
    "device",
    "doctor",
    "errors",
    "rounded",
    "seed_everything",
    "setup",
    "show_source",
    *_LAZY_MODULES,
]
