"""Whose contact detail is it? Cue words, reserved values and who says it.

A phone number, email or street address is personal data when it is someone's
own ("my number is ...", a user giving their address); a business's published
details read out by an assistant ("you can reach them at ...") are contact
details (``contact.*``): counted apart, never called personal data. Reserved
documentation values (example.com, 192.0.2.0/24, 555-01xx, ...) and well-known
public services (8.8.8.8) are neither and are not reported at all.

``cue_before`` reads the words just before a finding (text only); ``classify``
then decides per finding, vectorised over the findings frame, from the cue,
the speaker's role and whether a user said the same value in that conversation.
"""

from __future__ import annotations

import ipaddress
import re

import polars as pl

from curator.core import records as R

PERSONAL = "personal"
CONTACT = "contact"
ASK = "ask"  # a finding only if the message before asked for it ("your full name?")

# Finding kinds whose owner depends on context (the rest are always personal).
CONTEXTUAL = ("pii.phone", "pii.email", "pii.address", "pii.postcode")
# Of those, what a user says without a cue is taken as their own: a phone or email
# (people give their own); an address or postcode is more often a place they ask
# about or go to ("a cab to 100 Van Ness Avenue"), unless they were asked for theirs.
USER_OWN_BY_DEFAULT = ("pii.phone", "pii.email")

_THING = r"(?:phone|number|no\.?|mobile|cell|telephone|tel|line|e-?mail|address|contact|details|postcode|post code|postal code|zip|zip code|ip)"
_PERSONAL_CUE = re.compile(
    r"(?i)\b(?:my|our home|your)\s+(?:[\w\-]+\s+){0,3}?" + _THING + r"\b"
    r"|\b(?:reach|call|text|e-?mail|contact|ring|message|find)\s+me\b|\bme\s+(?:on|at)\b"
    r"|\bI\s+live\b|\bI(?:'m| am)\s+(?:at|on)\b|\b(?:we'll|we will|I'll|I will)\s+(?:call|text|e-?mail|ring)\s+you\b"
    r"|\b(?:call|text|reach|e-?mail|ring)\s+you\s+(?:on|at|back)\b|\blive[sd]?\s+at\b"
    r"|\b(?:deliver|ship|send|post|mail)\w*\s+(?:\w+\s+){0,3}?to\b"
    r"|\b(?:billing|shipping|delivery|home|postal|new|current|old|registered)\s+address\b|\bmoved\s+to\b"
)
# A message asking for the reader's own details: the reply's values are theirs.
ASKS_PERSONAL = (
    r"(?i)\byour\s+(?:[\w\-]+\s+){0,3}?(?:address|postcode|post code|zip|phone|number|mobile"
    r"|e-?mail|name|date of birth|birthday|contact details)\b|\bpostcode on the account\b"
)
# ... and one asking for the reader's name: a reply that is only a name is theirs.
ASKS_NAME = (
    r"(?i)\byour\s+(?:full\s+|first\s+|last\s+|sur)?name\b(?:\s+(?:and|please|for|on)\b|\s*[?,.]|\s*$)"
    r"|\bwho am i (?:speaking|talking) (?:to|with)\b|\bname (?:on|for) the (?:account|booking|reservation|card)\b"
)
_CONTACT_CUE = re.compile(
    r"(?i)\b(?:their|his|her|its|the\s+\w+'s)\s+(?:[\w\-]+\s+){0,2}?" + _THING + r"\b"
    r"|\b(?:reach|call|contact|ring|e-?mail|find|visit|try)\s+(?:them|him|her|us|it)\b"
    r"|\b(?:reach|contact)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:office|store|shop|team|desk|support|clinic|salon|restaurant|venue|hotel|branch)\b"
    r"|\bthe\s+(?:phone|contact|telephone|tel)\s*(?:number|no\.?|line)?\s+(?:is|for)\b"
    r"|\b(?:located|situated|based|found)\s+(?:at|on|in)\b|\b(?:is|are)\s+(?:at|on)\s*$"
    r"|\b(?:our|the)\s+(?:office|store|shop|support|helpline|hotline|branch|restaurant|clinic|salon|front desk|reception)\b"
    r"|\bus\s+(?:on|at)\b|\b(?:go|going|heading|headed|travel\w*|ride|cab|taxi|drive|get)\s+(?:\w+\s+){0,2}?to\b"
    r"|\b(?:address|phone number|number)\s+(?:of|for)\s+(?:the|this|that)\b"
)
_WINDOW = 80

# Reserved for documentation (RFC 2606/6761) and well-known public services.
_RESERVED_DOMAIN = re.compile(
    r"(?i)(?:^|\.)(?:example\.(?:com|net|org)|localhost)$|\.(?:example|test|invalid|localhost|local)$"
)
_PUBLIC_IPS_TEXT = """
    8.8.8.8 8.8.4.4 1.1.1.1 1.0.0.1 9.9.9.9 149.112.112.112 208.67.222.222 208.67.220.220
    4.2.2.1 4.2.2.2 64.6.64.6 64.6.65.6 94.140.14.14 94.140.15.15 76.76.2.0 76.76.10.0
    2001:4860:4860::8888 2001:4860:4860::8844 2606:4700:4700::1111 2606:4700:4700::1001
    2620:fe::fe 2620:fe::9
"""
PUBLIC_IPS = frozenset(_PUBLIC_IPS_TEXT.split())
_COMMAND_BEFORE = re.compile(
    r"(?i)\b(?:ping|ssh|scp|sftp|rsync|telnet|traceroute|tracert|mtr|nslookup|dig|curl|wget|nc|"
    r"netcat|nmap|host|connect(?:ing)?\s+to|server|resolver|dns|gateway|router|proxy|vpn|endpoint)\b"
    r"(?:\s+-\S+(?:\s+\d+)?)*\s*(?:at|is|on|to|=|:)?\s*[\"'(]?$"
)


