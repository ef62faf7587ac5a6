"""transcripts/: Northwind Mobile call transcripts as plain text, several timestamp styles."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from pathlib import Path
from typing import Any

import gen_calls as C
import gen_plants as P
from gen_engine import POOL, common_slots, fill
from gen_model import Item

FOLDER = "transcripts"
N_SINGLE = 19  # files with one call each
N_BATCH = 4  # calls in the one file that holds several, separated by ---
STYLES = ("elapsed", "bracket_datetime", "datetime", "plain")


def _call(rng: random.Random, scenario: C.Scenario | None = None) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    sc = scenario or rng.choice(C.CALL_SCENARIOS)
    v = {**common_slots(rng), **C.call_slots(rng)}
    ask_index = rng.randrange(len(sc.asks))
    ask = fill(sc.asks[ask_index], v)
    if rng.random() < 0.5:
        ask += " " + fill(rng.choice(sc.details), v)
    fitting = sc.match[ask_index] if sc.match else range(len(sc.answers))
    followups = sc.followups_for(ask_index)
    vq, va = rng.choice(C.VERIFY)
    turns = [
        ("assistant", fill(rng.choice(C.GREETINGS), v)),
        ("user", ask),
        ("assistant", fill(vq, v)),
        ("user", fill(va, v)),
        ("assistant", f"Thanks, {v['name']}. " + fill(sc.answers[rng.choice(fitting)], v)),
    ]
    if followups and rng.random() < 0.7:
        q, a = followups[0]
        turns += [("user", fill(q, v)), ("assistant", fill(a, v))]
    gq, ga = rng.choice(C.GOODBYES)
    turns += [("user", fill(gq, v)), ("assistant", fill(ga, v))]
    return turns, v


def build(rng: random.Random) -> list[Item]:
    calls = [Item(turns=POOL.draw(lambda: _call(rng)[0])) for _ in range(N_SINGLE + N_BATCH)]
    # plants replace some clean calls (positions fixed below so file names are stable)
    de = [("assistant", "Northwind Mobile, guten Tag, Sie sprechen mit Lena. Wie kann ich Ihnen helfen?"), *P.FOREIGN["de_call"],
          ("user", "Gut, vielen Dank für Ihre Hilfe."), ("assistant", "Sehr gern. Einen schönen Tag noch und auf Wiederhören.")]
    calls[3] = Item(turns=de).plant("language.de", "language.other", note="whole call in German")

    turns, v = _call(rng, C.CALL_SCENARIOS[0])
    turns.insert(4, ("user", f"Also, can you update my contact details? My new mobile is 07700 900123 and my email is {v['name'].lower()}.{str(v['surname']).lower()}@example.co.uk."))
    turns.insert(5, ("assistant", "Of course, I've updated both, and you'll get a text to the new number to confirm the change."))
    calls[6] = Item(turns=turns).plant("pii.phone+email", "pii.phone", "pii.email", note="UK drama-range mobile number and an email")

    turns, v = _call(rng, C.CALL_SCENARIOS[0])
    turns[-2:] = [
        ("user", f"Can I just pay the difference now by card? It's {P.CARD_AMEX}, the expiry is next March."),
        ("assistant", "For your security I'll put you through to our automated payment line so you can key the number in yourself; I can't take card numbers over the phone. Please hold for a moment."),
    ]
    calls[11] = Item(turns=turns).plant("pii.card", "pii.card", note="Amex test number 378282246310005 read out on the call")

    turns, v = _call(rng, C.CALL_SCENARIOS[1])
    turns = turns[:5]
    turns[-1] = ("assistant", P.truncate_mid_sentence(turns[-1][1], rng))
    calls[14] = Item(turns=turns).plant("truncated", "repetition.truncated", note="recording ends mid-clause, on a dangling word, in the agent's answer")

    turns, v = _call(rng, C.CALL_SCENARIOS[3])
    turns[4] = ("assistant", f"Thanks, {v['name']}. You're eligible for an upgrade today. The SIM-only plan with 30GB is £18 a month, and that price is fixed until April 2027; with the new phone it's £39 a month over 24 months with nothing to pay upfront. Offer prices change every month, so I'd recommend deciding this week.")
    calls[17] = Item(turns=turns).plant("volatile", note="plan prices and an offer end date (readiness: volatility)")
    return calls


def _render(turns: list[tuple[str, str]], style: str, rng: random.Random, indent: bool) -> list[str]:
    start = dt.datetime(2026, 3, 1, 8, 30) + dt.timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 480))
    elapsed = 0
    lines: list[str] = []
    for role, text in turns:
        speaker = "Agent" if role == "assistant" else "Customer"
        elapsed += rng.randint(3, 40)
        when = start + dt.timedelta(seconds=elapsed)
        prefix = {
            "elapsed": f"[{elapsed // 3600:02d}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}] ",
            "bracket_datetime": f"[{when:%Y-%m-%d %H:%M:%S}] ",
            "datetime": f"{when:%Y-%m-%d %H:%M:%S} ",
            "plain": "",
        }[style]
        wrapped = textwrap.wrap(text, width=rng.choice([80, 100, 120]))
        lines.append(f"{prefix}{speaker}: {wrapped[0]}")
        lines.extend(("    " if indent else "") + w for w in wrapped[1:])
    return lines


def write(calls: list[Item], folder: Path, rng: random.Random) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    names: list[str] = []
    day = dt.date(2026, 3, 2)
    for i, it in enumerate(calls[:N_SINGLE]):
        style = STYLES[i % len(STYLES)]
        name = f"call_{day + dt.timedelta(days=i):%Y-%m-%d}_{rng.randint(800, 1759):04d}.txt"
        lines = _render(it.turns, style, rng, indent=i % 3 == 0)
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        it.where, it.key = f"{FOLDER}/{name}", {"file": f"{FOLDER}/{name}", "call": 1, "style": style}
        names.append(name)
    batch = "calls_batch_2026-04-06.txt"
    blocks = []
    for k, it in enumerate(calls[N_SINGLE:], start=1):
        blocks.append("\n".join(_render(it.turns, "elapsed", rng, indent=False)))
        it.where, it.key = f"{FOLDER}/{batch}, call {k}", {"file": f"{FOLDER}/{batch}", "call": k, "style": "elapsed"}
    (folder / batch).write_text("\n---\n".join(blocks) + "\n", encoding="utf-8")
    names.append(batch)
    return {"files": len(names), "calls": len(calls), "batch_file": f"{FOLDER}/{batch}"}
