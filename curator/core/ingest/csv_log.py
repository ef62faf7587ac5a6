"""CSV/TSV message logs: one row per message, grouped into conversations.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
data row is row 2 (a quoted cell spanning several lines is still one row).
A conversation's locator is ``rows A-B`` (its first and last row; rows of
other conversations may sit in between). Within a conversation, messages are
ordered by the time column when its values parse as date-times (else by the
text as given), ties keeping file order.

A row with more cells than the header keeps its conversation, and the cells
past the header are named in that conversation's repairs ("row 7: dropped 1
cell past the 4 header columns: 'x'"), never dropped without a word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest.guards import RAW_KEEP
from curator.core.ingest.lines import BOM
from curator.core.ingest.model import RAW_MESSAGE_DTYPE, RAW_SCHEMA, QuarantineEntry, RawChunk
from curator.core.ingest.options import ImportOptions
from curator.core.ingest.source import Tap, open_source

GUESSES = {
    "conversation": ("conversation_id", "conversation", "conv_id", "ticket_id", "ticket", "chat_id", "session_id", "thread_id", "dialog_id", "dialogue_id", "call_id"),
    "speaker": ("speaker", "role", "from", "sender", "author", "author_role", "author_type", "sender_type", "sender_role", "speaker_role", "speaker_type", "party", "who"),
    "text": ("text", "message", "content", "body", "utterance", "value", "message_text"),
    "time": ("timestamp", "time", "created_at", "sent_at", "datetime", "date", "ts"),
}
OPTION = {
    "conversation": "--conversation-column",
    "speaker": "--speaker-column",
    "text": "--text-column",
    "time": "--time-column",
}
_ROW = "_row"
_EXTRA = 8  # cells past the header that are read (to name them) on a longer row
_NOTE = "_note"


def separator(path: Path, head: bytes | None = None) -> str:
    """Tab or comma: ``.tsv`` is tabs, else whichever the first line has more of."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    first = head[:65536].split(b"\n", 1)[0]
    return "\t" if first.count(b"\t") > first.count(b",") else ","


def resolve_columns(columns: list[str], options: ImportOptions, source: str) -> dict[str, str | None]:
    """Which column plays which part; a named column that is missing is an error."""
    lower = {c.lower().strip(): c for c in columns}
    given = {
        "conversation": options.conversation_column,
        "speaker": options.speaker_column,
        "text": options.text_column,
        "time": options.time_column,
    }
    out: dict[str, str | None] = {}
    listing = ", ".join(repr(c) for c in columns) or "none"
    for part, name in given.items():
        if name is not None:
            if name not in columns:
                raise CuratorError(
                    f"{source}: there is no column {name!r} ({OPTION[part]}); "
                    f"the columns are: {listing}"
                )
            out[part] = name
        else:
            out[part] = next((lower[g] for g in GUESSES[part] if g in lower), None)
    for part in ("conversation", "speaker", "text"):
        if out[part] is None:
            raise CuratorError(
                f"{source}: cannot tell which column holds the {part}; "
                f"name it with {OPTION[part]} COLUMN (the columns are: {listing})"
            )
    return out


def unclosed_quote_line(data: bytes) -> int | None:
    """The 1-based line where a quoted field opens that is never closed, or None.

    Quote parity per line, counted in bytes (an escaped quote ``""`` counts
    twice, so it never flips the parity); the last flip to "open" is the culprit.
    """
    opened, inside = None, False
    for line, raw in enumerate(data.split(b"\n"), start=1):
        if raw.count(b'"') % 2:
            inside = not inside
            if inside:
                opened = line
    return opened if inside else None


