"""Show things in a notebook: a helper's source code, rounded results."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["show_source", "rounded"]


def show_source(obj: Any):
    """Display the source code of a function or class in the notebook.

    The helpers live in ``src/hfnotes``, but a lesson should still show the
    code where it is used: ``show_source(hfnotes.inference.softmax)``.
    Outside IPython the source is returned as a plain string.

    Example:
        >>> show_source(rounded).data.splitlines()[1]
        'def rounded(value: Any, digits: int = 4) -> Any:'
    """
    code = inspect.getsource(obj)
    try:
        from IPython.display import Markdown
    except ImportError:  # pragma: no cover - IPython ships with the course
        return code
    return Markdown(f"```python\n{code}```")


def rounded(value: Any, digits: int = 4) -> Any:
    """Round every float inside nested lists, tuples and dicts (for stable printing).

    Example:
        >>> rounded([{"label": "POSITIVE", "score": 0.99987654}])
        [{'label': 'POSITIVE', 'score': 0.9999}]
    """
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(rounded(item, digits) for item in value)
    return value
