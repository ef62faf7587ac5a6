"""Each check's level changes at its threshold (small workspaces, thresholds as settings)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from readiness_helpers import build, clean_conversations, flags, simulate_filters

from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.readiness.targets import resolve_target
from curator.core.review import approve, edit_message
from curator.core.workspace import Workspace


def ids_of(df: pl.DataFrame) -> list[str]:
    return df.get_column(R.ID).to_list()


@pytest.mark.parametrize(("n", "level"), [(4, "block"), (5, "warn"), (19, "warn"), (20, "ok")])
def test_volume_levels_follow_the_settings(workspace: Workspace, n: int, level: str) -> None:
    workspace.set_setting("readiness", {"volume_ok": 20, "volume_block": 5})
    build(workspace, clean_conversations(n))
    r = build_report(workspace, target="open-source")  # min_examples 10 would otherwise block
    assert r.check("volume").level == (level if n >= 10 or level == "block" else "block")
    assert r.check("volume").value == n


def test_target_minimum_raises_the_block_line(workspace: Workspace) -> None:
    build(workspace, clean_conversations(20))
    assert build_report(workspace, target="gpt-4o-mini").check("volume").level == "warn"
    r = build_report(workspace, target="bedrock-claude-3-haiku")  # needs 32
    assert r.check("volume").level == "block"
    assert "needs at least 32" in r.check("volume").message


def test_epochs_follow_the_cookbook_rule() -> None:
    t = resolve_target("gpt-4o-mini")
    assert [t.estimate_epochs(n) for n in (1, 4, 20, 33, 34, 1000, 20000)] == [25, 25, 5, 3, 3, 3, 1]
    assert resolve_target("bedrock-claude-3-haiku").estimate_epochs(5) == 2


def test_epochs_warn_on_small_sets(workspace: Workspace) -> None:
    build(workspace, clean_conversations(20))
    assert build_report(workspace).check("epochs").level == "warn"  # 100 // 20 = 5 epochs
    assert build_report(workspace).check("epochs").value == 5


def test_epochs_ok_at_34(workspace: Workspace) -> None:
    build(workspace, clean_conversations(34))
    assert build_report(workspace).check("epochs").level == "ok"


def _long(n_words: int) -> str:
    return " ".join(f"word{i}" for i in range(n_words))


@pytest.mark.parametrize(("n_long", "level"), [(0, "ok"), (2, "warn"), (3, "block")])
def test_length_levels(workspace: Workspace, n_long: int, level: str) -> None:
    convs = clean_conversations(20)
    for conv in convs[:n_long]:
        conv[-1] = ("assistant", _long(400))
    build(workspace, convs)
    r = build_report(workspace, target="open-source:256")
    assert r.check("length").level == level  # 2/20 = 10% warns, 3/20 = 15% blocks
    assert r.check("length").value == n_long


def test_length_recounts_edited_records_instead_of_stale_scores(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20))
    ids = df.get_column(R.ID)
    workspace.write_result("scores_length", pl.DataFrame({
        R.ID: ids, "tokens": [50] * 20, "assistant_tokens": [20] * 20,
        "max_message_tokens": [20] * 20, "n_messages": [3] * 20,
    }))
    assert build_report(workspace, target="open-source:256").check("length").level == "ok"
    edit_message(workspace, ids[0], 2, _long(400))
    r = build_report(workspace, target="open-source:256")
    assert r.check("length").value == 1
    assert r.check("length").examples == [ids[0]]


def test_format_errors_block(workspace: Workspace) -> None:
    convs = clean_conversations(20)
    convs[3] = [("user", "hello?"), ("assistant", "   ")]
    build(workspace, convs)
    r = build_report(workspace)
    c = r.check("format")
    assert c.level == "block" and c.value == 1
    assert c.details["by_kind"] == {"missing_content": 1}
    assert r.verdict == "not_ready"


def test_roles_warn_and_name_the_problem(workspace: Workspace) -> None:
    convs = clean_conversations(20)
    convs[0] = [("system", "s"), ("user", "a?"), ("user", "b?"), ("assistant", "c.")]
    convs[1] = [("system", "s"), ("user", "a?"), ("assistant", "b."), ("user", "thanks")]
    build(workspace, convs)
    c = build_report(workspace).check("roles")
    assert c.level == "warn" and c.value == 2
    assert c.details["not_alternating"] == 1 and c.details["last_not_assistant"] == 1


def test_roles_missing_system_follows_the_setting(workspace: Workspace) -> None:
    build(workspace, clean_conversations(20, system=False))
    assert build_report(workspace).check("roles").level == "warn"
    workspace.set_setting("readiness", {"roles_require_system": False})
    assert build_report(workspace).check("roles").level == "ok"


@pytest.mark.parametrize(("copies", "level"), [(0, "ok"), (1, "warn"), (3, "block")])
def test_exact_duplicate_levels(workspace: Workspace, copies: int, level: str) -> None:
    convs = clean_conversations(20)
    for i in range(copies):
        convs[10 + i] = list(convs[0])
    build(workspace, convs)
    c = build_report(workspace).check("exact_dups")
    assert c.level == level
    assert c.details["copies"] == copies


def test_near_duplicates_need_dedup_results_then_warn_at_five_percent(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20), scored=False)
    c = build_report(workspace).check("near_dups")
    assert c.level == "warn" and not c.measured and "curator run" in c.message
    ids = ids_of(df)
    workspace.write_result("clusters", pl.DataFrame(
        {R.ID: ids[:2], R.CLUSTER_ID: ["c1", "c1"], R.DUPLICATE_OF: [None, ids[0]],
         R.SIMILARITY: [1.0, 0.85], "kind": ["near", "near"]}, schema=R.CLUSTERS_SCHEMA))
    c = build_report(workspace).check("near_dups")
    assert c.measured and c.level == "warn"  # 2 of 20 = 10%
    workspace.set_setting("readiness", {"near_dup_warn_share": 0.2})
    assert build_report(workspace).check("near_dups").level == "ok"


def test_split_levels(workspace: Workspace) -> None:
    build(workspace, clean_conversations(20))
    assert build_report(workspace).check("split").level == "warn"
    workspace.set_setting("last_export", {"split": 0.1, "counts": {"train": 18, "validation": 2}, "leaked_clusters": 0})
    assert build_report(workspace).check("split").level == "ok"
    workspace.set_setting("last_export", {"split": 0.1, "counts": {"train": 18, "validation": 2}, "leaked_clusters": 1})
    assert build_report(workspace).check("split").level == "block"


def test_quality_unmeasured_then_warns(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20), scored=False)
    assert not build_report(workspace).check("quality").measured
    simulate_filters(workspace)
    assert build_report(workspace).check("quality").level == "ok"
    simulate_filters(workspace, scores_repetition={ids_of(df)[4]: {"degenerate": True}})
    c = build_report(workspace).check("quality")
    assert c.level == "warn" and c.value == 1


def test_pii_warns_and_secrets_from_scores_block(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20))
    flags(workspace, [(ids_of(df)[1], "pii.email", "warn")])
    c = build_report(workspace).check("pii")
    assert c.level == "warn" and c.query is not None and c.query.flag == "pii" and str(c.query).endswith("--flag pii")
    simulate_filters(workspace, scores_pii={ids_of(df)[2]: {"secret_count": 1}})
    assert build_report(workspace).check("pii").level == "block"


@pytest.mark.parametrize(("n", "level"), [(1, "ok"), (2, "warn")])
def test_refusal_share_warns_at_ten_percent(workspace: Workspace, n: int, level: str) -> None:
    df = build(workspace, clean_conversations(20))
    simulate_filters(workspace, scores_refusal={i: {"refusal": True} for i in ids_of(df)[:n]})
    assert build_report(workspace).check("refusals").level == level


def test_consistency_finds_one_prompt_with_two_answers(workspace: Workspace) -> None:
    convs = clean_conversations(20)
    convs[5] = [("system", "s"), ("user", "Where is my ORDER?"), ("assistant", "It ships today.")]
    convs[6] = [("system", "s"), ("user", "where is my order"), ("assistant", "It shipped last week.")]
    build(workspace, convs)
    c = build_report(workspace).check("consistency")
    assert c.level == "warn" and c.value == 1 and c.details["records"] == 2
    assert c.query is not None and c.query.search is not None and "--search" in str(c.query)


@pytest.mark.parametrize(("n", "level"), [(3, "ok"), (4, "warn")])
def test_volatility_warns_at_twenty_percent(workspace: Workspace, n: int, level: str) -> None:
    convs = clean_conversations(20)
    facts = ["It costs $19.99.", "Version 2.4.1 fixes it.", "It is out of stock.", "Our return policy is 30 days.", "The last bus leaves at 11:40 pm."]
    for i in range(n):
        convs[i][-1] = ("assistant", facts[i])
    build(workspace, convs)
    assert build_report(workspace).check("volatility").level == level


def test_volatility_reports_the_source_time_span(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(4), scored=False)
    metas = ['{"created_at": "2021-01-05T10:00:00"}', '{"ts": 1700000000}', "{}", "{}"]
    recs = df.with_columns(pl.Series(R.META, metas))
    # a second workspace import with the metas in place
    ws2 = Workspace.open(workspace.path.parent / "ws2.curator", create=True)
    ws2.add_import(source="m.jsonl", path="/m.jsonl", file_hash="m", fmt="openai", options={}, records=recs, quarantine=[])
    approve(ws2, ids_of(recs))
    span = build_report(ws2).check("volatility").details["time_span"]
    assert span["first"].startswith("2021-01-05") and span["last"].startswith("2023-11-14")
    assert span["records_with_time"] == 2


def test_diversity_warns_on_canned_replies(workspace: Workspace) -> None:
    convs = [[("system", "s"), ("user", f"question {i}?"), ("assistant", "Thank you for contacting us, we will get back to you shortly.")] for i in range(200)]
    build(workspace, convs)
    c = build_report(workspace).check("diversity")
    assert c.level == "warn"
    assert c.value["compression_ratio"] > 4


def test_diversity_ok_on_varied_replies(workspace: Workspace) -> None:
    build(workspace, clean_conversations(200))
    c = build_report(workspace).check("diversity")
    assert c.level == "ok", c.message


def test_reviewed_share_counts_records_decided_one_at_a_time(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20), approve_all=False)
    assert build_report(workspace, include="passing").check("reviewed").level == "warn"
    approve(workspace, ids_of(df)[:2])  # two ids in one action: bulk, not review
    c = build_report(workspace, include="passing").check("reviewed")
    assert c.level == "warn" and c.value == 0 and "2 were approved in bulk" in c.message
    for rid in ids_of(df)[:2]:
        approve(workspace, [rid])  # already approved: nothing changes, still bulk
    approve(workspace, [ids_of(df)[2]])
    approve(workspace, [ids_of(df)[3]])
    c = build_report(workspace, include="passing").check("reviewed")
    assert c.level == "ok" and c.value == pytest.approx(0.1)
    assert c.details["bulk_approved"] == 2 and c.details["reviewed"] == 2


def test_cost_is_epochs_times_capped_tokens(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(40))
    workspace.write_result("scores_length", pl.DataFrame({
        R.ID: df.get_column(R.ID), "tokens": [100] * 39 + [5000], "assistant_tokens": [10] * 40,
        "max_message_tokens": [10] * 40, "n_messages": [3] * 40,
    }))
    c = build_report(workspace, target="open-source:1000").check("cost")
    assert c.level == "info"
    assert c.value == 3 * (39 * 100 + 1000)


def test_text_measures_on_a_seeded_sample_say_so(workspace: Workspace) -> None:
    workspace.set_setting("readiness", {"text_sample_records": 10})
    build(workspace, clean_conversations(30))
    r = build_report(workspace)
    assert r.stats["text_sampled"] is True
    assert "seeded sample of 10" in r.check("volatility").message
    assert json.dumps(r.to_json())  # still JSON-able
