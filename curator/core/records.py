"""The canonical record model: column names and dtypes shared by every layer.

One row per conversation. ``messages`` is a list of structs; ``meta`` is the
original record's extra fields as a JSON string (arbitrary keys do not fit a
fixed Polars struct); ``repairs`` lists what import normalisation changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

import polars as pl

# --- imported snapshot columns (records/*.parquet) -----------------------------
ID: Final = "id"
SOURCE: Final = "source"  # file name as the user knows it
SOURCE_PATH: Final = "source_path"  # absolute path at import time
LOCATOR: Final = "locator"  # "line 12", "rows 3-9", "index 4", "lines 1-20"
LINE: Final = "line"  # first 1-based line/row/index, for sorting and jumping
MESSAGES: Final = "messages"
META: Final = "meta"
REPAIRS: Final = "repairs"
IMPORT_ID: Final = "import_id"
# Preference pairs (DPO data): ``messages`` holds the prompt followed by the chosen
# reply (so dedup, filters and readiness read prompt+chosen like any chat record) and
# this column the rejected reply, one assistant message. Null for chat records.
REJECTED_ANSWER: Final = "rejected_answer"

# --- review state joined on by Workspace.frame() ------------------------------
STATUS: Final = "status"  # pending | approved | rejected
REASON: Final = "reason"  # reject reason
EDITED: Final = "edited"  # messages differ from the imported snapshot
REVIEWED_AT: Final = "reviewed_at"

# --- results joined on by Workspace.frame() -----------------------------------
FLAGS: Final = "flags"  # list[struct{name, reason, severity}]
CLUSTER_ID: Final = "cluster_id"
DUPLICATE_OF: Final = "duplicate_of"  # keeper id, null for keepers/singletons
SIMILARITY: Final = "similarity"

PENDING: Final = "pending"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
STATUSES: Final = (PENDING, APPROVED, REJECTED)

ROLES: Final = ("system", "user", "assistant", "tool")

# Flag severities: "block" keeps a record out of N_good and out of exports;
# "warn" is shown to the reviewer and counted by readiness but does not exclude;
# "info" is a fact worth showing that is not a problem (contact.*: a business's number).
BLOCK: Final = "block"
WARN: Final = "warn"
# A blocking flag a person approved past (an explicit override, journalled): it no
# longer blocks, and the record is exported, listed in the manifest and the report.
OVERRIDDEN: Final = "overridden"
INFO: Final = "info"

MESSAGE_DTYPE: Final = pl.Struct(
    {
        "role": pl.String,
        "content": pl.String,
        "name": pl.String,
        "weight": pl.Int8,
        "tool_calls": pl.String,  # JSON text of the original tool_calls list
        "tool_call_id": pl.String,
    }
)
MESSAGES_DTYPE: Final = pl.List(MESSAGE_DTYPE)

_RECORD_COLUMNS: dict[str, pl.DataType] = {
    ID: pl.String(),
    SOURCE: pl.String(),
    SOURCE_PATH: pl.String(),
    LOCATOR: pl.String(),
    LINE: pl.Int64(),
    MESSAGES: MESSAGES_DTYPE,
    META: pl.String(),
    REPAIRS: pl.List(pl.String),
    IMPORT_ID: pl.Int64(),
    REJECTED_ANSWER: MESSAGE_DTYPE,
}
RECORD_SCHEMA: Final = pl.Schema(_RECORD_COLUMNS)

FLAG_DTYPE: Final = pl.Struct({"name": pl.String, "reason": pl.String, "severity": pl.String})
FLAGS_DTYPE_LIST: Final = pl.List(FLAG_DTYPE)
FLAGS_SCHEMA: Final = pl.Schema(
    {ID: pl.String, "name": pl.String, "reason": pl.String, "severity": pl.String}
)
CLUSTERS_SCHEMA: Final = pl.Schema(
    {
        ID: pl.String,
        CLUSTER_ID: pl.String,
        DUPLICATE_OF: pl.String,
        SIMILARITY: pl.Float64,
        "kind": pl.String,  # exact | near
    }
)


def record_id(source_identity: str, locator: str) -> str:
    """Stable id from the source file's identity and the record's locator."""
    digest = hashlib.blake2b(f"{source_identity}\x1f{locator}".encode(), digest_size=8)
    return digest.hexdigest()


def record_ids(source_identity: str, locators: list[str]) -> list[str]:
    """``record_id`` of each locator: the shared prefix is hashed once and copied
    (half the time of hashing each whole key; Polars has no BLAKE2 to vectorise with)."""
    copy = hashlib.blake2b(f"{source_identity}\x1f".encode(), digest_size=8).copy
    out: list[str] = []
    add = out.append
    for locator in locators:
        h = copy()
        h.update(locator.encode())
        add(h.hexdigest())
    return out


def record_id_series(source_identity: str, locators: pl.Series) -> pl.Series:
    """``record_ids`` of a locator column, as the ``id`` column."""
    return pl.Series(ID, record_ids(source_identity, locators.to_list()), dtype=pl.String)


def with_record_ids(records: pl.DataFrame, source_identity: str) -> pl.DataFrame:
    """``records`` with the ids their locators get in the source ``source_identity``."""
    return records.with_columns(record_id_series(source_identity, records.get_column(LOCATOR)))


def message(
    role: str,
    content: str | None,
    *,
    name: str | None = None,
    weight: int | None = None,
    tool_calls: Any = None,
    tool_call_id: str | None = None,
) -> dict[str, Any]:
    """One message as a plain dict in MESSAGE_DTYPE's shape."""
    return {
        "role": role,
        "content": content,
        "name": name,
        "weight": weight,
        "tool_calls": None if tool_calls is None else json.dumps(tool_calls, ensure_ascii=False),
        "tool_call_id": tool_call_id,
    }


def is_pair() -> pl.Expr:
    """True for preference pairs (a record with a rejected reply)."""
    return pl.col(REJECTED_ANSWER).is_not_null()


def empty_records() -> pl.DataFrame:
    return pl.DataFrame(schema=RECORD_SCHEMA)


def messages_to_json(messages: list[dict[str, Any]]) -> str:
    """Serialise messages for the journal (stable key order, nulls kept)."""
    return json.dumps(
        [{k: m.get(k) for k in MESSAGE_DTYPE.to_schema()} for m in messages], ensure_ascii=False
    )


def messages_from_json(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(text)
    return out


def message_to_json(msg: dict[str, Any]) -> str:
    """One message for the journal (a pair's rejected reply), in MESSAGE_DTYPE's key order."""
    return json.dumps({k: msg.get(k) for k in MESSAGE_DTYPE.to_schema()}, ensure_ascii=False)
