"""Arbitrary bytes never crash a reader: they become records, quarantine or a clear error."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.core.errors import CuratorError
from curator.core.ingest import FORMATS, ImportOptions, detect_format, preview
from curator.core.ingest.pipeline import finalize, read_raw

TEXT_FORMATS = [f for f in FORMATS if f not in ("parquet", "hf")]
SUFFIXES = [".jsonl", ".json", ".csv", ".txt", ".parquet", ""]

# bytes biased towards the characters the readers care about
interesting = st.lists(
    st.sampled_from(
        [b"{", b"}", b"[", b"]", b'"', b":", b",", b"\n", b"\r\n", b"\t", b"---\n", b"User: ",
         b'"messages"', b'"role"', b'"content"', b"\xef\xbb\xbf", b"\xff", b"\x00", b"a", b" "]
    ),
    max_size=40,
).map(b"".join)
blobs = st.one_of(st.binary(max_size=300), interesting)


def _read_all(path: Path, fmt: str) -> None:
    opts = ImportOptions()
    for chunk in read_raw(path, fmt, opts):
        done = finalize(chunk, opts, source=path.name, source_path=str(path), identity="x")
        for q in done.quarantine:
            assert q.reason and q.locator


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=blobs, suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_never_crash(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(CuratorError):
            detect_format(path)
        p = preview(path, ImportOptions())
        assert p.error is None or isinstance(p.error, str)
        for fmt in TEXT_FORMATS:
            # a CuratorError is a clear, user-facing refusal (e.g. CSV without the needed columns)
            with contextlib.suppress(CuratorError):
                _read_all(path, fmt)
