"""The local import writes its part while it reads the file (``job._read_staged``,
``workspace.StagedPart``). It must publish exactly what reading the whole file first
and then writing the part (the path the Ray engine and a damaged workspace take) gives:
the same records, ids, import ids, quarantine and import rows, on awkward input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from curator.core.engine import Engine
from curator.core.ingest import ImportOptions, import_job, jsonl
from curator.core.ingest import job as job_module
from curator.core.jobs import run_job
from curator.core.workspace import StagedPart, Workspace


def _chat(i: int, **extra: object) -> dict[str, object]:
    return {
        "messages": [
            {"role": "system", "content": f"  rules {i}  "},  # trimmed: a repair note
            {"role": "user", "content": f"question {i}"},
            {"role": "user", "content": "and more"},  # merged with the one before
            {"role": "assistant", "content": f"answer {i}", **({"weight": 1} if i % 3 else {})},
        ],
        "conversation_id": f"c{i}",
        **extra,
    }


def _awkward(path: Path, n: int = 120) -> Path:
    lines = []
    for i in range(n):
        if i % 17 == 5:
            lines.append("{not json")
        elif i % 23 == 7:
            lines.append(json.dumps({"messages": [{"role": "robot", "content": "beep"}]}))
        elif i % 29 == 3:
            lines.append("   ")
        elif i % 31 == 11:  # a chat line whose meta says it is the rejected half of a pair
            lines.append(
                json.dumps(_chat(i, __curator_rejected__={"role": "assistant", "content": "no"}))
            )
        else:
            lines.append(json.dumps(_chat(i, n=i)))
    path.write_text("\n".join(lines) + "\n")
    return path


def _pairs(path: Path, n: int = 60) -> Path:
    rows = []
    for i in range(n):
        row: dict[str, object] = {"prompt": f"p{i}", "chosen": f"good {i}", "rejected": f"bad {i}"}
        if i % 9 == 4:
            row["rejected"] = "  "  # not a pair: quarantined with its reason
        rows.append(json.dumps(row))
    path.write_text("\n".join(rows) + "\n")
    return path


def _state(ws: Workspace) -> dict[str, object]:
    records = ws.records()
    parts = sorted((ws.path / "records").glob("import-*.parquet"))
    raw = [pl.read_parquet(p) for p in parts]
    quarantine = (
        ws.db()
        .execute(
            "SELECT import_id, source, line, locator, reason, raw FROM quarantine ORDER BY qid"
        )
        .fetchall()
    )
    imports = [
        (
            i.import_id,
            i.source,
            i.file_hash,
            i.format,
            i.records,
            i.skipped_existing,
            i.quarantined,
            i.part,
        )
        for i in ws.imports()
    ]
    return {
        "records": records.to_dicts(),
        "parts": [(p.name, f.columns, f.to_dicts()) for p, f in zip(parts, raw, strict=True)],
        "quarantine": quarantine,
        "imports": imports,
        "left": sorted(p.name for p in (ws.path / "records").iterdir() if p.name.startswith(".")),
    }


def _run(
    tmp: Path, name: str, steps: list[tuple[list[Path], ImportOptions]], engine: Any = None
) -> dict[str, object]:
    ws = Workspace.open(tmp / name, create=True)
    summaries = [
        run_job(import_job(ws, files, options, engine)).to_dict() for files, options in steps
    ]
    for s in summaries:
        for f in s["files"]:
            f.pop("path", None)
    return {**_state(ws), "summaries": summaries}


def _whole_file_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference: read the whole file, then write the part (no staging)."""
    monkeypatch.setattr(job_module, "_existing_or_none", lambda ws, existing: None)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "CHUNK_BYTES", 4096)  # many chunks
    monkeypatch.setattr("curator.core.workspace.PART_ROWS", 25)  # many row groups


