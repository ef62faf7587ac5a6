"""Pipeline panel: live counts from stored scores (no re-score), apply, save, run with steps, cancel."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gui_helpers import close_window
from gui_panels_helpers import demo_master, demo_ws, idle, panel_window  # noqa: F401

from curator.core.dedup import count_at_threshold
from curator.core.filters import FILTERS, Recipe, count_flagged
from curator.core.workspace import Workspace
from curator.gui.pipeline.pipeline_panel import PipelinePanel

pytest.importorskip("pytestqt")


def mtimes(ws: Workspace) -> dict[str, int]:
    """Modification times of every stored score and the MinHash signatures."""
    res = ws.path / "results"
    return {
        p.name: p.stat().st_mtime_ns
        for p in res.glob("*.parquet")
        if p.name.startswith(("scores_", "dedup_signatures", "pii_findings"))
    }


@pytest.fixture
def no_scoring(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail loudly if any filter scores records; returns the calls seen."""
    calls: list[str] = []
    for name, cls in FILTERS.items():

        def spy(self: Any, df: Any, params: Any, name: str = name) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} re-scored")

        monkeypatch.setattr(cls, "score", spy)
    return calls


def counted(qtbot: Any, panel: PipelinePanel, name: str) -> str:
    card = panel.cards[name]
    qtbot.waitUntil(lambda: card.count.text().startswith("would flag"), timeout=10_000)
    return card.count.text()


def test_moving_thresholds_updates_counts_from_stored_scores(
    qtbot, tmp_path: Path, demo_ws: Workspace, no_scoring
):
    before = mtimes(demo_ws)
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    assert counted(qtbot, p, "near_dedup") == f"would flag {count_at_threshold(demo_ws, 0.8):,}"
    near0 = count_at_threshold(demo_ws, 0.8)
    assert near0 > 0
    # the near-dup slider: 0.80 -> 0.95 flags fewer records, at once
    slider = p.cards["near_dedup"].editors["threshold"].slider
    assert slider is not None
    slider.setValue(95)
    assert (
        p.cards["near_dedup"].count.text() == "…"
    )  # recount pending, old number not shown as current
    expected = count_at_threshold(demo_ws, 0.95)
    assert expected < near0
    qtbot.waitUntil(
        lambda: p.cards["near_dedup"].count.text().startswith(f"would flag {expected:,}"),
        timeout=10_000,
    )
    assert f"(now {near0:,})" in p.cards["near_dedup"].count.text()
    # a filter threshold: a reply counts as canned only at 500+ prompts -> fewer canned-reply flags
    macro = p.cards["diversity"].editors["min_prompts"]
    base = count_flagged(demo_ws, "diversity")
    macro.set_value(500)
    want = count_flagged(demo_ws, "diversity", {"min_prompts": 500})
    assert want < base
    qtbot.waitUntil(
        lambda: p.cards["diversity"].count.text().startswith(f"would flag {want:,}"), timeout=10_000
    )
    idle(qtbot, w)
    assert no_scoring == []
    assert mtimes(demo_ws) == before  # nothing was re-scored or re-hashed
    close_window(w)


