"""Person names in context, street addresses, postcodes and dates of birth.

Names are found only where the words around them say a person is named: a
greeting ("Hi Maria,"), a sign-off on its own line ("Thanks,\\nTom"), a reply
addressed to someone ("You're welcome, Maria."), "my name is ...", "this is
Ana from ...". A capitalised word after such a cue must not be a common word
("Hi there", "Dear Sir", "Thanks, Team"). Street addresses need a house number
and a street suffix; UK and Canadian postcodes their official shapes, a US ZIP a
state or "zip" before it; a date of birth a "born"/"date of birth" cue and a
real past date.
"""

from __future__ import annotations

import datetime as dt
import re

from curator.core.filters.detectors import Detector

_NAME = r"[A-Z][a-z]+(?:['\-][A-Z]?[a-z]+)?"
_FULL = _NAME + r"(?: (?:[A-Z]\. )?" + _NAME + r")?"
_NOT_NAMES_TEXT = """
    there all everyone everybody team guys folks friend friends sir madam mam maam customer
    customers support again both you yourself there's thanks thank hello hi hey dear welcome
    morning afternoon evening night day today tonight tomorrow yes no ok okay sure great
    good fine please sorry perfect awesome cool nice wonderful excellent brilliant lovely
    alright monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december god user assistant agent
    admin manager the a an and or but so we i it this that here how what when where why who
    which bot human person people mr mrs ms dr miss sales billing service services help desk
    world members colleagues just also very much mobile home bank care inc ltd llc co
    company shop store airlines airline hotel restaurant app online group office clinic
    salon studio cafe bar grill pizza apartments yup yep yeah nope nah yes sure indeed
    correct right exactly absolutely definitely certainly thanks cheers
"""
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_VOCATIVE_BEFORE = (
    r"(?:[Tt]hanks|[Tt]hank you|[Ww]elcome|[Pp]leasure|[Ss]orry|[Gg]oodbye|[Bb]ye|[Cc]heers"
    r"|[Nn]o problem|[Oo]f course|[Cc]ertainly|[Aa]bsolutely|[Gg]reat|[Pp]erfect|[Aa]ll set)"
)
_CUE_NAME = "(" + _FULL + ")"
# Each cue is its own pattern with a cheap Polars gate, so a text is only searched for
# the cues it could hold.
_MY_NAME = re.compile(
    r"(?:\b(?:[Mm]y|[Hh]is|[Hh]er|[Tt]heir) (?:full |first |last )?name(?:'s| is)|\b[Nn]ame'?s"
    r"|\bI(?:'m| am) called|\b[Cc]all me)"
    r"[:,]? " + _CUE_NAME + r"\b"
)
_THIS_IS = re.compile(
    # this is Ana from / speaking, you're speaking with Ana, Ana speaking
    r"\b[Tt]his is " + _CUE_NAME + r"(?: (?:from|at|with|of|here|speaking)\b|[,.!](?!\w))"
    r"|\b(?:[Ss]peaking|[Cc]hatting) (?:with|to) " + _CUE_NAME + r"(?=[,.!?]|\s+(?:from|at|here)\b)"
    r"|(?:^|[,.]\s)" + _CUE_NAME + r" (?:speaking|here)\b(?!\s+(?:is|are|was))"
)
_GREETING = re.compile(
    r"(?:^|\n)[ \t]*(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Gg]ood (?:morning|afternoon|evening))"
    r",? " + _CUE_NAME + r"(?=\s*[,!.:;\n]|\s*$)"
)
_SIGN_OFF = re.compile(
    # a closing line, then the name alone on the next line
    r"(?:[Tt]hanks|[Tt]hank you|[Rr]egards|[Bb]est|[Cc]heers|[Ss]incerely|[Bb]est wishes|[Ww]arm(?:ly)?"
    r"|[Mm]any thanks|[Kk]ind regards|[Bb]est regards|[Aa]ll the best)[,.!]?[ \t]*\n+[ \t]*(?:[-–—][ \t]*)?"
    + _CUE_NAME
    + r"[ \t]*(?:\n|$)"
)
_VOCATIVE = re.compile(
    # addressed by name after a courtesy word: "You're very welcome, Maria.",
    # "Thanks for the details, Maria."
    r"\b" + _VOCATIVE_BEFORE + r"\b[^.!?\n]{0,40}?, (" + _NAME + r")(?=[.!?]|,\s)"
)
# A reply that is just a name ("Sure, it's Maria Patel, and ..."): a name only when the
# message before asked for it (``context.classify`` checks that).
_NAME_REPLY = re.compile(
    r"^\s*(?:(?:[Ss]ure|[Yy]es|[Yy]eah|[Yy]ep|OK|[Oo]kay|[Oo]f course)[,.!]?\s+)?"
    r"(?:[Ii]t's |[Ii]t is |I'm |I am |[Tt]hat's |[Tt]his is |[Mm]y name is )?"
    r"(" + _NAME + r"(?: " + _NAME + r")?)(?=[,.!]|\s+and\b|\s*$)"
)


