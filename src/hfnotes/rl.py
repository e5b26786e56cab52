"""Helpers for notebook 11: PPO from scratch on CartPole, then RL on the review GPT with TRL.

Part 1 builds PPO from its pieces, each a short function the notebook shows
and the tests check against a hand computation:

- :func:`cartpole_envs` makes vectorised ``CartPole-v1`` environments;
- :class:`ActorCritic` holds the policy (actor) and value (critic) networks;
- :func:`gae` turns rewards and values into advantages and returns;
- :func:`clipped_surrogate` is PPO's clipped policy loss;
- :func:`train_ppo` runs the loop (collect, advantages, minibatch epochs);
- :func:`evaluate_policy` plays seeded episodes with the greedy policy.

Part 2 (:func:`review_prompts`, :func:`sentiment_reward`) prepares what
TRL's ``GRPOTrainer`` needs to push the review GPT toward positive reviews.

Example:
    >>> import torch
    >>> advantages, returns = gae(
    ...     rewards=torch.tensor([[1.0], [1.0]]), values=torch.tensor([[0.5], [0.5]]),
    ...     dones=torch.tensor([[0.0], [1.0]]), next_value=torch.tensor([9.0]), gamma=1.0, lam=1.0)
    >>> advantages.squeeze(1).tolist(), returns.squeeze(1).tolist()
    ([1.5, 0.5], [2.0, 1.0])
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import TYPE_CHECKING, Any

import torch  # ActorCritic subclasses torch.nn.Module; hfnotes.rl is imported only on use

from .errors import InputError

if TYPE_CHECKING:
    import numpy as np
    from gymnasium.vector import VectorEnv

__all__ = [
    "ActorCritic",
    "PPOConfig",
    "PPOResult",
    "cartpole_envs",
    "clipped_surrogate",
    "evaluate_policy",
    "gae",
    "train_ppo",
    "review_prompts",
    "positive_label",
    "SentimentReward",
    "complete",
    "completion_perplexity",
]

ENV_ID = "CartPole-v1"
"""The environment of Part 1: keep a pole upright for up to 500 steps, reward 1 per step."""


def cartpole_envs(num_envs: int = 4, seed: int = 0) -> VectorEnv:
    """``num_envs`` CartPole environments stepped together, reset with seeds ``seed, seed + 1, ...``.

    Uses gymnasium's same-step autoreset: when an episode ends, ``step``
    returns the first observation of the next one and puts the last
    observation of the finished one in ``info["final_obs"]``.

    Example:
        >>> envs = cartpole_envs(num_envs=2, seed=0)
        >>> observations, _ = envs.reset(seed=0)
        >>> observations.shape, envs.single_action_space.n
        ((2, 4), np.int64(2))
    """
    import gymnasium as gym

    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise InputError(f"num_envs must be a positive int, got {num_envs!r}.")
    return gym.make_vec(
        ENV_ID,
        num_envs=num_envs,
        vectorization_mode="sync",
        vector_kwargs={"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP},
    )


def _layer(inputs: int, outputs: int, gain: float) -> torch.nn.Linear:
    import torch

    layer = torch.nn.Linear(inputs, outputs)
    torch.nn.init.orthogonal_(layer.weight, gain)
    torch.nn.init.zeros_(layer.bias)
    return layer


def _mlp(observation_size: int, hidden: int, outputs: int, last_gain: float) -> torch.nn.Sequential:
    import torch

    return torch.nn.Sequential(
        _layer(observation_size, hidden, math.sqrt(2)),
        torch.nn.Tanh(),
        _layer(hidden, hidden, math.sqrt(2)),
        torch.nn.Tanh(),
        _layer(hidden, outputs, last_gain),
    )


class ActorCritic(torch.nn.Module):
    """Two small MLPs: the actor scores the actions, the critic estimates the value of a state.

    The actor's last layer starts near zero (every action equally likely);
    the critic's starts at the usual scale.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> policy = ActorCritic(observation_size=4, actions=2)
        >>> action, log_prob, entropy, value = policy.act(torch.zeros(3, 4))
        >>> action.shape, value.shape, round(entropy[0].item(), 3)  # ln 2: a uniform choice of two
        (torch.Size([3]), torch.Size([3]), 0.693)
    """

    def __init__(self, observation_size: int = 4, actions: int = 2, hidden: int = 64) -> None:
        super().__init__()
        self.actor = _mlp(observation_size, hidden, actions, last_gain=0.01)
        self.critic = _mlp(observation_size, hidden, 1, last_gain=1.0)

    def value(self, observations: torch.Tensor) -> torch.Tensor:
        """The critic's estimate of the return from each state, shape ``(batch,)``."""
        return self.critic(observations).squeeze(-1)

    def act(
        self, observations: torch.Tensor, action: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Sample an action (or score the given one): action, its log-probability, entropy, value."""
        import torch

        distribution = torch.distributions.Categorical(logits=self.actor(observations))
        if action is None:
            action = distribution.sample()
        return action, distribution.log_prob(action), distribution.entropy(), self.value(observations)

    def greedy(self, observations: torch.Tensor) -> torch.Tensor:
        """The most likely action in each state (what the evaluation plays)."""
        return self.actor(observations).argmax(-1)


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    dones: torch.Tensor,
    next_value: torch.Tensor,
    gamma: float = 0.99,
    lam: float = 0.95,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation over a rollout of shape ``(steps, envs)``.

    ``dones[t]`` is 1 where the episode ended at step ``t`` (its value then
    does not flow back across the boundary). ``next_value`` is the critic's
    value of the state after the last step. Works backwards::

        delta_t = r_t + gamma * V(s_t+1) * (1 - done_t) - V(s_t)
        A_t = delta_t + gamma * lam * (1 - done_t) * A_t+1

    and returns ``(advantages, advantages + values)``; the second is the
    critic's target. With ``lam = 1`` advantages are discounted returns minus
    values; with ``lam = 0`` they are one-step TD errors.

    Example:
        >>> import torch
        >>> a, _ = gae(torch.ones(3, 1), torch.zeros(3, 1), torch.zeros(3, 1), torch.zeros(1), gamma=0.5, lam=1.0)
        >>> a.squeeze(1).tolist()
        [1.75, 1.5, 1.0]
    """
    import torch

    if not (rewards.shape == values.shape == dones.shape) or rewards.ndim != 2:
        raise InputError(
            f"rewards, values and dones must share one (steps, envs) shape, got "
            f"{tuple(rewards.shape)}, {tuple(values.shape)}, {tuple(dones.shape)}."
        )
    if next_value.shape != rewards.shape[1:]:
        raise InputError(
            f"next_value must have shape (envs,) = {tuple(rewards.shape[1:])}, got {tuple(next_value.shape)}."
        )
    for name, value in (("gamma", gamma), ("lam", lam)):
        if not 0.0 <= value <= 1.0:
            raise InputError(f"{name} must be between 0 and 1, got {value!r}.")
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(next_value)
    following = next_value
    for t in reversed(range(rewards.shape[0])):
        alive = 1.0 - dones[t]
        delta = rewards[t] + gamma * following * alive - values[t]
        running = delta + gamma * lam * alive * running
        advantages[t] = running
        following = values[t]
    return advantages, advantages + values


def clipped_surrogate(
    log_prob: torch.Tensor, old_log_prob: torch.Tensor, advantages: torch.Tensor, clip: float = 0.2
) -> torch.Tensor:
    """PPO's policy loss: ``-mean(min(ratio * A, clip(ratio, 1 - clip, 1 + clip) * A))``.

    ``ratio = exp(log_prob - old_log_prob)`` compares the policy being
    trained with the one that collected the data. Once the ratio leaves
    ``[1 - clip, 1 + clip]`` in the direction the advantage favours, the
    loss stops rewarding further change: the step stays near the old policy.

    Example:
        >>> import math, torch
        >>> old = torch.zeros(2)
        >>> new = torch.tensor([math.log(1.5), math.log(0.5)])  # ratios 1.5 and 0.5
        >>> round(clipped_surrogate(new, old, torch.tensor([1.0, -1.0]), clip=0.2).item(), 4)  # -(1.2 - 0.8) / 2
        -0.2
    """
    import torch

    if log_prob.shape != old_log_prob.shape or log_prob.shape != advantages.shape:
        raise InputError(
            f"log_prob, old_log_prob and advantages must have one shape, got {tuple(log_prob.shape)}, "
            f"{tuple(old_log_prob.shape)}, {tuple(advantages.shape)}."
        )
    if not 0.0 < clip < 1.0:
        raise InputError(f"clip must be between 0 and 1, got {clip!r}.")
    ratio = torch.exp(log_prob - old_log_prob)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * advantages
    return -torch.min(unclipped, clipped).mean()


@dataclass(frozen=True)
class PPOConfig:
    """PPO's settings for CartPole (the defaults solve it on a 2-core CPU in about a minute).

    Each update collects ``num_steps`` steps from each of ``num_envs``
    environments, then runs ``epochs`` passes over them in ``minibatches``
    shuffled minibatches. Training stops after ``total_steps`` environment
    steps, or earlier once the greedy policy scores ``target_return`` on
    ``check_episodes`` seeded episodes (checked when the training episodes'
    recent mean reaches it).

    Example:
        >>> PPOConfig().batch_size, PPOConfig().minibatch_size
        (512, 128)
    """

    num_envs: int = 4
    num_steps: int = 128
    total_steps: int = 300_000
    learning_rate: float = 2.5e-3
    gamma: float = 0.99
    lam: float = 0.95
    epochs: int = 4
    minibatches: int = 4
    clip: float = 0.2
    entropy_coef: float = 0.01
    value_coef: float = 0.5
    max_grad_norm: float = 0.5
    hidden: int = 64
    seed: int = 0
    target_return: float = 500.0
    check_episodes: int = 10

    def __post_init__(self) -> None:
        for name in ("num_envs", "num_steps", "total_steps", "epochs", "minibatches", "hidden", "check_episodes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"PPOConfig.{name} must be a positive int, got {value!r}.")
        for name in ("learning_rate", "gamma", "lam", "clip", "entropy_coef", "value_coef", "max_grad_norm"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 0:
                raise InputError(f"PPOConfig.{name} must be a non-negative number, got {value!r}.")
        if self.batch_size % self.minibatches:
            raise InputError(
                f"num_envs * num_steps = {self.batch_size} must split into {self.minibatches} equal minibatches."
            )

    @property
    def batch_size(self) -> int:
        """Steps collected per update."""
        return self.num_envs * self.num_steps

    @property
    def minibatch_size(self) -> int:
        """Steps per gradient step."""
        return self.batch_size // self.minibatches


@dataclass
class PPOResult:
    """What :func:`train_ppo` returns: the trained policy and one history row per update."""

    policy: ActorCritic
    config: PPOConfig
    steps: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)
    episodes: list[tuple[int, float]] = field(default_factory=list)
    """``(environment steps so far, return)`` for every training episode that ended."""


def evaluate_policy(policy: ActorCritic, episodes: int = 100, seed: int = 10_000) -> np.ndarray:
    """Returns of ``episodes`` greedy episodes, the i-th reset with ``seed + i``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> returns = evaluate_policy(ActorCritic(), episodes=3)  # untrained: the pole falls quickly
        >>> returns.shape, bool(returns.max() < 100)
        ((3,), True)
    """
    import gymnasium as gym
    import numpy as np
    import torch

    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise InputError(f"episodes must be a positive int, got {episodes!r}.")
    env = gym.make(ENV_ID)
    returns = np.zeros(episodes)
    with torch.no_grad():
        for i in range(episodes):
            observation, _ = env.reset(seed=seed + i)
            done = False
            while not done:
                action = policy.greedy(torch.as_tensor(observation, dtype=torch.float32)).item()
                observation, reward, terminated, truncated, _ = env.step(action)
                returns[i] += reward
                done = terminated or truncated
    env.close()
    return returns


def train_ppo(config: PPOConfig | None = None, progress: Callable[[dict[str, float]], None] | None = None) -> PPOResult:
    """Train an :class:`ActorCritic` on CartPole with PPO; ``progress`` gets each history row.

    The loop: play ``num_steps`` steps in every environment with the current
    policy, compute advantages with :func:`gae` (an episode cut by the
    500-step limit is not a failure: its last reward gets the critic's value
    of the state it stopped in), then for ``epochs`` passes over shuffled
    minibatches minimise ``clipped_surrogate + value_coef * value_loss -
    entropy_coef * entropy``. The learning rate falls linearly to zero.

    Example:
        >>> result = train_ppo(PPOConfig(total_steps=1024, num_steps=64))
        >>> result.steps, len(result.history)
        (1024, 4)
    """
    import numpy as np
    import torch

    config = config or PPOConfig()
    if not isinstance(config, PPOConfig):
        raise InputError(f"config must be a PPOConfig, got {type(config).__name__}.")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    envs = cartpole_envs(config.num_envs)
    policy = ActorCritic(envs.single_observation_space.shape[0], int(envs.single_action_space.n), config.hidden)
    optimizer = torch.optim.Adam(policy.parameters(), lr=config.learning_rate, eps=1e-5)
    shape = (config.num_steps, config.num_envs)
    observations = torch.zeros((*shape, envs.single_observation_space.shape[0]))
    actions, log_probs, rewards, dones, values = (torch.zeros(shape) for _ in range(5))

    updates = config.total_steps // config.batch_size
    result = PPOResult(policy=policy, config=config, steps=0, seconds=0.0)
    episode_returns = np.zeros(config.num_envs)
    observation = torch.as_tensor(envs.reset(seed=config.seed)[0], dtype=torch.float32)
    start = time.perf_counter()
    for update in range(updates):
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * (1.0 - update / updates)
        with torch.no_grad():
            for t in range(config.num_steps):
                action, log_prob, _, value = policy.act(observation)
                next_observation, reward, terminated, truncated, info = envs.step(action.numpy())
                reward = torch.as_tensor(reward, dtype=torch.float32)
                if truncated.any():  # bootstrap from the state the time limit stopped in
                    cut = np.flatnonzero(truncated & ~terminated)
                    if len(cut):
                        final = torch.as_tensor(np.stack(info["final_obs"][cut]), dtype=torch.float32)
                        reward[cut] += config.gamma * policy.value(final)
                observations[t], actions[t], log_probs[t], values[t], rewards[t] = (
                    observation,
                    action,
                    log_prob,
                    value,
                    reward,
                )
                ended = terminated | truncated
                dones[t] = torch.as_tensor(ended, dtype=torch.float32)
                episode_returns += 1.0
                result.steps += config.num_envs
                for i in np.flatnonzero(ended):
                    result.episodes.append((result.steps, float(episode_returns[i])))
                    episode_returns[i] = 0.0
                observation = torch.as_tensor(next_observation, dtype=torch.float32)
            advantages, returns = gae(rewards, values, dones, policy.value(observation), config.gamma, config.lam)

        flat = {
            "observations": observations.reshape(-1, observations.shape[-1]),
            "actions": actions.reshape(-1),
            "log_probs": log_probs.reshape(-1),
            "advantages": advantages.reshape(-1),
            "returns": returns.reshape(-1),
        }
        totals = {"policy_loss": 0.0, "value_loss": 0.0, "entropy": 0.0, "clip_fraction": 0.0}
        for _ in range(config.epochs):
            order = torch.as_tensor(rng.permutation(config.batch_size))
            for chunk in order.split(config.minibatch_size):
                _, log_prob, entropy, value = policy.act(flat["observations"][chunk], flat["actions"][chunk].long())
                advantage = flat["advantages"][chunk]
                advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
                policy_loss = clipped_surrogate(log_prob, flat["log_probs"][chunk], advantage, config.clip)
                value_loss = 0.5 * ((value - flat["returns"][chunk]) ** 2).mean()
                loss = policy_loss + config.value_coef * value_loss - config.entropy_coef * entropy.mean()
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), config.max_grad_norm)
                optimizer.step()
                with torch.no_grad():
                    ratio = torch.exp(log_prob - flat["log_probs"][chunk])
                    totals["clip_fraction"] += ((ratio - 1.0).abs() > config.clip).float().mean().item()
                totals["policy_loss"] += policy_loss.item()
                totals["value_loss"] += value_loss.item()
                totals["entropy"] += entropy.mean().item()
        steps_per_update = config.epochs * config.minibatches
        recent = [r for _, r in result.episodes[-20:]]
        row = {
            "update": float(update + 1),
            "steps": float(result.steps),
            "seconds": time.perf_counter() - start,
            "mean_return": float(np.mean(recent)) if recent else float("nan"),
            **{k: v / steps_per_update for k, v in totals.items()},
        }
        result.history.append(row)
        if progress is not None:
            progress(row)
        if recent and row["mean_return"] >= config.target_return:
            check = evaluate_policy(policy, config.check_episodes, seed=config.seed + 1_000)
            if check.mean() >= config.target_return:
                break
    envs.close()
    result.seconds = time.perf_counter() - start
    return result


