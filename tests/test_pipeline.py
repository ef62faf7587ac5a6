"""`curator run` and the pipeline job; recipes as TOML files."""

from __future__ import annotations

import json

import pytest
from conftest import add_conversations

from curator.cli.main import main
from curator.core.filters import Recipe, RecipeError
from curator.core.jobs import run_job
from curator.core.pipeline import pipeline_job
from curator.core.workspace import Workspace

CONVS = [
    [("user", "Where is my order?"), ("assistant", "It ships tomorrow morning.")],
    [
        ("user", "Where is my order?"),
        ("assistant", "It ships tomorrow morning."),
    ],  # exact duplicate
    [("user", "Help"), ("assistant", "please hold " * 600)],
    [("assistant", "Hello! How can I help you today?")],
    [("user", "I'm at ann@mailbox.net"), ("assistant", "Thanks, noted.")],
]


@pytest.fixture
def ws(tmp_path) -> Workspace:
    w = Workspace.open(tmp_path / "p.curator", create=True)
    add_conversations(w, CONVS)
    return w


def _dedup_available() -> bool:
    try:
        from curator.core.dedup.job import dedup_job  # noqa: F401
    except ImportError:
        return False
    return True


def test_pipeline_runs_dedup_then_filters_with_progress(ws) -> None:
    steps: list[str] = []
    result = run_job(pipeline_job(ws), lambda p: steps.append(p.step))
    for name in ("structure", "length", "language", "repetition", "refusal", "pii", "flags"):
        assert name in steps
    assert steps.index("structure") < steps.index("pii") < steps.index("flags")
    assert result["flags"]["repetition.degenerate"] == 1
    assert result["flags"]["structure.no_user_turn"] == 1
    assert result["flags"]["pii.email"] == 1
    if _dedup_available():
        assert result["steps"][0]["step"] == "dedup"
    assert ws.last_run("run")["summary"]["flags"] == result["flags"]


def test_recipe_round_trip(tmp_path) -> None:
    recipe = (
        Recipe.default()
        .with_params("language", expected=["en", "de"], min_prob=0.95)
        .with_params("pii", allowlist=['quote"d'])
    )
    recipe.step("refusal").enabled = False  # type: ignore[union-attr]
    path = tmp_path / "r.toml"
    recipe.save(path)
    again = Recipe.load(path)
    assert again == recipe
    assert again.filter_params("language").expected == ["en", "de"]
    assert "refusal" not in again.enabled_filters()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[step]]\nname = "language"\nexpected = [en]\n', "line 3"),
        ('[[step]]\nname = "length"\n\n[[step]]\nname = "langauge"\n', "line 5"),
        ('[[step]]\nname = "length"\nmax_tokenz = 5\n', "line 3"),
        ('[[step]]\nname = "length"\nmax_tokens = "lots"\n', "line 3"),
    ],
)
def test_bad_recipes_name_file_and_line(tmp_path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RecipeError) as err:
        Recipe.load(path)
    assert str(path) in str(err.value) and needle in str(err.value)


def test_cli_run_prints_counts_and_query_info_see_flags(ws, capsys) -> None:
    assert main(["run", "-w", str(ws.path)]) == 0
    out = capsys.readouterr().out
    assert "repetition.degenerate" in out and "structure.no_user_turn" in out
    assert main(["query", "-w", str(ws.path), "--flag", "pii", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(rows) == 1 and rows[0]["flags"][0]["name"] == "pii.email"
    assert main(["info", "-w", str(ws.path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_flag"]["repetition.degenerate"] == 1


def test_cli_run_with_recipe_stores_it(ws, tmp_path, capsys) -> None:
    path = tmp_path / "only_pii.toml"
    path.write_text('[[step]]\nname = "pii"\n')
    assert main(["run", "-w", str(ws.path), "--recipe", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["flags"]) == {"pii.email"}
    assert Recipe.from_workspace(ws).enabled_filters() == ["pii"]


def test_cli_run_bad_recipe_fails_and_changes_nothing(ws, tmp_path, capsys) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[[step]\nname = 'pii'\n")
    assert main(["run", "-w", str(ws.path), "--recipe", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "line 1" in err
    assert ws.get_setting("recipe") is None
    assert ws.flags().height == 0