def _name_ok(m: re.Match[str], text: str) -> bool:
    value = next(g for g in m.groups() if g)
    words = value.lower().split()
    return all(w.rstrip(".") not in NOT_NAMES for w in words) and len(value) >= 2


def _name_span(m: re.Match[str]) -> int:
    return next(i for i, g in enumerate(m.groups(), 1) if g)


def _mask_name(s: str) -> str:
    return " ".join(w[:1] + "***" for w in s.split())


# --- street address ---------------------------------------------------------------------
_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl"
    r"|Parkway|Pkwy|Highway|Hwy|Terrace|Ter|Circle|Cir|Square|Sq|Plaza|Crescent|Close|Grove"
    r"|Gardens|Mews|Row|Walk|Common|Alley|Trail|Loop|Expressway)"
)
_ADDRESS = re.compile(
    r"(?<![\w$£€.,/:\-])\d{1,6}[A-Za-z]?(?:-\d{1,4})? "
    r"(?:(?:[NSEW]\.?|North|South|East|West) )?"
    r"(?:(?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th)|[A-Z]{2,}) ){1,4}"
    + _SUFFIX
    + r"\b(?: (?:North|South|East|West|[NSEW])\b)?"
    r"(?:,? ?(?:#|Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat) ?\w{1,6})?"
)


def _address_ok(m: re.Match[str], text: str) -> bool:
    number = m.group(0).split(" ", 1)[0]
    return not number.startswith("0")


def _mask_address(s: str) -> str:
    words = s.split()
    return "… " + " ".join(words[-1:]) if len(words) > 1 else "…"


# --- postcode ---------------------------------------------------------------------------
_STATES = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI"
    r"|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|California|Texas|New York|Florida|Washington|Oregon)"
)
_POSTCODE = re.compile(
    # UK (incl. GIR 0AA) and Canada: their official shapes, upper case
    r"\b((?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}|GIR ?0AA))\b"
    r"|\b([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d)\b"
    # US ZIP after a state, or any 4-6 digit code after "zip/postcode/postal code"
    r"|(?<=[ ,])" + _STATES + r",? (\d{5}(?:-\d{4})?)\b"
    r"|(?i:\b(?:zip|zip code|zipcode|post ?code|postal code|PLZ|code postal|CAP))\b[^\w\n]{0,4}"
    r"(?:is |was |of )?([A-Z]{0,2}\d{4,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\b"
)


def _postcode_ok(m: re.Match[str], text: str) -> bool:
    value = next(g for g in m.groups() if g)
    if m.group(1) and " " not in value:
        # "SW1A1AA" glued is rare in prose; glued product codes ("B12AB") are not
        return bool(re.search(r"(?i)post ?code|postal", text[max(0, m.start() - 30) : m.start()]))
    return True


def _postcode_span(m: re.Match[str]) -> int:
    return next(i for i, g in enumerate(m.groups(), 1) if g)


def _mask_postcode(s: str) -> str:
    return s[:2] + "…"


