"""Build, cache and check the course's own sentiment checkpoint.

It also builds ``review_gpt`` (notebook 10), a small GPT trained from
scratch on the reviews, by :func:`hfnotes.textgen.train_gpt`, through the
same :func:`build_folder`.

Offline there is no fine-tuned sentiment model to download, so the course
makes one: the bundled MiniLM encoder fine-tuned on the bundled reviews by
:func:`hfnotes.train.fine_tune`. It is built once, on first use, into the
hfnotes cache folder:

- under a file lock, so two processes asking at once cause one build (the
  other waits, then uses it);
- into a temporary folder that is renamed into place only when complete, so
  an interrupted build never leaves a half-written checkpoint;
- with a model card (``README.md``) and a machine-readable ``hfnotes.json``
  recording the recipe, the data version, the base model's hash, the
  weights' hash and the metrics. A cached checkpoint whose files are
  missing or damaged, or whose recipe, data or base model no longer match,
  or that was built under other conditions (precision, device, library
  versions: "stale"),
  is rebuilt with a message saying why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, data, models
from .errors import AssetError, ChecksumError, InputError
from .inference import kept_end
from .integrity import MINILM_SHA256, sha256_file, verify_file
from .recipe import GPTRecipe, Recipe
from .session import device, package_version
from .textgen import GPTResult, train_gpt
from .train import TrainResult, fine_tune

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

__all__ = [
    "CHECKPOINT_NAME",
    "HUB_ID",
    "REQUIRED_FILES",
    "checkpoint_dir",
    "checkpoint_state",
    "build_conditions",
    "check_checkpoint",
    "model_card",
    "sentiment_checkpoint",
    "write_checkpoint",
    "folder_state",
    "build_folder",
    "GPT_NAME",
    "GPT_HUB_ID",
    "gpt_dir",
    "gpt_state",
    "check_gpt",
    "gpt_card",
    "write_gpt",
    "review_gpt_checkpoint",
]

CHECKPOINT_NAME = "sentiment_model"
HUB_ID = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
"""The Hub model that stands in for the course checkpoint in hub mode."""
REQUIRED_FILES: tuple[str, ...] = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "README.md",
    "hfnotes.json",
)
ESTIMATED_SECONDS = {True: 190, False: 330}
"""Rough build time of the course recipe on a 2-core CPU, with bf16 autocast (``True``) and in float32
(``False``), for the message shown before a build."""


def _recipe(recipe: Recipe | None) -> Recipe:
    if recipe is None:
        return Recipe()
    if not isinstance(recipe, Recipe):
        raise InputError(f"recipe must be a hfnotes Recipe or None, got {type(recipe).__name__}.")
    return recipe


def checkpoint_dir(recipe: Recipe | None = None) -> Path:
    """Where the checkpoint for ``recipe`` lives (the default recipe: ``<cache>/sentiment_model``).

    A non-default recipe gets its own folder, so a quick test build never
    replaces the course checkpoint.

    Example:
        >>> checkpoint_dir().name, checkpoint_dir(Recipe(epochs=1)).name.startswith("sentiment_model-")
        ('sentiment_model', True)
    """
    return _folder(CHECKPOINT_NAME, _recipe(recipe), Recipe())


def _folder(name: str, recipe: Recipe | GPTRecipe, default: Recipe | GPTRecipe) -> Path:
    """``<cache>/<name>`` for the default recipe, ``<cache>/<name>-<hash of the recipe>`` for any other."""
    if recipe != default:
        digest = hashlib.sha256(json.dumps(recipe.as_dict(), sort_keys=True).encode()).hexdigest()[:10]
        name = f"{name}-{digest}"
    return config.cache_dir() / name


def build_conditions(recipe: Recipe | GPTRecipe | None = None) -> dict[str, str]:
    """What besides the recipe changes the trained weights: precision, device type and library versions.

    A checkpoint built under other conditions is rebuilt rather than reused, so
    a course run never mixes a model from one set-up with numbers from another.

    Example:
        >>> sorted(build_conditions())
        ['device', 'precision', 'torch', 'transformers']
    """
    recipe = recipe if isinstance(recipe, GPTRecipe) else _recipe(recipe)
    where = device()
    return {
        "precision": "bf16" if recipe.use_bf16(where) else "fp32",
        "device": where,
        "torch": package_version("torch"),
        "transformers": package_version("transformers"),
    }


def _expected_card(recipe: Recipe) -> dict:
    return {
        "recipe": recipe.as_dict(),
        "data_version": data.data_version(),
        "base_sha256": MINILM_SHA256,
        "build": build_conditions(recipe),
    }


def checkpoint_state(recipe: Recipe | None = None, folder: Path | None = None) -> tuple[str, str]:
    """Return ``("ready" | "not built" | "stale" | "damaged", reason)`` without building.

    ``stale``: intact, but built from another recipe, data version or base
    model, or under other conditions than this machine's
    (:func:`build_conditions`); the next use rebuilds it.

    Example:
        >>> import tempfile
        >>> checkpoint_state(folder=Path(tempfile.gettempdir()) / "no-such-checkpoint")
        ('not built', '')
    """
    recipe = _recipe(recipe)
    folder = Path(folder) if folder is not None else checkpoint_dir(recipe)
    return folder_state(folder, REQUIRED_FILES, _expected_card(recipe))


_WHAT = {
    "recipe": "recipe",
    "data_version": "bundled data version",
    "base_sha256": "base model",
    "build": "precision, device or library version",
}


def folder_state(folder: Path, required: tuple[str, ...], expected: dict) -> tuple[str, str]:
    """State of a built model folder: its files, the keys of its ``hfnotes.json`` and its weights' hash.

    ``expected`` maps keys of ``hfnotes.json`` to the values this machine
    would write; any difference makes the folder "stale" (built by another
    recipe, data, base model or machine: rebuilt on next use); missing or
    unreadable files and a weights hash that does not match make it
    "damaged". Shared by every asset this module builds.

    Example:
        >>> import tempfile
        >>> folder_state(Path(tempfile.gettempdir()) / "no-such-folder", REQUIRED_FILES, {})
        ('not built', '')
    """
    if not folder.exists():
        return "not built", ""
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        return "damaged", f"missing file(s): {', '.join(missing)}"
    try:
        card = json.loads((folder / "hfnotes.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return "damaged", f"hfnotes.json is not valid JSON ({exc})"
    if not isinstance(card, dict):
        return "damaged", f"hfnotes.json holds a {type(card).__name__}, not the object hfnotes writes"
    for key, value in expected.items():
        if card.get(key) != value:
            return "stale", f"built for another {_WHAT.get(key, key)} ({card.get(key)!r}, now {value!r})"
    try:
        verify_file(folder / "model.safetensors", str(card.get("weights_sha256")))
    except ChecksumError:
        return "damaged", "model.safetensors does not match the hash recorded at build time (truncated or modified)"
    return "ready", ""


def check_checkpoint(recipe: Recipe | None = None) -> Path:
    """Return the checkpoint folder if it is built and intact; raise :class:`AssetError` otherwise."""
    return _checked(checkpoint_dir(recipe), checkpoint_state(recipe), "the sentiment checkpoint", CHECKPOINT_NAME)


def _checked(folder: Path, state_reason: tuple[str, str], what: str, name: str) -> Path:
    state, reason = state_reason
    if state == "not built":
        raise AssetError(f"{what.capitalize()} is not built yet ({folder}). Build it: hfnotes assets build {name}")
    if state == "stale":
        raise AssetError(f"{what.capitalize()} in {folder} is stale: {reason}. Rebuild: hfnotes assets build {name}")
    if state == "damaged":
        raise AssetError(
            f"{what.capitalize()} in {folder} is damaged: {reason}. Rebuild: hfnotes assets build --force {name}"
        )
    return folder


def _card_text(
    card: dict,
    *,
    title: str,
    about: str,
    facts: list[str],
    metrics_about: str,
    metric_format: str,
    last_section: str,
    **metadata: Any,
) -> ModelCard:
    """A model card shared by every asset this module builds: Hub metadata, facts, recipe and metrics tables.

    ``facts`` come before the weights' hash and the library versions;
    ``last_section`` (a heading and its text) ends the card; ``metadata`` goes to
    ``ModelCardData`` beside the licence, language and library.
    """
    from huggingface_hub import ModelCard, ModelCardData

    recipe = "\n".join(f"| {key} | {value} |" for key, value in card["recipe"].items())
    metrics = "\n".join(f"| {key} | {value:{metric_format}} |" for key, value in card["metrics"].items())
    facts = [
        *facts,
        f"weights: `model.safetensors` SHA-256 `{card['weights_sha256']}`",
        f"library versions: {', '.join(f'{k} {v}' for k, v in card['versions'].items())}",
    ]
    metadata = ModelCardData(license="mit", language="en", library_name="transformers", **metadata)
    bullets = "\n".join(f"- {fact}" for fact in facts)
    text = f"""# {title}

