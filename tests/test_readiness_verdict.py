"""Each verdict pinned on a small constructed workspace."""

from __future__ import annotations

from readiness_helpers import build, clean_conversations, flags

from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.workspace import Workspace


def test_five_records_are_not_ready(workspace: Workspace) -> None:
    build(workspace, clean_conversations(5))
    r = build_report(workspace)
    assert r.verdict == "not_ready"
    assert r.counts == {"total": 5, "approved": 5, "rejected": 0, "pending": 0, "good": 5}
    assert r.check("volume").level == "block"
    assert "volume" in r.reasons
    assert "few-shot prompting" in r.verdict_message


def test_a_few_hundred_clean_records_are_limited_data(workspace: Workspace) -> None:
    build(workspace, clean_conversations(300))
    r = build_report(workspace)
    assert r.verdict == "limited_data", r.verdict_message
    assert "enough for a pilot only; compare against a prompt/RAG baseline first" in r.verdict_message
    assert r.check("volume").level == "warn"
    assert "300 good examples" in r.check("volume").message


def test_under_fifty_says_use_few_shot_prompting(workspace: Workspace) -> None:
    build(workspace, clean_conversations(30))
    r = build_report(workspace)
    assert r.verdict == "limited_data"
    assert "below every provider's pilot size; use few-shot prompting" in r.verdict_message


def test_over_a_thousand_clean_distinct_records_are_ready(workspace: Workspace) -> None:
    build(workspace, clean_conversations(1100))
    workspace.set_setting("last_export", {"split": 0.1, "counts": {"train": 990, "validation": 110}, "leaked_clusters": 0})
    r = build_report(workspace)
    assert r.verdict == "ready", r.verdict_message
    assert r.counts["good"] == 1100
    assert not [c.id for c in r.checks if c.level == "block"]
    # every warning is listed beside the verdict
    for c in r.checks:
        if c.level == "warn":
            assert c.title.lower() in r.verdict_message


def test_ready_lists_its_warnings(workspace: Workspace) -> None:
    build(workspace, clean_conversations(1100))
    r = build_report(workspace)  # no export yet: the split check warns
    assert r.verdict == "ready"
    assert r.check("split").level == "warn"
    assert "Warnings:" in r.verdict_message and "validation and leakage" in r.verdict_message


def test_a_secret_in_an_exportable_record_is_not_ready(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(1100))
    leaked = df.get_column(R.ID)[7]
    flags(workspace, [(leaked, "secret.aws_key", "warn")])
    r = build_report(workspace)
    assert r.verdict == "not_ready"
    assert r.check("pii").level == "block"
    assert leaked in r.check("pii").examples
    assert r.next_steps[0].startswith("PII and secrets")


def test_a_blocking_secret_flag_holds_the_record_back_and_still_blocks(workspace: Workspace) -> None:
    """The record leaves N_good, but the user must still redact or reject it."""
    df = build(workspace, clean_conversations(1100))
    held = df.get_column(R.ID)[7]
    flags(workspace, [(held, "secret.aws_key", "block")])
    r = build_report(workspace)
    assert r.counts["good"] == 1099
    assert r.check("pii").level == "block"
    assert held in r.check("pii").examples
    assert "held out of the export" in r.check("pii").message
    assert r.verdict == "not_ready"


def test_a_rejected_record_with_a_secret_does_not_block(workspace: Workspace) -> None:
    from curator.core import review

    df = build(workspace, clean_conversations(1100))
    held = df.get_column(R.ID)[7]
    flags(workspace, [(held, "secret.aws_key", "block")])
    review.reject(workspace, [held], "contains a key")
    r = build_report(workspace)
    assert r.check("pii").level == "ok"
    assert r.verdict == "ready"


def test_volatile_data_is_limited_even_when_large(workspace: Workspace) -> None:
    convs = clean_conversations(1100)
    for i, conv in enumerate(convs[:400]):
        conv[-1] = ("assistant", conv[-1][1] + f" The Pro plan costs ${10 + i % 7}.99 per month.")
    build(workspace, convs)
    r = build_report(workspace)
    assert r.verdict == "limited_data"
    assert "facts that change belong in retrieval (RAG), not in weights" in r.verdict_message
    assert r.check("volatility").level == "warn"
