"""Worked answers to the exercises of notebook 01 · The pipeline.

Functions that need the course model take the sentiment ``classifier``
pipeline (built from ``hfnotes.assets.sentiment_model()`` when omitted).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from transformers import pipeline

import hfnotes
from hfnotes import data, search

TRICKY_REVIEWS = [
    ("Oh wonderful, the app crashed again right when I needed it. Truly a masterpiece.", "NEGATIVE"),
    ("What a fantastic way to waste a Saturday: three hours in the queue.", "NEGATIVE"),
    ("Great, just great. The charger melted on day two.", "NEGATIVE"),
    ("Love how the 'waterproof' speaker died in light rain. Brilliant design.", "NEGATIVE"),
    ("I can't fault it: sturdy, quiet, and it just works.", "POSITIVE"),
    ("Not a single complaint from the kids, which never happens.", "POSITIVE"),
    ("The villain is so horrible I hated him for weeks. Superb film.", "POSITIVE"),
    ("Terrifying, exhausting, and I couldn't put it down.", "POSITIVE"),
    ("It kills every mosquito in the room. Nothing survives.", "POSITIVE"),
    ("Perfect if you enjoy cold soup and a waiter who ignores you.", "NEGATIVE"),
    ("Five stars for the parking. The food, not so much.", "NEGATIVE"),
    ("Brutally hard boss fights, no hand-holding, zero mercy. Exactly what I wanted.", "POSITIVE"),
    ("The ending destroyed me. I cried for an hour and I'd read it again tomorrow.", "POSITIVE"),
    ("No bugs, no crashes, no nonsense. Nothing to report.", "POSITIVE"),
    ("Stunning photos on the website. Shame the room looked nothing like them.", "NEGATIVE"),
    ("Loved the first ten minutes.", "NEGATIVE"),
    ("Wicked spicy, dangerously addictive, and the queue is murder.", "POSITIVE"),
    ("Great battery, great screen, great shame it stopped charging in a week.", "NEGATIVE"),
    ("I hate this game. It's three in the morning and I still can't stop playing.", "POSITIVE"),
    ("Awful news for my wallet: I've already ordered a second one for my sister.", "POSITIVE"),
    ("This restaurant ruined every other pizza for me. Thanks a lot.", "POSITIVE"),
    ("My only complaint is that it ended.", "POSITIVE"),
    ("Dangerous book. Do not start it on a work night.", "POSITIVE"),
    ("Really enjoyed the view of the car park from our 'sea view' room.", "NEGATIVE"),
    ("Ten out of ten for the packaging. Zero for the kettle inside it.", "NEGATIVE"),
    ("Amazing how a phone this expensive can feel this slow.", "NEGATIVE"),
    ("Brilliant, another film where nothing happens for two hours.", "NEGATIVE"),
    ("What a treat: forty minutes on hold and then they hung up.", "NEGATIVE"),
    ("Worst decision I ever made was not buying this sooner.", "POSITIVE"),
    ("Sadly the holiday had to end.", "POSITIVE"),
]


def course_classifier(classifier=None):
    """The sentiment pipeline on the course model (or ``classifier`` when given)."""
    return classifier or pipeline("sentiment-analysis", model=hfnotes.assets.sentiment_model())


def ex_01_1(classifier=None) -> list[tuple[str, str]]:
    """01.1 · Write five reviews the classifier gets wrong, as (text, true_label) pairs.

    Write more candidates than you need (sarcasm, praise in negative words,
    blunt understatement), classify them all, keep the ones it misses. Here
    praise dressed as a complaint ("ruined every other pizza for me", "my only
    complaint is that it ended") fools it most; sarcasm built from praise
    words rarely does: the course data holds many such reviews.
    """
    classifier = course_classifier(classifier)
    answers = classifier([text for text, _ in TRICKY_REVIEWS])
    wrong = [(text, label) for (text, label), out in zip(TRICKY_REVIEWS, answers, strict=True) if out["label"] != label]
    if len(wrong) < 5:
        raise AssertionError(f"only {len(wrong)} candidates fooled the model: write more")
    return wrong[:5]


def ex_01_2(classifier=None, n_texts: int = 64, repeats: int = 3) -> dict[int, float]:
    """01.2 · Time ``batch_size`` 4, 16 and 64 on the length-sorted test texts: {batch_size: seconds}.

    Where the gain stops depends on the machine: on a CPU, larger batches help
    until the matrix products are large enough to keep every core busy.
    """
    classifier = course_classifier(classifier)
    by_length = sorted(data.load_reviews()["test"]["text"][:n_texts], key=len)
    seconds = {}
    for batch_size in (4, 16, 64):
        classifier(by_length, batch_size=batch_size)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            classifier(by_length, batch_size=batch_size)
            times.append(time.perf_counter() - start)
        seconds[batch_size] = sorted(times)[len(times) // 2]
    return seconds


def ex_01_3() -> Callable[[str, Sequence[str], int], list[int]]:
    """01.3 · Write ``closest(query, texts, k=3)``: the indices of the ``k`` texts nearest to ``query``.

    Then use it on a review of your own against the test split, e.g.
    ``closest(my_review, list(test_split["text"]))``, and look at the hits'
    labels and domains: the encoder matches topic first, sentiment second.
    """
    extractor = pipeline("feature-extraction", model=hfnotes.assets.base_model())

    def closest(query: str, texts: Sequence[str], k: int = 3) -> list[int]:
        corpus = search.embed(list(texts), extractor)
        return [index for index, _ in search.most_similar(search.embed(query, extractor)[0], corpus, k=k)]

    return closest
