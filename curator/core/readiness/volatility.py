"""Which assistant replies state facts that change: current prices, stock, schedules,
policies and software versions, stated as facts (the readiness check ``volatility``).

Not counted, because a model trained on them does not learn a fact that goes stale:
- a worked calculation or word problem (GSM8K-style: "3 x $3 = $9") — its prices are
  hypothetical;
- a value the user supplied and the assistant repeats (a date or time the user books,
  a budget the user names);
- a sentence that defers to a tool or retrieval call ("The price of gold today is
  search('gold price')"): the fact comes from the tool at run time.

Everything is a Polars expression over the ``assistant_text`` and ``user_text``
columns: no Python loop per record.
"""

from __future__ import annotations

import polars as pl

KINDS: tuple[str, ...] = ("price", "stock", "schedule", "weather", "policy", "version")
LABELS: dict[str, str] = {
    "price": "current prices",
    "stock": "stock levels",
    "schedule": "schedules",
    "weather": "weather forecasts",
    "policy": "policies and terms",
    "version": "software versions",
}

# A sentence holding a tool/retrieval call: name('...'), <tool_call>, [SEARCH ...], Action: X
_SENT = r"(?:[^.!?\n]|[.!?]\S)*"  # the rest of a sentence; "$17,883.87" does not end one
_TOOL_SENTENCE = (
    _SENT + r"(?:\b[A-Za-z_][\w.]*\(\s*['\"][^)\n]*\)|</?tool_call>|</?function_call>"
    r"|\[(?i:search|tool|retrieve|lookup|api)[^\]\n]*\]|\b(?i:action|tool call|calling)\s*:\s*\w+)"
    + _SENT
    + r"[.!?]?"
)
# A worked calculation: an operator before an "= number", <<a*b=c>>, "#### 42", "12 times 3 equals"
_CALCULATION = (
    r"(?m)(?:[-+*/×÷–]| x )[^=\n]{0,80}=\s*[$€£(]?\s*\.?\d|<<[^>\n]*>>|^####"
    r"|(?i:\b\d[\d.,]*\s+(?:plus|minus|times|divided by|multiplied by)\s+\$?\.?\d[^\n]{0,60}\bequals?\b)"
)
# A word problem: one user turn that gives numbers and asks for a quantity
_QUANTITY_QUESTION = (
    r"(?i)\bhow (?:much|many|long|far|old|fast)\b|\bwhat (?:is|was|will be) the (?:average|total|sum|difference|"
    r"percentage|combined)\b"
)
_IP = r"\b\d{1,3}(?:\.\d{1,3}){3}\b"
_AMOUNT = r"(?i)[$€£¥₹]\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|dollars?|euros?|pounds)\b"
# A sentence about the user's own money (an account balance), not a price list
_PERSONAL_MONEY = (
    r"(?i)"
    + _SENT
    + r"\b(?:balance|transfer(?:red|ring|s)?|you owe|your (?:checking|savings|account|card))\b"
    + _SENT
    + r"[.!?]?"
)
_TIME = r"(?i)\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)"
_SCHEDULE = (
    r"(?i)\b(?:opens?|closes?|open (?:from|until|daily)|opening hours|business hours|hours are"
    r"|departs?|departing|departure(?: time)? is|(?-i:leaves?|leaving)|takes? off|arrives?|arriving|arrival(?: time)? is"
    r"|starts?|starting|begins?|showtimes?|screening|runs? (?:from|until))\b[^.\n]{0,40}?\b\d{1,2}(?::\d{2})?\s?"
    r"(?:am|pm|a\.m\.|p\.m\.)"
)
PATTERNS: dict[str, str] = {
    "stock": (
        r"(?i)\b(?:in stock|out of stock|back in stock|sold out|restock(?:ed|ing)?|only \d+ left|units? left"
        r"|back-?order(?:ed)?|pre-?orders? (?:open|start|ship)|currently (?:in stock|unavailable|out of stock))\b"
    ),
    "weather": (
        r"(?i)\bchances? (?:of|for) (?:rain|snow|showers)\b|\b\d+ ?(?:%|percent) (?:chance|possibility|probability)\b"
        r"|\b(?:temperature|day's high|daily high|forecast)[^.\n]{0,50}?\b-?\d+ ?(?:°|degrees)"
        r"|\bhumidity[^.\n]{0,30}?\b\d+ ?(?:%|percent)"
    ),
    "policy": (
        r"(?i)\b(?:our (?:\w+ )?polic(?:y|ies)|terms of (?:service|use)|return window|refund within"
        r"|within \d+ (?:business |working )?days|valid until|expires? on|promo(?:tion(?:al)?)? code"
        r"|discount code|limited[- ]time|effective (?:from|as of)|as of (?:today|now|(?:19|20)\d\d))\b"
    ),
    "version": (
        r"(?i)\bv\d+(?:\.\d+)+\b|\bversion \d+(?:\.\d+)*\b|\b(?:latest|current|newest) (?:version|release) (?:is|of)\b"
        r"|\b(?:release|build|firmware|ios|android|python|node(?:\.js)?|java|macos|ubuntu) \d+(?:\.\d+)+\b"
        r"|\b\d{1,2}\.\d{1,3}\.\d{1,3}\b"
    ),
}


