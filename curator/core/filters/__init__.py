"""Quality filters: score once into columns, threshold cheaply into flags.

Importing this package registers every filter in ``FILTERS``.
"""

from __future__ import annotations

from curator.core.filters import (  # noqa: F401
    diversity,
    language,
    length,
    pii,
    refusal,
    repetition,
    structure,
)
from curator.core.filters.base import FILTERS, Filter, FilterContext
from curator.core.filters.job import (
    apply_thresholds,
    count_flagged,
    rescore,
    score_job,
    stored_scores,
)
from curator.core.filters.recipe import Recipe, RecipeError, Step
from curator.core.filters.redact import redact

__all__ = [
    "FILTERS",
    "Filter",
    "FilterContext",
    "Recipe",
    "RecipeError",
    "Step",
    "apply_thresholds",
    "count_flagged",
    "redact",
    "rescore",
    "score_job",
    "stored_scores",
]
