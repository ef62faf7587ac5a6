"""Composes varied, clean support conversations from scenario templates.

A conversation = a customer question (one of several phrasings, plus optional
details) and an answer (opener + one of several bodies + closer), then 0-2
follow-up exchanges. Slots ({name}, {order}, {product}, ...) are filled per
conversation, so the same scenario yields different texts every time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

Turn = tuple[str, str]  # (role, text) with role in system/user/assistant
SAME = ((0,), (1,), (2,))  # Scenario.match when ask i is answered by answer i

FIRST_NAMES = [
    "Maria", "James", "Aisha", "Tom", "Priya", "Lukas", "Chloe", "Daniel", "Mei", "Omar",
    "Sofia", "Ben", "Hannah", "Kwame", "Elena", "Ravi", "Grace", "Mateo", "Yuki", "Fatima",
    "Noah", "Isla", "Samuel", "Leah", "Arjun", "Nina", "Oscar", "Zoe", "Ibrahim", "Clara",
]
AGENT_NAMES = [
    "Dana", "Marcus", "Ines", "Jordan", "Alex", "Rosa", "Kai", "Helen", "Victor", "Sam",
    "Tessa", "Leon", "Bea", "Malik", "Ruth", "Felix",
]
CITIES = [
    "Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Dublin", "Austin", "Denver",
    "Toronto", "Portland", "Melbourne", "Auckland", "Edinburgh", "Sheffield",
]
MONTHS = ["January", "February", "March", "April", "May", "June"]

USER_PREFIXES = [
    "", "", "", "Hi, ", "Hello, ", "Good morning. ", "Hi there, ", "Hey, ", "Quick question: ",
]
USER_SUFFIXES = [
    "", "", "", " Thanks in advance.", " Thank you.", " Any help would be appreciated.",
    " Cheers.", " Thanks for your help.",
]
OPENERS = [
    "Hi {name}, thanks for getting in touch.",
    "Hello {name}, thank you for reaching out.",
    "Thanks for the details, {name}.",
    "Hi {name}, I'm sorry for the trouble.",
    "Thanks for contacting us, {name}, and sorry you ran into this.",
    "Hello {name}, I can help with that.",
    "Hi {name}, I've had a look at this for you.",
    "Thanks for your patience, {name}.",
    "Hi {name}, happy to help.",
    "",
    "",
]
CLOSERS = [
    "Let me know if there is anything else I can do.",
    "Is there anything else I can help you with today?",
    "I hope that helps, and have a lovely day.",
    "Feel free to reply here if you have any other questions.",
    "Thanks again for your patience.",
    "If anything is unclear, just reply to this message.",
    "I will keep this conversation open in case you need anything else.",
    "Have a great rest of your week.",
    "",
    "",
]


# Each agent words things a little differently: every rule fires with probability 1/2,
# so two conversations built from the same answer body still differ at several places.
VARIANTS: list[tuple[str, tuple[str, ...]]] = [
    ("I have ", ("I've ",)), ("You will ", ("You'll ",)), ("you will ", ("you'll ",)),
    ("do not ", ("don't ",)), ("does not ", ("doesn't ",)), ("cannot ", ("can't ",)),
    ("is not ", ("isn't ",)), ("it is ", ("it's ",)), ("That is ", ("That's ",)),
    ("usually ", ("normally ", "typically ", "generally ")), ("straight away", ("right away", "immediately")),
    ("As soon as ", ("Once ",)), ("as soon as ", ("once ",)),
    ("Please ", ("Could you please ", "Kindly ")), ("please ", ("",)), (" email ", (" e-mail ",)),
    ("a few ", ("a couple of ",)), ("quickest", ("fastest",)), ("I am ", ("I'm ",)),
    ("I will ", ("I'll ",)), ("we will ", ("we'll ",)), ("We will ", ("We'll ",)),
    ("If ", ("In case ",)), ("for you", ("on your behalf", "for you now")),
    ("Go to ", ("Head to ", "Open ")), ("choose ", ("select ", "pick ")), ("Choose ", ("Select ", "Pick ")),
    ("so you ", ("which means you ",)), ("at no cost", ("free of charge", "without any charge")),
    ("Thanks ", ("Thank you ",)), ("working days", ("business days",)), ("I can see ", ("I see ",)),
    ("there is no need", ("there's no need", "you don't need")),
    ("apologise", ("apologize",)), (" also ", (" additionally ", " ")),
    ("really ", ("", "very ", "truly ")), ("just ", ("", "simply ")),
]


def vary(text: str, rng: random.Random) -> str:
    """Reword lightly: contractions, synonyms, small connective changes."""
    for old, alternatives in VARIANTS:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, rng.choice(alternatives), 1 if rng.random() < 0.5 else -1)
    return text


@dataclass(frozen=True)
class Scenario:
    key: str
    asks: list[str]
    details: list[str]
    answers: list[str]
    followups: list[Turn] = field(default_factory=list)
    # match[i]: indexes of the answers that fit ask i (None: every answer fits every ask)
    match: tuple[tuple[int, ...], ...] | None = None
    # fu_match[i]: indexes of the follow-ups that fit ask i (None: all of them)
    fu_match: tuple[tuple[int, ...], ...] | None = None

    def followups_for(self, ask_index: int) -> list[Turn]:
        if self.fu_match is None:
            return list(self.followups)
        return [self.followups[i] for i in self.fu_match[ask_index]]


def a_date(rng: random.Random) -> str:
    month = rng.choice(MONTHS)
    day = rng.randint(1, 28)
    return rng.choice([f"{month} {day}", f"{day} {month}", f"the {day}th of {month}"])


def common_slots(rng: random.Random) -> dict[str, object]:
    return {
        "name": rng.choice(FIRST_NAMES),
        "agent": rng.choice(AGENT_NAMES),
        "city": rng.choice(CITIES),
        "date": a_date(rng),
    }


def fill(template: str, values: dict[str, object]) -> str:
    return template.format_map(values)


class DistinctPool:
    """Keeps clean conversations apart: a candidate too close (word 5-gram Jaccard) to
    any accepted one is rejected and regenerated, so dedup never fires on clean data."""

    def __init__(self, max_jaccard: float = 0.5) -> None:
        self.max_jaccard = max_jaccard
        self.accepted: list[frozenset[str]] = []

    def draw(self, make: Callable[[], list[Turn]], tries: int = 400) -> list[Turn]:
        from gen_model import jaccard, shingles

        for _ in range(tries):
            turns = make()
            sh = shingles(turns)
            if all(jaccard(sh, other) < self.max_jaccard for other in self.accepted):
                self.accepted.append(sh)
                return turns
        raise RuntimeError("could not draw a distinct conversation; add template variety")


POOL = DistinctPool()


def compose(
    scenario: Scenario,
    rng: random.Random,
    domain_slots: Callable[[random.Random], dict[str, object]],
    *,
    max_followups: int = 2,
    overrides: dict[str, object] | None = None,
) -> tuple[list[Turn], dict[str, object]]:
    """One clean conversation for ``scenario`` and the slot values used."""
    values = {**common_slots(rng), **domain_slots(rng), **(overrides or {})}
    ask_index = rng.randrange(len(scenario.asks))
    ask = vary(fill(scenario.asks[ask_index], values), rng)
    fitting = scenario.match[ask_index] if scenario.match else range(len(scenario.answers))
    n_details = rng.choice([0, 0, 1, 1, 2])
    details = rng.sample(scenario.details, k=min(n_details, len(scenario.details)))
    prefix = rng.choice(USER_PREFIXES)
    if ask.startswith(("Hi", "Hello", "Hey")):
        prefix = ""
    elif prefix and not ask.startswith(("I ", "I'")):
        ask = ask[0].lower() + ask[1:]
    user = prefix + " ".join([ask, *(fill(d, values) for d in details)]) + rng.choice(USER_SUFFIXES)
    opener = fill(rng.choice(OPENERS), values)
    closer = rng.choice(CLOSERS)
    body = vary(fill(scenario.answers[rng.choice(fitting)], values), rng)
    answer = " ".join(p for p in (opener, body, closer) if p)
    turns: list[Turn] = [("user", user), ("assistant", answer)]
    k = rng.choice([0, 0, 1, 1, 2])
    fitting_followups = scenario.followups_for(ask_index)
    for q, a in rng.sample(fitting_followups, k=min(k, max_followups, len(fitting_followups))):
        turns.append(("user", fill(q, values)))
        turns.append(("assistant", vary(fill(a, values), rng)))
    return turns, values
