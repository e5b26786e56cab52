"""hfnotes.search: mean pooling, embeddings from the pipeline, nearest neighbours."""

from __future__ import annotations

import pytest
import torch

from hfnotes import assets, search
from hfnotes.errors import InputError


@pytest.fixture(scope="module")
def extractor():
    from transformers import pipeline

    return pipeline("feature-extraction", model=assets.base_model(), device="cpu")


def test_mean_pool_ignores_padding_and_normalises():
    vectors = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(0))
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    pooled = search.mean_pool(vectors, mask)
    expected = torch.nn.functional.normalize(vectors[0, :3].mean(dim=0), dim=0)
    assert torch.allclose(pooled[0], expected, atol=1e-6)
    assert torch.allclose(pooled.norm(dim=-1), torch.ones(2))


def test_embed_matches_manual_mean_pooling_of_the_model(extractor):
    from transformers import AutoModel, AutoTokenizer

    texts = ["The room was spotless.", "Battery died in an hour, very disappointing overall."]
    tokenizer = AutoTokenizer.from_pretrained(assets.base_model())
    model = AutoModel.from_pretrained(assets.base_model())
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    expected = search.mean_pool(hidden, batch["attention_mask"])
    assert torch.allclose(search.embed(texts, extractor), expected, atol=1e-5)


def test_similar_sentences_score_higher(extractor):
    a, b, c = search.embed(["The hotel room was clean.", "Our room was spotless.", "The battery died fast."], extractor)
    assert float(a @ b) > float(a @ c) + 0.2


def test_most_similar_orders_by_score():
    corpus = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]]), dim=-1)
    assert [i for i, _ in search.most_similar(torch.tensor([1.0, 0.1]), corpus, k=3)] == [0, 2, 1]
    assert len(search.most_similar(torch.tensor([1.0, 0.0]), corpus, k=10)) == 3


def test_bad_input():
    with pytest.raises(InputError, match="k must be at least 1"):
        search.most_similar(torch.ones(2), torch.ones(3, 2), k=0)
    with pytest.raises(InputError, match=r"corpus must have shape \(n, 2\)"):
        search.most_similar(torch.ones(2), torch.ones(3, 4))
    with pytest.raises(InputError, match="token_vectors must have shape"):
        search.mean_pool(torch.ones(3, 4))
    with pytest.raises(InputError, match="empty list"):
        search.embed([], extractor=None)
