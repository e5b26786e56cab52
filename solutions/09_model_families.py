"""Worked answers to the exercises of notebook 09 · Model families."""

from __future__ import annotations

import numpy as np
import torch
from transformers import AutoTokenizer

import hfnotes
from hfnotes import families

SEED = 0
SIZES = {"hidden_size": 64, "num_layers": 2, "num_heads": 4}
MAX_NEW_TOKENS = 12
TOP_K = 50


def ex_09_1() -> dict[str, float | int]:
    """09.1 · Embedding share with an 8,000-token vocabulary, and where two blocks outweigh 30,522 embeddings.

    With 8,000 tokens the embeddings still hold most of the tiny BERT body.
    The 12 × hidden² rule says two blocks (24 h²) outweigh 30,522 h embedding
    parameters from h ≈ 1,272; the exact counts (biases, norms, positions)
    move it to the next multiple of 4 above 1,276. Building on the "meta"
    device counts parameters without allocating them.
    """
    body = families.tiny_model("encoder", head=False, vocab_size=8000, **SIZES)
    counts = families.parameter_counts(body)
    hidden = 4 * round(families.MINILM_VOCAB_SIZE / 24 / 4)  # the rule's estimate, a multiple of NUM_HEADS
    while True:
        with torch.device("meta"):
            wide = families.tiny_model("encoder", head=False, **{**SIZES, "hidden_size": hidden})
        wide_counts = families.parameter_counts(wide)
        if wide_counts["blocks"] > wide_counts["embeddings"]:
            break
        hidden += SIZES["num_heads"]
    return {"embeddings_share": counts["embeddings"] / counts["total"], "hidden_size": hidden}


def tiny_gpt2_and_batch():
    model = families.tiny_model("decoder", head=True, seed=SEED, **SIZES)
    tokenizer = AutoTokenizer.from_pretrained(hfnotes.assets.base_model())
    batch = tokenizer(
        ["the hotel was really great", "too noisy"], padding=True, return_tensors="pt", return_token_type_ids=False
    )
    return model, tokenizer, batch


def ex_09_2() -> dict[str, object]:
    """09.2 · Distinct attention patterns of 'too noisy' over every layer and head, and the pattern without a mask.

    One pattern everywhere: the mask, not the weights, decides where a weight
    can be non-zero. Without the mask, 'too noisy' reads its padding too: a
    plain lower triangle over all seven positions.
    """
    model, _, batch = tiny_gpt2_and_batch()
    ids, mask = batch["input_ids"], batch["attention_mask"]
    patterns = {
        families.attention_pattern(model, ids, mask, layer=layer, head=head, example=1).tobytes()
        for layer in range(SIZES["num_layers"])
        for head in range(SIZES["num_heads"])
    }
    without_mask: np.ndarray = families.attention_pattern(model, ids, example=1)
    return {"distinct_patterns": len(patterns), "without_mask": without_mask}


def ex_09_3() -> dict[float, str]:
    """09.3 · The seeded sample at temperature 0.1 and 5.0: {temperature: continuation}.

    At 0.1 the logits are multiplied by 10 before the softmax: the most likely
    token wins nearly every draw, as in greedy decoding. At 5.0 the distribution
    flattens and the sample wanders over the 50 allowed tokens.
    """
    model, tokenizer, _ = tiny_gpt2_and_batch()
    prompt = torch.tensor(
        [[model.config.bos_token_id, *tokenizer("the hotel was", add_special_tokens=False)["input_ids"]]]
    )
    options = {"attention_mask": torch.ones_like(prompt), "max_new_tokens": MAX_NEW_TOKENS}
    samples = {}
    for temperature in (0.1, 5.0):
        torch.manual_seed(SEED)
        output = model.generate(prompt, do_sample=True, temperature=temperature, top_k=TOP_K, **options)
        samples[temperature] = tokenizer.decode(output[0, prompt.shape[1] :])
    return samples
