"""Errors whose message is written for the user: what, where, and what to do."""


class CuratorError(Exception):
    """Shown verbatim by the CLI (exit 1) and the GUI (a message box)."""


class UsageError(CuratorError):
    """The user asked for something malformed (CLI exit 2)."""
