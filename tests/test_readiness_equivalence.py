"""The readiness report gives the same answer as the implementation before issue 18's
speed work (kept verbatim in ``benchmarks/report_baseline``), on generated workspaces
that exercise every check: format errors, structure problems, duplicates, conflicts,
volatile facts, flags of every family, scores, clusters, edits, single and bulk
review, sampling of the text measures, and the empty cases."""

from __future__ import annotations

import json
import random
from typing import Any

import polars as pl
import pytest

from benchmarks import report_baseline
from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.review import approve, edit, reject, undo
from curator.core.workspace import Workspace

WORDS = ["order", "refund", "shipping", "account", "invoice", "plan", "upgrade", "cancel", "address", "delivery", "package", "tracking", "warranty", "battery", "screen", "charger", "subscription", "billing", "card", "support", "replace", "return", "exchange", "store", "email", "phone", "update", "settings", "login", "reset", "device", "network", "error", "message", "install"]
VOLATILE = [
    "It costs $12.99 right now.", "The blue model is in stock.", "The store opens at 9am daily.",
    "The latest version is v2.3.1.", "Expect a 60% chance of rain tomorrow.",
    "Our refund policy allows returns within 30 days.", "So 3 x $3 = $9 in total.",
    "The price of gold today is search('gold price').", "Your balance is $1,110 after the transfer.",
    "The flight departs at 5:30 pm from gate 4.", "Firmware 4.1.2 fixes it.",
]
ANSWERS = ["Yes, it ships on Monday with Alice.", "No, it ships on Friday with Bob.",
           "It takes 3 days and costs 40 euros.", "It takes 5 days and costs 40 euros.",
           "Yes, we ship there.", "Yes indeed, we do ship there."]


def _words(rng: random.Random, k: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(k))


def _msg(role: str | None, content: str | None, **kw: Any) -> dict[str, Any]:
    return {"role": role, "content": content, "name": kw.get("name"), "weight": kw.get("weight"),
            "tool_calls": kw.get("tool_calls"), "tool_call_id": kw.get("tool_call_id")}


def conversation(rng: random.Random, i: int) -> list[dict[str, Any]] | None:
    """One generated conversation, well formed most of the time."""
    r = rng.random()
    msgs: list[dict[str, Any]] = []
    if rng.random() < 0.7:
        msgs.append(_msg("system", "You are a helpful support agent."))
    if r < 0.06:  # a shared prompt, answered in several ways (conflicts and paraphrases)
        msgs += [_msg("user", f"Does order {i % 7} ship to Spain?"), _msg("assistant", rng.choice(ANSWERS))]
        return msgs
    for turn in range(rng.randint(1, 3)):
        msgs.append(_msg("user", f"About {_words(rng, 6)} number {i}-{turn}?"))
        reply = f"Sure. {_words(rng, rng.randint(3, 40))}."
        if rng.random() < 0.15:
            reply += " " + rng.choice(VOLATILE)
        msgs.append(_msg("assistant", reply, weight=rng.choice([None, None, 0, 1])))
    if r < 0.08:
        return []
    if r < 0.10:
        msgs[-1]["content"] = None
    elif r < 0.12:
        msgs[-1]["content"] = "  " + (msgs[-1]["content"] or "")
    elif r < 0.13:
        msgs[-1]["content"] = ""
    elif r < 0.15:
        msgs.insert(1, _msg(rng.choice(["bot", "tool", "function", None]), "odd turn"))
    elif r < 0.17:
        msgs.append(_msg("user", "and one more thing?"))
    elif r < 0.19:
        msgs = [m for m in msgs if m["role"] != "assistant"]
    elif r < 0.21:
        msgs.append(_msg("system", "late system message"))
    elif r < 0.23:
        msgs.insert(-1, _msg("user", "a second user turn in a row", name="bob"))
    elif r < 0.24:
        msgs.append(_msg("assistant", None, tool_calls='[{"id": "c1"}]'))
    elif r < 0.25:
        return None
    return msgs


