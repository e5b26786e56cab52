"""hfnotes.lora: LoRA config, parameter counts, portable save and load, merge."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from hfnotes import assets
from hfnotes.errors import AssetError, InputError
from hfnotes.lora import (
    base_model_of,
    folder_size,
    load_adapter,
    lora_config,
    save_adapter,
    trainable_parameters,
)
from hfnotes.train import ID2LABEL, LABEL2ID, Recipe, fine_tune


def _peft_classifier(seed: int = 0, **lora):
    from peft import get_peft_model
    from transformers import AutoModelForSequenceClassification, set_seed

    set_seed(seed)
    base = AutoModelForSequenceClassification.from_pretrained(
        assets.base_model(), num_labels=2, id2label=ID2LABEL, label2id=LABEL2ID, use_safetensors=True
    )
    model = get_peft_model(base, lora_config(**lora))
    # LoRA's B matrices start at zero; give them values so that the adapter changes the output
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    return model.eval()


@pytest.fixture(scope="module")
def batch():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    texts = ["Not bad at all, I would go back.", "The battery died after a week.", "meh"]
    return dict(tokenizer(texts, padding=True, return_tensors="pt"))


def test_config_targets_attention_projections():
    config = lora_config()
    assert config.r == 8 and config.lora_alpha == 16
    assert set(config.target_modules) == {"query", "value"}
    assert config.task_type == "SEQ_CLS"
    assert set(lora_config(targets="query").target_modules) == {"query"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"r": 0}, "r \\(the LoRA rank\\) must be a positive int"),
        ({"r": 2.5}, "positive int"),
        ({"alpha": 0}, "alpha must be positive"),
        ({"dropout": 1.0}, "dropout must be in"),
        ({"targets": ()}, "targets is empty"),
    ],
)
def test_config_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        lora_config(**kwargs)


def test_trainable_share_is_below_one_percent():
    counts = trainable_parameters(_peft_classifier())
    # 6 layers x 2 projections x (384x8 + 8x384) LoRA weights, plus the 384 -> 2 head
    assert counts["trainable"] == 6 * 2 * 2 * 384 * 8 + 384 * 2 + 2
    assert counts["share"] < 0.01
    assert counts["total"] > 22_000_000


def test_trainable_parameters_is_peft_count_for_peft_and_plain_models():
    model = _peft_classifier()
    trainable, total = model.get_nb_trainable_parameters()
    assert trainable_parameters(model) == {"trainable": trainable, "total": total, "share": trainable / total}
    plain = model.get_base_model()  # with the LoRA layers in it, only those and the head trainable
    assert trainable_parameters(plain)["trainable"] == plain.num_parameters(only_trainable=True) == trainable


def test_folder_size_counts_nested_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "sub" / "b").write_bytes(b"y" * 5)
    assert folder_size(tmp_path) == 15
    with pytest.raises(InputError, match="is not a folder"):
        folder_size(tmp_path / "a")


def test_saved_adapter_names_the_base_by_hub_id(tmp_path):
    from huggingface_hub import ModelCard

    model = _peft_classifier()
    loaded_from = model.peft_config["default"].base_model_name_or_path
    folder = save_adapter(model, tmp_path / "adapter")
    assert model.peft_config["default"].base_model_name_or_path == loaded_from  # the model itself is left alone
    card = ModelCard.load(folder / "README.md")
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2" and card.data.library_name == "peft"
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "sentence-transformers/all-MiniLM-L6-v2"
    for path in folder.iterdir():  # the config and the model card name no folder of this machine
        if path.suffix in (".json", ".md"):
            text = path.read_text()
            assert str(tmp_path) not in text and assets.base_model() not in text and "site-packages" not in text
    assert "base_model: sentence-transformers/all-MiniLM-L6-v2" in (folder / "README.md").read_text()
    assert (folder / "adapter_model.safetensors").is_file()
    assert folder_size(folder) < 2_000_000  # the adapter, not a copy of the 87 MB model


def test_moved_adapter_loads_with_identical_logits(tmp_path, batch):
    model = _peft_classifier()
    save_adapter(model, tmp_path / "first")
    moved = shutil.move(tmp_path / "first", tmp_path / "elsewhere")  # no path inside may matter
    assert base_model_of(moved) == assets.base_model()
    loaded = load_adapter(moved)
    with torch.no_grad():
        expected = model(**batch).logits
        assert torch.equal(loaded(**batch).logits, expected)
        merged = load_adapter(moved, merge=True)
        assert not hasattr(merged, "peft_config")
        torch.testing.assert_close(merged(**batch).logits, expected, atol=1e-5, rtol=1e-5)
        plain = load_adapter(moved, merge=False).get_base_model()
    assert type(plain).__name__ == "BertForSequenceClassification"


def test_adapter_changes_the_output(tmp_path, batch):
    """The identical-logits test above could pass if the adapter did nothing; it does something."""
    save_adapter(_peft_classifier(), tmp_path / "a")
    save_adapter(_peft_classifier(seed=1), tmp_path / "b")
    with torch.no_grad():
        first = load_adapter(tmp_path / "a")(**batch).logits
        second = load_adapter(tmp_path / "b")(**batch).logits
    assert not torch.allclose(first, second)


def test_hub_mode_resolves_the_hub_id(tmp_path):
    folder = save_adapter(_peft_classifier(), tmp_path / "adapter")
    assert base_model_of(folder, source="hub") == "sentence-transformers/all-MiniLM-L6-v2"


def test_peft_default_local_path_still_loads(tmp_path):
    model = _peft_classifier()
    model.save_pretrained(tmp_path / "raw")  # plain peft: records this machine's folder
    assert base_model_of(tmp_path / "raw") == assets.base_model()


def test_unknown_base_is_a_clear_error(tmp_path):
    folder = save_adapter(_peft_classifier(), tmp_path / "adapter")
    config = json.loads((folder / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "/gone/machine/path/minilm"
    (folder / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(AssetError, match="neither a course asset nor a folder"):
        base_model_of(folder)


def test_not_an_adapter(tmp_path):
    with pytest.raises(InputError, match="not a saved adapter"):
        load_adapter(tmp_path)
    with pytest.raises(InputError, match="needs a peft model"):
        save_adapter(torch.nn.Linear(2, 2), tmp_path / "x")


def test_recipe_with_adapter_trains_only_the_adapter():
    result = fine_tune(Recipe(epochs=1, max_train_samples=32, max_eval_samples=16), adapter=lora_config())
    model = result.model
    assert hasattr(model, "peft_config")
    trained = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trained and all("lora_" in name or "classifier" in name for name in trained)
    assert 0.0 <= result.metrics["test_accuracy"] <= 1.0
    # the frozen encoder weights are still the base model's
    from safetensors.torch import load_file

    original = load_file(f"{assets.base_model()}/model.safetensors")
    base = model.get_base_model()
    key = next(k for k in original if k.endswith("encoder.layer.0.attention.self.query.weight"))
    assert torch.equal(base.bert.encoder.layer[0].attention.self.query.base_layer.weight, original[key])
