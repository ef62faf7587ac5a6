"""The readiness report as it was before issue 18's speed work (commit d520241), kept
verbatim as the reference: ``tests/test_readiness_equivalence.py`` compares the live
``curator.core.readiness`` against it on generated data, and ``bench_report.py``
times it beside the live one in the same run. Do not "improve" this copy.

One change from d520241, made in both copies: ties in the counts by format-error kind,
by reviewer and by language are ordered by name (they came out in hash order, so
two runs on the same data could print them differently)."""

from .model import Check
from .report import Report, build_report
from .targets import Target, load_targets

__all__ = ["Check", "Report", "Target", "build_report", "load_targets"]
