"""Look inside a Transformer: its sizes, its parameters by part, its attention pattern, its task heads.

Notebook 09 uses these on the tiny models of :mod:`hfnotes.families`
(they work on any BERT-, GPT-2- or T5-style model). What they report comes
from the library itself: :func:`attention_pattern` from the attention
weights a model returns, :func:`task_heads` from
``transformers.pipelines.SUPPORTED_TASKS``, :func:`parameter_counts` from the
model's parameters.

Example:
    >>> HEAD_FAMILIES["AutoModelForCausalLM"]
    'decoder'
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import torch
    from transformers import PretrainedConfig, PreTrainedModel

__all__ = [
    "HEAD_FAMILIES",
    "config_summary",
    "parameter_counts",
    "parameter_table",
    "attention_pattern",
    "output_shapes",
    "task_heads",
]

HEAD_FAMILIES: dict[str, str] = {
    "AutoModel": "any (body only)",
    "AutoModelForMaskedLM": "encoder",
    "AutoModelForCausalLM": "decoder",
    "AutoModelForSeq2SeqLM": "encoder-decoder",
    "AutoModelForSequenceClassification": "encoder (usually; decoders can too)",
    "AutoModelForTokenClassification": "encoder (usually; decoders can too)",
    "AutoModelForQuestionAnswering": "encoder",
    "AutoModelForTableQuestionAnswering": "encoder",
    "AutoModelForSpeechSeq2Seq": "encoder-decoder",
}
"""Auto head class → the family that usually sits under it. Anything else is ``"other"``."""


def config_summary(config: PretrainedConfig) -> dict[str, int | str]:
    """The sizes that define a Transformer, read from any BERT-, GPT-2- or T5-style config.

    ``max positions`` is ``"relative"`` for models without a position table (T5).

    Example:
        >>> from hfnotes.families import tiny_config
        >>> config_summary(tiny_config("encoder"))["intermediate"]
        256
    """

    def first(*names: str) -> Any:
        for name in names:
            value = getattr(config, name, None)
            if value is not None:
                return value
        return None

    hidden = first("hidden_size", "d_model", "n_embd", "dim")
    if hidden is None:
        raise InputError(f"{type(config).__name__} has no hidden size: pass a Transformer model's config.")
    intermediate = first("intermediate_size", "n_inner", "d_ff", "hidden_dim") or 4 * hidden
    positions = first("max_position_embeddings", "n_positions")
    return {
        "layers": first("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
        "hidden": hidden,
        "heads": first("num_attention_heads", "n_head", "num_heads", "n_heads"),
        "intermediate": intermediate,
        "vocab": config.vocab_size,
        "max positions": positions if positions is not None else "relative",
    }


def _check_model(model: Any, what: str = "model") -> None:
    if not hasattr(model, "named_parameters") or not hasattr(model, "config"):
        raise InputError(f"{what} must be a transformers model (a PreTrainedModel), got {type(model).__name__}.")


def parameter_counts(model: PreTrainedModel) -> dict[str, int]:
    """Count a model's parameters by part: embeddings, transformer blocks, other, head.

    - ``embeddings``: token (and position, segment) embeddings and their norm;
    - ``blocks``: the stack of Transformer layers (attention + feed-forward);
    - ``other``: what sits between, such as a final layer norm or BERT's pooler;
    - ``head``: what the task head adds on top of the body;
    - ``total``: the four added up, equal to ``sum(p.numel() for p in model.parameters())``.

    A tensor shared by two modules is counted once. When the LM head reuses the
    token embedding matrix (tied weights), that matrix counts under
    ``embeddings`` and its size is reported as ``tied`` (not part of ``total``).

    Example:
        >>> from hfnotes.families import tiny_model
        >>> counts = parameter_counts(tiny_model("decoder", hidden_size=32, num_heads=2))
        >>> counts["head"], counts["tied"] == 30522 * 32
        (0, True)
    """
    _check_model(model)
    import torch

    module_lists = [name for name, module in model.named_modules() if isinstance(module, torch.nn.ModuleList)]
    modules = dict(model.named_modules(remove_duplicate=False))
    base = model.base_model
    if base is not model:
        body_prefix = model.base_model_prefix + "."
        head_prefixes: tuple[str, ...] = ()
    else:
        body_prefix = ""
        output = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
        head_prefixes = tuple(f"{name}." for name, module in modules.items() if output is not None and module is output)

    def part(name: str) -> str:
        if (body_prefix and not name.startswith(body_prefix)) or name.startswith(head_prefixes):
            return "head"
        if any(name.startswith(f"{ml}.") for ml in module_lists):
            return "blocks"
        owner = modules.get(name.rsplit(".", 1)[0])
        if isinstance(owner, torch.nn.Embedding) or "embed" in name.lower():
            return "embeddings"
        return "other"

    parts_by_tensor: dict[int, set[str]] = {}
    sizes: dict[int, int] = {}
    for name, tensor in model.named_parameters(remove_duplicate=False):
        parts_by_tensor.setdefault(id(tensor), set()).add(part(name))
        sizes[id(tensor)] = tensor.numel()
    counts = {"embeddings": 0, "blocks": 0, "other": 0, "head": 0}
    tied = 0
    for key, parts in parts_by_tensor.items():
        if "head" in parts and len(parts) > 1:
            tied += sizes[key]
        chosen = next(p for p in ("embeddings", "blocks", "other", "head") if p in parts)
        counts[chosen] += sizes[key]
    counts["total"] = sum(counts.values())
    counts["tied"] = tied
    return counts


def parameter_table(models: Mapping[str, PreTrainedModel]) -> pd.DataFrame:
    """A table of :func:`parameter_counts`, one row per model, with the embeddings' share.

    Example:
        >>> from hfnotes.families import tiny_model
        >>> table = parameter_table({"tiny GPT-2": tiny_model("decoder", hidden_size=32, num_heads=2)})
        >>> table.loc["tiny GPT-2", "class"], bool(table.loc["tiny GPT-2", "embeddings %"] > 90)
        ('GPT2LMHeadModel', True)
    """
    if not isinstance(models, Mapping) or not models:
        raise InputError("parameter_table needs a non-empty mapping of name → model, e.g. {'BERT': model}.")
    import pandas as pd

    rows = {}
    for name, model in models.items():
        _check_model(model, f"models[{name!r}]")
        counts = parameter_counts(model)
        rows[name] = {
            "class": type(model).__name__,
            **counts,
            "embeddings %": round(100 * counts["embeddings"] / counts["total"], 1),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _as_batch(ids: Any, what: str) -> torch.Tensor:
    import torch

    tensor = ids if isinstance(ids, torch.Tensor) else torch.tensor(ids)
    if tensor.dim() == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() != 2 or tensor.dtype in (torch.float16, torch.float32, torch.float64):
        raise InputError(
            f"{what} must be token ids of shape (sequence,) or (batch, sequence), got {tuple(tensor.shape)}."
        )
    return tensor.long()


_ATTENTION_KINDS = {"encoder or decoder": ("self",), "encoder-decoder": ("encoder", "decoder", "cross")}


def attention_pattern(
    model: PreTrainedModel,
    input_ids: Sequence[int] | Sequence[Sequence[int]] | torch.Tensor,
    attention_mask: Sequence[int] | Sequence[Sequence[int]] | torch.Tensor | None = None,
    *,
    kind: str | None = None,
    decoder_input_ids: Sequence[int] | Sequence[Sequence[int]] | torch.Tensor | None = None,
    decoder_attention_mask: Sequence[int] | Sequence[Sequence[int]] | torch.Tensor | None = None,
    layer: int = 0,
    head: int = 0,
    example: int = 0,
) -> np.ndarray:
    """Which key positions each query position attends to, read from the model's attention weights.

    Runs the model with ``output_attentions=True`` and returns a 0/1 matrix
    (rows = query positions, columns = key positions) for one ``layer``, ``head``
    and ``example`` of the batch: 1 where the attention weight is above zero.
    Masked positions (the future in a decoder, padding everywhere) get weight 0.

    For an encoder or a decoder ``kind`` is ``"self"`` (the default). For an
    encoder-decoder it is ``"encoder"`` (default), ``"decoder"`` (decoder
    self-attention) or ``"cross"`` (decoder queries, encoder keys); the last two
    need ``decoder_input_ids``.

    Example:
        >>> from hfnotes.families import tiny_model
        >>> pattern = attention_pattern(tiny_model("decoder", hidden_size=32, num_heads=2), [101, 7592, 2088])
        >>> pattern.tolist()
        [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    _check_model(model)
    is_seq2seq = bool(getattr(model.config, "is_encoder_decoder", False))
    family = "encoder-decoder" if is_seq2seq else "encoder or decoder"
    kinds = _ATTENTION_KINDS[family]
    kind = kind or kinds[0]
    if kind not in kinds:
        raise InputError(f"kind must be one of {', '.join(map(repr, kinds))} for an {family} model, got {kind!r}.")
    ids = _as_batch(input_ids, "input_ids")
    inputs: dict[str, Any] = {"input_ids": ids, "output_attentions": True, "return_dict": True}
    if attention_mask is not None:
        mask = _as_batch(attention_mask, "attention_mask")
        if mask.shape != ids.shape:
            raise InputError(f"attention_mask has shape {tuple(mask.shape)} but input_ids has {tuple(ids.shape)}.")
        inputs["attention_mask"] = mask
    if is_seq2seq:
        if decoder_input_ids is None:
            if kind != "encoder":
                raise InputError(f"kind={kind!r} needs decoder_input_ids (the decoder's tokens).")
            decoder_input_ids = [[model.config.decoder_start_token_id]] * ids.shape[0]
        inputs["decoder_input_ids"] = _as_batch(decoder_input_ids, "decoder_input_ids")
        if decoder_attention_mask is not None:
            inputs["decoder_attention_mask"] = _as_batch(decoder_attention_mask, "decoder_attention_mask")
    if not 0 <= example < ids.shape[0]:
        raise InputError(f"example {example} is out of range: the batch has {ids.shape[0]} example(s).")

    import torch

    if getattr(model.config, "_attn_implementation", "eager") != "eager":
        raise InputError(
            "this model's attention implementation cannot return attention weights: build it with "
            "attn_implementation='eager' (tiny_config does)."
        )
    if "use_cache" in inspect.signature(model.forward).parameters:
        inputs["use_cache"] = False
    with torch.inference_mode():
        outputs = model(**inputs)
    name = {"self": "attentions", "encoder": "encoder_attentions", "decoder": "decoder_attentions"}.get(
        kind, "cross_attentions"
    )
    layers = getattr(outputs, name)
    if not 0 <= layer < len(layers):
        raise InputError(f"layer {layer} is out of range: the model has {len(layers)} layer(s).")
    weights = layers[layer][example]
    if not 0 <= head < weights.shape[0]:
        raise InputError(f"head {head} is out of range: the model has {weights.shape[0]} head(s).")
    return (weights[head] > 0).int().numpy()


def output_shapes(outputs: Mapping[str, Any]) -> dict[str, tuple[int, ...] | str]:
    """The shape of every tensor in a model output (a ``ModelOutput`` or a dict).

    A tuple of tensors (attentions, hidden states: one per layer) is shown as
    ``"N × (shape)"``; any other value (a key-value cache) by its type name.

    Example:
        >>> import torch
        >>> output_shapes({"logits": torch.zeros(2, 5, 10), "attentions": (torch.zeros(2, 4, 5, 5),) * 2})
        {'logits': (2, 5, 10), 'attentions': '2 × (2, 4, 5, 5)'}
    """
    if not isinstance(outputs, Mapping):
        raise InputError(f"outputs must be a model output (a ModelOutput or dict), got {type(outputs).__name__}.")
    import torch

    shapes: dict[str, tuple[int, ...] | str] = {}
    for name, value in outputs.items():
        if isinstance(value, torch.Tensor):
            shapes[name] = tuple(value.shape)
        elif isinstance(value, (tuple, list)) and value and all(isinstance(v, torch.Tensor) for v in value):
            shapes[name] = f"{len(value)} × {tuple(value[0].shape)}"
        else:
            shapes[name] = type(value).__name__
    return shapes


def task_heads(tasks: Mapping[str, Mapping[str, Any]] | None = None, kind: str = "text") -> pd.DataFrame:
    """The pipeline tasks of one input kind, their Auto head classes and the family each usually uses.

    Reads ``transformers.pipelines.SUPPORTED_TASKS`` (or ``tasks``, a mapping of the
    same shape) and keeps the tasks whose ``"type"`` contains ``kind``. Families come
    from :data:`HEAD_FAMILIES`; a head class it does not know shows as ``"other"``.

    Example:
        >>> table = task_heads()
        >>> table.loc["fill-mask", "family"], table.loc["text-generation", "family"]
        ('encoder', 'decoder')
    """
    import pandas as pd

    aliases: dict[str, list[str]] = {}
    if tasks is None:
        from transformers.pipelines import SUPPORTED_TASKS, TASK_ALIASES

        tasks = SUPPORTED_TASKS
        for alias, task in TASK_ALIASES.items():
            aliases.setdefault(task, []).append(alias)
    if not isinstance(tasks, Mapping):
        raise InputError(f"tasks must be a mapping of task name → spec, got {type(tasks).__name__}.")
    rows = {}
    for name, spec in sorted(tasks.items()):
        if kind not in str(spec.get("type", "")):
            continue
        classes = [getattr(c, "__name__", str(c)) for c in spec.get("pt", ())]
        families = list(dict.fromkeys(HEAD_FAMILIES.get(c, "other") for c in classes)) or ["other"]
        rows[name] = {
            "aliases": ", ".join(sorted(aliases.get(name, []))),
            "auto classes": ", ".join(classes),
            "family": " / ".join(families),
        }
    if not rows:
        raise InputError(f"no pipeline task has a type containing {kind!r}: try 'text', 'image' or 'audio'.")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "task"
    return table
