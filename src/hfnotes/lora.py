"""LoRA adapters for the course classifier: configure, count, save portably, load back.

LoRA freezes the encoder and learns a small low-rank update ``B @ A`` next
to chosen weight matrices (here BERT's attention projections ``query`` and
``value``); only those updates and the new classification head are
trained and saved. Notebook 08 compares it with full fine-tuning.

Training goes through the course recipe: ``hfnotes.train.fine_tune(recipe,
adapter=lora_config())``.

Adapters saved by :func:`save_adapter` are portable: their
``adapter_config.json`` names the base model by its Hub id, not by the
folder it happened to be loaded from on one machine, and :func:`load_adapter`
resolves that id to the bundled copy (offline) or the Hub (``HFNOTES_SOURCE=hub``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AssetError, InputError

if TYPE_CHECKING:
    from peft import LoraConfig
    from torch.nn import Module

__all__ = [
    "DEFAULT_TARGETS",
    "lora_config",
    "trainable_parameters",
    "folder_size",
    "save_adapter",
    "base_model_of",
    "load_adapter",
]

DEFAULT_TARGETS: tuple[str, ...] = ("query", "value")
"""BERT's attention projections that get a LoRA update by default."""

_CONFIG_FILE = "adapter_config.json"


def lora_config(
    r: int = 8, alpha: int = 16, dropout: float = 0.1, targets: Sequence[str] = DEFAULT_TARGETS
) -> LoraConfig:
    """A ``LoraConfig`` for sequence classification on a BERT-family encoder.

    ``r`` is the rank of the update, ``alpha / r`` scales it. The
    classification head is new, so peft trains and saves it in full.

    Example:
        >>> config = lora_config(r=4)
        >>> config.r, sorted(config.target_modules), config.task_type == "SEQ_CLS"
        (4, ['query', 'value'], True)
    """
    from peft import LoraConfig, TaskType

    if not isinstance(r, int) or r < 1:
        raise InputError(f"r (the LoRA rank) must be a positive int, got {r!r}.")
    if alpha <= 0:
        raise InputError(f"alpha must be positive, got {alpha!r}.")
    if not 0 <= dropout < 1:
        raise InputError(f"dropout must be in [0, 1), got {dropout!r}.")
    targets = [targets] if isinstance(targets, str) else list(targets)
    if not targets:
        raise InputError("targets is empty: name the modules to adapt, e.g. ('query', 'value').")
    return LoraConfig(task_type=TaskType.SEQ_CLS, r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=targets)


def trainable_parameters(model: Module) -> dict[str, Any]:
    """Count trainable and total parameters (shared weights once) and the trainable share.

    Example:
        >>> import torch
        >>> layer = torch.nn.Linear(4, 2)
        >>> layer.bias.requires_grad_(False)  # doctest: +ELLIPSIS
        Parameter containing: ...
        >>> trainable_parameters(layer)
        {'trainable': 8, 'total': 10, 'share': 0.8}
    """
    params = list(model.parameters())
    trainable = sum(p.numel() for p in params if p.requires_grad)
    total = sum(p.numel() for p in params)
    return {"trainable": trainable, "total": total, "share": trainable / total if total else 0.0}


