"""Repetition: degenerate loops, Gopher rules on long replies, truncated replies."""

from __future__ import annotations

import re
from collections import Counter

import polars as pl
import pytest
from filters_util import filtered_ws, only, run_flags

from curator.core.filters.ngrams import ngram_stats

REP = only(["repetition"])
Q = ("user", "Can you help me with my order?")

CLEAN_LONG = (
    "Thanks for waiting. I checked your order and the parcel left our warehouse on Monday. "
    "The courier scanned it in Leeds this morning, so it should reach you tomorrow before six. "
    "If it does not arrive, reply here and I will open a claim with the courier straight away; "
    "you will not need to send anything back. I have also added a voucher for the delay to your account."
)


def test_a_phrase_repeated_thousands_of_times_is_degenerate(tmp_path) -> None:
    flags = run_flags(tmp_path, [[Q, ("assistant", "please hold " * 3000)]], REP)
    assert (
        flags[0]["repetition.degenerate"] == "reply in message 2 repeats 'please hold' 3000 times"
    )
    assert "repetition.ngrams" not in flags[0]  # one flag per cause


def test_loop_after_a_normal_start_and_char_loops(tmp_path) -> None:
    flags = run_flags(
        tmp_path,
        [
            [
                Q,
                ("assistant", "Sure, I can help. " + "I can definitely help you with that. " * 200),
            ],
            [Q, ("assistant", "ha" * 500)],
            [Q, ("assistant", "!" * 300)],
        ],
        REP,
    )
    assert flags[0] == {
        "repetition.degenerate": "reply in message 2 repeats 'i can definitely help you with that' 200 times"
    }
    assert flags[1] == {"repetition.degenerate": "reply in message 2 repeats 'ha' 500 times"}
    assert flags[2] == {"repetition.degenerate": "reply in message 2 repeats '!' 300 times"}


def test_clean_replies_short_code_and_json_are_not_flagged(tmp_path) -> None:
    code = "Here is the fix:\n\n```python\nfor i in range(3):\n    print(i)\n}\n}\n}\n}\n```\n"
    json_reply = "```json\n" + ",\n".join(f'{{"id": {i}, "ok": true}}' for i in range(40)) + "\n```"
    listy = "You can:\n- open Settings\n- choose Account\n- press Reset"
    flags = run_flags(
        tmp_path,
        [
            [Q, ("assistant", CLEAN_LONG)],
            [Q, ("assistant", "Yes.")],
            [Q, ("assistant", code)],
            [Q, ("assistant", json_reply)],
            [Q, ("assistant", listy + " " + CLEAN_LONG[:40] + "\n- and wait for the email")],
            [Q, ("assistant", CLEAN_LONG + "\n\nKind regards, The Brightside Home Team")],
            [Q, ("assistant", CLEAN_LONG + " More at https://help.example.com/returns")],
            [Q, ("assistant", "No")],
        ],
        REP,
    )
    assert flags == [{}] * 8


def test_gopher_duplicate_lines_on_long_replies(tmp_path) -> None:
    lines = ["Please restart the router and wait two minutes before trying again."] * 6
    body = CLEAN_LONG + "\n" + "\n".join(lines) + "\nThen check the light on the front panel again."
    flags = run_flags(tmp_path, [[Q, ("assistant", body)]], REP)
    assert "repetition.lines" in flags[0] or "repetition.ngrams" in flags[0]
    reason = flags[0].get("repetition.lines") or flags[0]["repetition.ngrams"]
    assert re.search(r"\d+% \(limit \d+%\)", reason)


def test_truncated_replies(tmp_path) -> None:
    flags = run_flags(
        tmp_path,
        [
            [
                Q,
                (
                    "assistant",
                    CLEAN_LONG + " To speed things up you can also go to your account and",
                ),
            ],
            [
                Q,
                (
                    "assistant",
                    CLEAN_LONG
                    + " The courier normally delivers between nine and five on weekdays but some",
                ),
            ],
            [Q, ("assistant", "Here is the script:\n```bash\necho start\n" + "echo step\n" * 20)],
            [Q, ("assistant", "Yes, it ships today")],  # short and clean: not truncated
        ],
        REP,
    )
    assert "repetition.truncated" in flags[0]
    assert flags[0]["repetition.truncated"].startswith("reply in message 2 stops mid-sentence: '")
    assert "repetition.truncated" in flags[1]
    assert "repetition.truncated" in flags[2]
    assert flags[3] == {}


def _datatrove_top(words: list[str], n: int, text_len: int) -> float:
    grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    gram, count = Counter(grams).most_common(1)[0]
    return len(gram) * count / text_len


def _datatrove_dup(words: list[str], n: int, text_len: int) -> float:
    seen: set[str] = set()
    rep, idx = 0, 0
    while idx < len(words) - n + 1:
        g = "".join(words[idx : idx + n])
        if g in seen:
            rep += len(g)
            idx += n
        else:
            seen.add(g)
            idx += 1
    return rep / text_len


