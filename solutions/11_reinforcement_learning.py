"""Worked answers to the exercises of notebook 11 · Reinforcement learning: PPO, then a language model with TRL."""

from __future__ import annotations

import torch


def discounted_returns(rewards: list[float], dones: list[bool], gamma: float) -> list[float]:
    """The return from each step to the end of its episode, discounted by gamma; a done step ends the sum."""
    returns, running = [], 0.0
    for reward, done in zip(reversed(rewards), reversed(dones), strict=True):
        running = reward + gamma * running * (0.0 if done else 1.0)
        returns.append(running)
    return returns[::-1]


def ex_11_1():
    """11.1 · Discounted returns by hand (GAE with lambda = 1 and a critic that says 0)."""
    return discounted_returns


def ppo_loss(new_log_prob: torch.Tensor, old_log_prob: torch.Tensor, advantage: torch.Tensor, clip: float):
    """PPO's clipped surrogate, written out."""
    ratio = torch.exp(new_log_prob - old_log_prob)
    return -torch.min(ratio * advantage, torch.clamp(ratio, 1 - clip, 1 + clip) * advantage).mean()


def ex_11_2():
    """11.2 · The clipped objective by hand."""
    return ppo_loss


def ends_a_sentence(prompts: list[str], completions: list[str], **kwargs) -> list[float]:
    """A TRL reward: 1.0 for a completion that ends a sentence, else 0.0 (extra columns arrive as kwargs)."""
    return [1.0 if completion.rstrip().endswith((".", "!", "?")) else 0.0 for completion in completions]


def ex_11_3():
    """11.3 · A reward function in TRL's shape."""
    return ends_a_sentence
