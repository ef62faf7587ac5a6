"""Plain Arrow types for exported tables: ``string`` and ``list``, never ``large_*``.

Polars writes ``large_string`` / ``large_list``; ``datasets`` 4.0 (the newest
LLaMA-Factory allows) turns those into ``LargeList`` features whose printing
raises, and some readers reject them. Offsets of 32 bits are plenty for one
split of conversations (2 GiB of text per column chunk).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def plain_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return pa.list_(
            pa.field(t.value_field.name, plain_type(t.value_type), t.value_field.nullable)
        )
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, plain_type(f.type), f.nullable) for f in t])
    return t


def plain_arrow(table: Any) -> Any:
    """The table cast to plain types (a no-op when it has none of the large ones)."""
    schema = pa.schema([pa.field(f.name, plain_type(f.type), f.nullable) for f in table.schema])
    return table.cast(schema)
