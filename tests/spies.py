"""Spies for tests: wrap a module's function, keep what each call returned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def record_returns(
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    name: str,
    keep: Callable[[Any], Any] = lambda out: out,
) -> list[Any]:
    """Replace ``owner.name`` by a wrapper that calls it and appends ``keep(result)``
    to the returned list (e.g. ``lambda df: df is not None``: whether a reader took a range)."""
    seen: list[Any] = []
    real = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        seen.append(keep(out))
        return out

    monkeypatch.setattr(owner, name, wrapper)
    return seen