def folder_size(path: str | Path) -> int:
    """Bytes of all files under ``path`` (what must be stored or shipped).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = Path(d, "a.bin").write_bytes(b"12345")
        ...     folder_size(d)
        5
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{str(path)!r} is not a folder.")
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _write_text(path: Path, text: str) -> None:
    """Write next to ``path`` first, then rename: a reader never sees half a file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _adapter_card(hub_id: str, config: dict[str, Any]) -> str:
    """A short model card for a saved adapter (peft's own template would name a local folder)."""
    targets = ", ".join(f"`{t}`" for t in sorted(config.get("target_modules") or []))
    return f"""---
base_model: {hub_id}
library_name: peft
tags:
- base_model:adapter:{hub_id}
- lora
- text-classification
---

# LoRA adapter for sentiment classification

A LoRA adapter (rank {config.get("r")}, alpha {config.get("lora_alpha")}, on {targets}) and classification head
on top of `{hub_id}`, trained by the hfnotes course recipe (`hfnotes.train.fine_tune(..., adapter=...)`).

Load it with the course helper, which finds the base model offline:

```python
from hfnotes.lora import load_adapter
model = load_adapter("path/to/this/folder")
```

or with peft alone (downloads the base model):

```python
from peft import PeftModel
from transformers import AutoModelForSequenceClassification
base = AutoModelForSequenceClassification.from_pretrained("{hub_id}", num_labels=2)
model = PeftModel.from_pretrained(base, "path/to/this/folder")
```
"""


def save_adapter(model: Module, folder: str | Path, base_asset: str = "base_model") -> Path:
    """Save a peft model's adapter (and head) to ``folder``, naming its base model portably.

    peft records the folder the base model was loaded from, which exists
    only on this machine, in ``adapter_config.json`` and in its model card.
    Both are rewritten to name the base by the Hub id of the course asset
    ``base_asset`` instead.

    Example:
        >>> save_adapter(model, "build/lora-adapter")  # doctest: +SKIP
        PosixPath('build/lora-adapter')
    """
    from . import assets

    if not hasattr(model, "peft_config"):
        raise InputError("save_adapter needs a peft model (from peft.get_peft_model or load_adapter).")
    folder = Path(folder)
    hub_id = assets.REGISTRY[base_asset].hub_id
    model.save_pretrained(folder)
    config_path = folder / _CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = hub_id
    config["revision"] = None
    _write_json(config_path, config)
    _write_text(folder / "README.md", _adapter_card(hub_id, config))
    return folder


def base_model_of(folder: str | Path, source: str | None = None) -> str:
    """Where to load the base model of the adapter in ``folder`` from, on this machine.

    A Hub id that is a course asset resolves through :mod:`hfnotes.assets`
    (the verified bundled copy offline, the Hub id with
    ``HFNOTES_SOURCE=hub``); a folder that exists is used as it is.

    Example:
        >>> base_model_of("no/such/adapter")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        hfnotes.errors.InputError: ...
    """
    from . import assets, config

    config_path = Path(folder) / _CONFIG_FILE
    if not config_path.is_file():
        raise InputError(f"{str(folder)!r} holds no {_CONFIG_FILE}: it is not a saved adapter.")
    base = json.loads(config_path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    for name, asset in assets.REGISTRY.items():
        if base in (asset.hub_id, name):
            return assets.resolve(name, source)
    if base and Path(base).is_dir():
        return base
    if base and config.source(source) == "hub" and not Path(base).is_absolute():
        return base
    raise AssetError(
        f"The adapter in {str(folder)!r} was trained on {base!r}, which is neither a course asset nor a folder on "
        "this machine. Pass the base model's folder or Hub id: load_adapter(folder, base=...)."
    )


def load_adapter(folder: str | Path, base: str | None = None, merge: bool = False, num_labels: int = 2) -> Module:
    """Load a fresh base classifier and put the adapter in ``folder`` on it (``merge``: fold it in).

    With ``merge=True`` the LoRA updates are added into the base weights
    (``merge_and_unload``): a plain transformers model, as fast as the
    original, with no peft needed to run it.

    Example:
        >>> model = load_adapter("build/lora-adapter")  # doctest: +SKIP
    """
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    from .train import ID2LABEL, LABEL2ID

    base = base or base_model_of(folder)
    labels = {"id2label": ID2LABEL, "label2id": LABEL2ID} if num_labels == len(ID2LABEL) else {}
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=num_labels, use_safetensors=True, **labels
    )
    model = PeftModel.from_pretrained(model, str(folder))
    model.eval()
    return model.merge_and_unload() if merge else model
