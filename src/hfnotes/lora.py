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

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import assets, config
from .errors import AssetError, InputError
from .recipe import ID2LABEL, LABEL2ID

if TYPE_CHECKING:
    from huggingface_hub import ModelCard
    from peft import LoraConfig
    from torch.nn import Module

__all__ = [
    "DEFAULT_TARGETS",
    "lora_config",
    "trainable_parameters",
    "folder_size",
    "adapter_card",
    "save_adapter",
    "base_model_of",
    "load_adapter",
]

DEFAULT_TARGETS: tuple[str, ...] = ("query", "value")
"""BERT's attention projections that get a LoRA update by default."""

_CONFIG_FILE = "adapter_config.json"
_WEIGHTS_FILE = "adapter_model.safetensors"


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

    The counting is peft's ``get_nb_trainable_parameters`` (what
    ``print_trainable_parameters`` prints); a model without that method
    (a plain transformers or torch model) is counted by the same function.

    Example:
        >>> import torch
        >>> layer = torch.nn.Linear(4, 2)
        >>> layer.bias.requires_grad_(False)  # doctest: +ELLIPSIS
        Parameter containing: ...
        >>> trainable_parameters(layer)
        {'trainable': 8, 'total': 10, 'share': 0.8}
    """
    counter = getattr(model, "get_nb_trainable_parameters", None)
    if counter is None:
        import torch
        from peft import PeftModel

        if not isinstance(model, torch.nn.Module):
            raise InputError(f"model must be a torch model (an nn.Module), got {type(model).__name__}.")
        counter = functools.partial(PeftModel.get_nb_trainable_parameters, model)
    trainable, total = counter()
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


def adapter_card(hub_id: str, settings: dict[str, Any]) -> ModelCard:
    """A short model card for a saved adapter, naming its base model by ``hub_id``.

    peft's own card would name the folder the base model was loaded from on this machine.

    Example:
        >>> card = adapter_card("org/base", {"r": 8, "lora_alpha": 16, "target_modules": ["query"]})
        >>> card.data.base_model, card.data.library_name
        ('org/base', 'peft')
    """
    from huggingface_hub import ModelCard, ModelCardData

    targets = ", ".join(f"`{t}`" for t in sorted(settings.get("target_modules") or []))
    metadata = ModelCardData(
        base_model=hub_id,
        library_name="peft",
        pipeline_tag="text-classification",
        tags=[f"base_model:adapter:{hub_id}", "lora", "text-classification"],
    )
    text = f"""# LoRA adapter for sentiment classification

A LoRA adapter (rank {settings.get("r")}, alpha {settings.get("lora_alpha")}, on {targets}) and classification head
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
    return ModelCard(f"---\n{metadata.to_yaml()}\n---\n\n{text}")


def save_adapter(model: Module, folder: str | Path, base_asset: str = "base_model") -> Path:
    """Save a peft model's adapter (and head) to ``folder``, naming its base model portably.

    peft records the folder the base model was loaded from, which exists
    only on this machine, in ``adapter_config.json`` and in its model card.
    Here the adapter's config names the base by the Hub id of the course
    asset ``base_asset`` while it is saved (the model's own config is left
    as it was), and the card is :func:`adapter_card`.

    Example:
        >>> save_adapter(model, "build/lora-adapter")  # doctest: +SKIP
        PosixPath('build/lora-adapter')
    """
    if not hasattr(model, "peft_config"):
        raise InputError("save_adapter needs a peft model (from peft.get_peft_model or load_adapter).")
    if base_asset not in assets.REGISTRY:
        raise InputError(f"base_asset {base_asset!r} is not a course asset; known: {', '.join(assets.REGISTRY)}.")
    folder = Path(folder)
    hub_id = assets.REGISTRY[base_asset].hub_id
    settings = list(model.peft_config.values())
    saved = [(s.base_model_name_or_path, s.revision) for s in settings]
    try:
        for adapter in settings:
            adapter.base_model_name_or_path, adapter.revision = hub_id, None
        # the course never resizes the vocabulary: no full embedding matrix to save, and no Hub lookup to decide it
        model.save_pretrained(folder, safe_serialization=True, save_embedding_layers=False)
    finally:
        for adapter, (name, revision) in zip(settings, saved, strict=True):
            adapter.base_model_name_or_path, adapter.revision = name, revision
    adapter_card(hub_id, settings[0].to_dict()).save(folder / "README.md")
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
    config_path = Path(folder) / _CONFIG_FILE
    if not config_path.is_file():
        raise InputError(f"{str(folder)!r} holds no {_CONFIG_FILE}: it is not a saved adapter.")
    try:
        settings = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{str(config_path)!r} is not valid JSON ({exc}): save the adapter again.") from exc
    if not isinstance(settings, dict):
        raise InputError(
            f"{str(config_path)!r} holds a {type(settings).__name__}, not an adapter config: save it again."
        )
    base = settings.get("base_model_name_or_path")
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

    Only adapter weights in safetensors are loaded.

    With ``merge=True`` the LoRA updates are added into the base weights
    (``merge_and_unload``): a plain transformers model, as fast as the
    original, with no peft needed to run it.

    Example:
        >>> model = load_adapter("build/lora-adapter")  # doctest: +SKIP
    """
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    if isinstance(num_labels, bool) or not isinstance(num_labels, int) or num_labels < 1:
        raise InputError(f"num_labels must be a positive int, got {num_labels!r}.")
    base = base or base_model_of(folder)
    if not (Path(folder) / _WEIGHTS_FILE).is_file():
        raise InputError(
            f"{str(folder)!r} has no {_WEIGHTS_FILE}: hfnotes loads adapters from safetensors only. "
            "Save it again with save_adapter (or model.save_pretrained(folder, safe_serialization=True))."
        )
    labels = {"id2label": ID2LABEL, "label2id": LABEL2ID} if num_labels == len(ID2LABEL) else {}
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=num_labels, use_safetensors=True, **labels
    )
    model = PeftModel.from_pretrained(model, str(folder))
    model.eval()
    return model.merge_and_unload() if merge else model
