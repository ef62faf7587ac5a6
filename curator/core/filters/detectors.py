"""PII detectors: a regex for candidates and a validator that rejects look-alikes.

Validators are what keep order numbers (fail Luhn), dates, version strings,
ISBNs and timestamps from firing: a card must pass Luhn and start like a card,
an IPv4 address needs four octets in 0-255 and no "version" before it, an SSN
follows the SSA's area/group/serial rules, an IBAN passes ISO 13616 mod-97.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Detector:
    name: str  # flag name, e.g. "pii.email"
    label: str  # what a reviewer reads, e.g. "email address"
    placeholder: str  # redaction tag stem, e.g. "EMAIL"
    pattern: re.Pattern[str]
    validate: Callable[[re.Match[str], str], bool]
    mask: Callable[[str], str]
    group: int = 0  # which regex group is the finding (password_in_url uses 1)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _before(m: re.Match[str], text: str, width: int = 16) -> str:
    return text[max(0, m.start() - width) : m.start()].lower()


# --- email ----------------------------------------------------------------------------
def _email_ok(m: re.Match[str], text: str) -> bool:
    domain = m.group(0).rsplit("@", 1)[1]
    return "." in domain and not domain.startswith(".") and ".." not in domain


def _mask_email(s: str) -> str:
    local, _, domain = s.partition("@")
    return f"{local[:1]}***@{domain}"


# --- phone ----------------------------------------------------------------------------
def _phone_ok(m: re.Match[str], text: str) -> bool:
    s = m.group(0)
    d = _digits(s)
    if "isbn" in _before(m, text, 20):
        return False
    if s.startswith("+"):
        return 8 <= len(d) <= 15
    if s.startswith("0"):  # national format with a trunk 0 (UK 07700 900123, 020 7946 0958)
        return len(d) in (10, 11)
    return len(d) == 10 or (len(d) == 11 and d.startswith("1"))


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
    return not re.search(r"(?:version|release|build|\bv)\s*$", before)


def _ipv6_ok(m: re.Match[str], text: str) -> bool:
    s = m.group(0)
    if s.count(":") < 2 or len(re.sub(r"[^0-9a-fA-F]", "", s)) < 4:
        return False
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return True


def _mask_ip(s: str) -> str:
    if "." in s:
        a, b, *_ = s.split(".")
        return f"{a}.{b}.*.*"
    return s[:9] + "…"


# --- IBAN -----------------------------------------------------------------------------
def iban_ok(raw: str) -> bool:
    s = raw.replace(" ", "").upper()
    if not 15 <= len(s) <= 34 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97 == 1


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
    ),
    Detector(
        "pii.iban",
        "IBAN",
        "IBAN",
        re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"),
        _iban_ok,
        _mask_iban,
    ),
    Detector(
        "pii.ssn",
        "US social security number",
        "SSN",
        re.compile(_NB + r"\d{3}-\d{2}-\d{4}" + _NA),
        _ssn_ok,
        _mask_ssn,
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
    ),
    Detector(
        "pii.ip",
        "IP address",
        "IP",
        re.compile(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)"),
        _ipv4_ok,
        _mask_ip,
    ),
    Detector(
        "pii.ip",
        "IP address",
        "IP",
        re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])"),
        _ipv6_ok,
        _mask_ip,
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
    ),
)