{about}

{bullets}

## Recipe
| setting | value |
|---|---|
{recipe}

## Metrics ({metrics_about})
| metric | value |
|---|---|
{metrics}

{last_section}"""
    return ModelCard(f"---\n{metadata.to_yaml()}\n---\n\n{text}")


def _write_folder(
    result: TrainResult | GPTResult, folder: Path, expected: dict, packages: tuple[str, ...], **extra: Any
) -> dict:
    """Save ``result``'s model and tokenizer in ``folder`` and write its ``hfnotes.json``; return that card.

    ``expected`` holds the keys :func:`folder_state` compares; ``extra``, what
    one asset's card adds; ``packages``, the libraries whose versions it records.
    """
    folder.mkdir(parents=True, exist_ok=True)
    result.model.save_pretrained(folder)
    result.tokenizer.save_pretrained(folder)
    card = {
        **expected,
        "weights_sha256": sha256_file(folder / "model.safetensors"),
        "metrics": result.metrics,
        "precision": "bf16 autocast" if expected["build"]["precision"] == "bf16" else "float32",
        "log_history": [
            {k: v for k, v in entry.items() if isinstance(v, (int, float))} for entry in result.log_history
        ],
        "build_seconds": round(result.seconds, 1),
        "hfnotes_version": package_version("hfnotes"),
        "versions": {pkg: package_version(pkg) for pkg in packages},
        **extra,
    }
    (folder / "hfnotes.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card


def model_card(card: dict) -> ModelCard:
    """The checkpoint's model card (``README.md``): Hub metadata from ``ModelCardData`` and a short text."""
    return _card_text(
        card,
        title="hfnotes sentiment model",
        about=f"""all-MiniLM-L6-v2 fine-tuned for binary sentiment (NEGATIVE / POSITIVE) on the hfnotes
reviews dataset, by `hfnotes.train.fine_tune`. Built on this machine by hfnotes {card["hfnotes_version"]}
in {card["build_seconds"]:.0f} s ({card["precision"]}); it is a teaching model, not a production classifier.""",
        facts=[
            f"base model: all-MiniLM-L6-v2, `model.safetensors` SHA-256 `{card['base_sha256']}`",
            f"data: hfnotes reviews, version `{card['data_version']}` (8 domains, English)",
        ],
        metrics_about="bundled reviews",
        metric_format=".4f",
        last_section=f"""## Limitations
Trained on about two thousand short English reviews written for the course; expect errors on
sarcasm, other languages and domains far from movies, books, restaurants, electronics, apps,
hotels and games. Training kept the {kept_end(card["recipe"]["truncation_side"])} {card["recipe"]["max_length"]} tokens of longer
reviews (to train faster); the saved tokenizer truncates from the same side, at the model's limit of
{card["tokenizer_max_length"]} tokens, so predictions read up to that much of a review.
""",
        pipeline_tag="text-classification",
        base_model=models.BASE_HUB_ID,
        tags=["sentiment", "hfnotes"],
    )


