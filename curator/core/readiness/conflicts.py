"""Conflicting answers: the same user prompt answered differently *in substance*.

Two answers to one normalised prompt disagree when they state different numbers, a
different yes/no, or names and days with nothing in common ("today" / "last week"). Reworded answers that agree ("No,
I'm a language model trained by X" / "No, I am trained by X") share their numbers,
polarity and names and are not conflicts. Each answer is compared with the group's
first answer that has the feature (Polars window expressions, no loop per record).
"""

from __future__ import annotations

import polars as pl

from curator.core import records as R

_YES = ("yes", "yeah", "yep", "correct", "sure", "indeed", "right")
_NO = ("no", "nope", "not", "incorrect", "never")
# A capitalised word that does not start a sentence: a name, place, product...
_NAME = r"[^.!?\n\s]\s+[A-Z][A-Za-z0-9'’-]+"
_WHEN = (
    r"(?i)\b(?:today|tomorrow|yesterday|tonight|(?:last|next|this) (?:week|month|year)"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_PRONOUNS = ["i", "i'm", "i’m", "i'll", "i've", "i'd"]
REASONS = ("numbers", "names", "yes_no")


def normalised(text: pl.Expr) -> pl.Expr:
    """Case, whitespace and punctuation folded (the prompt key and the answer compared)."""
    return text.str.to_lowercase().str.replace_all(r"[\s\p{P}]+", " ").str.strip_chars()



def _keyed(text: pl.DataFrame) -> pl.DataFrame:
    """``text`` with ``_p`` (normalised user text) and ``_an`` (normalised assistant
    text), reusing them when the caller computed them already (``inputs.text_rows``)."""
    missing = [e for c, e in (("_p", normalised(pl.col("user_text")).alias("_p")),
                              ("_an", normalised(pl.col("assistant_text")).alias("_an"))) if c not in text.columns]
    return text.with_columns(missing) if missing else text


def features(prompt: pl.Expr, answer: pl.Expr) -> list[pl.Expr]:
    """Per record: the prompt key, the answer's hash and its substance features."""
    first = answer.str.to_lowercase().str.extract(r"^\W*([a-z]+)", 1)
    numbers = (
        answer.str.replace_all(r"(\d),(\d{3})", "$1$2")
        .str.extract_all(r"\d+(?:\.\d+)?")
        .list.eval(pl.element().str.replace(r"\.0+$", ""))
        .list.unique()
        .list.sort()
    )
    names = (
        answer.str.extract_all(_NAME)
        .list.eval(pl.element().str.extract(r"([A-Za-z0-9'’-]+)$", 1).str.to_lowercase())
        .list.concat(answer.str.to_lowercase().str.extract_all(_WHEN))
        .list.eval(pl.element().filter(~pl.element().is_in(_PRONOUNS)))
        .list.unique()
    )
    return [
        normalised(prompt).alias("_p"),
        normalised(answer).hash(seed=3).alias("_a"),
        numbers.list.join(" ").alias("_nums"),
        pl.when(first.is_in(_YES))
        .then(pl.lit("yes"))
        .when(first.is_in(_NO))
        .then(pl.lit("no"))
        .alias("_pol"),
        names.alias("_names"),
    ]


def conflicts(text: pl.DataFrame) -> pl.DataFrame:
    """Records (id, ``_p``, reason columns) in prompt groups whose answers disagree."""
    if text.height == 0:
        return pl.DataFrame(
            schema={R.ID: pl.String, "_p": pl.String, **dict.fromkeys(REASONS, pl.Boolean)}
        )
    keyed = _keyed(text).select(
        R.ID,
        "assistant_text",
        "_p",
        pl.col("_an").hash(seed=3).alias("_a"),
    ).filter(pl.col("_p").str.len_chars() > 0)
    keyed = keyed.filter(pl.col("_a").n_unique().over("_p") > 1)  # substance only where answers differ
    df = keyed.select(R.ID, "_p", "_a", *features(pl.col("_p"), pl.col("assistant_text"))[2:])
    has_nums = pl.col("_nums").str.len_chars() > 0
    has_names = pl.col("_names").list.len() > 0
    ref_nums = pl.col("_nums").filter(has_nums).first().over("_p")
    ref_pol = pl.col("_pol").drop_nulls().first().over("_p")
    ref_names = pl.col("_names").filter(has_names).first().over("_p")
    df = df.with_columns(
        (has_nums & (pl.col("_nums") != ref_nums)).fill_null(False).alias("numbers"),
        (pl.col("_pol").is_not_null() & (pl.col("_pol") != ref_pol))
        .fill_null(False)
        .alias("yes_no"),
        (
            has_names
            & (ref_names.list.len() > 0)
            & (pl.col("_names").list.set_intersection(ref_names).list.len() == 0)
        )
        .fill_null(False)
        .alias("names"),
    )
    disagree = pl.any_horizontal(list(REASONS))
    return df.filter(disagree.any().over("_p")).select(R.ID, "_p", *REASONS)


def paraphrase_prompts(text: pl.DataFrame, conflicting: pl.DataFrame) -> int:
    """Prompts with reworded answers that agree in substance (shown, not counted)."""
    if text.height == 0:
        return 0
    keyed = _keyed(text).select("_p", pl.col("_an").alias("_a"))
    multi = (
        keyed.filter(pl.col("_p").str.len_chars() > 0)
        .group_by("_p")
        .agg(pl.col("_a").n_unique().alias("n"))
    )
    multi = multi.filter(pl.col("n") > 1)
    return multi.height - conflicting.get_column("_p").n_unique()
