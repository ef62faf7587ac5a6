"""Everyday personal data in the sample records, and the flags it should raise.

Support conversations name people: a greeting ("Hi Maria,"), a sign-off
("Best regards,\nDana"), an agent introducing themselves on a call, a caller
confirming their name, postcode, first line of address and date of birth. These
are not planted problems but they are personal data, so `curator run` flags them
(`pii.name`, `pii.postcode`, `pii.address`, `pii.dob`, severity warn). This module
finds them from the generator's own vocabularies (the names and streets it fills
in), independently of Curator's detectors, and lists what each record should get.
"""

from __future__ import annotations

import re

import gen_calls
import gen_helpdesk
from gen_engine import AGENT_NAMES, FIRST_NAMES

NAMES = sorted(
    set(FIRST_NAMES) | set(AGENT_NAMES) | set(gen_calls.SURNAMES) | set(gen_helpdesk.SURNAMES)
)
_NAME = re.compile(r"\b(?:" + "|".join(NAMES) + r")\b")
_POSTCODE = re.compile(r"the postcode is [A-Z]{1,2}\d{1,2} \d[A-Z]{2}\b")
_ADDRESS = re.compile(r"\bit's \d{1,3} (?:" + "|".join(gen_calls.STREETS) + r")\b")
_DOB = re.compile(r"\bmy date of birth is the \d{1,2}th of [A-Z][a-z]+, \d{4}\b")

NOTES = {
    "pii.name": "a customer's or agent's name (greeting, sign-off, introduction)",
    "pii.postcode": "the caller's postcode, given when asked for it",
    "pii.address": "the first line of the caller's address, given when asked for it",
    "pii.dob": "the caller's date of birth",
}


def expected(turns: list[tuple[str, str]]) -> list[str]:
    """Personal-data flags the record's message texts should raise, sorted."""
    text = "\n".join(t for _, t in turns)
    user = "\n".join(t for r, t in turns if r == "user")
    out = set()
    if _NAME.search(text):
        out.add("pii.name")
    if _POSTCODE.search(user):
        out.add("pii.postcode")
    if _ADDRESS.search(user):
        out.add("pii.address")
    if _DOB.search(user):
        out.add("pii.dob")
    return sorted(out)
