"""hfnotes.setup and friends: seeding, quieting, the summary, the device."""

from __future__ import annotations

import random

import pytest
import torch

import hfnotes
from hfnotes.errors import ConfigError, InputError


def test_setup_summary_is_stable_and_idempotent(clean_env):
    first = repr(hfnotes.setup(seed=0))
    second = repr(hfnotes.setup(seed=0))
    assert first == second
    assert "source: bundled (offline, bundled assets) · seed 0" in first
    assert "transformers " in first and "torch " in first


def test_setup_seeds_python_numpy_and_torch(clean_env):
    import numpy as np

    hfnotes.setup(seed=3)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    hfnotes.setup(seed=3)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b


def test_setup_quiets_transformers(clean_env):
    import transformers

    hfnotes.setup()
    assert transformers.logging.get_verbosity() == transformers.logging.ERROR
    assert not transformers.utils.logging.is_progress_bar_enabled()


def test_setup_rejects_bad_source(clean_env):
    clean_env.setenv("HFNOTES_SOURCE", "cloud")
    with pytest.raises(ConfigError, match="Allowed values: bundled, hub"):
        hfnotes.setup()


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_must_be_a_non_negative_int(seed):
    with pytest.raises(InputError, match="seed must be a non-negative int"):
        hfnotes.seed_everything(seed)


def test_device_is_cpu_here_and_can_be_forced(clean_env):
    assert hfnotes.device() == ("cuda" if torch.cuda.is_available() else "cpu")
    clean_env.setenv("HFNOTES_DEVICE", "CPU")
    assert hfnotes.device() == "cpu"