def _steps(tmp_path: Path) -> list[tuple[list[Path], ImportOptions]]:
    chats = _awkward(tmp_path / "chats.jsonl")
    pairs = _pairs(tmp_path / "pairs.jsonl")
    return [
        ([chats], ImportOptions()),
        ([pairs], ImportOptions(format="preference")),
        # the robot lines again, now with a role: only they are new (the rest are in)
        ([chats], ImportOptions(role_map={"robot": "assistant"})),
        ([chats], ImportOptions(role_map={"robot": "assistant"})),  # already imported
    ]


def test_staged_parts_equal_the_whole_file_path_on_awkward_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    steps = _steps(tmp_path)
    staged = _run(tmp_path, "staged.curator", steps)
    _whole_file_first(monkeypatch)
    reference = _run(tmp_path, "reference.curator", steps)
    assert staged == reference
    assert staged["left"] == []
    assert len(staged["parts"]) == 3  # type: ignore[arg-type]


def test_a_staged_part_with_an_unexpected_import_id_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    steps = _steps(tmp_path)
    reference = _run(tmp_path, "reference.curator", steps)
    real = Workspace.next_import_id
    monkeypatch.setattr(Workspace, "next_import_id", lambda self: real(self) + 5)
    assert _run(tmp_path, "staged.curator", steps) == reference


def test_a_staged_pair_part_without_rejected_answers_drops_the_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staged writer decides the pair column by format; records whose rejected
    answer is null all through give a part without it, as before."""
    from curator.core.workspace import StagedPart

    chats = tmp_path / "c.jsonl"
    chats.write_text("".join(json.dumps(_chat(i)) + "\n" for i in range(30)))
    reference = _run(tmp_path, "ref.curator", [([chats], ImportOptions())])
    real = StagedPart.__init__

    def as_pairs(self: StagedPart, ws: Workspace, import_id: int, pairs: bool) -> None:
        real(self, ws, import_id, True)

    monkeypatch.setattr(StagedPart, "__init__", as_pairs)
    assert _run(tmp_path, "staged.curator", [([chats], ImportOptions())]) == reference


class _StagesAhead(Engine):
    """A cluster engine's import without a cluster: ``read_ahead`` (the base class's)
    runs each file's ``stage_whole_file`` in this process when it is asked for."""

    name = "stages-ahead"


def test_parts_staged_ahead_like_a_cluster_worker_equal_the_local_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    chats, other = tmp_path / "chats.jsonl", tmp_path / "other.jsonl"
    chats.write_text("".join(json.dumps(_chat(i)) + "\n" for i in range(70)) + "{not json\n")
    other.write_text("".join(json.dumps(_chat(i, n=i)) + "\n" for i in range(50)))
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(chats.read_bytes())  # the same bytes: skipped, so the next id shifts
    first = [([chats, copy, other], ImportOptions())]
    reference = _run(tmp_path, "reference.curator", first)

    def no_read_back(self: StagedPart) -> None:
        raise AssertionError("a staged part was read back instead of relabelled")

    with monkeypatch.context() as m:
        m.setattr(StagedPart, "read", no_read_back)
        assert _run(tmp_path, "ahead.curator", first, _StagesAhead()) == reference
    # and every step of the local tests (pairs, re-reads with new options, repeats)
    steps = _steps(tmp_path)
    assert _run(tmp_path, "ahead-steps.curator", steps, _StagesAhead()) == _run(
        tmp_path, "reference-steps.curator", steps
    )


def _hash_late(monkeypatch: pytest.MonkeyPatch, every: int = 0) -> None:
    """The file's hash is ready only at every ``every``-th look (0: never before it is
    asked for): the chunks finalised meanwhile wait for it (``job._read_staged``)."""
    looks = iter(range(1, 1 << 30))

    def ready(self: object) -> bool:
        return every > 0 and next(looks) % every == 0

    monkeypatch.setattr(job_module._TapDigest, "ready", ready)
    monkeypatch.setattr(job_module._Hasher, "ready", ready)


@pytest.mark.parametrize("every", [0, 3])  # all wait to the end / three at a time
def test_chunks_waiting_for_the_hash_are_staged_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None, every: int
) -> None:
    steps = _steps(tmp_path)
    reference = _run(tmp_path, "reference.curator", steps)
    _hash_late(monkeypatch, every)
    assert _run(tmp_path, "late.curator", steps) == reference
    monkeypatch.setattr(job_module, "WAITING_BYTES", 0)  # the cap: each chunk staged at once
    assert _run(tmp_path, "capped.curator", steps) == reference


