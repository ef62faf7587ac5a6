"""PII detectors: a regex for candidates and a validator that rejects look-alikes.

Validators are what keep order numbers (fail Luhn), dates, version strings,
ISBNs and timestamps from firing: a card must pass Luhn and start like a card,
a phone number must be a valid number to Google's libphonenumber (or at least a
possible one right after "my number is ..."), an IBAN must pass python-stdnum's
ISO 13616 check, an SSN follows the SSA's area/group/serial rules, an IP must
be a public address. Reserved documentation values (example.com, 192.0.2.0/24,
555-01xx) and public resolvers (8.8.8.8) are rejected here: they are nobody's.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn

from curator.core.filters.context import (
    PERSONAL,
    command_before,
    cue_before,
    login_not_email,
    public_or_reserved_ip,
    reserved_domain,
    reserved_phone,
)


@dataclass(frozen=True)
class Detector:
    name: str  # flag name, e.g. "pii.email"
    label: str  # what a reviewer reads, e.g. "email address"
    placeholder: str  # redaction tag stem, e.g. "EMAIL"
    pattern: re.Pattern[str]
    validate: Callable[[re.Match[str], str], bool]
    mask: Callable[[str], str]
    # which regex group is the finding: a number, or a function of the match
    group: int | Callable[[re.Match[str]], int] = 0
    needs_ask: bool = False  # only a finding when the message before asked for it
    # a cheap Polars (Rust) regex every text the pattern can match also matches: texts
    # that fail it are never searched with ``pattern``
    gate: str = ""

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        g = self.group if isinstance(self.group, int) else self.group(m)
        return m.span(g)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def luhn_ok(number: str) -> bool:
    return bool(stdnum_luhn.is_valid(number))


def _before(m: re.Match[str], text: str, width: int = 16) -> str:
    return text[max(0, m.start() - width) : m.start()].lower()


# --- email ----------------------------------------------------------------------------
def _email_ok(m: re.Match[str], text: str) -> bool:
    domain = m.group(0).rsplit("@", 1)[1]
    if "." not in domain or domain.startswith(".") or ".." in domain:
        return False
    if reserved_domain(domain) or login_not_email(text, m.start()):
        return False
    return text[m.end() : m.end() + 1] != ":"  # git@github.com:org/repo


def _mask_email(s: str) -> str:
    local, _, domain = s.partition("@")
    return f"{local[:1]}***@{domain}"


# --- phone ----------------------------------------------------------------------------
def _phone_ok(m: re.Match[str], text: str) -> bool:
    """A valid number (libphonenumber), or a possible one right after a personal cue;
    never NANP 555-01xx. Without "+", a trunk 0 reads as UK, otherwise as NANP."""
    s = m.group(0)
    if "isbn" in _before(m, text, 20):
        return False
    region = None if s.startswith("+") else ("GB" if s.startswith("0") else "US")
    try:
        num = phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException:
        return False
    if reserved_phone(str(num.national_number), num.country_code or 0):
        return False
    if phonenumbers.is_valid_number(num):
        return True
    return phonenumbers.is_possible_number(num) and cue_before(text, m.start()) == PERSONAL


def _mask_phone(s: str) -> str:
    return f"…{_digits(s)[-4:]}"


# --- card -----------------------------------------------------------------------------
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2)|35)")


def _card_ok(m: re.Match[str], text: str) -> bool:
    d = _digits(m.group(0))
    if not 13 <= len(d) <= 19 or len(set(d)) == 1:
        return False
    if "isbn" in _before(m, text, 20):
        return False
    return bool(_CARD_PREFIX.match(d)) and luhn_ok(d)


def _mask_card(s: str) -> str:
    return f"card ending {_digits(s)[-4:]}"


# --- IP -------------------------------------------------------------------------------
def _ipv4_ok(m: re.Match[str], text: str) -> bool:
    parts = m.group(0).split(".")
    if any(len(p) > 1 and p.startswith("0") for p in parts):
        return False
    if any(int(p) > 255 for p in parts):
        return False
    before = _before(m, text, 12)
    if re.search(r"(?:version|release|build|\bv)\s*$", before):
        return False
    return not (public_or_reserved_ip(m.group(0)) or command_before(text, m.start()))


def _ipv6_ok(m: re.Match[str], text: str) -> bool:
    s = m.group(0)
    if s.count(":") < 2 or len(re.sub(r"[^0-9a-fA-F]", "", s)) < 4:
        return False
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return not (public_or_reserved_ip(s) or command_before(text, m.start()))


def _mask_ip(s: str) -> str:
    if "." in s:
        a, b, *_ = s.split(".")
        return f"{a}.{b}.*.*"
    return s[:9] + "…"


# --- IBAN -----------------------------------------------------------------------------
def iban_ok(raw: str) -> bool:
    """ISO 13616 mod-97 and the country's BBAN format (python-stdnum)."""
    return bool(stdnum_iban.is_valid(raw))


def _iban_ok(m: re.Match[str], text: str) -> bool:
    return iban_ok(m.group(0))


def _mask_iban(s: str) -> str:
    c = s.replace(" ", "")
    return f"{c[:4]} … {c[-4:]}"


# --- US SSN ---------------------------------------------------------------------------
def ssn_ok(s: str) -> bool:
    area, group, serial = s.split("-")
    if area in ("000", "666") or area.startswith("9"):
        return False
    return group != "00" and serial != "0000"


def _ssn_ok(m: re.Match[str], text: str) -> bool:
    return ssn_ok(m.group(0)) and "isbn" not in _before(m, text, 20)


def _mask_ssn(s: str) -> str:
    return f"***-**-{s[-4:]}"


_NB = r"(?<![\w.+\-/:])"  # not glued to a word, version, path or time
_NA = r"(?![\w\-/:]|\.\d)"

PII_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "pii.card",
        "card number",
        "CARD",
        re.compile(_NB + r"\d(?:[ -]?\d){12,18}" + _NA),
        _card_ok,
        _mask_card,
        gate="[0-9](?:[ -]?[0-9]){12}",
    ),
    Detector(
        "pii.iban",
        "IBAN",
        "IBAN",
        re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
        _iban_ok,
        _mask_iban,
        gate="[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}",
    ),
    Detector(
        "pii.ssn",
        "US social security number",
        "SSN",
        re.compile(_NB + r"\d{3}-\d{2}-\d{4}" + _NA),
        _ssn_ok,
        _mask_ssn,
        gate="[0-9]{3}-[0-9]{2}-[0-9]{4}",
    ),
    Detector(
        "pii.email",
        "email address",
        "EMAIL",
        re.compile(
            r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
        ),
        _email_ok,
        _mask_email,
        gate="@",
    ),
    Detector(
        "pii.ip",
        "IP address",
        "IP",
        re.compile(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)"),
        _ipv4_ok,
        _mask_ip,
        gate="[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}",
    ),
    Detector(
        "pii.ip",
        "IP address",
        "IP",
        re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])"),
        _ipv6_ok,
        _mask_ip,
        gate="[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:",
    ),
    Detector(
        "pii.phone",
        "phone number",
        "PHONE",
        re.compile(
            _NB + r"(?:\+\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}(?:[ .\-]?\d{2,4}){1,4}"
            r"|(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}"
            r"|0\d{2,4}[ \-]\d{3,4}[ \-]?\d{3,4})" + _NA
        ),
        _phone_ok,
        _mask_phone,
        gate="[+][0-9]|[0-9]{3}[ .)\\-]+[0-9]{3}|0[0-9]{2,4}[ \\-][0-9]{3}",
    ),
)