def cue_before(text: str, start: int) -> str:
    """PERSONAL, CONTACT or "" from the nearest cue in the words before ``start``."""
    window = text[max(0, start - _WINDOW) : start]
    # the cue's sentence, or a question just before ("Their number? Is it ...")
    cut = max(window.rfind(". "), window.rfind("! "), window.rfind("\n"))
    if cut >= 0:
        window = window[cut + 1 :]
    best, kind = -1, ""
    for pattern, k in ((_PERSONAL_CUE, PERSONAL), (_CONTACT_CUE, CONTACT)):
        for m in pattern.finditer(window):
            if m.end() > best:
                best, kind = m.end(), k
    return kind


def reserved_domain(domain: str) -> bool:
    """example.com/.net/.org (and subdomains), .example/.test/.invalid/.localhost."""
    return bool(_RESERVED_DOMAIN.search(domain.rstrip(".")))


def login_not_email(text: str, start: int) -> bool:
    """``ssh user@host``, ``git@github.com:org/repo``: a login, not an email address."""
    before = text[max(0, start - 12) : start].lower()
    return bool(re.search(r"(?:ssh|scp|sftp|rsync|mosh|telnet|-l)\s+(?:-\S+\s+)*$", before))


def public_or_reserved_ip(value: str) -> bool:
    """Documentation, private, loopback, link-local, multicast ranges and public resolvers."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return True
    return value in PUBLIC_IPS or not ip.is_global or ip.is_multicast


def command_before(text: str, start: int) -> bool:
    """An IP after ``ping``/``ssh``/``dig``/"server": an infrastructure address."""
    return bool(_COMMAND_BEFORE.search(text[max(0, start - 40) : start]))


def reserved_phone(national_digits: str, country_code: int) -> bool:
    """NANP 555-0100..555-0199 (fiction and documentation) and the unused area code 555."""
    d = national_digits
    return country_code == 1 and len(d) == 10 and (d[3:8] == "55501" or d[:3] == "555")


def _value_key() -> pl.Expr:
    """Phones compare by their digits, everything else case-insensitively."""
    text = pl.col("text").str.to_lowercase()
    digits = pl.col("text").str.replace_all(r"\D", "").str.slice(-10)
    return pl.when(pl.col("name") == "pii.phone").then(digits).otherwise(text)


def _after(f: pl.DataFrame, asking: pl.DataFrame | None, col: str) -> pl.DataFrame:
    """Mark (as ``col``) findings in the message right after one of ``asking`` (id, turn)."""
    if asking is None or asking.height == 0 or "turn" not in f.columns:
        return f.with_columns(pl.lit(None, pl.Boolean).alias(col))
    marks = asking.select(
        R.ID, (pl.col("turn") + 1).cast(pl.Int32).alias("turn"), pl.lit(True).alias(col)
    ).unique()
    return f.join(marks, on=[R.ID, "turn"], how="left", maintain_order="left")


def classify(
    found: pl.DataFrame, asked: pl.DataFrame | None = None, asked_name: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Rename contextual pii.* findings to contact.* where they are not someone's own.

    ``found`` has id, turn, role, name, text, cue; ``asked`` (id, turn) lists messages
    that ask for the reader's own details, ``asked_name`` those asking for their name (a
    finding with cue ASK, a reply that is only a name, is kept only right after one). A contextual finding is personal when a
    personal cue precedes it; when a user gives a phone or email without a contact cue,
    or any detail right after being asked for theirs; or when a user said the same
    value elsewhere in the conversation. Otherwise (an assistant, tool or system giving
    it, a contact cue, a place a user goes to) it is a contact detail."""
    if found.height == 0:
        return found
    f = found.with_columns(_value_key().alias("_key"))
    f = _after(f, asked, "_asked")
    f = _after(f, asked_name, "_asked_name")
    is_user = pl.col("role") == "user"
    no_contact_cue = pl.col("cue") != CONTACT
    user_own = (
        is_user
        & no_contact_cue
        & (pl.col("name").is_in(USER_OWN_BY_DEFAULT) | pl.col("_asked").fill_null(False))
    )
    user_said = (
        f.filter(user_own | (is_user & (pl.col("cue") == PERSONAL)))
        .select(R.ID, "_key")
        .unique()
        .with_columns(pl.lit(True).alias("_echo"))
    )
    f = f.join(user_said, on=[R.ID, "_key"], how="left", maintain_order="left")
    f = f.filter((pl.col("cue") != ASK) | pl.col("_asked_name").fill_null(False))
    personal = (
        (pl.col("cue") == PERSONAL) | user_own | (pl.col("_echo").fill_null(False) & no_contact_cue)
    )
    contextual = pl.col("name").is_in(CONTEXTUAL)
    renamed = pl.when(contextual & ~personal).then(
        pl.col("name").str.replace(r"^pii\.", "contact.")
    )
    return f.with_columns(renamed.otherwise(pl.col("name")).alias("name")).drop(
        "_key", "_asked", "_echo"
    )