@pytest.mark.parametrize(
    "text",
    [
        CLEAN_LONG,
        CLEAN_LONG + " " + CLEAN_LONG[:150],
        "the cat sat on the mat and the dog sat on the rug while the cat slept " * 3,
    ],
)
def test_ngram_stats_match_datatrove_definitions(text: str) -> None:
    words = re.findall(r"\w+", text.lower())
    docs = pl.DataFrame({"doc": [0], "words": [words], "text_len": [len(text)]})
    got = ngram_stats(docs, dup_min_words=1).to_dicts()[0]
    for n in (2, 3, 4):
        assert got[f"top_{n}gram_frac"] == pytest.approx(_datatrove_top(words, n, len(text)))
    for n in (5, 7, 10):
        assert got[f"dup_{n}gram_frac"] == pytest.approx(
            _datatrove_dup(words, n, len(text)), abs=1e-9
        )


def test_scores_have_the_documented_columns(tmp_path) -> None:
    ws, _ = filtered_ws(tmp_path, [[Q, ("assistant", CLEAN_LONG)]], REP)
    cols = set(ws.read_result("scores_repetition").columns)
    expected = {
        "dup_line_frac",
        "dup_para_frac",
        "top_2gram_frac",
        "top_3gram_frac",
        "top_4gram_frac",
    }
    expected |= {f"dup_{n}gram_frac" for n in range(5, 11)} | {"degenerate", "truncated"}
    assert expected <= cols


def test_replies_without_a_full_stop_are_not_truncated(tmp_path) -> None:
    # modelled on task dialogues: complete replies that simply end without punctuation
    replies = [
        "I found a one way flight with Delta Airlines that takes off at 6:45 pm. "
        "Would you like a window seat",
        "There's a standard Camry for pickup next Thursday from Sacramento Valley Station",
        "Okay, just to confirm, you want a table for 2 at Cafe Baklava. It'll be $217 total",
        "If you may want to try Wetzler Kathryn you could possibly get an appointment on next "
        "Friday at 3:30 pm",
        "Where are you planning to go and from which city do you want to depart from",
        "Therefore, the area of the floor not covered by the carpet is 80 - 16 = 64 square meters,",
        "The sheets take 15 minutes less than the towels, so each costs $3.00 each",
    ]
    flags = run_flags(tmp_path, [[Q, ("assistant", r)] for r in replies], REP)
    assert flags == [{}] * len(replies)


def test_strong_evidence_of_a_cut(tmp_path) -> None:
    base = "Thanks for waiting. I checked your order and the parcel left our warehouse on Monday."
    convs = [
        [Q, ("assistant", base + " To speed things up you can also open your")],
        [Q, ("assistant", base + " You can also compare the two with a")],
        [Q, ("assistant", base + " If you need it before that, I")],
        [Q, ("assistant", base + " Please have a look at the tracking page (under Orders")],
        [Q, ("assistant", base + " In case you need it before that")],
        [
            Q,
            ("assistant", base + " The courier will call you tomorrow morning"),
            ("user", "Your answer was cut off, can you finish it?"),
            ("assistant", "Sorry! The courier will call you tomorrow morning before nine."),
        ],
    ]
    flags = run_flags(tmp_path, convs, REP)
    reasons = [f.get("repetition.truncated", "") for f in flags]
    assert reasons[0].endswith("(ends on 'your')")
    assert reasons[1].endswith("(ends on 'a')")
    assert reasons[2].endswith("(ends on 'I')")
    assert reasons[3].endswith("(leaves a bracket open)")
    assert reasons[4].endswith("(a clause that never gets its main clause)")
    assert reasons[5].endswith("(the next message says it was cut off)")
    assert all(f["repetition.truncated"] for f in flags)


def test_replies_piling_up_unpunctuated_at_the_length_cap_are_truncated(tmp_path) -> None:
    # six long answers cut at the same length (a generator's max_tokens), mid-sentence
    sentences = CLEAN_LONG.split(". ")
    capped = []
    for i in range(6):
        text = ". ".join(sentences[i % 4 :] + sentences[: i % 4]) + f". Order {i} ships from Leeds"
        capped.append((text + " today with tracking number " + "ABCDEF"[i] * 8)[:430].rstrip())
    finished = [CLEAN_LONG, CLEAN_LONG[:200] + " Thanks."]
    flags = run_flags(tmp_path, [[Q, ("assistant", t)] for t in capped + finished], REP)
    cut = [f.get("repetition.truncated", "") for f in flags]
    assert all(c.endswith("(stops at the length cap)") for c in cut[:6]), flags
    assert cut[6:] == ["", ""]


def test_long_lists_of_the_same_length_are_not_a_length_cap(tmp_path) -> None:
    steps = ["open Settings", "choose Account", "press Reset", "wait for the email", "sign in"]
    lists = [
        CLEAN_LONG + f"\n\nSteps for order {i}:\n" + "\n".join(f"- {s}" for s in steps)
        for i in range(7)
    ]
    flags = run_flags(tmp_path, [[Q, ("assistant", t)] for t in lists], REP)
    assert flags == [{}] * 7
