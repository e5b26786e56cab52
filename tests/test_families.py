"""hfnotes.families: tiny models of each family, parameter counts, attention masks, generate, task heads."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from hfnotes import assets
from hfnotes import families as fam
from hfnotes.errors import InputError

SIZES = {"hidden_size": 32, "num_layers": 2, "num_heads": 4, "max_positions": 32}
VOCAB = fam.MINILM_VOCAB_SIZE
HIDDEN = SIZES["hidden_size"]


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(assets.base_model())


@pytest.fixture(scope="module")
def models():
    return {(name, head): fam.tiny_model(name, head=head, **SIZES) for name in fam.FAMILIES for head in (False, True)}


@pytest.fixture(scope="module")
def batch(tokenizer):
    """Two texts; the second is padded (4 real tokens, 3 padding)."""
    return tokenizer(
        ["the hotel was really great", "too noisy"], padding=True, return_tensors="pt", return_token_type_ids=False
    )


def test_special_ids_match_the_bundled_tokenizer(tokenizer):
    assert len(tokenizer) == VOCAB
    assert (tokenizer.pad_token_id, tokenizer.cls_token_id, tokenizer.sep_token_id) == (
        fam.PAD_ID,
        fam.CLS_ID,
        fam.SEP_ID,
    )


@pytest.mark.parametrize("name", list(fam.FAMILIES))
@pytest.mark.parametrize("head", [False, True, "base", "lm"])
def test_every_family_builds_with_the_right_class(models, name, head):
    spec = fam.FAMILIES[name]
    expected = spec.head_class if head in (True, "lm") else spec.base_class
    model = models[(name, head in (True, "lm"))] if isinstance(head, bool) else fam.tiny_model(name, head, **SIZES)
    assert type(model).__name__ == expected
    assert type(model.config).__name__ == spec.config_class
    assert not model.training
    assert model.config._attn_implementation == "eager"
    assert model.config.vocab_size == VOCAB and model.config.pad_token_id == fam.PAD_ID
    summary = fam.config_summary(model.config)
    assert (summary["hidden"], summary["layers"], summary["heads"], summary["intermediate"]) == (HIDDEN, 2, 4, 128)
    assert summary["max positions"] == ("relative" if name == "encoder-decoder" else 32)


def test_generation_ids_are_consistent():
    gpt2 = fam.tiny_config("decoder")
    assert (gpt2.bos_token_id, gpt2.eos_token_id, gpt2.pad_token_id) == (fam.CLS_ID, fam.SEP_ID, fam.PAD_ID)
    t5 = fam.tiny_config("encoder-decoder")
    assert (t5.eos_token_id, t5.pad_token_id, t5.decoder_start_token_id) == (fam.SEP_ID, fam.PAD_ID, fam.PAD_ID)
    assert t5.num_decoder_layers == t5.num_layers == 2


@pytest.mark.parametrize("name", list(fam.FAMILIES))
@pytest.mark.parametrize("head", [False, True])
def test_counts_add_up_to_the_real_total(models, name, head):
    model = models[(name, head)]
    counts = fam.parameter_counts(model)
    assert counts["total"] == sum(p.numel() for p in model.parameters())
    assert counts["embeddings"] + counts["blocks"] + counts["other"] + counts["head"] == counts["total"]
    assert counts["blocks"] > 0 and counts["embeddings"] > VOCAB * HIDDEN - 1
    if not head:
        assert counts["head"] == 0 and counts["tied"] == 0


def test_counts_by_hand_for_bert(models):
    base = fam.parameter_counts(models[("encoder", False)])
    mlm = fam.parameter_counts(models[("encoder", True)])
    # word + position + segment embeddings + their LayerNorm
    assert base["embeddings"] == VOCAB * HIDDEN + 32 * HIDDEN + 2 * HIDDEN + 2 * HIDDEN
    assert base["other"] == HIDDEN * HIDDEN + HIDDEN  # the pooler; BertForMaskedLM has none
    assert mlm["other"] == 0 and mlm["embeddings"] == base["embeddings"]
    # transform (dense + LayerNorm) + one bias per vocabulary entry; the output matrix is the embedding matrix
    assert mlm["head"] == HIDDEN * HIDDEN + HIDDEN + 2 * HIDDEN + VOCAB
    assert mlm["tied"] == VOCAB * HIDDEN


def test_tied_head_counted_once_and_untied_head_counted():
    tied = fam.tiny_model("decoder", **SIZES)
    untied = fam.tiny_model("decoder", tie_word_embeddings=False, **SIZES)
    assert tied.lm_head.weight is tied.transformer.wte.weight
    assert untied.lm_head.weight is not untied.transformer.wte.weight
    t, u = fam.parameter_counts(tied), fam.parameter_counts(untied)
    assert (t["head"], t["tied"]) == (0, VOCAB * HIDDEN)
    assert (u["head"], u["tied"]) == (VOCAB * HIDDEN, 0)
    assert u["total"] == t["total"] + VOCAB * HIDDEN == sum(p.numel() for p in untied.parameters())
    assert t["total"] == fam.parameter_counts(fam.tiny_model("decoder", head=False, **SIZES))["total"]


def test_t5_shares_one_embedding_matrix(models):
    model = models[("encoder-decoder", True)]
    assert model.encoder.embed_tokens.weight is model.shared.weight is model.lm_head.weight
    counts = fam.parameter_counts(model)
    assert counts["embeddings"] == VOCAB * HIDDEN and counts["tied"] == VOCAB * HIDDEN and counts["head"] == 0


def test_parameter_table(models):
    table = fam.parameter_table({"BERT": models[("encoder", True)], "GPT-2": models[("decoder", True)]})
    assert list(table.index) == ["BERT", "GPT-2"]
    assert table.loc["GPT-2", "class"] == "GPT2LMHeadModel"
    for name in table.index:
        row = table.loc[name]
        assert row["embeddings"] + row["blocks"] + row["other"] + row["head"] == row["total"]
        assert row["embeddings %"] == round(100 * row["embeddings"] / row["total"], 1)


def _expected_self(length: int, real: int, causal: bool) -> np.ndarray:
    expected = np.ones((length, length), dtype=int)
    if causal:
        expected = np.tril(expected)
    expected[:, real:] = 0
    return expected


@pytest.mark.parametrize("layer, head", [(0, 0), (1, 3)])
def test_encoder_attends_everywhere_except_padding(models, batch, layer, head):
    model = models[("encoder", True)]
    length = batch["input_ids"].shape[1]
    full = fam.attention_pattern(model, batch["input_ids"], batch["attention_mask"], layer=layer, head=head)
    assert (full == 1).all()
    padded = fam.attention_pattern(
        model, batch["input_ids"], batch["attention_mask"], example=1, layer=layer, head=head
    )
    assert np.array_equal(padded, _expected_self(length, 4, causal=False))


@pytest.mark.parametrize("layer, head", [(0, 0), (1, 3)])
def test_decoder_is_exactly_lower_triangular(models, batch, layer, head):
    model = models[("decoder", True)]
    length = batch["input_ids"].shape[1]
    full = fam.attention_pattern(model, batch["input_ids"], batch["attention_mask"], layer=layer, head=head)
    assert np.array_equal(full, np.tril(np.ones((length, length), dtype=int)))
    padded = fam.attention_pattern(
        model, batch["input_ids"], batch["attention_mask"], example=1, layer=layer, head=head
    )
    assert np.array_equal(padded, _expected_self(length, 4, causal=True))
    assert (padded[:, 4:] == 0).all()


def test_no_mask_means_padding_is_attended(models, batch):
    pattern = fam.attention_pattern(models[("encoder", False)], batch["input_ids"][1:])
    assert (pattern == 1).all()


def test_t5_encoder_decoder_and_cross_attention(models, batch):
    model = models[("encoder-decoder", True)]
    labels = torch.tensor([[2200, 5189, fam.SEP_ID], [2200, fam.SEP_ID, fam.PAD_ID]])
    decoder_ids = model.prepare_decoder_input_ids_from_labels(labels)
    assert decoder_ids[:, 0].tolist() == [fam.PAD_ID, fam.PAD_ID]  # T5 starts its decoder with [PAD]
    ids, mask = batch["input_ids"], batch["attention_mask"]
    length = ids.shape[1]
    kwargs = {"decoder_input_ids": decoder_ids, "example": 1}
    encoder = fam.attention_pattern(model, ids, mask, kind="encoder", example=1)
    decoder = fam.attention_pattern(model, ids, mask, kind="decoder", **kwargs)
    cross = fam.attention_pattern(model, ids, mask, kind="cross", **kwargs)
    assert np.array_equal(encoder, _expected_self(length, 4, causal=False))
    assert np.array_equal(decoder, np.tril(np.ones((3, 3), dtype=int)))
    assert cross.shape == (3, length) and (cross[:, :4] == 1).all() and (cross[:, 4:] == 0).all()
    assert fam.attention_pattern(model, ids, mask).shape == (length, length)  # kind defaults to "encoder"


def test_same_seed_same_weights_other_seed_other_weights():
    a = fam.tiny_model("decoder", seed=3, **SIZES).state_dict()
    b = fam.tiny_model("decoder", seed=3, **SIZES).state_dict()
    c = fam.tiny_model("decoder", seed=4, **SIZES).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["transformer.h.0.attn.c_attn.weight"], c["transformer.h.0.attn.c_attn.weight"])


def test_building_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fam.tiny_model("encoder", **SIZES)
    assert torch.equal(torch.rand(3), expected)


def test_generate_greedy_is_deterministic_and_sampling_reproducible(models):
    model = models[("decoder", True)]
    prompt = torch.tensor([[fam.CLS_ID, 1996, 3309, 2001]])
    options = {"attention_mask": torch.ones_like(prompt), "max_new_tokens": 8}
    greedy = [model.generate(prompt, do_sample=False, **options) for _ in range(2)]
    assert torch.equal(greedy[0], greedy[1]) and torch.equal(greedy[0][:, :4], prompt)

    def sample(seed: int) -> torch.Tensor:
        torch.manual_seed(seed)
        return model.generate(prompt, do_sample=True, temperature=0.8, top_k=50, **options)

    assert torch.equal(sample(0), sample(0))
    assert not torch.equal(sample(0), sample(1))


def test_t5_generate_starts_with_the_decoder_start_id(models):
    model = models[("encoder-decoder", True)]
    ids = torch.tensor([[fam.CLS_ID, 1996, 3309, fam.SEP_ID]])
    out = [model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=5) for _ in range(2)]
    assert torch.equal(out[0], out[1])
    assert out[0][0, 0].item() == fam.PAD_ID and out[0].shape[1] <= 6


def test_output_shapes(models, batch):
    with torch.inference_mode():
        outputs = models[("decoder", True)](**batch, output_attentions=True, use_cache=False)
    shapes = fam.output_shapes(outputs)
    length = batch["input_ids"].shape[1]
    assert shapes["logits"] == (2, length, VOCAB)
    assert shapes["attentions"] == f"2 × (2, 4, {length}, {length})"
    with pytest.raises(InputError, match="must be a model output"):
        fam.output_shapes([1, 2])


def test_task_heads_reads_the_library():
    from transformers.pipelines import SUPPORTED_TASKS

    table = fam.task_heads()
    expected = {name for name, spec in SUPPORTED_TASKS.items() if "text" in spec["type"]}
    assert set(table.index) == expected
    assert table.loc["text-classification", "family"].startswith("encoder")
    assert table.loc["text-classification", "auto classes"] == "AutoModelForSequenceClassification"
    assert "sentiment-analysis" in table.loc["text-classification", "aliases"]
    assert table.loc["text-generation", "family"] == "decoder"
    assert table.loc["fill-mask", "family"] == "encoder"
    assert table.loc["feature-extraction", "family"] == "any (body only)"


def test_task_heads_unknown_head_is_other():
    class AutoModelForSomethingNew:
        pass

    tasks = {
        "new-task": {"type": "text", "pt": (AutoModelForSomethingNew,)},
        "mixed": {"type": "text", "pt": ("AutoModelForCausalLM", "AutoModelForSeq2SeqLM")},
        "no-heads": {"type": "text"},
        "pictures": {"type": "image", "pt": ("AutoModel",)},
    }
    table = fam.task_heads(tasks)
    assert list(table.index) == ["mixed", "new-task", "no-heads"]
    assert table.loc["new-task", "family"] == "other"
    assert table.loc["mixed", "family"] == "decoder / encoder-decoder"
    assert table.loc["no-heads", "family"] == "other"
    with pytest.raises(InputError, match="no pipeline task has a type containing 'speech'"):
        fam.task_heads(tasks, kind="speech")


@pytest.mark.parametrize(
    "family, kwargs, message",
    [
        ("roberta", {}, "unknown model family 'roberta': use one of 'encoder', 'decoder', 'encoder-decoder'"),
        ("bert", {}, r"bert is the 'encoder' family"),
        ("GPT-2", {}, r"GPT-2 is the 'decoder' family"),
        ("encoder", {"hidden_size": 0}, "hidden_size must be a positive int, got 0"),
        ("decoder", {"num_layers": -1}, "num_layers must be a positive int, got -1"),
        ("decoder", {"num_heads": 2.0}, "num_heads must be a positive int, got 2.0"),
        ("encoder", {"max_positions": True}, "max_positions must be a positive int, got True"),
        ("encoder", {"intermediate_size": 0}, "intermediate_size must be a positive int"),
        ("encoder-decoder", {"hidden_size": 30, "num_heads": 4}, "hidden_size 30 is not divisible by num_heads 4"),
        ("encoder", {"vocab_size": 50}, "vocab_size 50 is too small"),
    ],
)
def test_tiny_config_bad_input(family, kwargs, message):
    with pytest.raises(InputError, match=message):
        fam.tiny_config(family, **kwargs)


def test_tiny_model_bad_input():
    with pytest.raises(InputError, match="head must be True/'lm'"):
        fam.tiny_model("encoder", head="classifier")
    with pytest.raises(InputError, match="seed must be a non-negative int"):
        fam.tiny_model("encoder", seed=-1)
    with pytest.raises(InputError, match="unknown model family"):
        fam.tiny_model("seq2seq")


def test_attention_pattern_bad_input(models):
    bert, t5 = models[("encoder", False)], models[("encoder-decoder", True)]
    ids = [fam.CLS_ID, 1996, fam.SEP_ID]
    with pytest.raises(InputError, match="kind must be one of 'self' for an encoder or decoder model"):
        fam.attention_pattern(bert, ids, kind="cross")
    with pytest.raises(InputError, match="kind must be one of 'encoder', 'decoder', 'cross'"):
        fam.attention_pattern(t5, ids, kind="self")
    with pytest.raises(InputError, match="kind='cross' needs decoder_input_ids"):
        fam.attention_pattern(t5, ids, kind="cross")
    with pytest.raises(InputError, match="layer 5 is out of range: the model has 2 layer"):
        fam.attention_pattern(bert, ids, layer=5)
    with pytest.raises(InputError, match="head 4 is out of range: the model has 4 head"):
        fam.attention_pattern(bert, ids, head=4)
    with pytest.raises(InputError, match="example 1 is out of range"):
        fam.attention_pattern(bert, ids, example=1)
    with pytest.raises(InputError, match="attention_mask has shape"):
        fam.attention_pattern(bert, ids, [1, 1])
    with pytest.raises(InputError, match="input_ids must be token ids"):
        fam.attention_pattern(bert, [[[1]]])
    with pytest.raises(InputError, match="must be a transformers model"):
        fam.attention_pattern("bert", ids)


def test_parameter_table_bad_input():
    with pytest.raises(InputError, match="non-empty mapping"):
        fam.parameter_table({})
    with pytest.raises(InputError, match=r"models\['x'\] must be a transformers model"):
        fam.parameter_table({"x": object()})


def test_attention_masks_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hfnotes.plots import attention_masks

    causal = np.tril(np.ones((3, 3)))
    axes = attention_masks({"GPT-2": causal, "cross": np.ones((2, 3))}, tokens={"GPT-2": (["a", "b", "c"],) * 2})
    assert [ax.get_title() for ax in axes] == ["GPT-2", "cross"]
    assert axes[1].get_xlabel() == "key position" and axes[1].get_ylabel() == "query position"
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["a", "b", "c"]
    assert np.array_equal(axes[0].get_images()[0].get_array(), causal)
    plt.close("all")
    with pytest.raises(InputError, match="non-empty mapping"):
        attention_masks({})
    with pytest.raises(InputError, match=r"patterns\['flat'\] has shape \(3,\)"):
        attention_masks({"flat": [1, 0, 1]})
    with pytest.raises(InputError, match="has 2 query positions but 3 query tokens"):
        attention_masks({"cross": np.ones((2, 3))}, tokens=["a", "b", "c"])
