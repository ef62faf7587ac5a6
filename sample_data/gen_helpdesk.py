"""helpdesk_export.csv: a Brightside Home helpdesk export, one row per message."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import gen_plants as P
import gen_retail
from gen_engine import POOL, DistinctPool, compose
from gen_model import Item, place_after_originals

FILE = "helpdesk_export.csv"
COLUMNS = ["ticket_id", "timestamp", "channel", "author_type", "author_name", "message"]
N_CLEAN = 236
SURNAMES = ["Lopez", "Walker", "Khan", "Novak", "Brown", "Schmidt", "Ito", "Mensah", "Rossi", "Byrne", "Silva", "Clarke"]
CATEGORIES = {
    "late_delivery": "Shipping", "return_item": "Returns and refunds", "damaged_item": "Damaged or faulty item",
    "wrong_item": "Order problems", "change_address": "Shipping", "cancel_order": "Order problems",
    "promo_code": "Discounts", "warranty": "Damaged or faulty item", "refund_status": "Returns and refunds",
    "stock": "Products", "payment_declined": "Payments", "assembly": "Products", "invoice": "Payments",
    "account_access": "Account",
}


def _clean(rng: random.Random) -> Item:
    info: dict[str, object] = {}

    def make() -> list[tuple[str, str]]:
        sc = rng.choice(gen_retail.SCENARIOS)
        turns, values = compose(sc, rng, gen_retail.slots)
        info.update(scenario=sc.key, name=values["name"], agent=values["agent"])
        return turns

    it = Item(turns=POOL.draw(make))
    it.key = dict(info)
    return it


def _retail(rng: random.Random, key: str) -> list[tuple[str, str]]:
    sc = next(s for s in gen_retail.SCENARIOS if s.key == key)
    return POOL.draw(lambda: compose(sc, rng, gen_retail.slots, max_followups=0)[0])


def build(rng: random.Random) -> list[Item]:
    items = [_clean(rng) for _ in range(N_CLEAN)]
    plants: list[Item] = []

    # the canned macro: the only agent reply on 30 tickets
    # (kept apart from each other, so they share the macro but are not near-duplicates)
    macro_pool = DistinctPool(max_jaccard=0.65)
    for _ in range(30):
        turns = macro_pool.draw(lambda: [_retail(rng, rng.choice(list(CATEGORIES)))[0], ("assistant", P.CSV_MACRO)])
        plants.append(Item(turns=turns).plant("canned_macro", "diversity.canned_reply", note="auto-acknowledgement macro is the only agent reply"))

    # exact duplicates: tickets exported twice under a new ticket id
    for src in rng.sample(items, 2):
        plants.append(Item(turns=list(src.turns), duplicate_of=src).plant("exact_duplicate", "exact_duplicate", note="same messages exported again under another ticket id"))

    # near duplicates: the same question with a different order number
    ask = ("Hello, I ordered the Atlas standing desk (order {o}) and the delivery window on the confirmation "
           "was Monday to Wednesday. Today is Friday and the tracking page still only says label created. "
           "I took a day off work to wait for it. Can you tell me when it will actually arrive?")
    ans = ("I'm sorry you took a day off for nothing. I checked order {o}: the desk is packed in two boxes and "
           "the second box was short-shipped by our warehouse, so the carrier has been holding the first box "
           "until both are ready. The second box leaves the warehouse on Monday morning and both will be "
           "delivered together on Tuesday. I have refunded your delivery charge for the inconvenience, and "
           "the courier will text you a two-hour delivery window on Tuesday morning so you don't have to "
           "wait in all day again.")
    for _ in range(3):
        o = f"BH-{rng.randint(100000, 999999)}"
        plants.append(Item(turns=[("user", ask.format(o=o)), ("assistant", ans.format(o=o))], group="nd-csv-1").plant("near_duplicate", "near_duplicate", note="same question, different order number"))

    # other languages
    for k, lang in (("es_csv", "Spanish"), ("de_csv", "German"), ("fr_csv", "French")):
        plants.append(Item(turns=P.FOREIGN[k]).plant(f"language.{P.LANG_CODES[lang]}", "language.other", note=f"ticket in {lang}"))

    # PII
    conv = _retail(rng, "change_address")[:2]
    conv[0] = ("user", conv[0][1] + "\n\nYou can reach me on +44 20 7946 0958 or at james.walker@example.co.uk if anything is unclear.")
    plants.append(Item(turns=conv).plant("pii.phone+email", "pii.phone", "pii.email", note="UK drama-range phone and an email"))
    plants.append(Item(turns=[
        ("user", f"My payment keeps failing so here are my card details, please just charge it manually: {P.CARD_MC}, exp 09/27, CVC 123."),
        ("assistant", "Thank you, but please never send card details by email or chat. I have deleted your message from the ticket. We cannot take payments manually; please try the checkout again, or use PayPal, and let me know the exact error if it still fails."),
    ]).plant("pii.card", "pii.card", note="Mastercard test number 5555 5555 5555 4444"))
    plants.append(Item(turns=[
        ("user", f"I returned the Glide office chair and I'd like the refund paid to my bank account please, the old card is closed. IBAN: {P.IBAN_DE}, account holder Lukas Schmidt."),
        ("assistant", "Thanks, Lukas. Refunds to a closed card are returned to us by the bank automatically, and when that happens we pay by bank transfer instead. I will use the account you gave as soon as the bank bounces the card refund, which usually takes about a week."),
    ]).plant("pii.iban", "pii.iban", note="textbook German example IBAN"))
    plants.append(Item(turns=[
        ("user", f"Your website keeps showing me an access denied page when I try to check out. My IP is {P.IPV4.replace('42', '7')} in case you are blocking it."),
        ("assistant", "You were right: our bot protection had flagged your network after several failed checkout attempts. I have removed the block, so please clear your browser cookies and try again. Your basket has been saved."),
    ]).plant("lookalike.documentation_ip", note="IPv4 from the TEST-NET-3 documentation range: nobody's personal data, no pii.ip"))

    # look-alikes that must not fire
    plants.append(Item(turns=[
        ("user", f"The courier left a note saying they couldn't deliver. The tracking number is {P.UPS_TRACKING} and your order reference is {P.ORDER_REF_16.replace(' ', '')}. Can I pick it up myself?"),
        ("assistant", "Yes, the parcel is waiting at the UPS Access Point on the high street and will be held there for seven days. Bring the note or the tracking number and a photo ID to collect it."),
    ]).plant("lookalike.order_ref+tracking", note="16-digit order reference that fails Luhn, UPS tracking number: no pii.card"))

    # structure problems
    for _ in range(2):
        conv = _retail(rng, rng.choice(["stock", "invoice", "assembly"]))
        plants.append(Item(turns=[conv[0]]).plant("no_agent_reply", "structure.example_missing_assistant_message", note="ticket closed without any agent reply"))
    for thanks in ("Thanks, that worked perfectly!", "Great, received it today. Thank you so much for sorting this out so quickly!", "Ok."):
        conv = _retail(rng, rng.choice(["refund_status", "return_item", "late_delivery"]))[:2]
        plants.append(Item(turns=[*conv, ("user", thanks)]).plant("ends_with_customer", "structure.last_not_assistant", note="last message is the customer's thank-you"))
    conv = _retail(rng, "cancel_order")[:2]
    plants.append(Item(turns=[conv[0], ("assistant", "")], repairs=["dropped empty assistant turn"]).plant("empty_agent_message", "structure.example_missing_assistant_message", note="the only agent message is an empty cell"))
    conv = _retail(rng, "promo_code")[:2]
    plants.append(Item(turns=[conv[0], ("assistant", ""), ("user", "Hello? Is anyone looking at this?"), conv[1]], repairs=["dropped empty assistant turn", "merged consecutive user turns"]).plant("empty_agent_message_mid", note="empty agent cell mid-ticket; after repair the ticket is clean"))

    # truncated agent replies
    for key in ("warranty", "invoice"):
        conv = _retail(rng, key)[:2]
        plants.append(Item(turns=[conv[0], ("assistant", P.truncate_mid_sentence(conv[1][1], rng))]).plant("truncated", "repetition.truncated", note="agent reply cut mid-clause, on a dangling word"))

    # volatile facts
    for q, a in [
        ("Is the Tidal espresso machine still on offer?", "Yes, the Tidal espresso machine is £189.99 instead of £249.99 until 31 March 2026, and it comes with a free milk jug while stocks last."),
        ("What's your returns policy for sale items?", "Sale items can be returned within 14 days of delivery; full-price items have 30 days. From 1 May 2026 the return window for large furniture changes to 21 days."),
        ("How much is express delivery?", "Express delivery costs £6.95 and arrives the next working day if you order before 2pm. Orders over £75 get free standard delivery, which takes 3-5 working days."),
        ("Do you price match?", "We match the price of UK retailers for identical items in stock, up to 7 days after your purchase. Marketplace sellers and clearance prices are excluded under the current policy."),
    ]:
        plants.append(Item(turns=[("user", q + " I'm thinking of ordering this week."), ("assistant", a)]).plant("volatile", note="price / date / policy fact (readiness: volatility)"))

    return place_after_originals(items + plants, rng)


def write(items: list[Item], path: Path, rng: random.Random) -> dict[str, Any]:
    """Lay tickets out as rows; returns figures for the manifest."""
    rows: list[list[str]] = []
    tid = 100200
    start = dt.datetime(2026, 1, 5, 8, 0)
    shuffled: list[str] = []
    multiline_rows = 0
    merged_customer: list[str] = []
    bot_tickets: list[str] = []
    system_tickets: list[str] = []
    originals = {id(i.duplicate_of) for i in items if i.duplicate_of is not None}
    for it in items:
        tid += rng.randint(1, 9)
        ticket = str(tid)
        it.where = f"ticket {ticket}"
        info = it.key
        it.key = {"ticket": ticket}
        channel = rng.choice(["email", "email", "chat", "web form"])
        name = str(info.get("name", rng.choice(["Maria", "Tom", "Aisha"])))
        customer = f"{name} {rng.choice(SURNAMES)}"
        agent = str(info.get("agent", "Dana"))
        t = start + dt.timedelta(days=rng.randint(0, 110), hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        msgs: list[tuple[str, str, str]] = []  # author_type, author_name, text
        clean = not it.plants and not it.repairs and id(it) not in originals
        if clean and rng.random() < 0.12:
            scenario = str(info.get("scenario", ""))
            msgs.append(("system", "System", f"Ticket created from the {channel} channel. The customer chose the category {CATEGORIES.get(scenario, 'General')} and the priority was set to normal by the routing rules."))
            system_tickets.append(ticket)
        for role, text in it.turns:
            if role == "user":
                if channel == "email" and clean and rng.random() < 0.5:
                    text = f"Hi,\n\n{text}\n\nThanks,\n{name}"
                if channel == "chat" and clean and ". " in text and rng.random() < 0.5:
                    a, _, b = text.partition(". ")
                    msgs.append(("customer", customer, a + "."))
                    text = b
                    if ticket not in merged_customer:
                        merged_customer.append(ticket)
                msgs.append(("customer", customer, text))
            elif role == "assistant":
                if channel == "chat" and clean and rng.random() < 0.3 and not any(m[0] == "bot" for m in msgs):
                    msgs.append(("bot", "Sunny (virtual assistant)", f"Thanks, {name}. I've passed your message to our support team together with your order history, and the next available agent will reply here in a few minutes."))
                    bot_tickets.append(ticket)
                if channel == "email" and clean and text and rng.random() < 0.6:
                    text = text.replace(" Let me know", "\n\nLet me know").replace(" Is there", "\n\nIs there") + f"\n\nBest regards,\n{agent}\nBrightside Home Support"
                msgs.append(("agent", agent if text != P.CSV_MACRO else "Brightside Support", text))
        roles = {"customer": "user", "agent": "assistant", "bot": "assistant", "system": "system"}
        it.written = [(roles[a], text) for a, _, text in msgs]
        ticket_rows = []
        for author_type, author_name, text in msgs:
            t += dt.timedelta(minutes=rng.randint(2, 50) if channel == "chat" else rng.randint(20, 600))
            ticket_rows.append([ticket, t.strftime("%Y-%m-%d %H:%M:%S"), channel, author_type, author_name, text])
            multiline_rows += "\n" in text
        if len(ticket_rows) > 2 and rng.random() < 0.25:
            in_order = list(ticket_rows)
            while ticket_rows == in_order:
                rng.shuffle(ticket_rows)
            shuffled.append(ticket)
        rows.extend(ticket_rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    return {
        "rows": len(rows),
        "multiline_rows": multiline_rows,
        "tickets_out_of_time_order": shuffled,
        "tickets_with_bot_then_agent": bot_tickets,
        "tickets_with_split_customer_messages": merged_customer,
        "tickets_with_system_row": system_tickets,
    }
