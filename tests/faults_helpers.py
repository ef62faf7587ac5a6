"""Shared pieces of the fault-injection suite (tests/test_faults_*.py)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from curator.cli.main import main

REPO = Path(__file__).resolve().parent.parent


def write_chats(path: Path, n: int, *, tag: str = "q") -> Path:
    """An OpenAI-shape JSONL file of ``n`` distinct conversations."""
    lines = [
        json.dumps(
            {
                "messages": [
                    {
                        "role": "user",
                        "content": f"{tag} question number {i} about the order status",
                    },
                    {
                        "role": "assistant",
                        "content": f"answer {i}: it ships tomorrow, tracking follows",
                    },
                ]
            }
        )
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run the CLI in this process; (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a new process (for kill points and races)."""
    return subprocess.run(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def info_json(capsys: Any, ws: Path) -> dict[str, Any]:
    code, out, err = cli(capsys, "info", "-w", str(ws), "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def no_bug_message(err: str) -> None:
    assert "bug in Curator" not in err and "internal error" not in err and "Traceback" not in err, (
        err
    )
