"""sharegpt.json (Pennywise banking-app chats) and alpaca.json (support-writing tasks)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import gen_bank_more
import gen_calls as C
import gen_plants as P
import gen_retail
import gen_saas
from gen_engine import POOL, compose
from gen_model import Item, place_after_originals

SHAREGPT = "sharegpt.json"
ALPACA = "alpaca.json"
N_SHAREGPT_CLEAN = 88
N_ALPACA_CLEAN = 90
BANK_SYSTEM = "You are Pennywise's in-app support assistant. Never ask for full card numbers or passcodes."
FROM = {"system": "system", "user": "human", "assistant": "gpt"}


BANK_SCENARIOS = C.BANK_SCENARIOS + gen_bank_more.SCENARIOS


def _bank(rng: random.Random, key: str | None = None) -> list[tuple[str, str]]:
    def make() -> list[tuple[str, str]]:
        sc = rng.choice(BANK_SCENARIOS) if key is None else next(s for s in BANK_SCENARIOS if s.key == key)
        return compose(sc, rng, C.bank_slots, max_followups=2 if key is None else 0)[0]

    return POOL.draw(make)


def build_sharegpt(rng: random.Random) -> list[Item]:
    items = []
    for _ in range(N_SHAREGPT_CLEAN):
        system = [("system", BANK_SYSTEM)] if rng.random() < 0.4 else []
        items.append(Item(turns=system + _bank(rng)))
    plants = []
    src = rng.choice(items)
    plants.append(Item(turns=list(src.turns), duplicate_of=src).plant("exact_duplicate", "exact_duplicate", note="verbatim copy"))
    base = ("I want to set up a standing order of {amt} pounds to my savings pot every payday, which is the 25th. "
            "Can I choose the date, and what happens if payday falls on a weekend?")
    reply = ("Yes. Open the pot, tap Automate, then Scheduled transfer, enter the amount and choose the 25th as the "
             "date. If the 25th falls on a weekend or bank holiday, the transfer runs on the next working day, so the "
             "money is never moved before your salary arrives. You can pause or change the amount at any time from the "
             "same screen, and we will send you a notification each time the transfer runs. If your main "
             "balance is too low on the day, the transfer is skipped rather than leaving you overdrawn.")
    for amt in ("150", "200"):
        plants.append(Item(turns=[("user", base.format(amt=amt)), ("assistant", reply)], group="nd-sharegpt-1").plant("near_duplicate", "near_duplicate", note="same question, different amount"))
    for k, lang in (("fr_sharegpt", "French"), ("es_sharegpt", "Spanish")):
        plants.append(Item(turns=P.FOREIGN[k]).plant(f"language.{P.LANG_CODES[lang]}", "language.other", note=f"conversation in {lang}"))
    q = _bank(rng, "dispute_charge")[0]
    plants.append(Item(turns=[q, ("assistant", P.REFUSALS[4])]).plant("refusal", "refusal.refusal", note="As an AI language model ..."))
    plants.append(Item(turns=[("user", "Can you update the email on my account to yuki.tanaka@example.co.uk? The old address no longer works and I can't receive statements."), ("assistant", "I can't change it from the chat, but you can do it in the app under Profile, then Personal details, then Email. We'll send a confirmation link to the new address before the change takes effect.")]).plant("pii.email", "pii.email", note="email address in the user turn"))
    plants.append(Item(turns=[("system", BANK_SYSTEM), ("assistant", "")], repairs=["dropped empty assistant turn"]).plant("no_user_turn", "structure.no_user_turn", "structure.example_missing_assistant_message", note="system prompt and an empty gpt turn only"))
    turns = _bank(rng, "savings")[:2]
    plants.append(Item(turns=[turns[0], ("user", "Also, is there a minimum amount to open a pot?"), turns[1]], repairs=["merged consecutive user turns"]).plant("consecutive_roles", note="two human turns in a row: merged by repair; clean afterwards"))
    turns = _bank(rng, "statement")[:2]
    plants.append(Item(turns=[turns[0], ("assistant", P.truncate_mid_sentence(turns[1][1], rng))]).plant("truncated", "repetition.truncated", note="gpt reply cut mid-clause, on a dangling word"))
    return place_after_originals(items + plants, rng)


# --- Alpaca --------------------------------------------------------------------------------
REPLY_INSTRUCTIONS = [
    "Write a helpful reply to the following customer message.",
    "Respond to this customer as a friendly support agent.",
    "Draft a polite, concrete answer to the customer message below.",
    "You work in customer support. Reply to the message below.",
]
CLASSIFY = "Classify this support ticket into one of these categories: Shipping, Returns, Payments, Account, Technical, Product. Explain your choice in one sentence."
CATEGORY = {
    "late_delivery": ("Shipping", "the customer is asking where a delayed parcel is"),
    "return_item": ("Returns", "the customer wants to send an item back"),
    "damaged_item": ("Returns", "the item arrived damaged and needs replacing"),
    "wrong_item": ("Returns", "the wrong item was delivered and has to be exchanged"),
    "change_address": ("Shipping", "the customer needs the delivery address changed"),
    "cancel_order": ("Payments", "the customer wants an order cancelled and the payment released"),
    "promo_code": ("Payments", "a discount code is not being applied at checkout"),
    "warranty": ("Product", "a product developed a fault and a warranty claim is needed"),
    "refund_status": ("Payments", "the customer is waiting for a refund to arrive"),
    "stock": ("Product", "the customer is asking when an item will be available again"),
    "payment_declined": ("Payments", "the customer's card payment is being declined"),
    "assembly": ("Product", "the customer needs help putting the product together"),
    "invoice": ("Payments", "the customer needs an invoice for their records"),
    "account_access": ("Account", "the customer cannot access or secure their account"),
}
TIPS = [
    ("Give three tips for writing a good canned reply for a support team.", "1. Answer the most common version of the question completely, so the agent only has to add details. 2. Leave clear placeholders for the customer's name and order number, and check they are filled in before sending. 3. Review macros every quarter, because policies and product names change and outdated macros frustrate customers."),
    ("Explain what first contact resolution means in customer support.", "First contact resolution is the share of customer issues solved in the first interaction, without the customer having to follow up or be transferred. It matters because every extra contact costs time for both sides and lowers satisfaction, so teams track it alongside response time."),
    ("List the information an agent should collect before escalating a technical issue.", "Before escalating, collect the customer's account or order identifier, a clear description of the problem, the exact error message, when it started, the device, browser or app version involved, the steps already tried, and how many users are affected. This lets the next team start investigating immediately."),
    ("How should a support agent respond to an angry customer?", "Stay calm and let the customer explain without interrupting. Acknowledge the frustration specifically, apologise for the experience, and then focus on what you can do and by when. Avoid blaming other teams, and follow up when you said you would; keeping that promise rebuilds trust faster than any wording."),
    ("Write a short subject line for an email telling a customer their refund has been issued.", "Good news: your refund has been issued and is on its way to your account."),
]


def _reply_task(rng: random.Random) -> Item:
    if rng.random() < 0.6:
        sc, dom = rng.choice(gen_retail.SCENARIOS), gen_retail.slots
    else:
        sc, dom = rng.choice(gen_saas.SCENARIOS), gen_saas.slots
    turns, _ = compose(sc, rng, dom, max_followups=0)
    return Item(turns=[("user", f"{rng.choice(REPLY_INSTRUCTIONS)}\n\n{turns[0][1]}"), ("assistant", turns[1][1])])


def _classify_task(rng: random.Random) -> Item:
    sc = rng.choice(gen_retail.SCENARIOS)
    turns, _ = compose(sc, rng, gen_retail.slots, max_followups=0)
    cat, why = CATEGORY[sc.key]
    out = f"Category: {cat}. The ticket belongs here because {why}."
    return Item(turns=[("user", f"{CLASSIFY}\n\n{turns[0][1]}"), ("assistant", out)])


def build_alpaca(rng: random.Random) -> list[Item]:
    items = [Item(turns=[("user", q), ("assistant", a)]) for q, a in TIPS]
    while len(items) < N_ALPACA_CLEAN:
        items.append(Item(turns=POOL.draw(lambda: (_classify_task(rng) if rng.random() < 0.3 else _reply_task(rng)).turns)))
    plants = []
    src = rng.choice(items[len(TIPS):])
    plants.append(Item(turns=list(src.turns), duplicate_of=src).plant("exact_duplicate", "exact_duplicate", note="verbatim copy"))
    plants.append(Item(turns=[("user", f"{REPLY_INSTRUCTIONS[0]}\n\nI want a refund for my order right now."), ("assistant", P.REFUSALS[5])]).plant("refusal", "refusal.refusal", note="refusal in the output"))
    plants.append(Item(turns=[("user", f"{REPLY_INSTRUCTIONS[2]}\n\nMy kettle stopped working after two weeks, what now?"), ("assistant", "")], repairs=["dropped empty assistant turn"]).plant("empty_output", "structure.example_missing_assistant_message", note="empty output"))
    plants.append(Item(turns=P.FOREIGN["de_alpaca"]).plant("language.de", "language.other", note="instruction, input and output in German"))
    t = Item(turns=POOL.draw(lambda: _reply_task(rng).turns))
    plants.append(Item(turns=[t.turns[0], ("assistant", P.truncate_mid_sentence(t.turns[1][1], rng))]).plant("truncated", "repetition.truncated", note="output cut mid-clause, on a dangling word"))
    line = "Please restart the router and wait five minutes."
    plants.append(Item(turns=[("user", "Write step-by-step instructions for a customer whose home Wi-Fi keeps dropping."), ("assistant", "\n".join([line] * 120))]).plant("degenerate", "repetition.degenerate", note="the same line 120 times"))
    plants.append(Item(turns=[("user", f"Explain this error to a customer in plain language.\n\nbotocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation. Credentials used: {P.AWS_KEY_ID.replace('EXAMPLE', 'TESTKEY')[:20]} / {P.AWS_SECRET[:-3]}XYZ"), ("assistant", "The upload failed because the storage account you connected does not allow our service to write files. Ask your administrator to grant write access to the bucket, then try the export again.")]).plant("secret.aws", "secret.aws_key", note="AWS-shaped key id and secret inside the input"))
    return place_after_originals(items + plants, rng)


def write_sharegpt(items: list[Item], path: Path) -> None:
    out = []
    for i, it in enumerate(items, start=1):
        it.where, it.key = f"index {i}", {"index": i}
        out.append({"id": f"pw-{1000 + i}", "conversations": [{"from": FROM[r], "value": t} for r, t in it.turns]})
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_alpaca(items: list[Item], path: Path) -> None:
    out: list[dict[str, Any]] = []
    for i, it in enumerate(items, start=1):
        it.where, it.key = f"index {i}", {"index": i}
        instruction, _, inp = it.turns[0][1].partition("\n\n")
        out.append({"instruction": instruction, "input": inp, "output": it.turns[1][1]})
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