def write_checkpoint(result: TrainResult, folder: Path, recipe: Recipe | None = None) -> None:
    """Save a :class:`~hfnotes.train.TrainResult` as a complete checkpoint folder (not atomic).

    The saved tokenizer truncates from the recipe's side but at the model's
    own limit (512 tokens), not at ``recipe.max_length``: training cut
    reviews to 128 tokens to train faster, and predictions may read more of a
    long review (notebook 07 measures the difference; the tests pin it).
    """
    card = _write_folder(
        result,
        folder,
        _expected_card(_recipe(recipe)),
        ("torch", "transformers", "datasets"),
        tokenizer_max_length=result.tokenizer.model_max_length,
    )
    model_card(card).save(folder / "README.md")


def _say(message: str) -> None:
    print(f"hfnotes: {message}", file=sys.stderr, flush=True)


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Silence what the libraries print while a build runs, then put their settings back.

    Off: the progress bars of ``datasets`` (loading the CSVs, ``map``),
    ``transformers`` and ``huggingface_hub`` (writing the weights), and the
    warnings ``transformers`` logs. A build announces itself and its result in
    one line each (:func:`build_folder`); the training's own progress bar
    follows the builder's ``progress`` argument.
    """
    import datasets
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars
    from transformers.utils import logging as transformers_logging

    verbosity = transformers_logging.get_verbosity()
    transformers_bars = transformers_logging.is_progress_bar_enabled()
    hub_bars = not are_progress_bars_disabled()
    datasets_bars = datasets.is_progress_bar_enabled()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()  # huggingface_hub's too
    if datasets_bars:
        datasets.disable_progress_bars()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(verbosity)
        if transformers_bars:
            transformers_logging.enable_progress_bar()  # huggingface_hub's too
        if not hub_bars:
            disable_progress_bars()
        if datasets_bars:
            datasets.enable_progress_bars()


def _clean_leftovers(folder: Path) -> None:
    """Remove what a killed build left next to ``folder``; put back a checkpoint it had moved aside.

    Called with the build lock held, so no other process is using these.
    """
    olds = sorted(folder.parent.glob(f".{folder.name}-old-*"))
    if not folder.exists() and olds:
        os.replace(olds.pop(), folder)  # killed between the two renames: the previous checkpoint comes back
    for leftover in [*olds, *folder.parent.glob(f".{folder.name}-tmp-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def sentiment_checkpoint(force: bool = False, recipe: Recipe | None = None, progress: bool = True) -> Path:
    """Return the folder of the course sentiment checkpoint, building it if needed.

    Safe to call from several processes at once: one builds, the others
    wait for the lock and then find it ready. A build killed half-way leaves
    no partial checkpoint; its temporary folders are removed by the next call.

    Example:
        >>> from transformers import pipeline  # doctest: +SKIP
        >>> pipeline("sentiment-analysis", model=str(sentiment_checkpoint()))("Loved it!")  # doctest: +SKIP
        [{'label': 'POSITIVE', 'score': 0.99...}]
    """
    recipe = _recipe(recipe)

    def write(tmp: Path) -> str:
        result = fine_tune(
            recipe, base=models.bundled_base_model(), dataset=data.load_reviews(source="bundled"), progress=progress
        )
        write_checkpoint(result, tmp, recipe)
        return ", ".join(f"{k} {v:.4f}" for k, v in result.metrics.items())

    scale = "" if recipe == Recipe() else " (test recipe)"
    return build_folder(
        checkpoint_dir(recipe),
        lambda: checkpoint_state(recipe),
        write,
        what="the sentiment checkpoint",
        announce=f"building the course sentiment model{scale}: MiniLM fine-tuned on the bundled reviews, "
        f"about {ESTIMATED_SECONDS[build_conditions(recipe)['precision'] == 'bf16']} s on a 2-core CPU",
        force=force,
    )


def build_folder(
    folder: Path,
    state: Callable[[], tuple[str, str]],
    write: Callable[[Path], str],
    *,
    what: str,
    announce: str,
    force: bool = False,
) -> Path:
    """Build a model folder once: under a file lock, into a temporary folder renamed into place when complete.

    ``state()`` says whether ``folder`` is ready (see :func:`folder_state`);
    ``write(tmp)`` fills the temporary folder and returns a one-line summary
    of the metrics. The build prints one line as it starts and one with its
    time and that summary when done; the libraries' own progress bars and
    warnings are silenced while ``write`` runs. Several processes may call this at once: one builds, the
    others wait for the lock and then find the folder ready. A build killed
    half-way leaves no partial folder; the next call removes its leftovers
    (and puts back a folder it had moved aside).
    """
    from filelock import FileLock, Timeout

    if not force and state()[0] == "ready":
        return folder
    lock = FileLock(str(folder) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        _say(f"another process is building {what}; waiting for it to finish.")
        lock.acquire()
    try:
        _clean_leftovers(folder)
        current, reason = state()
        if current == "ready" and not force:
            return folder  # another process built it while we waited
        if current == "damaged":
            _say(f"the cached {what.removeprefix('the ')} is damaged ({reason}); rebuilding it.")
        elif current == "stale":
            _say(f"the cached {what.removeprefix('the ')} was {reason}; rebuilding it.")
        _say(f"{announce}; it is cached in {folder.parent} for next time.")
        start = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-tmp-", dir=folder.parent))
        try:
            with _quiet_libraries():
                summary = write(tmp)
            if folder.exists():
                old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
                os.replace(folder, old)
                os.replace(tmp, folder)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _say(f"built in {time.perf_counter() - start:.0f} s ({summary}).")
    finally:
        lock.release()
    return folder


# --- review_gpt: the small GPT trained from scratch on the reviews (notebook 10) ---

GPT_NAME = "review_gpt"
GPT_HUB_ID = "distilbert/distilgpt2"
"""The Hub model that stands in for ``review_gpt`` in hub mode."""
GPT_REQUIRED_FILES: tuple[str, ...] = (
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "README.md",
    "hfnotes.json",
)
GPT_ESTIMATED_SECONDS = 100
"""Rough build time of the default :class:`GPTRecipe` on a 2-core CPU."""


def _gpt_recipe(recipe: GPTRecipe | None) -> GPTRecipe:
    if recipe is None:
        return GPTRecipe()
    if not isinstance(recipe, GPTRecipe):
        raise InputError(f"recipe must be a hfnotes GPTRecipe or None, got {type(recipe).__name__}.")
    return recipe


def gpt_dir(recipe: GPTRecipe | None = None) -> Path:
    """Where ``review_gpt`` for ``recipe`` lives (the default recipe: ``<cache>/review_gpt``).

    Example:
        >>> gpt_dir().name, gpt_dir(GPTRecipe(epochs=1)).name.startswith("review_gpt-")
        ('review_gpt', True)
    """
    return _folder(GPT_NAME, _gpt_recipe(recipe), GPTRecipe())


def _expected_gpt_card(recipe: GPTRecipe) -> dict:
    return {"recipe": recipe.as_dict(), "data_version": data.data_version(), "build": build_conditions(recipe)}


def gpt_state(recipe: GPTRecipe | None = None, folder: Path | None = None) -> tuple[str, str]:
    """``("ready" | "not built" | "stale" | "damaged", reason)`` of ``review_gpt``, without building it."""
    recipe = _gpt_recipe(recipe)
    folder = Path(folder) if folder is not None else gpt_dir(recipe)
    return folder_state(folder, GPT_REQUIRED_FILES, _expected_gpt_card(recipe))


def check_gpt(recipe: GPTRecipe | None = None) -> Path:
    """Return the ``review_gpt`` folder if it is built and intact; raise :class:`AssetError` otherwise."""
    return _checked(gpt_dir(recipe), gpt_state(recipe), "the review GPT", GPT_NAME)


def gpt_card(card: dict) -> ModelCard:
    """``review_gpt``'s model card: Hub metadata, the recipe, the metrics and the validation curve."""
    curve = "\n".join(
        f"| {entry['epoch']:g} | {entry['eval_loss']:.4f} |" for entry in card["log_history"] if "eval_loss" in entry
    )
    return _card_text(
        card,
        title="hfnotes review GPT",
        about=f"""A GPT-2 of {card["parameters"]:,} parameters and its byte-level BPE tokenizer, both trained from scratch
on the training split of the hfnotes reviews by `hfnotes.textgen.train_gpt`. Built on this machine by
hfnotes {card["hfnotes_version"]} in {card["build_seconds"]:.0f} s ({card["precision"]}). It writes short
review-like English; it is a teaching model that knows nothing beyond two thousand reviews.""",
        facts=[
            f"data: hfnotes reviews, version `{card['data_version']}` (training split; validation split for the metrics)"
        ],
        metrics_about="validation split, next-token prediction",
        metric_format="",
        last_section=f"""## Validation loss per epoch (epoch 0: untrained)
| epoch | loss |
|---|---|
{curve}
""",
        pipeline_tag="text-generation",
        tags=["hfnotes"],
    )