def test_apply_thresholds_reflags_without_rescoring_and_saves_recipe(
    qtbot, tmp_path: Path, demo_ws: Workspace, no_scoring
):
    before = mtimes(demo_ws)
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    p.cards["near_dedup"].editors["threshold"].set_value(0.95)
    p.cards["diversity"].editors["min_prompts"].set_value(500)
    near = count_at_threshold(demo_ws, 0.95)
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=20_000):
        p.apply()
    idle(qtbot, w)
    flags = demo_ws.flags()
    assert flags.filter(flags["name"] == "near_duplicate")["id"].n_unique() == near
    canned = flags.filter(flags["name"].str.starts_with("diversity"))["id"].n_unique()
    assert canned == count_flagged(demo_ws, "diversity", {"min_prompts": 500})
    recipe = Recipe.from_workspace(demo_ws)
    assert recipe.step("diversity").params == {"min_prompts": 500}
    assert recipe.dedup_settings(demo_ws).threshold == 0.95
    assert no_scoring == []  # no filter scored anything
    # apply may rewrite threshold-dependent finalize columns (diversity's "canned"),
    # never the other score files or the MinHash signatures
    after = mtimes(demo_ws)
    assert {k: v for k, v in after.items() if k != "scores_diversity.parquet"} == {
        k: v for k, v in before.items() if k != "scores_diversity.parquet"
    }
    assert "not recomputed" in p.summary.text()
    # the records table saw the refresh: its near-duplicate count follows the new flags
    assert w.controller.frame.height == demo_ws.record_count()
    close_window(w)


