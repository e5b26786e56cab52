"""hfnotes.doctor: the report, its verdict, and the exit code of `hfnotes doctor`."""

from __future__ import annotations

from conftest import run_python

from hfnotes import doctor, models
from hfnotes.doctor import Check, Report


def test_report_here_is_ready(clean_env, tmp_path):
    clean_env.setenv("HFNOTES_CACHE", str(tmp_path))  # not the user's cache, whatever state it is in
    report = doctor()
    names = [check.name for check in report.checks]
    for expected in ("python", "torch", "transformers", "datasets", "evaluate", "accelerate", "nbval", "peft"):
        assert expected in names
    for expected in ("cpu", "cuda", "mps", "source", "cache", "asset base_model", "asset reviews"):
        assert expected in names
    assert report.ok, str(report)
    assert str(report).endswith("hfnotes doctor: ready")
    values = {check.name: check.value for check in report.checks}
    for name in ("sentiment_model", "review_gpt"):  # the empty cache: listed, with the folder they will be built in
        assert values[f"asset {name}"].startswith("not built yet (built on first use")
        assert values[f"asset {name}"].endswith(f"; folder {tmp_path / name}")


def test_checksum_mismatch_makes_report_bad(clean_env, monkeypatch):
    monkeypatch.setattr(models, "MINILM_FILES", {**models.MINILM_FILES, "model.safetensors": "0" * 64})
    report = doctor()
    assert not report.ok
    problems = {check.name: check.value for check in report.problems}
    assert "Checksum mismatch" in problems["asset base_model"]
    # a checkpoint built on the real base model no longer matches the expected base either
    assert set(problems) <= {"asset base_model", "asset sentiment_model", "asset review_gpt"}
    assert "BAD asset base_model" in str(report)


def test_missing_required_package_is_a_problem():
    report = Report([Check("torch", "missing (pip install torch)", False), Check("peft", "missing (optional)")])
    assert not report.ok
    assert [c.name for c in report.problems] == ["torch"]


def test_cli_exit_code_is_non_zero_on_checksum_mismatch():
    code = (
        "import sys, hfnotes.models as m; m.MINILM_FILES = {**m.MINILM_FILES, 'tokenizer.json': '0' * 64}; "
        "from hfnotes.__main__ import main; sys.exit(main(['doctor']))"
    )
    result = run_python(code)
    assert result.returncode == 1
    assert "BAD asset base_model" in result.stdout


def test_cli_exit_code_is_zero_here():
    result = run_python("import sys; from hfnotes.__main__ import main; sys.exit(main(['doctor']))")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hfnotes doctor: ready" in result.stdout


def test_a_stale_checkpoint_is_not_a_problem(clean_env, monkeypatch):
    """Built for another precision or torch: the next use rebuilds it, so the machine is still ready."""
    from hfnotes import checkpoint

    monkeypatch.setattr(checkpoint, "checkpoint_state", lambda: ("stale", "built for another precision (...)"))
    report = doctor()
    check = next(c for c in report.checks if c.name == "asset sentiment_model")
    assert check.ok and check.value.startswith("stale: built for another precision")


def test_review_gpt_is_listed_like_the_sentiment_checkpoint(clean_env, monkeypatch, tmp_path):
    """Built, stale or damaged: one line with its state and its folder; only damage is a problem."""
    from hfnotes import checkpoint

    clean_env.setenv("HFNOTES_CACHE", str(tmp_path))
    folder = f"; folder {tmp_path / 'review_gpt'}"
    for state, detail, ok, value in [
        ("ready", "", True, "built and verified"),
        ("stale", "built for another torch ('0.0', now '2')", True, "stale: built for another torch"),
        ("damaged", "missing file(s): config.json", False, "damaged: missing file(s): config.json"),
    ]:
        monkeypatch.setattr(checkpoint, "gpt_state", lambda state=state, detail=detail: (state, detail))
        report = doctor()
        check = next(c for c in report.checks if c.name == "asset review_gpt")
        assert check.ok is ok and check.value.startswith(value) and check.value.endswith(folder), check.value
        assert report.ok is ok
    assert "hfnotes assets build --force review_gpt" in check.value