def write_gpt(result: GPTResult, folder: Path, recipe: GPTRecipe | None = None) -> None:
    """Save a :class:`~hfnotes.textgen.GPTResult` as a complete ``review_gpt`` folder (not atomic)."""
    card = _write_folder(
        result,
        folder,
        _expected_gpt_card(_gpt_recipe(recipe)),
        ("torch", "transformers", "tokenizers", "datasets"),
        parameters=result.model.num_parameters(),
    )
    gpt_card(card).save(folder / "README.md")


def review_gpt_checkpoint(force: bool = False, recipe: GPTRecipe | None = None, progress: bool = False) -> Path:
    """Return the ``review_gpt`` folder, building it if needed (locked and atomic like the sentiment model).

    Example:
        >>> from transformers import AutoModelForCausalLM  # doctest: +SKIP
        >>> AutoModelForCausalLM.from_pretrained(review_gpt_checkpoint()).config.n_layer  # doctest: +SKIP
        3
    """
    recipe = _gpt_recipe(recipe)

    def write(tmp: Path) -> str:
        reviews = data.load_reviews(source="bundled")
        result = train_gpt(recipe, reviews["train"]["text"], reviews["validation"]["text"], progress=progress)
        write_gpt(result, tmp, recipe)
        scores = result.metrics
        return (
            f"validation perplexity {scores['validation_perplexity']}; "
            f"unigram baseline {scores['unigram_perplexity']}, untrained {scores['untrained_perplexity']}"
        )

    scale = "" if recipe == GPTRecipe() else " (test recipe)"
    return build_folder(
        gpt_dir(recipe),
        lambda: gpt_state(recipe),
        write,
        what="the review GPT",
        announce=f"building the course's small GPT{scale}: tokenizer and model trained from scratch on the "
        f"bundled reviews, about {GPT_ESTIMATED_SECONDS} s on a 2-core CPU",
        force=force,
    )
