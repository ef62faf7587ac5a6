"""National identity and health numbers, named by the words before them.

A bare 9- to 12-digit number could be anything (an order, a booking), so a number
is an ID only right after the ID's name ("my NHS number is ...", "DNI: ...") and
only when it passes that ID's own check digits, using python-stdnum's validators
(the US SSN has its own detector in ``detectors.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import luhn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.gb import nhs
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from curator.core.filters.detectors import Detector

_NINO = re.compile(r"(?i)^(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$")


def _nino_ok(value: str) -> bool:
    return bool(_NINO.match(value.replace(" ", "")))


def _sin_ok(value: str) -> bool:
    return bool(sin.is_valid(value)) and luhn.is_valid(re.sub(r"\D", "", value))


# cue word (lower case, as matched) -> validator of the value after it
VALIDATORS: dict[str, Callable[[str], bool]] = {
    "nhs": nhs.is_valid,
    "bsn": bsn.is_valid,
    "dni": lambda v: bool(dni.is_valid(v) or nie.is_valid(v)),
    "nie": nie.is_valid,
    "cpf": cpf.is_valid,
    "sin": _sin_ok,
    "social insurance": _sin_ok,
    "aadhaar": aadhaar.is_valid,
    "codice fiscale": codicefiscale.is_valid,
    "steuer": idnr.is_valid,
    "tax id": idnr.is_valid,
    "national insurance": _nino_ok,
    "nino": _nino_ok,
}
_CUE = (
    r"(?i:\b(NHS|BSN|DNI|NIE|CPF|SIN|social insurance|Aadhaar|codice fiscale|Steuer|tax id"
    r"|national insurance|NINO)(?:[- ]?(?:number|no\.?|nr\.?|id|identifikationsnummer|card))?)(?!\w)"
)
PATTERN = re.compile(
    _CUE + r"[^\w\n]{0,4}(?:is\s+|was\s+|:\s*)?([A-Z0-9](?:[A-Z0-9]|[ .\-/](?=[A-Z0-9])){5,19})\b"
)


def _id_ok(m: re.Match[str], text: str) -> bool:
    cue = m.group(1).lower()
    check = VALIDATORS.get(cue)
    try:
        return check is not None and bool(check(m.group(2)))
    except Exception:  # a validator's own parse error: not that ID
        return False


def _mask_id(s: str) -> str:
    return "…" + re.sub(r"[ .\-/]", "", s)[-3:]


NATIONAL_ID_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "pii.national_id",
        "national ID number",
        "NATIONAL_ID",
        PATTERN,
        _id_ok,
        _mask_id,
        group=2,
        gate="(?i:(?-u:\\b)(?:nhs|bsn|dni|nie|cpf|sin|nino)(?-u:\\b)|social insurance|aadhaar"
        "|codice fiscale|steuer|tax id|national insurance)",
    ),
)
