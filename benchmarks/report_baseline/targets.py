"""Training targets (provider limits) read from ``curator/data/targets.toml``.

Limits change often, so they live in a data file with their sources, not in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from curator.core.errors import UsageError

# openai-cookbook Chat_finetuning_data_prep.ipynb
COOKBOOK_MIN_TARGET_EXAMPLES = 100
COOKBOOK_MAX_TARGET_EXAMPLES = 25_000
COOKBOOK_MIN_EPOCHS = 1
COOKBOOK_MAX_EPOCHS = 25


@dataclass(frozen=True)
class Target:
    """One place a user may train: its per-example token limit and defaults."""

    name: str
    label: str
    max_tokens: int
    min_examples: int
    default_epochs: int
    source: str
    epochs_rule: str = "cookbook"  # "cookbook" | "fixed"
    configurable: bool = False  # max_tokens may be set by the user (open-source cutoff)

    def estimate_epochs(self, n_examples: int) -> int | None:
        """Epochs a job would run on ``n_examples`` (None for an empty set).

        The cookbook rule: ``default_epochs``, raised to min(25, 100 // n) when
        n * epochs < 100, lowered to max(1, 25000 // n) when n * epochs > 25000.
        """
        if n_examples <= 0:
            return None
        epochs = self.default_epochs
        if self.epochs_rule != "cookbook":
            return epochs
        if n_examples * epochs < COOKBOOK_MIN_TARGET_EXAMPLES:
            return min(COOKBOOK_MAX_EPOCHS, COOKBOOK_MIN_TARGET_EXAMPLES // n_examples)
        if n_examples * epochs > COOKBOOK_MAX_TARGET_EXAMPLES:
            return max(COOKBOOK_MIN_EPOCHS, COOKBOOK_MAX_TARGET_EXAMPLES // n_examples)
        return epochs

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "max_tokens": self.max_tokens,
            "min_examples": self.min_examples,
            "default_epochs": self.default_epochs,
            "epochs_rule": self.epochs_rule,
            "source": self.source,
        }


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    text = resources.files("curator").joinpath("data", "targets.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_targets() -> dict[str, Target]:
    """All known targets by name, in file order."""
    out: dict[str, Target] = {}
    for name, t in _raw()["targets"].items():
        out[name] = Target(
            name=name,
            label=str(t["label"]),
            max_tokens=int(t["max_tokens"]),
            min_examples=int(t["min_examples"]),
            default_epochs=int(t["default_epochs"]),
            source=str(t["source"]),
            epochs_rule=str(t.get("epochs_rule", "cookbook")),
            configurable=bool(t.get("configurable", False)),
        )
    return out


def default_target_name() -> str:
    return str(_raw().get("default", "gpt-4o-mini"))


def resolve_target(name: str | None, *, default: str | None = None, cutoff: int | None = None) -> Target:
    """The target called ``name`` (``open-source:4096`` sets a cutoff length).

    Unknown names raise UsageError listing the valid ones.
    """
    targets = load_targets()
    wanted = name or default or default_target_name()
    base, _, length = wanted.partition(":")
    if base not in targets:
        valid = ", ".join(targets)
        raise UsageError(f"unknown target '{wanted}'. Valid targets: {valid}.")
    target = targets[base]
    if length:
        if not target.configurable:
            raise UsageError(
                f"target '{base}' has a fixed limit of {target.max_tokens:,} tokens; "
                "only open-source takes a cutoff length (e.g. open-source:4096)."
            )
        if not length.isdigit() or int(length) <= 0:
            raise UsageError(f"cutoff length in '{wanted}' must be a positive number of tokens.")
        return replace(target, max_tokens=int(length), name=wanted)
    if target.configurable and cutoff:
        return replace(target, max_tokens=int(cutoff))
    return target
