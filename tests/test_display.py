"""hfnotes.display: show_source and rounded."""

from __future__ import annotations

from hfnotes import display, inference


def test_show_source_returns_markdown_code_block():
    shown = display.show_source(inference.softmax)
    assert shown.data.startswith("```python\ndef softmax(")
    assert shown.data.rstrip().endswith("```")


def test_rounded_handles_nested_structures():
    value = [{"label": "A", "score": 0.123456}, ({"x": 1.98765},), "text", 3]
    assert display.rounded(value, 2) == [{"label": "A", "score": 0.12}, ({"x": 1.99},), "text", 3]
