"""CLI conventions a pipeline relies on: help everywhere, -q, --json, stdin/stdout, no display."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys

import pytest
from pref_helpers import GOOD, write_jsonl

from curator.cli import main as cli

REPORTING = (
    "import",
    "run",
    "dedup",
    "info",
    "query",
    "show",
    "review",
    "report",
    "export",
    "check",
    "repair",
)


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for p in sub.choices.values():
        p.load()  # type: ignore[attr-defined]
    return dict(sub.choices)


def test_every_option_has_help_and_every_command_an_example():
    missing, no_example = [], []
    for name, p in _commands().items():
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"curator {name} {'/'.join(action.option_strings) or action.dest}")
        if not (p.epilog and "curator " + name in p.epilog):
            no_example.append(name)
    assert missing == [], f"options without help text: {missing}"
    assert no_example == [], f"commands without an example epilog: {no_example}"


def test_every_command_has_quiet_and_reporting_ones_have_json():
    commands = _commands()
    for name, p in commands.items():
        flags = {s for a in p._actions for s in a.option_strings}
        assert {"-q", "--quiet"} <= flags, name
        if name in REPORTING:
            assert "--json" in flags, name


def test_help_shows_the_examples(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["export", "--help"])
    assert exit_.value.code == 0
    assert "curator export -w support.curator -o - | head" in capsys.readouterr().out


def test_bare_curator_without_a_display_prints_help_and_the_hint(monkeypatch, capsys):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert cli.main([]) == 0
    out = capsys.readouterr()
    assert "usage: curator" in out.out and "export" in out.out
    assert "DISPLAY is not set" in out.err


def _pairs_ws(tmp_path, n: int = 0):
    objs = (
        GOOD
        if not n
        else [
            {
                "prompt": f"Question number {i}? " + "x" * 200,
                "chosen": f"Good {i}.",
                "rejected": f"Bad {i}.",
            }
            for i in range(n)
        ]
    )
    src = write_jsonl(tmp_path / "pairs.jsonl", objs)
    ws = tmp_path / "w.curator"
    assert cli.main(["import", str(src), "-w", str(ws), "-q"]) == 0
    return ws


def test_import_from_stdin_and_quiet(tmp_path, monkeypatch, capsys):
    data = "".join(json.dumps(o) + "\n" for o in GOOD).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    ws = tmp_path / "w.curator"
    assert cli.main(["import", "-", "--format", "preference", "-w", str(ws), "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert cli.main(["info", "-w", str(ws), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["records"] == 4 and info["sources"] == {"stdin.jsonl": 4}
    assert info["pairs"] == 4


def test_import_from_stdin_needs_a_format(tmp_path, capsys):
    assert cli.main(["import", "-", "-w", str(tmp_path / "w.curator")]) == 2
    assert "--format" in capsys.readouterr().err


def test_export_to_stdout_is_jsonl_and_messages_go_to_stderr(tmp_path, capfdbinary):
    ws = _pairs_ws(tmp_path)
    code = cli.main(
        [
            "export",
            "-w",
            str(ws),
            "-o",
            "-",
            "--include",
            "passing",
            "--format",
            "preference",
            "--target",
            "trl",
        ]
    )
    assert code == 0
    out = capfdbinary.readouterr()
    lines = [json.loads(x) for x in out.out.decode().splitlines()]
    assert len(lines) == 4 and set(lines[0]) == {"prompt", "chosen", "rejected"}
    assert b"wrote 4 preference lines" in out.err
    assert not (tmp_path / "-").exists()


def test_export_to_stdout_refuses_before_writing_anything(tmp_path, capfdbinary):
    ws = _pairs_ws(tmp_path)
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "yo"},
                ]
            }
        )
        + "\n"
    )
    cli.main(["import", str(chat), "-w", str(ws), "-q"])
    code = cli.main(
        ["export", "-w", str(ws), "-o", "-", "--include", "passing", "--format", "preference"]
    )
    out = capfdbinary.readouterr()
    assert code == 1 and out.out == b""
    assert b"not_a_pair" in out.err
    assert cli.main(["export", "-w", str(ws), "-o", "-", "--format", "alpaca"]) == 2
    assert cli.main(["export", "-w", str(ws), "-o", "-", "--split", "0.1"]) == 2


def test_export_json_prints_the_manifest(tmp_path, capsys):
    ws = _pairs_ws(tmp_path)
    capsys.readouterr()
    assert (
        cli.main(
            [
                "export",
                "-w",
                str(ws),
                "-o",
                str(tmp_path / "out"),
                "--include",
                "passing",
                "--format",
                "preference",
                "--json",
            ]
        )
        == 0
    )
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["counts"] == {"train": 4} and manifest["schema"]["name"] == "openai_preference"


def test_review_json_and_swap(tmp_path, capsys):
    ws = _pairs_ws(tmp_path)
    capsys.readouterr()
    cli.main(["query", "-w", str(ws), "--json"])
    rid = json.loads(capsys.readouterr().out.splitlines()[1])["id"]
    assert cli.main(["review", "-w", str(ws), "--swap", "--ids", rid, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"action": "swap", "changed": 1, "ids": [rid]}
    assert cli.main(["review", "-w", str(ws), "--approve", "--where", "passing", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] == 4
    assert cli.main(["review", "-w", str(ws), "--undo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["restored"] == "approve"


def test_export_into_a_closed_pipe_ends_quietly(tmp_path):
    ws = _pairs_ws(tmp_path, n=3000)  # ~700 KB of lines: far more than a pipe buffer
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "curator",
            "export",
            "-w",
            str(ws),
            "-o",
            "-",
            "--include",
            "passing",
            "--format",
            "preference",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -n 1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert json.loads(first)["input"]["messages"][0]["role"] == "user"
    assert "Traceback" not in err and "Error" not in err


_BAR_SCRIPT = """
import time
from curator.cli.common import ProgressBar
from curator.core.jobs import Progress
bar = ProgressBar()
for i in range(0, 1_000_001, 50_000):
    bar(Progress("near-duplicates", i, 1_000_000, "signatures of a rather long message " * 3))
    time.sleep(0.01)
