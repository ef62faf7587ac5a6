"""Which records a number is about, as data: the readiness drill-downs.

A check that counts records says which ones with a ``RecordQuery``; the CLI prints it
as the `curator query` command that lists them, the GUI opens the Records tab filtered
the same way. No face parses a command line back.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordQuery:
    """Records with this status (or "flagged"), flag (family or name) and/or text."""

    workspace: str
    status: str | None = None
    flag: str | None = None
    search: str | None = None

    @classmethod
    def from_args(cls, workspace: str, *args: str) -> RecordQuery:
        """From `curator query` options: ("--flag", "pii"), ("--status", "approved"), ("--search", "x")."""
        keys = {"--status": "status", "--flag": "flag", "--search": "search"}
        found: dict[str, Any] = {}
        it = iter(args)
        for opt in it:
            if opt not in keys:
                raise ValueError(f"not a record query option: {opt}")
            found[keys[opt]] = next(it)
        return cls(workspace, **found)

    def args(self) -> list[str]:
        out: list[str] = []
        for opt, value in (("--status", self.status), ("--flag", self.flag), ("--search", self.search)):
            if value is not None:
                out += [opt, value]
        return out

    def __str__(self) -> str:
        """The `curator query` command that lists these records."""
        return " ".join(shlex.quote(p) for p in ["curator", "query", "-w", self.workspace, *self.args()])

    def filters(self) -> dict[str, str]:
        """The non-empty filters (status, flag, search) by name."""
        return {k: v for k, v in (("status", self.status), ("flag", self.flag), ("search", self.search)) if v}
