"""Curator: turn raw conversation logs into a validated fine-tuning set, honestly."""

__version__ = "0.1.0"

# The registry (PyPI) distribution name; also the .desktop id and the AppStream id
# (DESIGN.md: one name). The import package and the command stay `curator`: the PyPI name
# `curator` belongs to an unrelated 2009 project, and `elasticsearch-curator` also ships a
# `curator` package and command.
DIST_NAME = "conversation-curator"