bar.close()
"""


def _run_in_terminal(columns: int) -> str:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("COLUMNS", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _BAR_SCRIPT], stderr=slave, stdout=slave, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_fits_the_terminal_shows_rate_and_eta_and_clears():
    out = _run_in_terminal(80)
    frames = [f for f in out.replace("\x1b[A", "").split("\r") if f.strip()]
    assert frames, out
    assert max(len(f) for f in frames) <= 80
    assert any("/s" in f for f in frames)  # a rate
    assert any("<" in f for f in frames)  # elapsed<remaining
    assert frames[-1].startswith("near-duplicates")
    last = out.replace("\x1b[A", "").rstrip("\r").split("\r")[-1]
    assert last.strip() == ""  # the finished bar is wiped, no stale line left


def test_progress_is_silent_when_stderr_is_not_a_terminal(capfd):
    from curator.cli.common import ProgressBar
    from curator.core.jobs import Progress

    bar = ProgressBar()  # pytest's stderr is not a terminal
    bar(Progress("import", 5, 10, "a.jsonl"))
    bar.close()
    assert capfd.readouterr().err == ""


def test_show_prints_both_answers_of_a_pair(tmp_path, capsys):
    ws = _pairs_ws(tmp_path)
    capsys.readouterr()
    cli.main(["query", "-w", str(ws), "--json"])
    rid = json.loads(capsys.readouterr().out.splitlines()[1])["id"]
    assert cli.main(["show", "-w", str(ws), rid]) == 0
    out = capsys.readouterr().out
    assert "--- assistant (chosen)\nParis." in out and "--- assistant (rejected)\nLyon." in out
    assert cli.main(["show", "-w", str(ws), rid, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected_answer"]["content"] == "Lyon."


def test_repair_json_on_a_healthy_workspace(tmp_path, capsys):
    ws = _pairs_ws(tmp_path)
    capsys.readouterr()
    assert cli.main(["repair", "-w", str(ws), "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"planned": [], "done": [], "ok": True}
    assert cli.main(["repair", "-w", str(ws), "--json"]) == 2  # --json never asks
