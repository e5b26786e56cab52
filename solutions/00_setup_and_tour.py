"""Worked answers to the exercises of notebook 00 · Setup and tour.

Each function answers one exercise and returns what ``check`` expects:
``from hfnotes.exercises import check; check("00.1", ex_00_1())``.
"""

from __future__ import annotations

import re

import hfnotes


def ex_00_1() -> int:
    """00.1 · How many threads will PyTorch use? Read it from the doctor's report.

    In a terminal, ``hfnotes doctor`` prints the same report; its ``cpu`` line
    says ``N cores, torch uses T threads``.
    """
    report = hfnotes.doctor()
    cpu = next(line for line in report.checks if line.name == "cpu")
    return int(re.search(r"torch uses (\d+) thread", cpu.value).group(1))


def ex_00_2() -> str:
    """00.2 · Which model would the hub source use for the sentiment model?

    ``source="hub"`` returns the model's name on the Hub. Nothing is downloaded
    until a library loads that name, so asking needs no network.
    """
    return hfnotes.assets.sentiment_model(source="hub")


def ex_00_3() -> hfnotes.errors.ConfigError:
    """00.3 · What does hfnotes say about an unknown source? Return the error it raises.

    ``HFNOTES_SOURCE=nonsense hfnotes assets list`` in a terminal prints the same message.
    """
    try:
        hfnotes.config.source("nonsense")
    except hfnotes.errors.ConfigError as error:
        return error
    raise AssertionError("an unknown source should be refused")
