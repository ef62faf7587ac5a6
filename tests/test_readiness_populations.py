"""The report says what it is computed on: nothing approved, a preview on passing
records, checks over zero records read n/a; and its wording names the right thing
with the right grammar for 1 and many."""

from __future__ import annotations

from pathlib import Path

import pytest
from readiness_helpers import build, clean_conversations, flags

from curator.cli.main import main
from curator.core import records as R
from curator.core.readiness import build_report
from curator.core.readiness.html import render_html
from curator.core.review import approve
from curator.core.workspace import Workspace

ALWAYS = ("volume", "split")


def test_nothing_approved_leads_with_the_counts_and_reads_na(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    build(workspace, clean_conversations(60), approve_all=False)
    r = build_report(workspace)
    assert r.population.startswith("0 approved, 60 passing")
    assert r.verdict == "not_ready"
    assert r.verdict_message.startswith(
        "Not ready: nothing is approved yet (0 approved, 60 passing)"
    )
    assert "few-shot" not in r.verdict_message and "few-shot" not in r.check("volume").message
    assert "60 more records pass the filters and await review" in r.check("volume").message
    levels = {c.id: c.level for c in r.checks if c.id not in ALWAYS}
    assert set(levels.values()) == {"n/a"}, levels
    assert main(["report", "-w", str(workspace.path)]) == 0
    assert capsys.readouterr().out.startswith("0 approved, 60 passing")


def test_few_shot_advice_only_when_the_data_itself_is_small(workspace: Workspace) -> None:
    build(workspace, clean_conversations(12))  # all approved, nothing waiting
    r = build_report(workspace)
    assert "use few-shot prompting" in r.verdict_message
    assert r.verdict_message.startswith("12 good examples: below every provider's pilot size")


def test_a_preview_on_passing_records_is_labelled(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    df = build(workspace, clean_conversations(60), approve_all=False)
    approve(workspace, [df.get_column(R.ID)[0]])
    r = build_report(workspace, include="passing")
    assert r.preview and r.population.startswith("Preview: 1 approved, 59 passing")
    assert r.verdict_message.startswith("If the passing records were approved: 60 good examples")
    assert r.to_json()["preview"] is True
    assert main(["report", "-w", str(workspace.path), "--include", "passing"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Preview: 1 approved")
    assert any(line.startswith("Readiness: ") and line.endswith(" (PREVIEW)") for line in out)
    html = render_html(r)
    assert html.index("Preview: 1 approved") < html.index('class="banner"') and "(preview)" in html


def test_enough_examples_but_volatile_names_volatility_first(workspace: Workspace) -> None:
    workspace.set_setting("readiness", {"volume_ok": 20, "volume_block": 5, "volume_pilot": 10})
    convs = clean_conversations(25)
    for conv in convs[:10]:
        conv[-1] = ("assistant", "The Pro plan costs $29 per month.")
    build(workspace, convs)
    r = build_report(workspace, target="open-source")
    assert r.verdict == "limited_data"
    assert r.verdict_message.startswith(
        "Enough examples (25 good), but 40% state facts that change"
    )
    assert "limited" not in r.verdict_message.lower()


def test_one_and_many_read_right(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(1))
    flags(workspace, [(df.get_column(R.ID)[0], "pii.email", "warn")])
    r = build_report(workspace, target="open-source")
    assert r.check("volume").message.startswith("1 good example: ")
    assert r.check("pii").message.startswith(
        "1 good example (100%) contains personal data (pii.email: 1)."
    )
    assert "1 good examples" not in " ".join(c.message for c in r.checks) + r.verdict_message


def test_contact_details_are_not_called_personal_data(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20))
    ids = df.get_column(R.ID).to_list()
    flags(workspace, [(i, "contact.phone", "info") for i in ids[:3]])
    c = build_report(workspace).check("pii")
    assert c.level == "ok" and c.details["contact_records"] == 3
    assert c.message == (
        "No personal data or secrets found in the good examples. 3 good examples give business or public "
        "contact details (contact.phone: 3): not personal data, nothing to redact."
    )


def test_canned_replies_are_diversity_not_refusals(workspace: Workspace) -> None:
    df = build(workspace, clean_conversations(20))
    flags(
        workspace,
        [(i, "diversity.canned_reply", "warn") for i in df.get_column(R.ID).to_list()[:5]],
    )
    r = build_report(workspace)
    assert r.check("refusals").level == "ok" and "canned" not in r.check("refusals").message
    assert "refuse" not in r.check("diversity").message
    d = r.check("diversity")
    assert (
        d.level == "warn"
        and "5 good examples reuse a reply verbatim across different prompts (25%" in d.message
    )


def test_html_and_json_keep_the_dashboard_keys(workspace: Workspace, tmp_path: Path) -> None:
    build(workspace, clean_conversations(3), approve_all=False)
    j = build_report(workspace).to_json()
    assert {"verdict", "counts", "checks"} <= j.keys()
    assert set(j["counts"]) >= {"total", "approved", "rejected", "pending", "good"}
    assert all({"id", "level", "value", "threshold", "message"} <= c.keys() for c in j["checks"])
    assert {c["level"] for c in j["checks"]} <= {"ok", "warn", "block", "info", "n/a"}
