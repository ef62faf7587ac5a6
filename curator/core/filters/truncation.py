"""Truncated replies: only strong evidence that a reply was cut off.

Real chat replies often end without a full stop ("Would you like a window
seat", "It'll be $217 total"), so a missing final punctuation mark alone is
never evidence. A reply counts as cut off when it

- leaves a code fence, bracket or quote open;
- ends on a comma, colon, semicolon or dash;
- ends on a word that cannot end an English clause: a conjunction, an article
  or possessive ("and", "the", "your"), "which is", a subject "I", or a
  preposition outside a question ("... with a", "... by the way of");
- ends inside a dependent clause that never gets its main clause
  ("In case you need it before that");
- is followed by a user turn that says it was cut off ("you got cut off",
  or a bare "continue" after an unpunctuated reply);
- stops at the workspace's length cap: several of the longest replies end
  unpunctuated at about the same length (the generator's max_tokens), which
  :func:`length_capped` decides over the whole workspace.

Each rule returns a short reason; the expressions work on per-message rows
with columns ``content``, ``text_len``, ``next_role`` and ``next_content``.
"""

from __future__ import annotations

import polars as pl

# Ends like a finished sentence (or a URL/number/emoticon: not a cut we can prove).
_ENDED = r"[.!?…。！？\"'”’»)\]}*_~`>]$"
_CONJ = r"and|or|but|nor|because|although|though|unless|whereas|than|so that"
_DET = r"the|a|an|your|our|my|their|its|every|whose"
_PREP = r"of|with|from|into|onto|at|for|between|without|through|about|towards|via|like"
_WH = r"(?i)^\W*(?:what|which|where|who|whom|whose|when|how|why)\b"
_SUBORDINATE = (
    r"^\W*(?:If|In case|Once|Unless|Although|Though|Because|Whenever|As soon as|Even if|"
    r"So that|Provided that)\b"
)
_CUT_OFF = (
    r"(?i)\b(?:(?:you|it|that|your (?:answer|reply|message|response))\s+(?:got|was|were|is|are)\s+"
    r"(?:cut off|cut short|truncated|incomplete|unfinished)|you (?:stopped|didn't finish)|"
    r"finish (?:your|the) (?:answer|sentence|reply|response|thought))\b"
)
_CONTINUE = r"(?i)^\W*(?:please\s+)?(?:continue|go on|keep going|more|and\??|carry on)\W*$"
# Length cap: a pile-up of unpunctuated replies near the workspace's longest reply.
CAP_MIN_CHARS = 400
CAP_NEAR = 0.9
CAP_MIN_REPLIES = 5
CAP_MIN_SHARE = 0.8


def _last_sentence(text: pl.Expr) -> pl.Expr:
    return text.str.split("\n").list.last().str.replace(r"^.*[.!?…]\s+", "")


def truncation_evidence(min_chars: int) -> pl.Expr:
    """A reason string when a reply shows strong evidence of being cut off, else null."""
    text = pl.col("content").str.strip_chars_end()
    long = pl.col("text_len") >= min_chars
    ended = text.str.contains(_ENDED)
    prose = text.str.replace_all(r"(?s)```.*?```", " ").str.replace_all(r"`[^`\n]*`", " ")
    last = _last_sentence(text)
    last_word = text.str.extract(r"([\p{L}']+)$", 1)
    open_fence = (text.str.count_matches("```") % 2) == 1
    # an opener after a space (not "f(x", "1(192", ":(") with the rest of its line unclosed
    open_paren = prose.str.contains(r"(?:^|[\s\"'])\([^()\n]{3,}$")
    open_square = prose.str.contains(r"(?:^|[\s\"'])\[[^\[\]\n]{3,}$")
    open_curly_quote = prose.str.contains(r"“[^”\n]{3,}$")
    open_quote = (prose.str.count_matches('"') % 2 == 1) & prose.str.contains(
        r'(?:^|[\s(])"[^"\n]{3,}$'
    )
    # ... but a comma after a finished calculation ("= 64 square meters,") is a stray one
    comma = text.str.contains(r"[,;:]$|\s[-–—]$|[–—]$") & ~last.str.contains("=")
    conj_det = last_word.str.contains(rf"^(?:{_CONJ}|{_DET})$") | text.str.contains(
        r"(?:\bI|\b(?:which|who|that|where) (?:is|are|was|were)|"
        r"\b(?:and|or|but|of|with|for) (?:some|any|these|those|each|his|her|this))$"
    )
    prep = last_word.str.contains(rf"^(?:{_PREP})$") & ~last.str.contains(_WH)
    # "In case you need it before that": short, no comma, no "then"/"so", no numbers
    subordinate = (
        last.str.contains(_SUBORDINATE)
        & ~last.str.contains(r"[,=\d]|\b(?:then|so|means)\b")
        & last.str.count_matches(r"\S+").is_between(4, 10)
    )
    next_user = pl.col("next_role") == "user"
    said_cut = next_user & pl.col("next_content").str.contains(_CUT_OFF)
    bare_continue = next_user & pl.col("next_content").str.contains(_CONTINUE) & ~ended
    quoted_word = pl.format("ends on '{}'", last_word)
    return (
        pl.when(open_fence)
        .then(pl.lit("leaves a code fence open"))
        .when(said_cut | bare_continue)
        .then(pl.lit("the next message says it was cut off"))
        .when(~long)
        .then(None)
        .when(open_paren | open_square)
        .then(pl.lit("leaves a bracket open"))
        .when(open_curly_quote | open_quote)
        .then(pl.lit("leaves a quote open"))
        .when(comma)
        .then(pl.format("ends on '{}'", text.str.slice(-1)))
        .when(~ended & (conj_det | prep))
        .then(pl.when(text.str.ends_with(" I")).then(pl.lit("ends on 'I'")).otherwise(quoted_word))
        .when(~ended & subordinate)
        .then(pl.lit("a clause that never gets its main clause"))
        .otherwise(None)
    )


_LIST_LINE = r"^\s*(?:[-*•#>|]|\d+[.)]\s)"


def unpunctuated(text: pl.Expr) -> pl.Expr:
    """Ends without sentence punctuation, and not on a list item, table row or heading
    (those end without a full stop by nature), for the length-cap rule."""
    t = text.str.strip_chars_end()
    return ~t.str.contains(_ENDED) & ~t.str.split("\n").list.last().str.contains(_LIST_LINE)


def length_capped(lengths: pl.DataFrame) -> pl.Series:
    """Per row of ``lengths`` (columns reply_len, unpunct): True where the reply
    ends unpunctuated at the workspace's length cap.

    A cap shows as a pile-up: at least ``CAP_MIN_REPLIES`` unpunctuated replies
    within 10% of the longest unpunctuated one, and they are most of the replies
    that long (a set of long, finished answers has no such pile-up)."""
    unp = lengths.filter(pl.col("unpunct"))
    if unp.height < CAP_MIN_REPLIES:
        return pl.Series([False] * lengths.height)
    cap = int(unp.get_column("reply_len").max())  # type: ignore[arg-type]
    if cap < CAP_MIN_CHARS:
        return pl.Series([False] * lengths.height)
    near = pl.col("reply_len") >= CAP_NEAR * cap
    n_unp = unp.filter(near).height
    n_all = lengths.filter(near).height
    if n_unp < CAP_MIN_REPLIES or n_unp < CAP_MIN_SHARE * n_all:
        return pl.Series([False] * lengths.height)
    return lengths.select(near & pl.col("unpunct")).to_series()
