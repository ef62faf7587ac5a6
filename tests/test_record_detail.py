"""One record detail (core) behind `curator show` and the GUI's review pane."""

from __future__ import annotations

import json

import polars as pl

from curator.cli.main import main
from curator.core import records as R
from curator.core import review
from curator.core.detail import blocking_flags, record_detail
from curator.core.query import info, queue_counts


def test_show_json_is_the_core_detail(small_ws, capsys):
    rid = small_ws.record_ids()[0]
    review.reject(small_ws, [rid], "off-topic")
    assert main(["show", "-w", str(small_ws.path), rid, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    detail = json.loads(json.dumps(record_detail(small_ws, rid), default=str))
    assert shown == detail
    assert shown["status"] == "rejected" and shown["history"][-1]["action"] == "reject"


def test_tokens_follow_an_edit_before_any_rescore(small_ws):
    rid = small_ws.record_ids()[0]
    before = record_detail(small_ws, rid)["tokens"]
    review.edit_message(small_ws, rid, 1, "A much longer answer than before, with many more words in it.")
    after = record_detail(small_ws, rid)
    assert after["edited"] and after["tokens"] > before
    assert after["original_messages"][1]["content"] != after["messages"][1]["content"]


def test_blocking_flags_come_first(small_ws):
    rid = small_ws.record_ids()[0]
    small_ws.write_flags(
        "test",
        pl.DataFrame(
            {R.ID: [rid, rid], "name": ["length.short", "secret.slack_token"], "reason": ["x", "y"],
             "severity": ["warn", "block"]}
        ),
    )
    d = record_detail(small_ws, rid)
    assert [f["name"] for f in d["flags"]] == ["secret.slack_token", "length.short"]
    assert [f["name"] for f in blocking_flags(d)] == ["secret.slack_token"]


def test_info_and_the_queue_chips_share_one_count(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:3])
    frame = small_ws.frame()
    q = queue_counts(frame)
    i = info(small_ws, frame)
    assert q["approved"] == i["by_status"]["approved"] == 3
    assert q["pending"] == 7 and q["all"] == i["records"] == 10
    assert q["flagged"] == i["flagged"] and q["duplicates"] == i["duplicates"]


def _row_of(ws, rid):
    frame = ws.frame()
    at = frame.get_column(R.ID).to_list().index(rid)
    row = frame.row(at, named=True)
    return at, {c: row[c] for c in (R.ID, R.FLAGS, R.CLUSTER_ID, R.DUPLICATE_OF, R.SIMILARITY)}


def test_the_panes_fast_detail_is_the_full_detail(small_ws):
    """The GUI's no-scan detail (snapshot position + frame row) says what the full one says:
    after an edit, a reject and a turn-weight change, and for an untouched record."""
    ids = small_ws.record_ids().to_list()
    review.edit_message(small_ws, ids[2], 1, "Edited: shorter.")
    review.reject(small_ws, [ids[2]], "off-topic")
    review.set_turn_weight(small_ws, ids[3], 1, False)
    for rid in (ids[0], ids[2], ids[3]):
        at, row = _row_of(small_ws, rid)
        slow = record_detail(small_ws, rid, row=row, history=False)
        fast = record_detail(small_ws, rid, row=row, history=False, at=at)
        assert fast == slow
    wrong_at, row = _row_of(small_ws, ids[0])
    assert record_detail(small_ws, ids[0], row=row, history=False, at=wrong_at + 1)["id"] == ids[0]


def test_the_fast_detail_of_an_edited_preference_pair(tmp_path):
    from pref_helpers import pair_workspace

    from curator.core import review_pairs

    ws = pair_workspace(tmp_path)
    rid = ws.record_ids()[0]
    review_pairs.edit_rejected(ws, rid, "Six.")
    at, row = _row_of(ws, rid)
    fast = record_detail(ws, rid, row=row, history=False, at=at)
    assert fast == record_detail(ws, rid, row=row, history=False)
    assert fast[R.REJECTED_ANSWER]["content"] == "Six." and fast["original_rejected"]["content"] == "5"
