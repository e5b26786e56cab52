"""One call at the top of every notebook: :func:`setup`.

It checks the source, seeds every random number generator, and quiets the
progress bars and load reports that would otherwise make saved notebook
outputs differ from run to run.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from importlib import metadata

from . import config
from .errors import ConfigError, InputError

__all__ = ["setup", "seed_everything", "device", "Summary", "package_version", "DEVICES"]

DEVICES: tuple[str, ...] = ("cuda", "mps", "cpu")
"""The devices hfnotes trains and predicts on, best first."""


@dataclass(frozen=True)
class Summary:
    """What :func:`setup` configured; its repr is the notebook's first output."""

    source: str
    seed: int
    offline: bool
    versions: dict[str, str]

    def __repr__(self) -> str:
        mode = "offline, bundled assets" if self.offline else "Hugging Face Hub"
        # without local build tags (2.13.0, not 2.13.0+cpu): the same line on every machine
        libs = " · ".join(
            f"{name} {version.split('+')[0]}" for name, version in self.versions.items() if name != "hfnotes"
        )
        return (
            f"hfnotes {self.versions.get('hfnotes', '?')} · source: {self.source} ({mode}) · seed {self.seed}\n{libs}"
        )


def package_version(name: str) -> str:
    """Installed version of distribution ``name``, or ``"missing"``.

    Example:
        >>> package_version("surely-not-installed-hfnotes-test")
        'missing'
    """
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every GPU) with ``seed``.

    This is ``transformers.set_seed`` after checking ``seed``. String hashing
    (``PYTHONHASHSEED``) cannot be seeded from a running interpreter: set the
    variable before Python starts if you need it.

    Example:
        >>> import torch
        >>> seed_everything(1); a = torch.rand(2)
        >>> seed_everything(1); bool((a == torch.rand(2)).all())
        True
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"seed must be a non-negative int, got {seed!r}.")
    from transformers import set_seed

    set_seed(seed)


def _quiet() -> None:
    """Silence progress bars, load reports and known-noisy warnings."""
    import datasets
    import evaluate
    import huggingface_hub
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    evaluate.logging.set_verbosity_error()
    evaluate.logging.disable_progress_bar()
    huggingface_hub.utils.disable_progress_bars()
    # tokenizers warns after a fork when its thread pool was used; datasets' num_proc forks.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", message=".*`resume_download` is deprecated.*")
    # datasets 5.2 passes an option to pyarrow's sort that pyarrow 25 deprecated; harmless.
    warnings.filterwarnings("ignore", message="Specifying null_placement", category=FutureWarning)
    # peft 0.21 still calls a transformers 5 method that was renamed; harmless.
    warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)


def setup(seed: int = 0, quiet: bool = True) -> Summary:
    """Prepare a notebook: check the source, seed everything, quiet the logs.

    Safe to call more than once; each call re-seeds. Raises
    :class:`hfnotes.errors.ConfigError` when ``HFNOTES_SOURCE`` is invalid.

    Example:
        >>> import hfnotes
        >>> summary = hfnotes.setup(seed=0)
        >>> summary.seed, summary.source == hfnotes.config.source(), summary.offline == (summary.source == "bundled")
        (0, True, True)
    """
    name = config.source()
    offline = config.apply_offline_env()
    seed_everything(seed)
    if quiet:
        _quiet()
    versions = {
        pkg: package_version(pkg) for pkg in ("hfnotes", "torch", "transformers", "datasets", "evaluate", "accelerate")
    }
    return Summary(source=name, seed=seed, offline=offline, versions=versions)


def device() -> str:
    """The best available device: ``"cuda"``, then ``"mps"``, then ``"cpu"``.

    ``HFNOTES_DEVICE`` overrides the choice (the committed notebook outputs
    were made on ``cpu``). An unknown name, or a device this machine does not
    have, raises :class:`~hfnotes.errors.ConfigError`.

    Example:
        >>> import os
        >>> os.environ["HFNOTES_DEVICE"] = "CPU "; device()
        'cpu'
        >>> del os.environ["HFNOTES_DEVICE"]
    """
    import torch

    available = {
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
        "cpu": True,
    }
    raw = os.environ.get("HFNOTES_DEVICE", "")
    forced = raw.strip().lower()
    if forced:
        if forced not in DEVICES:
            hint = " (for an NVIDIA GPU use 'cuda')" if forced in ("gpu", "nvidia") else ""
            raise ConfigError(
                f"HFNOTES_DEVICE={raw!r} is not a device hfnotes knows{hint}. Allowed values: {', '.join(DEVICES)}; "
                "unset it to pick the best available one."
            )
        if not available[forced]:
            raise ConfigError(
                f"HFNOTES_DEVICE={raw!r}, but torch finds no {forced} device on this machine. "
                "Unset HFNOTES_DEVICE to pick the best available one, or set it to cpu."
            )
        return forced
    return next(name for name in DEVICES if available[name])
