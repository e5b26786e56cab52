"""hfnotes.config: source parsing, cache folder, offline variables."""

from __future__ import annotations

import pytest
from conftest import run_python

from hfnotes import config
from hfnotes.errors import ConfigError

HF_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE", "HFNOTES_SOURCE")


def test_source_defaults_to_bundled(clean_env):
    assert config.source() == "bundled"


@pytest.mark.parametrize("raw, expected", [("hub", "hub"), (" HUB ", "hub"), ("Bundled", "bundled"), ("", "bundled")])
def test_source_accepts_known_values(clean_env, raw, expected):
    clean_env.setenv("HFNOTES_SOURCE", raw)
    assert config.source() == expected


def test_source_argument_overrides_environment(clean_env):
    clean_env.setenv("HFNOTES_SOURCE", "hub")
    assert config.source("bundled") == "bundled"


def test_bad_source_names_the_variable_and_allowed_values(clean_env):
    clean_env.setenv("HFNOTES_SOURCE", "internet")
    with pytest.raises(ConfigError) as info:
        config.source()
    message = str(info.value)
    assert "HFNOTES_SOURCE='internet'" in message
    assert "bundled, hub" in message


def test_cache_dir_uses_variable_and_creates_it(clean_env, tmp_path):
    target = tmp_path / "a" / "b"
    clean_env.setenv("HFNOTES_CACHE", str(target))
    assert config.cache_dir() == target
    assert target.is_dir()


def test_cache_dir_default_is_user_cache(clean_env):
    path = config.cache_dir(create=False)
    assert path.name == "hfnotes"


def test_unwritable_cache_names_path_and_variable(clean_env, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    clean_env.setenv("HFNOTES_CACHE", str(blocker / "cache"))
    with pytest.raises(ConfigError) as info:
        config.cache_dir()
    assert str(blocker / "cache") in str(info.value)
    assert "HFNOTES_CACHE" in str(info.value)


def test_import_sets_offline_before_huggingface_hub_is_imported():
    code = "import hfnotes, huggingface_hub.constants as c, os; print(c.HF_HUB_OFFLINE, os.environ['HF_DATASETS_OFFLINE'], os.environ['HF_EVALUATE_OFFLINE'])"
    result = run_python(code, drop=HF_VARS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "1", "1"]


def test_hub_source_leaves_hub_online():
    code = "import hfnotes, huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"
    result = run_python(code, env={"HFNOTES_SOURCE": "hub"}, drop=HF_VARS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_late_import_of_hfnotes_still_switches_loaded_hub_offline():
    code = "import huggingface_hub.constants as c; import hfnotes; print(c.HF_HUB_OFFLINE)"
    result = run_python(code, drop=HF_VARS)
    assert result.stdout.strip() == "True", result.stderr


def test_bad_source_at_import_does_not_crash_and_stays_offline():
    code = "import hfnotes, huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"
    result = run_python(code, env={"HFNOTES_SOURCE": "nope"}, drop=HF_VARS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