def _norm_values(values: pl.Expr) -> pl.Expr:
    """Extracted values compared loosely: '5 PM' == '5pm', '5:00pm' == '5pm'."""
    return values.list.eval(
        pl.element().str.to_lowercase().str.replace_all(r"[\s.]", "").str.replace(r":00", "")
    )


def _numbers(values: pl.Expr) -> pl.Expr:
    """The numbers in extracted values: '$4,050' -> '4050', '1440 dollars' -> '1440'."""
    return values.list.eval(
        pl.element()
        .str.replace_all(",", "")
        .str.extract(r"(\d+(?:\.\d+)?)", 1)
        .str.strip_suffix(".00")
    )


def _new_times(assistant: pl.Expr, user: pl.Expr) -> pl.Expr:
    """True when the assistant states a time the user did not give."""
    said = _norm_values(assistant.str.extract_all(_TIME))
    given = _norm_values(user.str.extract_all(_TIME))
    return said.list.set_difference(given).list.len().fill_null(0) > 0


def _new_amounts(assistant: pl.Expr, user: pl.Expr) -> pl.Expr:
    """True when the assistant states an amount of money whose number the user never
    wrote ("transfer $1,110" after "send 1,110 bucks" is the user's own figure)."""
    said = _numbers(assistant.str.extract_all(_AMOUNT))
    given = user.str.replace_all(r"(\d),(\d)", "$1$2").str.extract_all(r"\d+(?:\.\d+)?")
    return said.list.set_difference(given).list.len().fill_null(0) > 0


def stated_text(assistant: pl.Expr) -> pl.Expr:
    """The assistant text without tool/retrieval sentences and IP addresses: what it states."""
    return assistant.str.replace_all(_TOOL_SENTENCE, " ").str.replace_all(_IP, " ").fill_null("")


def calculation(assistant: pl.Expr, user: pl.Expr) -> pl.Expr:
    """A worked calculation or word problem: its numbers are hypothetical."""
    word_problem = (
        ~user.str.contains("\n")
        & user.str.contains(_QUANTITY_QUESTION)
        & (user.str.count_matches(r"\d+(?:\.\d+)?") >= 2)
    )
    return (assistant.str.contains(_CALCULATION) | word_problem).fill_null(False)


def volatility_columns(assistant: pl.Expr, user: pl.Expr) -> list[pl.Expr]:
    """``vol_<kind>`` booleans per record plus ``vol_calculation`` (hypothetical, not counted)."""
    return _kinds(assistant, user, stated_text(assistant), calculation(assistant, user))


def with_volatility(df: pl.DataFrame, assistant: str, user: str) -> pl.DataFrame:
    """``df`` plus :func:`volatility_columns`, with the inputs every kind shares
    (stated text, calculation) computed once: Polars does not share a subexpression
    across separate output columns."""
    a, u = pl.col(assistant), pl.col(user)
    shared = df.with_columns(stated_text(a).alias("_stated"), calculation(a, u).alias("_calc"))
    out = shared.with_columns(_kinds(a, u, pl.col("_stated"), pl.col("_calc")))
    return out.drop("_stated", "_calc")


def _kinds(assistant: pl.Expr, user: pl.Expr, stated: pl.Expr, calculation: pl.Expr) -> list[pl.Expr]:
    live = ~calculation
    schedule_said = stated.str.extract_all(_SCHEDULE).list.join(" ")
    cols = {
        "price": _new_amounts(stated.str.replace_all(_PERSONAL_MONEY, " "), user),
        "schedule": _new_times(schedule_said, user),
        **{k: stated.str.contains(p) for k, p in PATTERNS.items()},
    }
    out = [(live & cols[k].fill_null(False)).alias(f"vol_{k}") for k in KINDS]
    return [*out, calculation.alias("vol_calculation")]
