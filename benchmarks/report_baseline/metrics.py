"""Per-record measurements for the readiness checks, as Polars expressions and frames.

Everything here is vectorised: no Python loop runs per record. Text-heavy
measures take a frame that may be a seeded sample (see ``text_sample``).
"""

from __future__ import annotations

import zlib

import polars as pl

from curator.core import records as R

_ROLE = pl.element().struct.field("role")
_CONTENT = pl.element().struct.field("content")


# --- text --------------------------------------------------------------------------------
def role_text(role: str) -> pl.Expr:
    """All ``role`` turns of a record's messages, joined by newlines."""
    return (
        pl.col(R.MESSAGES)
        .list.eval(_CONTENT.filter(_ROLE.eq(role)).fill_null(""))
        .list.join("\n")
        .fill_null("")
    )


def normalised(text: pl.Expr) -> pl.Expr:
    """Case, whitespace and punctuation folded: 'Hello,  World!' == 'hello world'."""
    return text.str.to_lowercase().str.replace_all(r"[\s\p{P}]+", " ").str.strip_chars()


def flag_family(family: str) -> pl.Expr:
    """True when a record carries a flag named ``family`` or ``family.*``."""
    names = pl.col(R.FLAGS).list.eval(pl.element().struct.field("name"))
    return (
        names.list.eval((pl.element() == family) | pl.element().str.starts_with(family + "."))
        .list.any()
        .fill_null(False)
    )


def flag_names_in(df: pl.DataFrame, family: str) -> dict[str, int]:
    """Records per flag name within a family, e.g. {'pii.email': 3}."""
    if df.height == 0:
        return {}
    names = (
        df.select(R.ID, pl.col(R.FLAGS).list.eval(pl.element().struct.field("name")).alias("n"))
        .explode("n")
        .drop_nulls("n")
        .filter((pl.col("n") == family) | pl.col("n").str.starts_with(family + "."))
        .unique()
        .group_by("n")
        .len()
        .sort(["len", "n"], descending=[True, False])
    )
    return {str(k): int(v) for k, v in names.iter_rows()}


def truthy(name: str, schema: pl.Schema) -> pl.Expr:
    """A score column read as a boolean whatever its dtype (bool, number, text)."""
    dtype = schema.get(name)
    if dtype is None:
        return pl.lit(False)
    col = pl.col(name)
    if dtype == pl.Boolean:
        return col.fill_null(False)
    if dtype.is_numeric():
        return (col.fill_null(0) > 0).fill_null(False)
    return (col.cast(pl.String).fill_null("").str.len_chars() > 0) & (
        ~col.cast(pl.String).str.to_lowercase().is_in(["false", "0", "no", ""])
    )


# --- source times ------------------------------------------------------------------------------
_ISO_TIME = r"((?:19|20)\d{2}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)"
_EPOCH = r'"[A-Za-z_]*(?:time|date|created|updated|ts)[A-Za-z_]*"\s*:\s*"?(1\d{9})(?:\.\d+)?"?'


def source_times(meta: pl.Series) -> pl.Series:
    """Earliest timestamp found in each record's meta JSON (null when none)."""
    s = meta.cast(pl.String).fill_null("")
    df = pl.DataFrame({"m": s}).with_columns(
        pl.col("m").str.extract(_ISO_TIME, 1).str.to_datetime(strict=False, time_unit="ms").alias("iso"),
        pl.col("m").str.extract(_EPOCH, 1).cast(pl.Int64, strict=False).alias("ep"),
    )
    ep = (pl.col("ep") * 1000).cast(pl.Datetime("ms"))
    return df.select(pl.coalesce(pl.col("iso"), ep).alias("t")).get_column("t")


# --- diversity ------------------------------------------------------------------------------------
def sample_words(texts: pl.Series, max_words: int) -> pl.Series:
    """Lower-cased words of ``texts`` in order, cut at ``max_words``."""
    words = (
        pl.DataFrame({"t": texts.fill_null("")})
        .select(pl.col("t").str.to_lowercase().str.extract_all(r"\w+").alias("w"))
        .explode("w")
        .drop_nulls("w")
        .get_column("w")
    )
    return words.head(max_words)


def distinct_n(words: pl.Series, n: int = 2) -> float | None:
    """Distinct word n-grams / all n-grams (Li et al. 2016); None under 2 n-grams."""
    if words.len() < n + 1:
        return None
    df = pl.DataFrame({"w": words})
    grams = df.select(pl.concat_str([pl.col("w").shift(-i) for i in range(n)], separator=" ").alias("g"))
    grams = grams.head(words.len() - n + 1)
    return grams.get_column("g").n_unique() / grams.height


def bounded_texts(texts: pl.Series, max_bytes: int) -> pl.Series:
    """The leading texts whose total size stays within ``max_bytes``."""
    t = texts.fill_null("")
    sizes = t.str.len_bytes().cum_sum()
    return t.filter(sizes <= max_bytes) if t.len() else t


def compression_ratio(texts: pl.Series, max_bytes: int = 2_000_000) -> float | None:
    """Raw bytes / zlib-compressed bytes of the joined texts (Shaib et al. 2024)."""
    joined = "\n".join(bounded_texts(texts, max_bytes).to_list())
    raw = joined.encode("utf-8")[:max_bytes]
    if len(raw) < 200:
        return None
    return len(raw) / len(zlib.compress(raw, 6))