def test_saved_recipe_survives_reopening(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    p.cards["language"].toggle.setChecked(False)
    p.cards["language"].editors["expected"].set_value(["en", "de"])
    p.cards["length"].editors["target"].set_value("gpt-4.1")
    assert p.unsaved.text() == "Unsaved changes"
    p.save_button.click()
    assert p.unsaved.text() == "Saved"
    close_window(w)
    recipe = Recipe.from_workspace(Workspace.open(demo_ws.path))
    assert not recipe.enabled("language")
    assert recipe.step("language").params == {"expected": ["en", "de"]}
    assert recipe.step("length").params == {"target": "gpt-4.1"}
    w2 = panel_window(qtbot, tmp_path / "again", Workspace.open(demo_ws.path), tab="pipeline")
    assert not w2.pipeline.cards["language"].enabled
    assert w2.pipeline.cards["language"].editors["expected"].value() == ["en", "de"]
    assert w2.pipeline.cards["length"].editors["target"].value() == "gpt-4.1"
    idle(qtbot, w2)
    close_window(w2)


def test_run_shows_each_step_and_refreshes(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    p.cards["pii"].toggle.setChecked(False)  # a disabled step is not run and its flags go away
    steps: list[str] = []
    worker = p.run()
    assert worker is not None and p.progress_row.isVisibleTo(p)
    worker.progressed.connect(lambda pr: steps.append(pr.step))
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=60_000):
        qtbot.waitUntil(lambda: p.worker is None, timeout=60_000)
    idle(qtbot, w)
    assert "flags" in steps and "structure" in steps and "pii" not in steps
    assert p.cards["structure"].status.text() in ("", "done")
    assert p.summary.text().startswith("Run finished")
    assert not p.progress_row.isVisibleTo(p)
    names = demo_ws.flags()["name"]
    assert not names.str.starts_with("pii.").any()
    assert names.str.starts_with("structure.").any()
    close_window(w)


def test_cancelled_run_changes_nothing(qtbot, tmp_path: Path, demo_ws: Workspace):
    before = {p.name: p.stat().st_mtime_ns for p in (demo_ws.path / "results").glob("*.parquet")}
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    worker = p.run()
    assert worker is not None
    worker.progressed.connect(lambda _pr: p.cancel())
    with qtbot.waitSignal(worker.cancelled, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: p.worker is None, timeout=10_000)
    idle(qtbot, w)
    assert "cancelled" in p.summary.text()
    after = {q.name: q.stat().st_mtime_ns for q in (demo_ws.path / "results").glob("*.parquet")}
    assert after == before
    close_window(w)


def test_paraphrase_step_is_opt_in_with_its_own_threshold_and_count(
    qtbot, tmp_path: Path, demo_ws: Workspace
):
    from curator.core.dedup import count_paraphrases_at, dedup_job, load_settings
    from curator.core.jobs import run_job

    run_job(dedup_job(demo_ws, load_settings(demo_ws).with_options(paraphrase=True)))
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    p = w.pipeline
    idle(qtbot, w)
    card = p.cards["paraphrase_dedup"]
    assert not card.enabled  # not in the default recipe
    assert set(card.editors) == {"threshold"}
    card.toggle.setChecked(True)
    card.editors["threshold"].set_value(0.3)
    want = count_paraphrases_at(demo_ws, 0.3)
    qtbot.waitUntil(lambda: card.count.text().startswith(f"would flag {want:,}"), timeout=10_000)
    idle(qtbot, w)
    close_window(w)


def test_first_visit_builds_the_cards_across_turns_and_shows_every_step(
    qtbot, tmp_path: Path, demo_ws: Workspace
):
    """The cards are added one per event-loop turn (the window serves input in between);
    when the page says it is built, every step of the recipe has its card on the page,
    in recipe order, and the counts start."""
    from curator.core.filters.recipe import DEDUP_STEPS
    from curator.gui.pipeline.step_card import StepCard

    w = panel_window(qtbot, tmp_path, demo_ws)
    p = w.pipeline
    with qtbot.waitSignal(p.built, timeout=10_000):
        w.tabs.setCurrentWidget(p)
        assert p.building  # shown: the first card is there, the rest follow in later turns
        assert len(p._cards) < len(DEDUP_STEPS) + len(FILTERS)
    assert not p.building
    on_page = [c.name for c in p.inner.findChildren(StepCard) if c.isVisibleTo(p)]
    layout_order = [
        item.widget().name  # type: ignore[union-attr]
        for item in (p.cards_layout.itemAt(i) for i in range(p.cards_layout.count()))
        if item is not None and isinstance(item.widget(), StepCard)
    ]
    recipe = [s.name for s in Recipe.from_workspace(demo_ws).steps]
    expected = recipe + [n for n in (*DEDUP_STEPS, *FILTERS) if n not in recipe]
    assert sorted(on_page) == sorted(expected)
    assert layout_order == expected
    assert counted(qtbot, p, "near_dedup") == f"would flag {count_at_threshold(demo_ws, 0.8):,}"
    close_window(w)


def test_reopening_while_a_card_is_half_built_puts_each_step_on_the_page_once(
    qtbot, tmp_path: Path, demo_ws: Workspace
):
    """A card is made in one turn and placed in the next: a workspace (re)opened in
    between drops the made card; the page ends with each step once, in recipe order."""
    from curator.core.filters.recipe import DEDUP_STEPS
    from curator.gui.pipeline.step_card import StepCard

    w = panel_window(qtbot, tmp_path, demo_ws)
    p = w.pipeline
    w.tabs.setCurrentWidget(p)
    assert p._made is not None and not p._cards  # made, not on the page yet
    half = p._made[1]
    with qtbot.waitSignal(p.built, timeout=10_000):
        p.load(demo_ws)
    recipe = [s.name for s in Recipe.from_workspace(demo_ws).steps]
    expected = recipe + [n for n in (*DEDUP_STEPS, *FILTERS) if n not in recipe]
    layout_order = [
        item.widget().name  # type: ignore[union-attr]
        for item in (p.cards_layout.itemAt(i) for i in range(p.cards_layout.count()))
        if item is not None and isinstance(item.widget(), StepCard)
    ]
    assert layout_order == expected
    assert all(card is not half for card in p._cards.values())
    assert sorted(c.name for c in p.inner.findChildren(StepCard)) == sorted(expected)
    close_window(w)


def test_run_on_choice_does_not_stretch_across_the_row(qtbot, tmp_path: Path, demo_ws: Workspace):
    """With "This computer" chosen (no address box) the combo keeps its own width."""
    w = panel_window(qtbot, tmp_path, demo_ws, tab="pipeline")
    row = w.pipeline.engine_row
    qtbot.waitUntil(lambda: row.width() > 600)
    assert row.engine() == "local" and not row.address.isVisible()
    assert row.combo.width() <= row.combo.sizeHint().width() + 4
    close_window(w)
