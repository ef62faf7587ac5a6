"""Shared widgets: plain-text labels and tables, progress panel, job dialog, theme."""
