"""Compare what differs: shared preambles are left out; short texts use character shingles."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from conftest import add_conversations
from datasketch import MinHash
from dedup_helpers import words

from curator.core import records as R
from curator.core.dedup import DedupSettings, dedup_job
from curator.core.dedup.minhash import compared_signatures
from curator.core.dedup.shingles import compared_pair_sets, compared_shingle_set
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

PREAMBLE = (
    "You can use these tools: search_wiki(query) returns the first paragraph of a Wikipedia "
    "page; open_page(title) returns the whole page; cite(title) adds a citation. Always cite "
    "the page you used, answer in one short paragraph, and say when the page does not say."
)


def conv_of(user: list[str], assistant: list[str]) -> list[tuple[str, str]]:
    return [("user", " ".join(user)), ("assistant", " ".join(assistant))]


def run(ws: Workspace, **kw: object) -> object:
    return run_job(dedup_job(ws, DedupSettings(**kw)))  # type: ignore[arg-type]


def templated(n: int, seed: int) -> list[list[tuple[str, str]]]:
    """n records sharing a 45-word tool preamble, each about a different page."""
    rng = random.Random(seed)
    return [
        [
            ("user", f"{PREAMBLE} Question: what does the page {' '.join(words(rng, 6))} say?"),
            ("assistant", " ".join(words(rng, 12))),
        ]
        for _ in range(n)
    ]


def test_a_shared_preamble_does_not_make_different_subjects_duplicates(
    workspace: Workspace,
) -> None:
    convs = templated(150, seed=1)
    convs.append(list(convs[0]))  # a true copy is still found
    add_conversations(workspace, convs)
    summary = run(workspace, scope="user")
    assert summary.shared_shingles >= 1  # type: ignore[attr-defined]
    clusters = workspace.clusters()
    assert clusters.height == 2  # only the copy and its original
    assert set(clusters.get_column(R.ID)) == set(workspace.records().get_column(R.ID)[[0, 150]])


def test_shared_passages_are_kept_for_incremental_runs_and_recomputed_on_a_full_run(
    workspace: Workspace,
) -> None:
    add_conversations(workspace, templated(150, seed=2))
    run(workspace, scope="user")
    before = workspace.read_result("dedup_shared")
    # a later import of records with another preamble: the stored passages are reused
    rng = random.Random(3)
    other = "Answer as a pirate would and never break character under any circumstances at all"
    add_conversations(
        workspace,
        [
            [("user", f"{other} {' '.join(words(rng, 8))}"), ("assistant", "arr")]
            for _ in range(150)
        ],
        source="later.jsonl",
    )
    summary = run(workspace, scope="user")
    assert summary.signatures_cached == 150  # type: ignore[attr-defined]
    assert workspace.read_result("dedup_shared").equals(before)  # type: ignore[union-attr]
    summary = run_job(dedup_job(workspace, DedupSettings(scope="user"), full=True))
    assert summary.shared_shingles + summary.shared_passages > before.height  # type: ignore[attr-defined,union-attr]
    assert summary.signatures_cached == 0


def test_reworded_short_prompt_with_the_same_reply_is_found(workspace: Workspace) -> None:
    reply = "The boiling point of water at sea level is 373.15 K."
    add_conversations(
        workspace,
        [
            [("user", "What is the boiling point of water in Kelvin?"), ("assistant", reply)],
            [("user", "What's the boiling point of water in kelvin?"), ("assistant", reply)],
            [
                ("user", "What is the freezing point of water in Kelvin?"),
                ("assistant", "The freezing point of water at sea level is 273.15 K."),
            ],
        ],
    )
    summary = run(workspace)
    rows = {r[R.LINE]: r for r in workspace.frame().iter_rows(named=True)}
    assert rows[2][R.DUPLICATE_OF] == rows[1][R.ID]
    assert [f["name"] for f in rows[2][R.FLAGS]] == ["near_duplicate"]
    assert rows[3][R.CLUSTER_ID] is None  # a different question is not a duplicate
    assert summary.char_shingled == 3  # type: ignore[attr-defined]


def test_system_messages_are_compared_only_when_asked(workspace: Workspace) -> None:
    rng = random.Random(5)
    u, a = " ".join(words(rng, 40)), " ".join(words(rng, 40))
    add_conversations(
        workspace,
        [
            [("system", " ".join(words(rng, 80))), ("user", u), ("assistant", a)],
            [("system", " ".join(words(rng, 80))), ("user", u), ("assistant", a)],
        ],
    )
    run(workspace)
    assert workspace.clusters().height == 2  # same conversation, different system prompt
    run(workspace, include_system=True)
    assert workspace.clusters().height == 0


def test_compared_signatures_equal_datasketch_for_the_same_shingles() -> None:
    rng = random.Random(7)
    texts = [" ".join(words(rng, k)) for k in (1, 3, 12, 49, 50, 51, 120)] + ["naïve 日本語 ok", ""]
    for use in ("auto", "numpy"):
        sigs, short = compared_signatures(
            pl.Series(texts), ngram=5, short_words=50, char_ngram=3, use=use
        )
        assert short.tolist() == [True] * 4 + [False] * 3 + [True, False]
        for text, sig in zip(texts, sigs, strict=True):
            m = MinHash(num_perm=128, seed=1)
            for sh in compared_shingle_set(text, 5, 50, 3):
                m.update(sh.encode("utf-8"))
            assert np.array_equal(m.hashvalues.astype(np.uint32), sig), (use, text)


def test_dropped_shared_shingles_equal_datasketch_without_them() -> None:
    from curator.core.dedup.minhash import shingle_hashes
    from curator.core.dedup.shingles import shingle_set

    rng = random.Random(8)
    preamble = words(rng, 60)
    texts = [" ".join(preamble + words(rng, 40)) for _ in range(3)] + [" ".join(preamble)]
    shared = frozenset(shingle_set(" ".join(preamble), 5))
    drop = shingle_hashes(sorted(shared))
    for use in ("auto", "numpy"):
        sigs, _ = compared_signatures(
            pl.Series(texts), ngram=5, short_words=50, char_ngram=3, use=use, drop=drop
        )
        for text, sig in zip(texts, sigs, strict=True):
            kept = compared_shingle_set(text, 5, 50, 3, shared)
            m = MinHash(num_perm=128, seed=1)
            for sh in kept:
                m.update(sh.encode("utf-8"))
            assert np.array_equal(m.hashvalues.astype(np.uint32), sig), use
    # the last text is nothing but the preamble: compared whole, not as the empty set
    assert compared_shingle_set(texts[-1], 5, 50, 3, shared) == shingle_set(texts[-1], 5)


def test_pairs_are_verified_by_exact_jaccard_of_the_compared_shingles() -> None:
    from curator.core.dedup.shingles import shingle_set
    from curator.core.dedup.verify import exact_jaccard

    rng = random.Random(9)
    preamble = words(rng, 30)
    base = words(rng, 60)
    texts = [
        " ".join(preamble + base),
        " ".join(preamble + base[:50] + words(rng, 10)),
        " ".join(preamble + words(rng, 60)),
        "what is the boiling point of water in kelvin",
        "what s the boiling point of water in kelvin",
    ]
    shared = sorted(shingle_set(" ".join(preamble), 5))
    pairs = np.array([[0, 1], [0, 2], [1, 2], [3, 4], [0, 3]])
    got = exact_jaccard(
        pl.Series(texts), pairs, ngram=5, short_words=50, char_ngram=4, shared=shared, passages=[]
    )
    for (i, j), g in zip(pairs.tolist(), got, strict=True):
        a, b = compared_pair_sets(texts[i], texts[j], 5, 50, 4, frozenset(shared))
        assert g == len(a & b) / len(a | b), (i, j)
    assert got[1] < 0.1  # the same preamble, different subjects
    assert got[4] < 0.3  # a long text and a short one: compared by characters, not alike


def test_exact_jaccard_of_long_texts_matches_the_reference_sets() -> None:
    from curator.core.dedup.shingles import shingle_set
    from curator.core.dedup.verify import exact_jaccard

    rng = random.Random(10)
    preamble = words(rng, 30)
    base = words(rng, 80)
    texts = [" ".join(preamble + base[: 80 - k] + words(rng, k)) for k in (0, 3, 10, 40, 80)]
    texts.append(" ".join(preamble))  # nothing but shared text: compared whole
    shared = sorted(shingle_set(" ".join(preamble), 5))
    pairs = np.array([[i, j] for i in range(len(texts)) for j in range(i + 1, len(texts))])
    got = exact_jaccard(
        pl.Series(texts), pairs, ngram=5, short_words=20, char_ngram=4, shared=shared, passages=[]
    )
    for (i, j), g in zip(pairs.tolist(), got, strict=True):
        a, b = compared_pair_sets(texts[i], texts[j], 5, 20, 4, frozenset(shared))
        assert abs(g - len(a & b) / len(a | b)) < 1e-12, (i, j)


def test_an_edit_across_the_short_text_length_is_found(workspace: Workspace) -> None:
    # 46 words and 52 words: one side is shingled into characters, the other is not,
    # so the pair is compared by the characters of both (a word set against a
    # character set would share nothing)
    rng = random.Random(11)
    prompt, reply = words(rng, 30), words(rng, 16)
    longer = reply + words(rng, 6)
    other = words(rng, 52)
    add_conversations(
        workspace,
        [conv_of(prompt, reply), conv_of(prompt, longer), conv_of(other[:30], other[30:])],
    )
    run(workspace)
    rows = {r[R.LINE]: r for r in workspace.frame().iter_rows(named=True)}
    # the longer reply is the more informative keeper
    assert rows[1][R.DUPLICATE_OF] == rows[2][R.ID]
    a, b = compared_pair_sets(" ".join(prompt + reply), " ".join(prompt + longer), 5, 50, 4)
    assert rows[1][R.SIMILARITY] == pytest.approx(len(a & b) / len(a | b))
    assert rows[1][R.SIMILARITY] >= 0.8
    assert rows[3][R.CLUSTER_ID] is None


def test_bridge_signatures_are_cached_and_reused(workspace: Workspace) -> None:
    rng = random.Random(12)
    prompt, reply = words(rng, 30), words(rng, 16)
    add_conversations(workspace, [conv_of(prompt, reply), conv_of(prompt, reply + words(rng, 6))])
    first = run(workspace)
    assert first.signatures_computed == 3  # type: ignore[attr-defined]  # 2 texts + 1 bridge
    again = run(workspace)
    assert again.signatures_computed == 0  # type: ignore[attr-defined]
    assert again.near_duplicates == 1  # type: ignore[attr-defined]


def test_character_signatures_equal_datasketch_with_and_without_the_kernel() -> None:
    from curator.core.dedup.minhash import backend, char_signatures
    from curator.core.dedup.shingles import char_shingle_set

    rng = random.Random(13)
    texts = ["", "a", "abc", "abcd", "naïve 日本語 ok", "日本", " ".join(words(rng, 70))]
    texts += [" ".join(rng.choice(["é", "ab", "日本", "x"]) for _ in range(k)) for k in range(1, 9)]
    uses = ["auto", "numpy"] + (["numba"] if backend() != "numpy" else [])
    for use in uses:
        sigs = char_signatures(pl.Series(texts), char_ngram=4, use=use)
        for text, sig in zip(texts, sigs, strict=True):
            m = MinHash(num_perm=128, seed=1)
            for sh in char_shingle_set(text, 4):
                m.update(sh.encode("utf-8"))
            assert np.array_equal(m.hashvalues.astype(np.uint32), sig), (use, text)


def test_a_templated_set_across_the_short_text_length_keeps_subjects_apart(
    workspace: Workspace,
) -> None:
    # a 40-word preamble on every record, then 3-15 words of question and 2-10 of reply:
    # totals from 45 to 65 words, so pairs straddle the 50-word line and are compared by
    # characters without the shared passage
    rng = random.Random(14)
    preamble = " ".join(words(rng, 40))
    convs = [
        [
            ("user", f"{preamble} {' '.join(words(rng, rng.randint(3, 15)))}"),
            ("assistant", " ".join(words(rng, rng.randint(2, 10)))),
        ]
        for _ in range(200)
    ]
    short_copy = [(role, text) for role, text in convs[0]]
    short_copy[1] = (short_copy[1][0], short_copy[1][1] + " " + " ".join(words(rng, 1)))
    convs.append(short_copy)
    add_conversations(workspace, convs)
    summary = run(workspace)
    assert summary.shared_passages >= 1  # type: ignore[attr-defined]
    ids = workspace.records().get_column(R.ID)
    clusters = workspace.clusters()
    assert set(clusters.get_column(R.ID)) <= {ids[0], ids[200]}
    assert clusters.height == 2


def test_exact_jaccard_kernel_equals_the_polars_path_on_word_pairs_with_shared_text() -> None:
    from curator.core.dedup.minhash import _kernels
    from curator.core.dedup.shingles import shingle_set
    from curator.core.dedup.verify import _exact_polars, exact_jaccard

    if _kernels() is None:
        pytest.skip("numba not installed: only the Polars path exists")
    rng = random.Random(11)
    preamble = words(rng, 30)
    base = [*words(rng, 60), "naïve", "日本語", "straße"]
    texts = [
        " ".join(base),
        " ".join(base[:55] + words(rng, 8)),
        " ".join(preamble + base),
        " ".join(preamble + words(rng, 60)),
        " ".join(preamble + words(rng, 60)),
        " ".join(preamble),
    ]
    shared = sorted(shingle_set(" ".join(preamble), 5))
    pairs = np.array([[i, j] for i in range(len(texts)) for j in range(i + 1, len(texts))])
    series = pl.Series(texts)
    got = exact_jaccard(
        series, pairs, ngram=5, short_words=20, char_ngram=4, shared=shared, passages=[]
    )
    want = _exact_polars(series, pairs[:, 0], pairs[:, 1], 5, 20, 4, shared, [])
    assert got.tolist() == want.tolist()
    assert 0.5 < got[0] < 1  # an edited copy
