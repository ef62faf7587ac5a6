"""Curator: turn raw conversation logs into a validated fine-tuning set, honestly."""

__version__ = "0.1.0"