def test_a_cancel_while_chunks_wait_for_the_hash_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    chats = _awkward(tmp_path / "chats.jsonl", n=400)
    _hash_late(monkeypatch, every=3)
    staged: list[int] = []
    real = StagedPart.add

    def add(self: StagedPart, records: pl.DataFrame, identity: str | None = None) -> None:
        staged.append(records.height)
        real(self, records, identity)

    monkeypatch.setattr(StagedPart, "add", add)
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    job = import_job(ws, [chats], ImportOptions())
    for _ in range(12):  # some chunks staged (their part begun), some waiting
        next(job)
    assert sum(staged) > 25 and len(staged) < 11
    job.close()  # the GUI's cancel
    assert ws.imports() == []
    assert [p.name for p in (ws.path / "records").iterdir()] == []


def test_a_hash_that_fails_while_chunks_wait_is_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    chats = _awkward(tmp_path / "chats.jsonl")

    def fails(self: object) -> str:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(job_module._TapDigest, "get", fails)
    errors = []
    for late in (False, True):
        if late:
            _hash_late(monkeypatch)
        ws = Workspace.open(tmp_path / f"w{late}.curator", create=True)
        summary = run_job(import_job(ws, [chats], ImportOptions()))
        errors.append(summary.files[0].error)
        assert [i.format for i in ws.imports()] == ["failed"]
        assert not [p for p in (ws.path / "records").iterdir() if p.name.startswith(".")]
    assert errors[0] == errors[1] == f"{chats}: cannot read it (Input/output error)"


def test_a_staged_part_has_row_groups_of_part_rows_whatever_the_chunks(
    tmp_path: Path, small_chunks: None
) -> None:
    """Row groups are PART_ROWS records each (the last: the rest), not one per few chunks
    of the reader, so the layout does not follow the chunk sizes (a cluster engine
    slices parts by row group)."""
    import pyarrow.parquet as pq

    chats = tmp_path / "chats.jsonl"
    chats.write_text("".join(json.dumps(_chat(i)) + "\n" for i in range(333)))
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    summary = run_job(import_job(ws, [chats], ImportOptions()))
    meta = pq.ParquetFile(ws.path / "records" / ws.imports()[0].part).metadata
    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert sum(sizes) == summary.added == 333
    assert sizes == [25] * 13 + [8]


def test_disk_full_while_the_part_is_written_is_named_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_chunks: None
) -> None:
    """The part's writer (Polars' sink, on its own thread) hits a full disk midway: the
    import stops with the disk's error, not Polars' wrapper of it; no temp part stays
    behind to keep the disk full, and the same import works once there is room."""
    import errno

    from curator.core import workspace as ws_module

    chats = tmp_path / "chats.jsonl"
    chats.write_text("".join(json.dumps(_chat(i)) + "\n" for i in range(333)))
    real = ws_module._HashingFile.__init__

    class FillingDisk:  # the part's file on a disk that fills after 2 kB
        def __init__(self, fh: Any) -> None:
            self.fh, self.written = fh, 0

        def write(self, data: Any) -> int:
            self.written += len(data)
            if self.written > 2_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self.fh.write(data))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.fh, name)

    def init(self: Any, path: Path) -> None:
        real(self, path)
        self.fh = FillingDisk(self.fh)

    monkeypatch.setattr(ws_module._HashingFile, "__init__", init)
    ws = Workspace.open(tmp_path / "w.curator", create=True)
    with pytest.raises(OSError) as caught:
        run_job(import_job(ws, [chats], ImportOptions()))
    assert caught.value.errno == errno.ENOSPC
    assert ws.imports() == []
    assert list((ws.path / "records").iterdir()) == []
    monkeypatch.setattr(ws_module._HashingFile, "__init__", real)
    assert run_job(import_job(ws, [chats], ImportOptions())).added == 333
