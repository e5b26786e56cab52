"""hfnotes.rl: PPO's pieces checked against hand computations, and the TRL reward and measures of Part 2."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

import hfnotes
from hfnotes import rl
from hfnotes import textgen as tg
from hfnotes.errors import InputError

# --- GAE ------------------------------------------------------------------------------------------------------


def test_gae_matches_a_hand_computed_trajectory():
    # one environment, 4 steps, the episode ends at step 1 (a new one starts at step 2)
    rewards = torch.tensor([[1.0], [2.0], [0.5], [1.0]])
    values = torch.tensor([[0.2], [0.4], [0.1], [0.3]])
    dones = torch.tensor([[0.0], [1.0], [0.0], [0.0]])
    gamma, lam, next_value = 0.9, 0.8, torch.tensor([0.6])
    d3 = 1.0 + gamma * 0.6 - 0.3
    d2 = 0.5 + gamma * 0.3 - 0.1
    d1 = 2.0 - 0.4  # terminal: nothing flows back from step 2
    d0 = 1.0 + gamma * 0.4 - 0.2
    a3 = d3
    a2 = d2 + gamma * lam * a3
    a1 = d1
    a0 = d0 + gamma * lam * a1
    advantages, returns = rl.gae(rewards, values, dones, next_value, gamma, lam)
    assert advantages.squeeze(1).tolist() == pytest.approx([a0, a1, a2, a3])
    assert returns.squeeze(1).tolist() == pytest.approx([a0 + 0.2, a1 + 0.4, a2 + 0.1, a3 + 0.3])


def test_gae_limits_are_monte_carlo_and_td():
    torch.manual_seed(0)
    rewards, values = torch.rand(6, 3), torch.rand(6, 3)
    dones = torch.zeros(6, 3)
    next_value = torch.rand(3)
    gamma = 0.95
    full, _ = rl.gae(rewards, values, dones, next_value, gamma, lam=1.0)
    discounted = torch.zeros(6, 3)
    running = next_value
    for t in reversed(range(6)):
        running = rewards[t] + gamma * running
        discounted[t] = running
    assert torch.allclose(full, discounted - values, atol=1e-6)
    one_step, _ = rl.gae(rewards, values, dones, next_value, gamma, lam=0.0)
    following = torch.cat([values[1:], next_value[None]])
    assert torch.allclose(one_step, rewards + gamma * following - values, atol=1e-6)


def test_gae_rejects_bad_shapes_and_factors():
    x = torch.zeros(4, 2)
    with pytest.raises(InputError, match="one \\(steps, envs\\) shape"):
        rl.gae(x, torch.zeros(4, 3), x, torch.zeros(2))
    with pytest.raises(InputError, match="next_value must have shape"):
        rl.gae(x, x, x, torch.zeros(3))
    with pytest.raises(InputError, match="gamma must be between 0 and 1"):
        rl.gae(x, x, x, torch.zeros(2), gamma=1.5)


# --- the clipped objective ------------------------------------------------------------------------------------


def _loss_and_grad(ratio: float, advantage: float, clip: float = 0.2) -> tuple[float, float]:
    log_prob = torch.tensor([math.log(ratio)], requires_grad=True)
    loss = rl.clipped_surrogate(log_prob, torch.zeros(1), torch.tensor([advantage]), clip)
    loss.backward()
    return loss.item(), log_prob.grad.item()


@pytest.mark.parametrize(
    ("ratio", "advantage", "loss", "moves"),
    [
        (1.1, 1.0, -1.1, True),  # inside the clip range: plain ratio * A
        (1.5, 1.0, -1.2, False),  # A > 0 and ratio above 1 + clip: capped, no gradient
        (0.5, 1.0, -0.5, True),  # A > 0, ratio below 1 - clip: the unclipped (worse) term is kept
        (0.5, -1.0, 0.8, False),  # A < 0 and ratio below 1 - clip: capped, no gradient
        (1.5, -1.0, 1.5, True),  # A < 0, ratio above 1 + clip: the pessimistic term is kept
    ],
)
def test_clipped_surrogate_at_the_clip_boundaries(ratio, advantage, loss, moves):
    value, grad = _loss_and_grad(ratio, advantage)
    assert value == pytest.approx(loss, abs=1e-6)
    assert (abs(grad) > 1e-6) is moves


def test_clipped_surrogate_equals_its_formula_on_random_inputs():
    torch.manual_seed(1)
    new, old, adv = torch.randn(50) * 0.3, torch.randn(50) * 0.3, torch.randn(50)
    ratio = (new - old).exp()
    expected = -torch.minimum(ratio * adv, ratio.clamp(0.9, 1.1) * adv).mean()
    assert rl.clipped_surrogate(new, old, adv, clip=0.1).item() == pytest.approx(expected.item(), abs=1e-6)


def test_clipped_surrogate_rejects_bad_input():
    with pytest.raises(InputError, match="one shape"):
        rl.clipped_surrogate(torch.zeros(3), torch.zeros(2), torch.zeros(3))
    with pytest.raises(InputError, match="clip must be between 0 and 1"):
        rl.clipped_surrogate(torch.zeros(3), torch.zeros(3), torch.zeros(3), clip=0.0)


# --- the networks, the environments, the loop ------------------------------------------------------------------


def test_actor_critic_starts_uniform_and_scores_given_actions():
    torch.manual_seed(0)
    policy = rl.ActorCritic()
    observations = torch.randn(5, 4)
    action, log_prob, entropy, value = policy.act(observations)
    assert action.shape == log_prob.shape == entropy.shape == value.shape == (5,)
    assert entropy.tolist() == pytest.approx([math.log(2)] * 5, abs=1e-3)
    _, again, _, _ = policy.act(observations, action)
    assert torch.equal(again, log_prob)
    assert torch.equal(policy.greedy(observations), policy.actor(observations).argmax(-1))


def test_cartpole_envs_reset_in_the_same_step():
    envs = rl.cartpole_envs(num_envs=2)
    envs.reset(seed=0)
    for _ in range(200):
        _, _, terminated, truncated, info = envs.step(np.zeros(2, dtype=np.int64))  # always push left: falls fast
        if (terminated | truncated).any():
            assert "final_obs" in info
            break
    else:
        pytest.fail("pushing left for 200 steps never ended an episode")
    envs.close()
    with pytest.raises(InputError, match="num_envs must be a positive int"):
        rl.cartpole_envs(num_envs=0)


def test_ppo_config_rejects_bad_values():
    with pytest.raises(InputError, match=r"PPOConfig\.num_envs must be a positive int"):
        rl.PPOConfig(num_envs=0)
    with pytest.raises(InputError, match=r"PPOConfig\.clip must be a non-negative number"):
        rl.PPOConfig(clip=-0.1)
    with pytest.raises(InputError, match="equal minibatches"):
        rl.PPOConfig(num_envs=3, num_steps=5, minibatches=4)
    with pytest.raises(InputError, match="config must be a PPOConfig"):
        rl.train_ppo({"num_envs": 2})


def test_a_short_ppo_run_learns_and_is_reproducible():
    config = rl.PPOConfig(total_steps=16_384, seed=3)
    first = rl.train_ppo(config)
    second = rl.train_ppo(config)
    assert first.steps == 16_384 and len(first.history) == 32
    assert [row["mean_return"] for row in first.history] == [row["mean_return"] for row in second.history]
    # an untrained policy balances the pole for about 20 steps; a few thousand updates' worth is far better
    assert first.history[0]["mean_return"] < 40 < first.history[-1]["mean_return"]
    assert all(0.0 <= row["clip_fraction"] <= 1.0 for row in first.history)


def test_evaluate_policy_is_seeded_and_rejects_bad_counts():
    torch.manual_seed(0)
    policy = rl.ActorCritic()
    assert np.array_equal(rl.evaluate_policy(policy, 3, seed=5), rl.evaluate_policy(policy, 3, seed=5))
    with pytest.raises(InputError, match="episodes must be a positive int"):
        rl.evaluate_policy(policy, 0)


# --- Part 2: prompts, reward, measures ------------------------------------------------------------------------


def test_review_prompts_are_distinct_openings():
    texts = ["The soup was cold.", "The soup was fine", "Great phone.", "  "]
    prompts = rl.review_prompts(texts, words=3, seed=0)
    assert sorted(prompts) == ["Great phone.", "The soup was"]
    assert rl.review_prompts(texts, words=3, seed=0) == prompts
    with pytest.raises(InputError, match="list of strings"):
        rl.review_prompts("The soup")
    with pytest.raises(InputError, match="words must be a positive int"):
        rl.review_prompts(texts, words=0)


def test_positive_label_reads_label2id():
    labels = {0: "positive", 1: "negative"}
    config = GPT2Config(id2label=labels, label2id={v: k for k, v in labels.items()})
    assert rl.positive_label(config) == 0
    with pytest.raises(InputError, match="cannot tell which label is positive"):
        rl.positive_label(GPT2Config(label2id={"LABEL_0": 0, "LABEL_1": 1}))


@pytest.fixture(scope="module")
def reward():
    return rl.SentimentReward(hfnotes.assets.sentiment_model())


def test_sentiment_reward_is_the_classifiers_positive_probability(reward):
    from transformers import pipeline

    prompts = ["The film", "The phone"]
    completions = [
        " was wonderful and I loved every minute of it.",
        " broke after two days and support never answered.",
    ]
    scores = reward(prompts=prompts, completions=completions, extra_column=[1, 2])
    assert scores[0] > 0.9 and scores[1] < 0.1
    classify = pipeline("sentiment-analysis", model=reward.model, tokenizer=reward.tokenizer, top_k=None)
    for text, score in zip([p + c for p, c in zip(prompts, completions, strict=True)], scores, strict=True):
        by_label = {row["label"]: row["score"] for row in classify([text])[0]}
        assert by_label["POSITIVE"] == pytest.approx(score, abs=1e-5)
    with pytest.raises(InputError, match="must pair up"):
        reward(prompts=["a"], completions=["b", "c"])
    with pytest.raises(InputError, match="wrap it in a list"):
        reward.score("one text")


@pytest.fixture(scope="module")
def tiny_gpt():
    texts = ["The food was great and the staff were kind.", "Terrible app, it crashes every time."] * 20
    tokenizer = tg.byte_level_bpe(texts, vocab_size=300)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(
        GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=1, n_head=2, pad_token_id=1)
    ).eval()
    return model, tokenizer


def test_complete_is_seeded_and_returns_only_the_new_text(tiny_gpt):
    model, tokenizer = tiny_gpt
    first = rl.complete(model, tokenizer, ["The food", "Terrible app, it"], max_new_tokens=5, seed=1)
    assert first == rl.complete(model, tokenizer, ["The food", "Terrible app, it"], max_new_tokens=5, seed=1)
    assert len(first) == 2 and not any(text.startswith("The food") for text in first)
    assert tokenizer.padding_side == "right"  # restored
    with pytest.raises(InputError, match="non-empty list"):
        rl.complete(model, tokenizer, "The food")


def test_completion_perplexity_equals_the_models_own_masked_loss(tiny_gpt):
    model, tokenizer = tiny_gpt
    prompts, completions = ["The food", "Terrible"], [" was great.", " app, it crashes"]
    ours = rl.completion_perplexity(model, tokenizer, prompts, completions)
    total, count = 0.0, 0
    for prompt, completion in zip(prompts, completions, strict=True):
        p, c = tokenizer(prompt)["input_ids"], tokenizer(completion)["input_ids"]
        ids = torch.tensor([p + c])
        labels = ids.clone()
        labels[0, : len(p)] = -100  # the library's way to leave the prompt out of the loss
        with torch.no_grad():
            total += model(input_ids=ids, labels=labels).loss.item() * len(c)
        count += len(c)
    assert ours == pytest.approx(math.exp(total / count), rel=1e-5)
    with pytest.raises(InputError, match="same length"):
        rl.completion_perplexity(model, tokenizer, ["a"], [])
