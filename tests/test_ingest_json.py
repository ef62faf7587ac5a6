"""JSON / JSONL readers: every chat shape, good and bad lines, exact quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest import ImportOptions, detect_format, preview


def write_jsonl(path: Path, objs: list[object]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def chat(*turns: tuple[str, str], **extra: object) -> dict[str, object]:
    return {"messages": [{"role": r, "content": c} for r, c in turns], **extra}


def roles_and_text(df) -> list[list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    return [[(m["role"], m["content"]) for m in msgs] for msgs in df.get_column(R.MESSAGES).to_list()]


def test_openai_jsonl_keeps_name_weight_tool_calls_and_meta(tmp_path: Path) -> None:
    calls = [{"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}]
    src = write_jsonl(
        tmp_path / "chats.jsonl",
        [
            {
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Where is order 7?", "name": "ann"},
                    {"role": "assistant", "content": None, "tool_calls": calls},
                    {"role": "tool", "content": "shipped", "tool_call_id": "call_1"},
                    {"role": "assistant", "content": "It shipped.", "weight": 1},
                ],
                "ticket": "T-1",
                "tags": ["a", "b"],
            }
        ],
    )
    assert detect_format(src) == "openai"
    p = preview(src, ImportOptions())
    assert p.error is None and p.quarantine == []
    msgs = p.records.get_column(R.MESSAGES).to_list()[0]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool", "assistant"]
    assert msgs[1]["name"] == "ann"
    assert json.loads(msgs[2]["tool_calls"]) == calls
    assert msgs[3]["tool_call_id"] == "call_1"
    assert msgs[4]["weight"] == 1
    assert json.loads(p.records.get_column(R.META)[0]) == {"ticket": "T-1", "tags": ["a", "b"]}
    assert p.records.get_column(R.LOCATOR).to_list() == ["line 1"]


def test_bad_lines_are_quarantined_with_exact_line_numbers(tmp_path: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    good = json.dumps(chat(("user", "hi"), ("assistant", "hello")))
    src.write_bytes(
        "\n".join(
            [
                good,  # 1
                "",  # 2 blank: skipped, still counted
                '{"messages": [',  # 3 truncated
                "[1, 2]",  # 4 not an object
                '{"text": "no messages here"}',  # 5 missing field
                '{"messages": "hello"}',  # 6 wrong type
                '{"messages": [{"role": "user", "content": "x", "weight": 7}]}',  # 7 bad weight
                good,  # 8
            ]
        ).encode()
        + b'\n{"messages": [{"role": "user", "content": "caf\xe9"}]}\n'  # 9 latin-1 byte
        + good.encode()
        + b"\n"  # 10
    )
    p = preview(src, ImportOptions())
    assert p.records.get_column(R.LINE).to_list() == [1, 8, 10]
    reasons = {q.line: q.reason for q in p.quarantine}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 9]
    assert reasons[3].startswith("not valid JSON")
    assert "array, not a JSON object" in reasons[4]
    assert "no 'messages' field" in reasons[5]
    assert "'messages' is a string" in reasons[6]
    assert "weight" in reasons[7] and "0 or 1" in reasons[7]
    assert "not valid UTF-8" in reasons[9] and "0xe9" in reasons[9]
    assert all(q.locator == f"line {q.line}" for q in p.quarantine)
    assert next(q for q in p.quarantine if q.line == 4).raw == "[1, 2]"


def test_bom_and_crlf(tmp_path: Path) -> None:
    src = tmp_path / "win.jsonl"
    lines = [json.dumps(chat(("user", f"q{i}"), ("assistant", f"a{i}"))) for i in range(3)]
    src.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    p = preview(src, ImportOptions())
    assert p.format == "openai" and p.quarantine == []
    assert roles_and_text(p.records)[2] == [("user", "q2"), ("assistant", "a2")]


def test_prompt_completion(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "legacy.jsonl", [{"prompt": "2+2?", "completion": " 4"}, {"prompt": "x"}])
    assert detect_format(src) == "prompt-completion"
    p = preview(src, ImportOptions())
    assert roles_and_text(p.records) == [[("user", "2+2?"), ("assistant", "4")]]
    assert p.records.get_column(R.REPAIRS).to_list() == [["trimmed whitespace around message 2 (assistant)"]]
    assert [(q.line, q.reason) for q in p.quarantine] == [
        (2, "no 'completion' field (legacy prompt/completion format)")
    ]


def test_sharegpt_array_with_aliases_and_system(tmp_path: Path) -> None:
    src = tmp_path / "share.json"
    src.write_text(
        json.dumps(
            [
                {"id": "a", "system": "Be kind.", "conversations": [
                    {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
                {"id": "b", "conversations": [{"from": "narrator", "value": "..."}]},
                "not an object",
            ]
        )
    )
    assert detect_format(src) == "sharegpt"
    p = preview(src, ImportOptions())
    assert roles_and_text(p.records) == [[("system", "Be kind."), ("user", "Hi"), ("assistant", "Hello!")]]
    assert p.records.get_column(R.LOCATOR).to_list() == ["index 1"]
    assert json.loads(p.records.get_column(R.META)[0]) == {"id": "a"}
    by_loc = {q.locator: q.reason for q in p.quarantine}
    assert by_loc["index 3"] == "the element is a string, not a JSON object"
    assert "unknown speaker 'narrator'" in by_loc["index 2"] and "--role-map" in by_loc["index 2"]
    assert p.error is not None and "narrator" in p.error and "--role-map" in p.error
    mapped = preview(src, ImportOptions(role_map={"Narrator": "assistant"}))
    assert len(mapped.records) == 2 and mapped.error is None


def test_sharegpt_jsonl(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "s.jsonl",
        [{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}],
    )
    assert roles_and_text(preview(src, ImportOptions()).records) == [[("user", "a"), ("assistant", "b")]]


def test_alpaca_array_and_jsonl(tmp_path: Path) -> None:
    rows = [
        {"instruction": "Translate", "input": "bonjour", "output": "hello"},
        {"instruction": "Say hi", "input": "", "output": "hi"},
        {"instruction": "Broken", "output": 5},
    ]
    arr = tmp_path / "alpaca.json"
    arr.write_text(json.dumps(rows))
    lines = write_jsonl(tmp_path / "alpaca.jsonl", rows)
    for src in (arr, lines):
        assert detect_format(src) == "alpaca"
        p = preview(src, ImportOptions())
        texts = roles_and_text(p.records)
        assert texts[0] == [("user", "Translate\n\nbonjour"), ("assistant", "hello")]
        assert texts[1] == [("user", "Say hi"), ("assistant", "hi")]
        assert len(texts) == 2
        [q] = p.quarantine
        assert q.line == 3 and q.reason == "'output' is a number, expected text"


def test_generic_mapping_speaker_utterance(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "dialogs.jsonl",
        [{"dialog_id": 1, "turns": [{"speaker": "Customer", "utterance": "Card blocked"},
                                    {"speaker": "Agent", "utterance": "Unblocked it"}]}],
    )
    with pytest.raises(CuratorError, match="--messages-field"):
        detect_format(src)
    opts = ImportOptions(format="json", messages_field="turns", role_field="speaker", content_field="utterance")
    p = preview(src, opts)
    assert p.format == "json"
    assert roles_and_text(p.records) == [[("user", "Card blocked"), ("assistant", "Unblocked it")]]
    assert json.loads(p.records.get_column(R.META)[0]) == {"dialog_id": 1}
    wrong = preview(src, ImportOptions(format="json", messages_field="dialogue"))
    assert "no 'dialogue' field" in wrong.quarantine[0].reason


def test_repairs_are_listed_and_nothing_else_changes(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "r.jsonl",
        [chat(("user", "  Hello  "), ("user", "Are you there?"), ("assistant", "   "),
              ("assistant", "Yes, I am here.  Ask away"))],
    )
    p = preview(src, ImportOptions())
    assert roles_and_text(p.records) == [
        [("user", "Hello\nAre you there?"), ("assistant", "Yes, I am here.  Ask away")]
    ]
    assert p.records.get_column(R.REPAIRS).to_list()[0] == [
        "trimmed whitespace around message 1 (user)",
        "merged messages 1-2 (user spoke 2 times in a row)",
        "dropped empty message 3 (assistant)",
    ]


def test_all_empty_conversation_is_quarantined_not_dropped(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "e.jsonl", [chat(("user", " "), ("assistant", "")), {"messages": []}])
    p = preview(src, ImportOptions())
    assert p.records.height == 0
    assert [(q.line, q.reason) for q in p.quarantine] == [
        (1, "no messages left: every message was empty"),
        (2, "no messages: the conversation is empty"),
    ]


def test_json_array_syntax_error_keeps_what_came_before(tmp_path: Path) -> None:
    src = tmp_path / "broken.json"
    src.write_text('[{"messages": [{"role": "user", "content": "a"}]}, {"messages": [}, {"x": 1}]')
    p = preview(src, ImportOptions(format="openai"))
    assert p.records.get_column(R.LOCATOR).to_list() == ["index 1"]
    assert p.quarantine[0].locator == "index 2"
    assert "not valid JSON" in p.quarantine[0].reason and "rest of the file" in p.quarantine[0].reason


def test_detection_errors_say_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(CuratorError, match="empty"):
        detect_format(empty)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(CuratorError, match="binary"):
        detect_format(junk)
    prose = tmp_path / "notes.dat"
    prose.write_text("just some words\nnothing structured here\n")
    with pytest.raises(CuratorError, match="--format"):
        detect_format(prose)
    p = preview(junk, ImportOptions())
    assert p.error is not None and "binary" in p.error and p.records.height == 0


def test_forced_format_on_binary_junk_quarantines_lines(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b"\x00\x01\xff\xfe\n\x89PNG\r\n")
    p = preview(junk, ImportOptions(format="openai"))
    assert p.records.height == 0
    assert [q.line for q in p.quarantine] == [1, 2]


def test_jsonl_whose_first_line_is_an_array_is_still_read_line_by_line(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text("[1, 2]\n" + json.dumps(chat(("user", "q"), ("assistant", "a"))) + "\n")
    assert detect_format(src) == "openai"
    p = preview(src, ImportOptions())
    assert p.records.get_column(R.LINE).to_list() == [2]
    assert [(q.line, q.reason) for q in p.quarantine] == [(1, "the line is an array, not a JSON object")]


def test_parse_role_map() -> None:
    assert ImportOptions.parse_role_map(" Agent = assistant, Caller=user ,") == {
        "Agent": "assistant",
        "Caller": "user",
    }
    with pytest.raises(CuratorError, match="SPEAKER=ROLE"):
        ImportOptions.parse_role_map("Agent")
    with pytest.raises(CuratorError, match="system, user, assistant or tool"):
        ImportOptions.parse_role_map("Agent=bot")


def test_content_must_be_text_or_text_parts(tmp_path: Path) -> None:
    parts = [{"type": "text", "text": "Look"}, {"type": "text", "text": "here"}]
    good = [json.dumps(chat(("user", f"q{i}"), ("assistant", f"a{i}"))) for i in range(300)]
    odd = [
        json.dumps({"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "x"}]}),
        json.dumps({"messages": [{"role": "user", "content": ["not", "text"]}]}),
        json.dumps({"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "ok"}]}),
    ]
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(good[:150] + odd + good[150:]) + "\n")
    p = preview(src, ImportOptions(), limit=1000)
    reasons = {q.line: q.reason for q in p.quarantine}
    assert reasons == {
        151: "message 1 'content' is a number, expected text",
        152: "message 1 'content' is an array that is not a list of text parts; expected text",
    }
    recs = p.records.filter(pl.col(R.LINE) == 153)
    assert roles_and_text(recs) == [[("user", "Look\nhere"), ("assistant", "ok")]]
    assert p.records.height == 301


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    from curator.core.ingest import import_job
    from curator.core.jobs import run_job
    from curator.core.workspace import Workspace

    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]  # utf-16/32 add their own
    lines = [json.dumps(chat(("user", f"Grüße {i} ✓"), ("assistant", "日本語"))) for i in range(3)]
    lines.insert(1, "{not json")
    src = tmp_path / "wide.jsonl"
    src.write_bytes(bom + ("\r\n".join(lines) + "\r\n").encode(encoding))
    assert detect_format(src) == "openai"
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    summary = run_job(import_job(ws, [src], ImportOptions()))
    assert summary.failed == 0 and summary.added == 3, summary.files[0].error
    df = ws.records().sort(R.LINE)
    assert df.get_column(R.LINE).to_list() == [1, 3, 4]
    assert df.get_column(R.SOURCE).unique().to_list() == ["wide.jsonl"]
    assert roles_and_text(df)[0] == [("user", "Grüße 0 ✓"), ("assistant", "日本語")]
    [q] = summary.files[0].quarantine
    assert q.line == 2 and "{not json" in (q.raw or "")


def test_utf16_csv_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    src = tmp_path / "export.tsv"
    src.write_bytes("conversation_id\tspeaker\ttext\r\nc1\tuser\tHallo\r\nc1\tagent\tGrüß dich\r\n".encode("utf-16"))
    p = preview(src, ImportOptions())
    assert p.error is None and not p.quarantine
    assert roles_and_text(p.records) == [[("user", "Hallo"), ("assistant", "Grüß dich")]]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ""])
def test_a_first_line_longer_than_the_detection_head_is_detected(tmp_path: Path, suffix: str) -> None:
    big = "x" * (1 << 20)  # 1 MB of text in the first record
    src = write_jsonl(
        tmp_path / f"long{suffix}",
        [chat(("user", big), ("assistant", "ok")), chat(("user", "short"), ("assistant", "yes"))],
    )
    assert detect_format(src) == "openai"
    p = preview(src, ImportOptions())
    assert p.error is None and p.records.height == 2
    assert roles_and_text(p.records)[0] == [("user", big), ("assistant", "ok")]


def test_a_long_minified_json_array_is_detected(tmp_path: Path) -> None:
    big = "y" * (1 << 20)
    src = tmp_path / "one_line.json"
    src.write_text(json.dumps([chat(("user", big), ("assistant", "ok"))] * 2))
    assert detect_format(src) == "openai"


def test_whitespace_at_either_end_is_trimmed_for_every_unicode_space(tmp_path: Path) -> None:
    """Which edges count as whitespace (``repair.needs_repair``): Unicode White_Space,
    what ``strip`` removes; zero-width and control characters that are not spaces
    (U+200B, U+FEFF, U+001C) stay, and the record is left as it was."""
    spaces = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\xa0", "\u1680", "\u2003", "\u2028",
              "\u2029", "\u202f", "\u205f", "\u3000"]
    others = ["\u200b", "\ufeff", "\x1c", "x"]
    rows = []
    for ch in spaces + others:
        rows += [chat(("user", f"{ch}q"), ("assistant", "a")), chat(("user", f"q{ch}"), ("assistant", "a"))]
    src = write_jsonl(tmp_path / "ws.jsonl", rows)
    p = preview(src, ImportOptions(), limit=len(rows))
    repairs = p.records.get_column(R.REPAIRS).to_list()
    trimmed = ["trimmed whitespace around message 1 (user)"]
    assert repairs == [trimmed] * (2 * len(spaces)) + [[]] * (2 * len(others))
    texts = [r[0][1] for r in roles_and_text(p.records)]
    assert texts[: 2 * len(spaces)] == ["q"] * (2 * len(spaces))
    assert texts[2 * len(spaces) :] == [t for ch in others for t in (f"{ch}q", f"q{ch}")]
