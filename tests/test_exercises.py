"""Every exercise's worked answer in solutions/ passes its check; wrong answers fail with a useful message.

Answers that train run at a tiny scale: ``SMALL`` gives the keyword arguments a
solution accepts (fewer texts, fewer reviews, fewer steps), and ``base`` is a
tiny random BERT with the MiniLM vocabulary instead of MiniLM.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest

import hfnotes
from hfnotes.errors import ExerciseError
from hfnotes.exercises import KEYS, check

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"n_texts": 4, "repeats": 1, "n_reviews": 6, "train_samples": 64, "steps": 1, "copies": 10}


def _load_solutions() -> dict[str, object]:
    """Key ("04.2", "04b.1") → solution function (``ex_04_2``, ``ex_04b_1``), read from solutions/NN*_*.py."""
    found = {}
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]*_*.py")):
        spec = importlib.util.spec_from_file_location(f"solutions_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, fn in vars(module).items():
            match = re.fullmatch(r"ex_(\d\d[a-z]?)_(\d+)", name)
            if match and callable(fn):
                found[f"{match[1]}.{match[2]}"] = fn
    return found


SOLUTIONS = _load_solutions()


@pytest.fixture(scope="session")
def classifier():
    """The course sentiment model as a pipeline, loaded once for every solution that needs it."""
    from transformers import pipeline

    return pipeline("sentiment-analysis", model=hfnotes.assets.sentiment_model())


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> str:
    """A folder holding a tiny random BERT body and the MiniLM tokenizer: trains in milliseconds."""
    from transformers import AutoTokenizer

    folder = tmp_path_factory.mktemp("tiny-bert")
    hfnotes.families.tiny_model("encoder", head=False, seed=0).save_pretrained(folder)
    AutoTokenizer.from_pretrained(hfnotes.assets.base_model()).save_pretrained(folder)
    return str(folder)


def test_every_exercise_has_a_solution_and_every_solution_a_check():
    assert sorted(SOLUTIONS) == list(KEYS)


def test_every_key_is_named_in_its_notebooks_exercises():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join(cells[-1]["source"])
        exercises = text[text.index("## Exercises") :]
        named = re.findall(r'check\("(\d\d[a-z]?\.\d+)"', exercises)
        number = path.name.split("_")[0]  # "04" or "04b"
        assert named == [key for key in KEYS if key.split(".")[0] == number], path.name
        assert "from hfnotes.exercises import check" in exercises, path.name


@pytest.mark.parametrize("key", list(KEYS))
def test_solution_passes_its_check(key, request, capsys):
    solution = SOLUTIONS[key]
    parameters = inspect.signature(solution).parameters
    kwargs = {name: value for name, value in SMALL.items() if name in parameters}
    for fixture in ("classifier", "tiny_base"):
        name = "base" if fixture == "tiny_base" else fixture
        if name in parameters:
            kwargs[name] = request.getfixturevalue(fixture)
    check(key, solution(**kwargs))
    assert capsys.readouterr().out.startswith(f"✓ {key}: ")


def test_unknown_key_lists_the_valid_ones():
    with pytest.raises(
        ExerciseError, match=r"no exercise '3\.2'\. Valid keys: 00\.1, 00\.2, .*10\.2, 10\.3, 11\.1, 11\.2, 11\.3\."
    ):
        check("3.2", None)


@pytest.mark.parametrize(
    ("key", "answer", "message"),
    [
        ("00.1", "2", r"expected an int, got '2'"),
        ("02.1", {"unbelievably": ["unbelievably"]}, r"missing \['unbelieveably', 'UNBELIEVABLY'\]"),
        ("02.3", lambda logits, temperature: logits / temperature, r"probabilities are wrong"),
        ("03.3", {8: 0.5, 128: 0.5}, r"with batch_size 8, dynamic padding wastes 0\.\d+, not 0\.5000"),
        ("04b.1", {1_000: list(range(10)), 10_000: list(range(10))}, r"in file order: did you shuffle\?"),
        ("04b.2", {"memory_mapped": 0, "in_memory": 0, "table": 62_000_000}, r"keep_in_memory=True allocated 0 bytes"),
        ("05.1", 111, r"takes 333 optimisation steps, not 111"),
        ("06.2", {2: 350, 3: 233, 4: 175}, r"with 2 processes the main process scores 384 reviews, not 350"),
        ("07.1", lambda predictions, references: float(np.mean(predictions == references)), r"specificity is 0\.\d+"),
        ("07.3", lambda predictions, references, seed: 1 / 0, r"raised ZeroDivisionError"),
        ("08.1", {2: 19_202, 32: 295_680}, r"with r=32, LoRA trains 295,682 parameters"),
        ("09.1", {"embeddings_share": 79.0, "hidden_size": 1272}, r"looks like a percentage"),
        ("10.1", lambda rows, block_size: rows, r"pack_blocks\(\[\[1, 2, 3\], \[4, 5\]\], 2\) returned"),
        ("10.3", lambda train_ids, eval_ids, vocab_size: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_wrong_answer_says_what_is_wrong_and_hints(key, answer, message):
    with pytest.raises(ExerciseError, match=message) as caught:
        check(key, answer)
    assert str(caught.value).startswith(f"✗ {key}: ") and " Hint: " in str(caught.value)


def test_misclassified_reviews_must_fool_the_course_model():
    right = [("Absolutely loved it, best hotel ever.", "POSITIVE")] * 4 + [("Broken on arrival, awful.", 0)]
    with pytest.raises(ExerciseError, match="must be different"):
        check("01.1", right)
    easy = [(f"Absolutely loved it, best purchase number {i} ever.", "POSITIVE") for i in range(5)]
    with pytest.raises(ExerciseError, match="gets 5 of them right"):
        check("01.1", easy)