def records(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    convs: list[list[dict[str, Any]] | None] = []
    for i in range(n):
        if convs and rng.random() < 0.06:
            convs.append(rng.choice(convs))  # an exact copy
        else:
            convs.append(conversation(rng, i))
    metas = []
    for i in range(n):
        k = rng.random()
        metas.append(json.dumps({"created_at": f"20{rng.randint(18, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00"})
                     if k < 0.5 else json.dumps({"ts": 1_600_000_000 + i * 997}) if k < 0.7 else "{}" if k < 0.9 else None)
    rows = [{R.ID: f"r{i:05d}", R.SOURCE: "gen.jsonl", R.SOURCE_PATH: "/data/gen.jsonl", R.LOCATOR: f"line {i + 1}",
             R.LINE: i + 1, R.MESSAGES: c, R.META: metas[i], R.REPAIRS: [], R.IMPORT_ID: 0} for i, c in enumerate(convs)]
    return pl.DataFrame(rows, schema=R.RECORD_SCHEMA)


def populate(ws: Workspace, n: int, seed: int, *, scored: bool = True, reviewed: bool = True,
             aligned: bool = False) -> None:
    """A workspace as `curator import`, `run`, `dedup` and a reviewer would leave it."""
    rng = random.Random(seed + 1)
    df = records(n, seed)
    ws.add_import(source="gen.jsonl", path="/data/gen.jsonl", file_hash=f"gen{seed}", fmt="openai",
                  options={}, records=df, quarantine=[])
    ids = df.get_column(R.ID).to_list()
    pick = lambda p: [x for x in ids if rng.random() < p]  # noqa: E731
    if scored:
        # some records have no token count yet and some have two, unless ``aligned``:
        # one row per record in import order, as the length filter writes them
        scored_ids = ids if aligned else [x for x in ids if rng.random() < 0.97]
        extra = [] if aligned else scored_ids[:3]
        tok = [rng.randint(5, 3000) if rng.random() < 0.97 else rng.randint(10_000, 200_000) for _ in scored_ids]
        tok += tok[: len(extra)]
        ws.write_result("scores_length", pl.DataFrame({
            R.ID: scored_ids + extra, "tokens": tok,
            "assistant_tokens": [t // 2 for t in tok], "max_message_tokens": [t // 3 for t in tok],
        }))
        ws.write_result("scores_language", pl.DataFrame({
            R.ID: ids[: n - 5], "language": [rng.choice(["en", "en", "de", None]) for _ in ids[: n - 5]],
            "language_prob": [rng.random() for _ in ids[: n - 5]], "mixed": [rng.random() < 0.05 for _ in ids[: n - 5]],
        }))
        ws.write_result("scores_refusal", pl.DataFrame({R.ID: ids, "refusal": [rng.random() < 0.08 for _ in ids]}))
        ws.write_result("scores_diversity", pl.DataFrame({R.ID: ids, "canned": [rng.random() < 0.03 for _ in ids]}))
        ws.write_result("scores_repetition", pl.DataFrame({
            R.ID: ids, "degenerate": [rng.random() < 0.02 for _ in ids], "truncated": [rng.random() < 0.02 for _ in ids],
        }))
        ws.write_result("scores_pii", pl.DataFrame({
            R.ID: ids, "pii_count": [int(rng.random() < 0.05) for _ in ids],
            "secret_count": [int(rng.random() < 0.005) for _ in ids], "contact_count": [int(rng.random() < 0.03) for _ in ids],
        }))
        names = [("pii.email", "warn"), ("pii.phone", "warn"), ("secret.aws_key", "block"), ("contact.phone", "info"),
                 ("refusal.canned", "warn"), ("repetition.loop", "warn"), ("diversity.canned", "warn"),
                 ("structure.no_user", "warn"), ("length.over_limit", "warn"), ("secret.password", "block")]
        rows = [(x, *rng.choice(names)) for x in pick(0.12)]
        rows += rows[:5]  # the same flag twice on a record
        ws.write_flags("filters", pl.DataFrame({R.ID: [r[0] for r in rows], "name": [r[1] for r in rows],
                                                "reason": [f"{r[1]} found" for r in rows], "severity": [r[2] for r in rows]}))
        members = pick(0.15)
        cl_rows = []
        for j in range(0, len(members) - 2, 3):
            group = members[j: j + 3]
            kind = "exact" if j % 2 else "near"
            for m in group:
                cl_rows.append((m, f"c{j}", None if m == group[0] else group[0], 1.0 if kind == "exact" else 0.85, kind))
        cl = pl.DataFrame(cl_rows, schema=R.CLUSTERS_SCHEMA, orient="row")
        ws.write_result("clusters", cl)
        dups = cl.filter(pl.col(R.DUPLICATE_OF).is_not_null())
        ws.write_flags("dedup", dups.select(
            R.ID, pl.when(pl.col("kind") == "exact").then(pl.lit("exact_duplicate")).otherwise(pl.lit("near_duplicate")).alias("name"),
            pl.format("duplicate of {}", pl.col(R.DUPLICATE_OF)).alias("reason"), pl.lit("warn").alias("severity")))
    if reviewed:
        approve(ws, pick(0.45), reviewer="bulk-bot")
        for x in pick(0.03):
            approve(ws, [x], reviewer=rng.choice(["ana", "ben"]))
        reject(ws, pick(0.08), "off topic")
        for x in pick(0.01):
            reject(ws, [x], "wrong answer", reviewer="ana")
        editable = set(df.filter(pl.col(R.MESSAGES).is_not_null()).get_column(R.ID).to_list())
        for x in [x for x in pick(0.01) if x in editable]:
            edit(ws, x, [_msg("user", "Edited prompt: does it ship?"), _msg("assistant", rng.choice(VOLATILE + ANSWERS))],
                 reviewer="ana")
        undo(ws)
        ws.set_setting("last_export", {"split": 0.1, "counts": {"train": 900, "validation": 100}, "leaked_clusters": 0,
                                       "include": "approved"})


def comparable(report: Any) -> dict[str, Any]:
    """Everything the report says, except the time it was generated."""
    data = report.to_json()
    data["stats"] = {k: v for k, v in data["stats"].items() if k != "generated_at"}
    data["ids_behind"] = {k: v.to_list() for k, v in sorted(report.ids_behind.items())}
    return data


def assert_same(ws: Workspace, **kw: Any) -> dict[str, Any]:
    new = comparable(build_report(ws, **kw))
    old = comparable(report_baseline.build_report(ws, **kw))
    for key in old:
        assert new[key] == old[key], f"{key} differs from the reference implementation"
    assert new == old
    return new


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("include", ["approved", "passing"])
def test_same_report_as_the_reference(workspace: Workspace, seed: int, include: str) -> None:
    populate(workspace, 1500, seed)
    out = assert_same(workspace, include=include)
    assert out["counts"]["good"] > 100  # the data exercises the checks, not the empty path
    levels = {c["id"]: c["level"] for c in out["checks"]}
    assert levels["format"] == "block" or include == "approved"
    assert assert_same(workspace, include=include, frame=workspace.frame())["counts"] == out["counts"]


def test_same_report_when_text_is_sampled(workspace: Workspace) -> None:
    populate(workspace, 1500, 2, aligned=True)
    workspace.set_setting("readiness", {"text_sample_records": 300, "diversity_sample_words": 2000})
    for include in ("approved", "passing"):
        out = assert_same(workspace, include=include, target="gpt-4o")
        assert out["stats"]["text_sampled"]


def test_same_report_unscored_and_unreviewed(workspace: Workspace) -> None:
    populate(workspace, 400, 3, scored=False, reviewed=False)
    assert_same(workspace)
    assert_same(workspace, include="passing", target="open-source:4096")


def test_same_report_on_an_empty_workspace(workspace: Workspace) -> None:
    assert_same(workspace)
    assert_same(workspace, include="passing")


def test_the_comparison_can_fail(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed count in the live implementation is caught."""
    populate(workspace, 300, 4)
    from curator.core.readiness import checks_data

    real = checks_data.billing_tokens
    monkeypatch.setattr(checks_data, "billing_tokens", lambda ctx: real(ctx) + 1)
    with pytest.raises(AssertionError, match="differs from the reference"):
        assert_same(workspace, include="passing")


def _facts_caches(ws: Workspace) -> list[str]:
    return sorted(p.name for p in (ws.path / "results").glob("facts_*.parquet"))


def test_same_report_over_several_parts_with_the_facts_cache(workspace: Workspace) -> None:
    """Two imports (two parts, chunked frames): the first report writes one facts cache
    per part, the next reads them; both agree with the reference, given a frame or not."""
    populate(workspace, 900, 5)
    extra = records(700, 6).with_columns(pl.format("s{}", pl.col(R.ID)).alias(R.ID))
    workspace.add_import(source="more.jsonl", path="/data/more.jsonl", file_hash="more", fmt="openai",
                         options={}, records=extra, quarantine=[])
    approve(workspace, extra.get_column(R.ID).head(300).to_list(), reviewer="bulk-bot")
    assert _facts_caches(workspace) == []
    cold = assert_same(workspace, include="passing")
    assert len(_facts_caches(workspace)) == 2
    assert assert_same(workspace, include="passing") == cold  # from the caches
    assert assert_same(workspace, include="approved", frame=workspace.frame())["counts"]["good"] > 0


def test_a_review_edit_changes_the_cached_report(workspace: Workspace) -> None:
    """With the facts cached, an edit that turns a good example into a format error and
    another that repairs one show in the next report, exactly as the reference says."""
    populate(workspace, 600, 7)
    before = assert_same(workspace, include="passing")
    assert _facts_caches(workspace)
    bad_ids = before["ids_behind"]["format"]
    good_ids = [x for x in before["ids_behind"]["volume"] if x not in bad_ids]
    assert bad_ids and good_ids
    edit(workspace, good_ids[0], [_msg("user", "Is it in stock?"), _msg("assistant", "   ")], reviewer="ana")
    edit(workspace, bad_ids[0], [_msg("user", "Does it ship?"), _msg("assistant", "Yes, on Monday.")], reviewer="ana")
    after = assert_same(workspace, include="passing")
    assert good_ids[0] in after["ids_behind"]["format"]
    assert bad_ids[0] not in after["ids_behind"]["format"]
    assert after["checks"] != before["checks"]
    reject(workspace, [good_ids[1]], "off topic")
    assert assert_same(workspace, include="passing")["counts"]["good"] == after["counts"]["good"] - 1


def test_a_damaged_or_stale_facts_cache_is_measured_again(workspace: Workspace) -> None:
    populate(workspace, 500, 8)
    first = assert_same(workspace, include="passing")
    (cache,) = (workspace.path / "results").glob("facts_*.parquet")
    cache.write_bytes(b"not parquet")  # damaged: counts as missing, rewritten
    assert assert_same(workspace, include="passing") == first
    (cache,) = (workspace.path / "results").glob("facts_*.parquet")
    pl.read_parquet(cache).with_columns(pl.lit(True).alias("no_user")).write_parquet(cache)
    # (the report reads the cache: a doctored one shows)
    doctored = comparable(build_report(workspace, include="passing"))
    assert doctored["checks"] != first["checks"]
    from curator.core.readiness import facts_cache

    assert facts_cache.FACTS_VERSION == 1
    facts_cache.FACTS_VERSION = 2  # a changed definition of the facts: the old cache misses
    try:
        assert assert_same(workspace, include="passing") == first
        (fresh,) = (workspace.path / "results").glob("facts_*.parquet")
        assert "_v2-" in fresh.name
    finally:
        facts_cache.FACTS_VERSION = 1


def test_a_read_only_report_writes_no_cache_and_reads_one(workspace: Workspace) -> None:
    populate(workspace, 300, 9)
    ro = Workspace.open(workspace.path, readonly=True)
    first = assert_same(ro, include="passing")
    assert _facts_caches(workspace) == []
    from curator.core.readiness import facts_cache

    assert facts_cache.write_missing(ro) == 0
    assert facts_cache.write_missing(workspace) == 1  # as `curator run` does
    assert facts_cache.write_missing(workspace) == 0
    assert assert_same(Workspace.open(workspace.path, readonly=True), include="passing") == first
