"""Joins the imported snapshot with review state and job results, in Polars.

The snapshot's ``messages`` column is large and nested, so nothing here joins
it: the small columns are aligned to the snapshot's id order with left joins
on ``id`` alone, then stacked beside it.
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R


def _aligned(ids: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """``other``'s columns in the row order of ``ids`` (nulls where absent), without id."""
    return ids.join(other, on=R.ID, how="left", maintain_order="left").drop(R.ID)


def build_frame(
    records: pl.DataFrame,
    state: pl.DataFrame,
    flags: pl.DataFrame,
    clusters: pl.DataFrame,
) -> pl.DataFrame:
    """One row per record; see Workspace.frame for the meaning of the columns.

    ``records`` may hold only some record columns (id among them) and ``state`` may
    lack reason and reviewed_at: the frame then lacks them too."""
    ids = records.select(R.ID)
    st = _aligned(ids, state)
    edited_json = st.get_column("edited_messages")
    edited_rejected = (
        st.get_column("edited_rejected")
        if "edited_rejected" in st.columns
        else pl.repeat(None, st.height, dtype=pl.String, eager=True).alias("edited_rejected")
    )
    columns = [
        st.get_column(R.STATUS).fill_null(R.PENDING),
        # (a state without reason and time, Workspace.review_state, leaves them out)
        *(st.get_column(c) for c in (R.REASON, R.REVIEWED_AT) if c in st.columns),
        (edited_json.is_not_null() | edited_rejected.is_not_null()).alias(R.EDITED),
    ]
    df = records
    if R.MESSAGES in df.columns and edited_json.null_count() < edited_json.len():
        decoded = edited_json.str.json_decode(R.MESSAGES_DTYPE)
        df = df.with_columns(
            pl.when(decoded.is_not_null()).then(decoded).otherwise(pl.col(R.MESSAGES)).alias(R.MESSAGES)
        )
    if edited_rejected.null_count() < edited_rejected.len() and R.REJECTED_ANSWER in df.columns:
        rej = edited_rejected.str.json_decode(R.MESSAGE_DTYPE)
        df = df.with_columns(
            pl.when(rej.is_not_null())
            .then(rej)
            .otherwise(pl.col(R.REJECTED_ANSWER))
            .alias(R.REJECTED_ANSWER)
        )

    if flags.height:
        per_record = flags.group_by(R.ID).agg(pl.struct("name", "reason", "severity").alias(R.FLAGS))
        flag_col = _aligned(ids, per_record).get_column(R.FLAGS)
        flag_col = flag_col.fill_null(pl.lit([], R.FLAGS_DTYPE_LIST))
    else:
        # (pl.Series([[]] * n) is pathologically slow at 1M rows; broadcast a literal instead)
        flag_col = ids.with_columns(pl.lit([], R.FLAGS_DTYPE_LIST).alias(R.FLAGS)).get_column(R.FLAGS)
    columns.append(flag_col)

    cl = _aligned(ids, clusters.select(R.ID, R.CLUSTER_ID, R.DUPLICATE_OF, R.SIMILARITY))
    columns.extend(cl.get_columns())
    return _same_chunks(df.hstack(columns))


def _same_chunks(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every column cut into chunks at the same rows as ``id`` (the record
    parts' row groups), by zero-copy slices. The joined columns come out as one chunk
    while the records have one per row group, and Polars rechunks every column of a
    frame with unaligned chunks (the million message lists included) on each select
    or filter of it: 60-80 ms a call at 1M records, 2 ms once aligned."""
    if not df.width:
        return df
    lengths = df.get_column(R.ID).chunk_lengths() if R.ID in df.columns else []
    if len(lengths) <= 1:
        return df.rechunk() if any(c.n_chunks() > 1 for c in df.get_columns()) else df
    cols = []
    for col in df.get_columns():
        if col.chunk_lengths() != lengths:
            whole = col.rechunk() if col.n_chunks() > 1 else col
            pieces, offset = [], 0
            for n in lengths:
                pieces.append(whole.slice(offset, n))
                offset += n
            col = pl.concat(pieces, rechunk=False)
        cols.append(col)
    return pl.DataFrame(cols)


def has_blocking_flag() -> pl.Expr:
    return pl.col(R.FLAGS).list.eval(pl.element().struct.field("severity") == R.BLOCK).list.any()


def is_flagged() -> pl.Expr:
    return pl.col(R.FLAGS).list.len() > 0


def is_keeper() -> pl.Expr:
    """True for singletons and cluster keepers (anything not a duplicate of another)."""
    return pl.col(R.DUPLICATE_OF).is_null()
