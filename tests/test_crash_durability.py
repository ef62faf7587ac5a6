"""kill -9 in the middle of a stream of review actions loses nothing acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import polars as pl
from conftest import add_conversations

from curator.core import records as R
from curator.core.workspace import Workspace

WORKER = textwrap.dedent(
    """
    import sys
    from curator.core import review
    from curator.core.workspace import Workspace
    ws = Workspace.open(sys.argv[1])
    ids = ws.record_ids().to_list()
    i = 0
    while True:
        rid = ids[i % len(ids)]
        if i % 3 == 2:
            review.reject(ws, [rid], f"reason {i}")
            print(f"ACK {i} {rid} rejected reason {i}", flush=True)
        elif i % 3 == 1:
            review.edit_message(ws, rid, 1, f"edited answer {i}")
            print(f"ACK {i} {rid} edited {i}", flush=True)
        else:
            review.approve(ws, [rid])
            print(f"ACK {i} {rid} approved", flush=True)
        i += 1
    """
)


def test_sigkill_mid_stream_keeps_every_acknowledged_action(tmp_path):
    ws = Workspace.open(tmp_path / "ws.curator", create=True)
    add_conversations(
        ws, [[("user", f"q{i}"), ("assistant", f"a{i}")] for i in range(37)]
    )
    ws.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(ws.path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    acks = []
    assert proc.stdout is not None
    for line in proc.stdout:
        acks.append(line.split())
        if len(acks) >= 150:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The worker kept going while the first 150 lines were read: every ACK it printed
    # before the kill is in the pipe and counts (a line cut off by the kill does not).
    rest = proc.stdout.read()
    acks.extend(line.split() for line in rest.split("\n")[:-1] if line.startswith("ACK "))

    # The expected final state per record, replaying only acknowledged actions.
    expected_status: dict[str, tuple[str, str | None]] = {}
    expected_edit: dict[str, str] = {}
    for ack in acks:
        _, _i, rid, what, *rest = ack
        if what == "approved":
            expected_status[rid] = ("approved", None)
        elif what == "rejected":
            expected_status[rid] = ("rejected", " ".join(rest))
        else:
            expected_edit[rid] = f"edited answer {rest[0]}"

    again = Workspace.open(ws.path)
    frame = again.frame()
    rows = {r[R.ID]: r for r in frame.iter_rows(named=True)}
    # An action may have committed after its ACK line was cut off by the kill;
    # it can only be the one after the last ACK, on a single record.
    last_i = int(acks[-1][1])
    mismatched = []
    for rid, (status, reason) in expected_status.items():
        if (rows[rid][R.STATUS], rows[rid][R.REASON]) != (status, reason):
            mismatched.append(rid)
    for rid, text in expected_edit.items():
        if rows[rid][R.MESSAGES][1]["content"] != text:
            mismatched.append(rid)
    assert len(set(mismatched)) <= 1, mismatched
    if mismatched:
        # only the record of action last_i + 1 may differ, and only by that later action
        ids = again.record_ids().to_list()
        assert mismatched[0] == ids[(last_i + 1) % len(ids)]
    assert frame.filter(pl.col(R.STATUS) != "pending").height > 0
