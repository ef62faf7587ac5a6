"""Readiness: metrics, rubric and verdict for "should you fine-tune on this?" (READINESS.md)."""

from curator.core.readiness.model import Check
from curator.core.readiness.report import Report, build_report
from curator.core.readiness.targets import Target, load_targets

__all__ = ["Check", "Report", "Target", "build_report", "load_targets"]