# --- date of birth ----------------------------------------------------------------------
_MONTHS = "january february march april may june july august september october november december"
_MONTH = {m: i for i, m in enumerate(_MONTHS.split(), 1)} | {
    m[:3]: i for i, m in enumerate(_MONTHS.split(), 1)
}
_MON = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MON + r",? \d{4}"
    r"|" + _MON + r" \d{1,2}(?:st|nd|rd|th)?,? \d{4})"
)
_DOB = re.compile(
    r"(?i:\b(?:date of birth|birth ?date|d\.?o\.?b\.?|born(?: on)?|birthday)\b)"
    r"(?:\s*(?:is|was|:|-|,|on|as))*\s*(?:the\s+)?" + _DATE
)


def parse_date(s: str) -> dt.date | None:
    """A date from the shapes _DATE accepts (day-first for numeric dates), or None."""
    s = s.strip().rstrip(".")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return dt.date.fromisoformat(s)
        if re.fullmatch(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}", s):
            a, b, y = (int(x) for x in re.split(r"[/.\-]", s))
            y = y + (1900 if y >= 30 else 2000) if y < 100 else y
            day, month = (a, b) if a > 12 else ((b, a) if b > 12 else (a, b))
            return dt.date(y, month, day)
        words = re.findall(r"[A-Za-z]+|\d+", s)
        nums = [int(w) for w in words if w.isdigit()]
        month = next(_MONTH[w.lower()[:3]] for w in words if w.lower()[:3] in _MONTH)
        day, year = (nums[0], nums[1]) if len(nums) == 2 else (0, 0)
        return dt.date(year, month, day)
    except (ValueError, StopIteration, IndexError):
        return None


def _dob_ok(m: re.Match[str], text: str) -> bool:
    d = parse_date(m.group(1))
    return d is not None and d.year >= 1900 and d < dt.date.today()


def _mask_dob(s: str) -> str:
    return "…" + re.sub(r"\d", "•", s[-4:])


_SUFFIX_GATE = "(?-u:\\b)(?:" + _SUFFIX[3:-1] + ")(?-u:\\b)"
_COURTESY_GATE = (
    "(?i:thanks|thank you|welcome|pleasure|sorry|bye|cheers|problem|course|certainly"
    "|absolutely|great|perfect|all set)[^.!?\n]{0,40}, (?:[A-HJ-Z]|I[a-z])"
)


def _name(pattern: re.Pattern[str], gate: str, **kw: object) -> Detector:
    return Detector(
        "pii.name", "person name", "NAME", pattern, _name_ok, _mask_name, group=_name_span,
        gate=gate, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


PERSONAL_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "pii.dob",
        "date of birth",
        "DOB",
        _DOB,
        _dob_ok,
        _mask_dob,
        group=1,
        gate="(?i:birth|born|d[.]?o[.]?b)",
    ),
    Detector(
        "pii.address",
        "street address",
        "ADDRESS",
        _ADDRESS,
        _address_ok,
        _mask_address,
        gate="[0-9][A-Za-z]? [A-Za-z0-9].*" + _SUFFIX_GATE,
    ),
    Detector(
        "pii.postcode",
        "postcode",
        "POSTCODE",
        _POSTCODE,
        _postcode_ok,
        _mask_postcode,
        group=_postcode_span,
        gate="[A-Z][0-9][A-Z0-9]? ?[0-9][A-Z]|[A-Z][0-9][A-Z] ?[0-9]|[A-Z][A-Za-z]+,? [0-9]{5}"
        "|(?i:zip|post ?code|postal|plz)|CAP|[Cc]ap[^a-z]",
    ),
    _name(_MY_NAME, "[Nn]ame|[Cc]all me|I(?:'m| am) called"),
    _name(_THIS_IS, "[Tt]his is [A-Z]|(?i:speaking|chatting)|[A-Z][a-z]+ here"),
    _name(
        _GREETING,
        "(?:[Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Gg]ood morning|[Gg]ood afternoon|[Gg]ood evening),? [A-Z]",
    ),
    _name(
        _SIGN_OFF, "(?i:thanks|thank you|regards|best|cheers|sincerely|wishes|warm)[,.!]?[ \t]*\n"
    ),
    _name(_VOCATIVE, _COURTESY_GATE),
    _name(_NAME_REPLY, "^[ \t\n]*(?:[A-Za-z']+[,.!]?[ \t]+){0,4}[A-Z][a-z]+", needs_ask=True),
)
