"""Per-record measurements for the readiness checks, as Polars expressions and frames.

Everything here is vectorised: no Python loop runs per record. Text-heavy
measures take a frame that may be a seeded sample (see ``text_sample``).
"""

from __future__ import annotations

import zlib

import polars as pl

from curator.core import records as R
from curator.core.tokens import message_token_table

TOKEN_COLUMNS = ("tokens", "assistant_tokens", "max_message_tokens", "n_messages")

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


def conversation_key() -> pl.Expr:
    """A hash of the normalised conversation (roles and contents)."""
    joined = (
        pl.col(R.MESSAGES)
        .list.eval(_ROLE.fill_null("") + pl.lit("\x1f") + _CONTENT.fill_null(""))
        .list.join("\x1e")
        .fill_null("")
    )
    return normalised(joined).hash(seed=7)


def text_sample(df: pl.DataFrame, limit: int) -> tuple[pl.DataFrame, bool]:
    """``df`` itself, or a seeded sample of ``limit`` rows when it is larger."""
    if df.height <= limit:
        return df, False
    return df.sample(n=limit, seed=0, shuffle=False), True


# --- flags and scores ----------------------------------------------------------------------
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


def join_scores(df: pl.DataFrame, scores: pl.DataFrame | None, columns: tuple[str, ...]) -> pl.DataFrame:
    """Left-join the named score columns that exist (others are absent)."""
    if scores is None or R.ID not in scores.columns:
        return df
    have = [c for c in columns if c in scores.columns and c not in df.columns]
    if not have:
        return df
    return df.join(scores.select(R.ID, *have).unique(R.ID), on=R.ID, how="left")


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


# --- tokens ----------------------------------------------------------------------------------
def with_tokens(df: pl.DataFrame, scores_length: pl.DataFrame | None) -> tuple[pl.DataFrame, int]:
    """``df`` plus TOKEN_COLUMNS; reuses the length filter's scores where fresh.

    Records without a score, and edited records (their score may be stale), are
    counted here. Returns the frame and how many records were counted afresh.
    """
    df = df.drop([c for c in TOKEN_COLUMNS if c in df.columns])
    usable = scores_length is not None and all(
        c in scores_length.columns for c in (R.ID, *TOKEN_COLUMNS)
    )
    if usable and scores_length is not None:
        df = df.join(
            scores_length.select(R.ID, *[pl.col(c).cast(pl.Int64) for c in TOKEN_COLUMNS]).unique(R.ID),
            on=R.ID,
            how="left",
        )
        stale = pl.col("tokens").is_null()
        if R.EDITED in df.columns:
            stale = stale | pl.col(R.EDITED).fill_null(False)
        need = df.filter(stale)
    else:
        need = df
    if need.height == 0:
        return df, 0
    fresh = message_token_table(need.get_column(R.MESSAGES), need.get_column(R.ID))
    fresh = fresh.select(R.ID, *[pl.col(c).cast(pl.Int64) for c in TOKEN_COLUMNS])
    if usable:
        df = df.update(fresh, on=R.ID, how="left")
    else:
        df = df.join(fresh.unique(R.ID), on=R.ID, how="left")
    return df, need.height


# --- structure --------------------------------------------------------------------------------
def role_problems() -> list[pl.Expr]:
    """Boolean columns: no_user, no_system, not_alternating, last_not_assistant."""
    roles = pl.col(R.MESSAGES).list.eval(_ROLE.fill_null(""))
    non_system = roles.list.eval(pl.element().filter(pl.element() != "system"))
    repeated = non_system.list.eval(
        (pl.element() == pl.element().shift(1)) & pl.element().is_in(["user", "assistant"])
    ).list.any()
    system_late = roles.list.eval(
        (pl.element() == "system") & (pl.int_range(pl.len()) > 0)
    ).list.any()
    return [
        (~roles.list.contains("user")).fill_null(True).alias("no_user"),
        (roles.list.first() != "system").fill_null(True).alias("no_system"),
        (repeated | system_late).fill_null(False).alias("not_alternating"),
        (roles.list.last() != "assistant").fill_null(True).alias("last_not_assistant"),
    ]


# --- volatility ---------------------------------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
VOLATILE_PATTERNS: dict[str, str] = {
    "price": (
        r"(?i)[$€£¥₹]\s?\d|\b\d+(?:[.,]\d{1,2})?\s?(?:usd|eur|gbp|dollars?|euros?)\b"
        r"|\bper (?:month|year|seat|user)\b|\b(?:price|pricing|fee)s? (?:is|are|starts?|of)\b"
    ),
    "date": (
        r"(?i)\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}/\d{1,2}/(?:19|20)?\d{2}\b"
        rf"|\b{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}\b"
        r"|\b(?:in|since|until|by|as of|from|before|after) (?:19|20)\d{2}\b"
    ),
    "version": (
        r"(?i)\bv\d+(?:\.\d+)+\b|\b\d+\.\d+\.\d+\b|\bversion \d+(?:\.\d+)*\b"
        r"|\b(?:release|build|firmware|ios|android) \d+(?:\.\d+)+\b"
    ),
    "stock": (
        r"(?i)\b(?:in stock|out of stock|back in stock|sold out|restock(?:ed|ing)?|inventory"
        r"|units? left|(?:currently|now) (?:available|unavailable)|pre-?orders?|back-?order(?:ed)?)\b"
    ),
    "policy": (
        r"(?i)\b(?:our (?:\w+ )?polic(?:y|ies)|terms of (?:service|use)|return window|refund within"
        r"|within \d+ (?:business |working )?days|valid until|expires? on|promo(?:tion(?:al)?)? code"
        r"|discount code|coupon|limited[- ]time|effective (?:from|as of)|as of (?:today|now))\b"
    ),
}


def volatility_columns(text: pl.Expr) -> list[pl.Expr]:
    """One boolean column per kind of changing fact (``vol_price``, ...)."""
    return [text.str.contains(p).fill_null(False).alias(f"vol_{k}") for k, p in VOLATILE_PATTERNS.items()]


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
