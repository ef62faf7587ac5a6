"""Readiness thresholds: product defaults from a data file, overridable per workspace.

Defaults live in ``curator/data/readiness_defaults.toml``; the workspace setting
``"readiness"`` (a JSON object with any of the same keys) overrides them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any

from curator.core.errors import CuratorError
from curator.core.workspace import Workspace

SETTING_KEY = "readiness"


@dataclass(frozen=True)
class Thresholds:
    target: str
    open_source_cutoff: int
    volume_ok: int
    volume_block: int
    volume_pilot: int
    epochs_warn_above: int
    length_block_share: float
    exact_dup_block_share: float
    near_dup_warn_share: float
    refusal_warn_share: float
    volatility_warn_share: float
    volatility_span_days: int
    reviewed_ok_share: float
    reviewed_ok_count: int
    roles_require_system: bool
    diversity_min_distinct2: float
    diversity_max_compression: float
    diversity_max_cluster_share: float
    diversity_max_canned_share: float
    diversity_sample_words: int
    text_sample_records: int

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@lru_cache(maxsize=1)
def product_defaults() -> dict[str, Any]:
    text = resources.files("curator").joinpath("data", "readiness_defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def thresholds_from(overrides: dict[str, Any] | None = None) -> Thresholds:
    """Defaults merged with ``overrides``; unknown keys or wrong types are errors."""
    values = dict(product_defaults())
    known = {f.name: f.type for f in fields(Thresholds)}
    for key, value in (overrides or {}).items():
        if key not in known:
            raise CuratorError(
                f"workspace setting '{SETTING_KEY}' has an unknown key '{key}'. "
                f"Known keys: {', '.join(sorted(known))}."
            )
        values[key] = value
    out: dict[str, Any] = {}
    for f in fields(Thresholds):
        default = product_defaults()[f.name]
        raw = values[f.name]
        try:
            out[f.name] = type(default)(raw)
        except (TypeError, ValueError) as exc:
            raise CuratorError(
                f"workspace setting '{SETTING_KEY}.{f.name}' = {raw!r} is not a "
                f"{type(default).__name__}; fix it or remove the key."
            ) from exc
    return Thresholds(**out)


def load_thresholds(ws: Workspace) -> Thresholds:
    overrides = ws.get_setting(SETTING_KEY, None)
    if overrides is not None and not isinstance(overrides, dict):
        raise CuratorError(f"workspace setting '{SETTING_KEY}' must be a JSON object.")
    return thresholds_from(overrides)