# --- Part 2: RL on a language model with TRL -------------------------------------------------------------------


def review_prompts(texts: Sequence[str], words: int = 3, seed: int = 0) -> list[str]:
    """The distinct openings (first ``words`` words) of ``texts``, shuffled with ``seed``: prompts for the policy.

    Example:
        >>> review_prompts(["The soup was cold.", "The soup was fine", "Great phone."], words=3, seed=0)
        ['The soup was', 'Great phone.']
    """
    import random

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise InputError("texts must be a list of strings (for example a dataset split's 'text' column).")
    if isinstance(words, bool) or not isinstance(words, int) or words < 1:
        raise InputError(f"words must be a positive int, got {words!r}.")
    openings = list(dict.fromkeys(" ".join(t.split()[:words]) for t in texts if t.strip()))
    if not openings:
        raise InputError("texts has no non-empty text to take an opening from.")
    random.Random(seed).shuffle(openings)
    return openings


def positive_label(config: Any) -> int:
    """The index of the POSITIVE class in a sentiment model's ``config`` (``label2id``, any case).

    Example:
        >>> from transformers import PretrainedConfig
        >>> positive_label(PretrainedConfig(label2id={"NEGATIVE": 0, "POSITIVE": 1}, id2label={0: "NEGATIVE", 1: "POSITIVE"}))
        1
    """
    found = [index for label, index in config.label2id.items() if str(label).lower() in ("positive", "pos")]
    if len(found) != 1:
        raise InputError(
            f"cannot tell which label is positive from label2id={dict(config.label2id)}: "
            "use a sentiment model whose labels are named NEGATIVE/POSITIVE."
        )
    return int(found[0])


