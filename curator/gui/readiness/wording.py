"""The Readiness tab in GUI terms: next steps without CLI commands, which flags to chart,
the frame the report is computed on (Qt-free)."""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from curator.core import records as R

# `curator …` in a core message -> what a GUI user does instead (most specific first).
_GUI_WORDS: tuple[tuple[str, str], ...] = (
    (r"\(`curator gui`, or `curator review`\)", "(in the Records tab)"),
    (r"in the app \(`curator gui`\) or with `curator review --ids ID`", "in the Records tab (A)"),
    (r"\(`curator gui`\) or with `curator review --ids ID`", "in the Records tab (A)"),
    (r"Run `curator run[^`]*` to score the records", "Run the pipeline (Pipeline tab) to score the records"),
    (r"`curator run[^`]*`", "Run pipeline (Pipeline tab)"),
    (r"Run `curator dedup`", "Run the pipeline (Pipeline tab)"),
    (r"`curator dedup[^`]*`", "Run pipeline (Pipeline tab)"),
    (r"\(`curator show ID` shows each\)", "(click the check to open them)"),
    (r"`curator show[^`]*`", "the Records tab"),
    (r"Preview the passing ones with `curator report --include passing`",
     "Preview the passing ones with Count: “approved + passing pending” (top right)"),
    (r"`curator report --include passing` previews", "Count: “approved + passing pending” (top right) previews"),
    (r"`curator report --include passing`", "Count: “approved + passing pending” (top right)"),
    (r"Export with `curator export --split 0\.1`", "Export (Workspace → Export…) with a 10% test split"),
    (r"`curator export[^`]*`", "Workspace → Export…"),
    (r"`curator baseline[^`]*`", "“Baseline kit…” (this tab)"),
    (r"`curator query[^`]*`", "click the check to open the records"),
    (r"`curator review[^`]*`", "the Records tab"),
    (r"`curator gui`", "the Records tab"),
    (r"re-run the report", "refresh this tab"),
)


def for_gui(text: str) -> str:
    """A core readiness message with its CLI commands replaced by what to do in the app."""
    for pattern, words in _GUI_WORDS:
        text = re.sub(pattern, words, text)
    return text


MAX_FLAGS = 12
ALWAYS_SHOWN = ("secret", "pii")  # blocking families: never left out of the chart


def top_flags(by_flag: dict[str, int], limit: int = MAX_FLAGS) -> list[str]:
    """The flags the chart shows: every secret and PII flag, then the most frequent others,
    largest first. A top-by-count cut used to leave the few secrets out."""
    must = [k for k in by_flag if k.split(".")[0] in ALWAYS_SHOWN and by_flag[k]]
    rest = sorted((k for k in by_flag if k not in must), key=lambda k: -by_flag[k])
    chosen = must + rest[: max(0, limit - len(must))]
    return sorted(chosen, key=lambda k: -by_flag[k])


def shared_frame(controller: Any) -> pl.DataFrame | None:
    """The open workspace's frame as the report reads it, or None (then the core reads it)."""
    if not getattr(controller, "loaded", False) or getattr(controller, "previewing", False):
        return None
    ws = controller.ws
    if ws is None or not controller.is_current():
        return None
    frame: pl.DataFrame = controller.frame
    # Columns picked directly (no query on the UI thread); the status dtype is cast back
    # to String by ``report_frame`` in the worker.
    return pl.DataFrame([frame.get_column(c) for c in frame.columns if not c.startswith("_") and c not in _DISPLAY_ONLY])


def report_frame(frame: pl.DataFrame | None) -> pl.DataFrame | None:
    """``shared_frame``'s frame as the core report reads it (run in the worker)."""
    return None if frame is None else frame.with_columns(pl.col(R.STATUS).cast(pl.String))


_DISPLAY_ONLY = {"turns", "first_user", "preview", "language", "tokens", "flag_names"}
