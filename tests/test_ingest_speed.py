"""Constants and shortcuts of the import's fast paths that must mean what they replace."""

from __future__ import annotations

import sys


def test_the_written_out_python_whitespace_set_is_str_isspace() -> None:
    from curator.core.ingest.columnar import _PY_SPACE

    expected = "".join(
        f"\\x{{{ord(c):x}}}" for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()
    )
    assert expected == _PY_SPACE
