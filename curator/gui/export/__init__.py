"""The export dialog: format, split, preflight, progress, result."""