class SentimentReward:
    """A TRL reward function: the sentiment model's probability that prompt + completion is POSITIVE.

    TRL calls it with ``prompts`` and ``completions`` (and dataset columns as
    keyword arguments) and wants one float per completion. Scoring the
    classifier ourselves keeps its own tokenization (special tokens
    included) and reads the POSITIVE column, which ``reward_funcs=model``
    would not. ``__name__`` names the reward in TRL's logs.

    Example:
        >>> reward = SentimentReward(hfnotes.assets.sentiment_model())  # doctest: +SKIP
        >>> reward(prompts=["The soup"], completions=[" was wonderful."])  # doctest: +SKIP
        [0.98...]
    """

    __name__ = "positive"

    def __init__(self, model: str, batch_size: int = 64, max_length: int = 128) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForSequenceClassification.from_pretrained(model).eval()
        self.positive = positive_label(self.model.config)
        self.batch_size = batch_size
        self.max_length = max_length

    def score(self, texts: Sequence[str]) -> list[float]:
        """P(POSITIVE) for each text."""
        import torch

        if isinstance(texts, str):
            raise InputError("texts must be a list of strings, got one string: wrap it in a list ([text]).")
        scores: list[float] = []
        with torch.no_grad():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(
                    list(texts[start : start + self.batch_size]),
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                scores += self.model(**batch).logits.float().softmax(-1)[:, self.positive].tolist()
        return scores

    def __call__(self, prompts: Sequence[str], completions: Sequence[str], **columns: Any) -> list[float]:
        if len(prompts) != len(completions):
            raise InputError(f"got {len(prompts)} prompts for {len(completions)} completions; they must pair up.")
        return self.score([p + c for p, c in zip(prompts, completions, strict=True)])


def complete(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    max_new_tokens: int = 24,
    seed: int = 0,
    temperature: float = 0.8,
    top_k: int = 50,
) -> list[str]:
    """Sample one completion per prompt (the text after the prompt), seeded.

    Example:
        >>> complete(gpt, tokenizer, ["The soup was"], seed=0)  # doctest: +SKIP
        [' too salty for me.']
    """
    import torch

    if isinstance(prompts, str) or not prompts:
        raise InputError("prompts must be a non-empty list of strings.")
    side, tokenizer.padding_side = tokenizer.padding_side, "left"  # generation continues at the right edge
    try:
        batch = tokenizer(list(prompts), return_tensors="pt", padding=True).to(model.device)
    finally:
        tokenizer.padding_side = side
    torch.manual_seed(seed)
    with torch.no_grad():
        output = model.generate(
            **batch,
            do_sample=True,
            temperature=temperature,
            top_k=top_k,
            max_new_tokens=max_new_tokens,
            pad_token_id=tokenizer.pad_token_id,
        )
    new = output[:, batch["input_ids"].shape[1] :]
    return tokenizer.batch_decode(new, skip_special_tokens=True)


def completion_perplexity(model: Any, tokenizer: Any, prompts: Sequence[str], completions: Sequence[str]) -> float:
    """Perplexity of the completions' tokens given their prompts under ``model`` (the prompts are not scored).

    Under the model *before* RL this measures fluency as that model knows
    it: completions the RL policy drifts into stop resembling what it
    learned from reviews, and their perplexity rises.

    Example:
        >>> completion_perplexity(gpt, tokenizer, ["The soup was"], [" too salty."])  # doctest: +SKIP
        31.4...
    """
    import torch

    if len(prompts) != len(completions) or not prompts:
        raise InputError("prompts and completions must be non-empty lists of the same length.")
    total, count = 0.0, 0
    with torch.no_grad():
        for prompt, completion in zip(prompts, completions, strict=True):
            prompt_ids = tokenizer(prompt)["input_ids"]
            completion_ids = tokenizer(completion)["input_ids"]
            if not completion_ids:
                continue
            ids = torch.tensor([prompt_ids + completion_ids], device=model.device)
            logits = model(input_ids=ids).logits[0, len(prompt_ids) - 1 : -1].float()
            total += torch.nn.functional.cross_entropy(logits, ids[0, len(prompt_ids) :], reduction="sum").item()
            count += len(completion_ids)
    if count == 0:
        raise InputError("every completion is empty: nothing to score.")
    return math.exp(total / count)
