"""The rubric: every check id from READINESS.md, in the order the report shows them."""

from __future__ import annotations

from collections.abc import Callable

from .checks_content import (
    check_exact_dups,
    check_near_dups,
    check_pii,
    check_quality,
    check_refusals,
)
from .checks_data import (
    check_cost,
    check_epochs,
    check_format,
    check_length,
    check_reviewed,
    check_roles,
    check_split,
    check_volume,
)
from .checks_stability import (
    check_consistency,
    check_diversity,
    check_volatility,
)
from .model import Check, Context

CHECKS: dict[str, Callable[[Context], Check]] = {
    "format": check_format,
    "volume": check_volume,
    "epochs": check_epochs,
    "length": check_length,
    "roles": check_roles,
    "exact_dups": check_exact_dups,
    "near_dups": check_near_dups,
    "split": check_split,
    "quality": check_quality,
    "pii": check_pii,
    "diversity": check_diversity,
    "refusals": check_refusals,
    "consistency": check_consistency,
    "volatility": check_volatility,
    "reviewed": check_reviewed,
    "cost": check_cost,
}
CHECK_IDS: tuple[str, ...] = tuple(CHECKS)


# Checks that say something without good examples: how many there are, the last export.
_ALWAYS = ("volume", "split")


def run_checks(ctx: Context) -> list[Check]:
    """Every check; over zero good examples each measured check reads "n/a", never "ok"."""
    checks = [fn(ctx) for fn in CHECKS.values()]
    if ctx.n_good:
        return checks
    for c in checks:
        if c.id in _ALWAYS or not c.measured or c.level == "block":
            continue
        c.level, c.value = "n/a", None
        c.message = "Not computed: no good examples yet."
        c.next_step = "Approve examples first."
    return checks
