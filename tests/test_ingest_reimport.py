"""Re-importing a file with new options: the way out of a quarantine."""

from __future__ import annotations

import json


def test_following_the_role_map_advice_imports_the_quarantined_conversation(tmp_path, capsys):
    """The quarantine reason suggests --role-map; re-running with it must work."""
    from curator.cli.main import main as cli

    src = tmp_path / "log.csv"
    src.write_text("conv,who,text\n1,Caller,my order is late\n1,Rep,sorry - it ships today\n")
    ws = str(tmp_path / "ws.curator")
    args = ["import", str(src), "-w", ws, "--conversation-column", "conv",
            "--speaker-column", "who", "--text-column", "text"]
    assert cli(args) == 0
    out = capsys.readouterr().out
    assert "--role-map" in out
    assert cli([*args, "--role-map", "Caller=user,Rep=assistant"]) == 0
    capsys.readouterr()
    assert cli(["info", "-w", ws, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["records"] == 1
    assert info["quarantined"] == 0  # the earlier entry is superseded, not left dangling
    # the same command again adds nothing
    assert cli([*args, "--role-map", "Caller=user,Rep=assistant"]) == 0
    assert "already imported" in capsys.readouterr().out


def test_a_folder_import_skips_readmes_and_scripts_and_says_so(tmp_path, capsys):
    from curator.cli.main import main as cli

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "chats.jsonl").write_text(
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n'
    )
    (folder / "README.md").write_text("Agent: this is documentation, not a call\nCustomer: ok\n")
    (folder / "make_data.py").write_text("print('hi')\n")
    ws = str(tmp_path / "ws.curator")
    assert cli(["import", str(folder), "-w", ws]) == 0
    out = capsys.readouterr().out
    assert "README.md" in out and "make_data.py" in out and "not a data file" in out
    assert cli(["info", "-w", ws, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["records"] == 1 and info["quarantined"] == 0