def _parse(src: bytes, sep: str, n_rows: int | None) -> tuple[list[str], list[str], pl.DataFrame]:
    header = pl.read_csv(src, separator=sep, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns
    extras = [f"_extra_cell_{i}" for i in range(1, _EXTRA + 1)]
    df = pl.read_csv(
        src,
        separator=sep,
        schema={c: pl.String for c in header + extras},
        missing_columns="insert",  # rows are as long as the header, or longer
        truncate_ragged_lines=True,  # only past header + _EXTRA: noted as "N or more"
        encoding="utf8-lossy",
        n_rows=n_rows,
    )
    return header, extras, df


def read_csv_log(
    path: Path, fmt: str, options: ImportOptions, limit: int | None = None, tap: Tap | None = None
) -> Iterator[RawChunk]:
    """The file is read once (through ``tap`` on import). A quoted field that is never
    closed quarantines the file from that line on (named); the rows before it import."""
    total = path.stat().st_size
    with open_source(path, tap) as fh:
        data = fh.read()
    if not data[: len(BOM) + 1].lstrip(BOM).strip():
        yield RawChunk(pl.DataFrame(schema=RAW_SCHEMA), [], [], total, total)
        return
    sep = separator(path, data)
    n_rows = None if limit is None else max(limit * 50, 1000)
    cut: list[QuarantineEntry] = []
    try:
        header, extras, df = _parse(data, sep, n_rows)
    except pl.exceptions.PolarsError as exc:
        opened = unclosed_quote_line(data)
        if opened is None:
            raise CuratorError(f"{path.name}: cannot read it as CSV: {str(exc).splitlines()[0]}") from None
        lines = data.split(b"\n")
        last = len(lines) - (not lines[-1].strip())
        cut = [
            QuarantineEntry(
                opened,
                f"lines {opened}-{last}",
                f"a quoted field opens on line {opened} and is never closed, so lines "
                f"{opened}-{last} would be one cell; none of them was imported (the rows before "
                f"line {opened} were). Close the quote (or write a literal quote as \"\") and "
                "import the file again.",
                b"\n".join(lines[opened - 1 :]).decode("utf-8", "replace")[:RAW_KEEP],
            )
        ]
        if opened <= 1:
            raise CuratorError(
                f"{path.name}:1: a quoted field opens in the header line and is never closed; "
                'close the quote (or write a literal quote as "") and import again.'
            ) from None
        try:
            header, extras, df = _parse(b"\n".join(lines[: opened - 1]) + b"\n", sep, n_rows)
        except pl.exceptions.PolarsError as again:
            raise CuratorError(
                f"{path.name}:{opened}: a quoted field opens on line {opened} and is never closed; "
                f"and the lines before it cannot be read as CSV either ({str(again).splitlines()[0]})"
            ) from None
    df = df.with_row_index(_ROW, offset=2).with_columns(pl.col(_ROW).cast(pl.Int64))
    df = df.with_columns(_ragged_note(extras, len(header))).drop(extras)
    first = header[0] if header else ""
    if first.startswith("\ufeff") and first.lstrip("\ufeff") not in header:
        df = df.rename({first: first.lstrip("\ufeff")})
    chunk = group_rows(df, options, path.name, total, limit)
    chunk.quarantine.extend(cut)
    yield chunk


def group_rows(
    df: pl.DataFrame,
    options: ImportOptions,
    source: str,
    total: int,
    limit: int | None = None,
    *,
    keyed: bool = False,
) -> RawChunk:
    """Message rows (String columns plus ``_row``, optionally ``_note``) -> conversations.

    The one grouping path for every row-per-message source: CSV/TSV files and
    database queries (``ingest/database.py``). ``keyed`` makes a conversation's
    locator its key (``ticket_id=17``) instead of its rows, so its id survives
    rows added or reordered in the source (a database table that grows).
    """
    if _NOTE not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias(_NOTE))
    cols = resolve_columns([c for c in df.columns if c not in (_ROW, _NOTE)], options, source)
    conv, spk, txt, tim = cols["conversation"], cols["speaker"], cols["text"], cols["time"]
    assert conv and spk and txt
    # rows with undecodable bytes or no conversation key cannot be placed
    mapped = [c for c in (conv, spk, txt, tim) if c]
    lossy = pl.any_horizontal([pl.col(c).str.contains("\ufffd", literal=True).fill_null(False) for c in mapped])
    reason = (
        pl.when(lossy)
        .then(pl.lit("contains bytes that are not UTF-8; re-save the file as UTF-8"))
        .when(pl.col(conv).is_null() | (pl.col(conv).str.strip_chars() == ""))
        .then(pl.lit(f"empty conversation column {conv!r}"))
        .otherwise(None)
        .alias("reason")
    )
    df = df.with_columns(reason)
    others = [c for c in df.columns if c not in (_ROW, "reason", _NOTE, spk, txt)]
    raw = pl.concat_str(
        [pl.col(c).fill_null("") for c in df.columns if c not in (_ROW, "reason", _NOTE)], separator=","
    )
    bad_rows = df.filter(pl.col("reason").is_not_null()).select(_ROW, "reason", raw.alias("raw"))
    bad = [
        QuarantineEntry(r, f"row {r}", why, text)
        for r, why, text in bad_rows.iter_rows()
    ]
    good = df.filter(pl.col("reason").is_null())
    order: list[pl.Expr] = [pl.col("_first")]
    if tim:
        parsed = pl.col(tim).str.strip_chars().str.to_datetime(strict=False)
        use_parsed = good.select(parsed.is_not_null().sum() == pl.col(tim).is_not_null().sum()).item()
        key = parsed if use_parsed else pl.col(tim)
        good = good.with_columns(key.alias("_t"))
        order = [pl.col("_first"), pl.col("_t"), pl.col(_ROW)]
    else:
        order = [pl.col("_first"), pl.col(_ROW)]
    good = good.with_columns(pl.col(_ROW).min().over(conv).alias("_first")).sort(order, nulls_last=True)
    message = pl.struct(
        pl.col(spk).alias("role"),
        pl.col(txt).alias("content"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.Int64).alias("weight"),
        pl.lit(None, pl.String).alias("tool_calls"),
        pl.lit(None, pl.String).alias("tool_call_id"),
    ).cast(RAW_MESSAGE_DTYPE)
    meta_cols = [c for c in others if c != conv]
    grouped = good.group_by(conv, maintain_order=True).agg(
        pl.col(_ROW).min().alias(R.LINE),
        pl.col(_ROW).max().alias("_last"),
        message.alias(R.MESSAGES),
        pl.col(_NOTE).drop_nulls().alias(_NOTE),
        *[pl.col(c).alias(c) for c in meta_cols],
    )
    if limit is not None:
        grouped = grouped.head(limit)
    meta_struct = pl.struct(
        pl.col(conv).alias(conv), *[pl.col(c) for c in meta_cols]
    ).struct.json_encode()
    rows_locator = (
        pl.when(pl.col(R.LINE) == pl.col("_last"))
        .then(pl.lit("row ") + pl.col(R.LINE).cast(pl.String))
        .otherwise(pl.lit("rows ") + pl.col(R.LINE).cast(pl.String) + pl.lit("-") + pl.col("_last").cast(pl.String))
    )
    locator = pl.lit(f"{conv}=") + pl.col(conv) if keyed else rows_locator
    frame = grouped.select(
        pl.col(R.LINE),
        locator.alias(R.LOCATOR),
        pl.col(R.MESSAGES),
        meta_struct.alias(R.META),
    )
    columns = [c for c in df.columns if c not in (_ROW, "reason", _NOTE)]
    notes = grouped.get_column(_NOTE)
    has_notes = bool(notes.list.len().sum())
    return RawChunk(frame.cast(RAW_SCHEMA), bad, columns, total, total, notes=notes if has_notes else None)


def _ragged_note(extras: list[str], width: int) -> pl.Expr:
    """A note naming the cells past the header on a longer row (null on other rows)."""
    cells = pl.concat_list([pl.col(c) for c in extras]).list.drop_nulls()
    shown = cells.list.eval(pl.lit("'") + pl.element().str.slice(0, 80) + pl.lit("'")).list.join(", ")
    n = cells.list.len()
    more = pl.when(pl.col(extras[-1]).is_not_null()).then(pl.lit(" or more")).otherwise(pl.lit(""))
    note = pl.format(
        "row {}: dropped {}{} cell(s) past the {} header columns: {}", pl.col(_ROW), n, more, pl.lit(width), shown
    )
    return pl.when(n > 0).then(note).otherwise(None).alias(_NOTE)
