"""chats_openai.jsonl: Taskflow (SaaS) and Brightside (shop) chats in OpenAI chat format."""

from __future__ import annotations

import json
import random
from typing import Any

import gen_plants as P
import gen_retail
import gen_saas
from gen_engine import POOL, compose
from gen_model import Item, place_after_originals

FILE = "chats_openai.jsonl"
N_CLEAN = 262
RETAIL_SYSTEM = "You are Brightside Home's customer service assistant. Be warm, precise and brief."


def _clean(rng: random.Random) -> Item:
    return Item(turns=POOL.draw(lambda: _clean_turns(rng)))


def _clean_turns(rng: random.Random) -> list[tuple[str, str]]:
    if rng.random() < 0.7:
        sc = rng.choice(gen_saas.SCENARIOS)
        turns, _ = compose(sc, rng, gen_saas.slots)
        system = rng.choice(gen_saas.SYSTEM_PROMPTS) if rng.random() < 0.75 else None
    else:
        sc = rng.choice(gen_retail.SCENARIOS)
        turns, _ = compose(sc, rng, gen_retail.slots)
        system = RETAIL_SYSTEM if rng.random() < 0.5 else None
    return ([("system", system)] if system else []) + turns


def _saas(rng: random.Random, key: str, *, full: bool = False) -> list[tuple[str, str]]:
    """A distinct conversation for a plant: question + answer only unless ``full``."""
    sc = next(s for s in gen_saas.SCENARIOS if s.key == key)
    return POOL.draw(lambda: compose(sc, rng, gen_saas.slots, max_followups=2 if full else 0)[0])


def _msgs(turns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"role": r, "content": t} for r, t in turns]


def build(rng: random.Random) -> list[Item]:
    items = [_clean(rng) for _ in range(N_CLEAN)]
    sys0 = gen_saas.SYSTEM_PROMPTS[0]
    plants: list[Item] = []

    # exact duplicates: three copies of clean records, one record copied twice, one copy
    # that differs only in case, spacing and punctuation (exact after normalisation)
    for src in rng.sample(items, 4):
        plants.append(Item(turns=list(src.turns), duplicate_of=src).plant("exact_duplicate", "exact_duplicate", note="verbatim copy"))
    twice = rng.choice([i for i in items if not any(p.duplicate_of is i for p in plants)])
    plants.append(Item(turns=list(twice.turns), duplicate_of=twice).plant("exact_duplicate", "exact_duplicate", note="verbatim copy (second copy of the same record)"))
    norm_src = rng.choice([i for i in items if i not in [p.duplicate_of for p in plants]])
    while sum(t.count(",") for r, t in norm_src.turns if r == "assistant") < 2:
        norm_src = rng.choice([i for i in items if i not in [p.duplicate_of for p in plants]])
    folded = [(r, t.lower().replace(",", "").replace(". ", ".  ", 1)) for r, t in norm_src.turns]
    copy = Item(turns=folded, duplicate_of=norm_src)
    assert copy.assistant_chars < norm_src.assistant_chars  # so the original stays the keeper
    plants.append(copy.plant("exact_duplicate", "exact_duplicate", note="same text in lower case, commas dropped, one double space"))

    # near duplicates: the same question with a different order number (two groups of 3)
    ask = ("Hi, I was charged twice for my Taskflow {plan} subscription this month, invoice {inv}. "
           "Both charges are on my company card and our finance team is asking me to explain it. "
           "Can you check the invoice and refund the duplicate payment, please?")
    ans = ("Thanks for flagging this, and sorry for the confusion. I checked invoice {inv} and I can see two "
           "payments for the same billing period: the first attempt returned a timeout from the card "
           "processor, so the system retried, but both attempts were eventually captured. I have refunded "
           "the second payment in full to the same company card. Refunds usually take three to five "
           "working days to appear, depending on the bank. I have also added a note to your account so "
           "the finance team can see the refund reference on the billing page under Settings, then "
           "Billing, then Invoices. Let me know if your finance team needs a credit note as a PDF.")
    ask2 = ("Hello, the workspace export I requested yesterday (request {inv}) is still stuck at 0% on the "
            "Export data page. We need the archive for an audit on Monday and I can't start a new export "
            "while this one is pending. Could someone on your side kick it off again?")
    ans2 = ("I'm sorry about the wait. Export request {inv} got stuck because one of the attachments in your "
            "workspace is larger than the export worker allows, so the job kept retrying without making "
            "progress. I have cancelled it and restarted the export with large attachments packaged "
            "separately, which lets it finish normally. You should receive the download link by email "
            "within two hours, and it stays valid for seven days. If the audit team only needs tasks and "
            "comments, you can also tick Skip attachments on the export page, which makes the archive much "
            "smaller and faster to produce.")
    for g, (q_t, a_t) in (("nd-openai-1", (ask, ans)), ("nd-openai-2", (ask2, ans2))):
        plan = rng.choice(gen_saas.PLANS)
        for _ in range(3):
            inv = f"TF-INV-{rng.randint(100000, 999999)}" if g == "nd-openai-1" else f"EXP-{rng.randint(10000, 99999)}"
            t = [("system", sys0), ("user", q_t.format(plan=plan, inv=inv)), ("assistant", a_t.format(inv=inv))]
            plants.append(Item(turns=t, group=g).plant("near_duplicate", "near_duplicate", note="same question, different invoice / request number"))
    # near duplicates: a lightly reworded canned answer
    canned = ("To connect Google Calendar, open Settings, then Integrations, and choose Google Calendar. Sign in "
              "with the Google account whose calendar you want to use and allow Taskflow to view and edit events. "
              "Then pick the projects whose due dates should appear in the calendar. New and changed due dates "
              "show up within a minute or two, and completed tasks are removed automatically unless you turn "
              "that option off. If the calendar stays empty, disconnect and reconnect the integration once. Each "
              "person connects their own calendar, so colleagues only see their own deadlines, and private "
              "projects never appear in anyone else's calendar.")
    q = "How do I get my Taskflow due dates to show up in Google Calendar? I'd like my deadlines to appear next to my meetings."
    reworded = canned.replace("show up within", "appear within")
    plants.append(Item(turns=[("user", q), ("assistant", canned)], group="nd-openai-3").plant("near_duplicate", "near_duplicate", note="canned answer"))
    plants.append(Item(turns=[("user", q), ("assistant", reworded)], group="nd-openai-3").plant("near_duplicate", "near_duplicate", note="same canned answer, one phrase reworded"))

    # other languages
    for k, lang in (("es_jsonl", "Spanish"), ("de_jsonl", "German"), ("fr_jsonl", "French")):
        plants.append(Item(turns=P.FOREIGN[k]).plant(f"language.{P.LANG_CODES[lang]}", "language.other", note=f"whole conversation in {lang}"))
    plants.append(Item(turns=P.FOREIGN["mixed_jsonl"]).plant("language.mixed", "language.mixed", note="user writes Spanish, assistant answers in English"))

    # PII
    conv = _saas(rng, "delete_account")
    conv[0] = ("user", conv[0][1] + " My account email is priya.sharma@example.co.uk and my phone is +44 7700 900461.")
    plants.append(Item(turns=conv).plant("pii.email+phone", "pii.email", "pii.phone", note="email and phone in the user turn"))
    plants.append(Item(turns=[
        ("user", f"I want to upgrade to the Business plan but the form keeps rejecting my card. The number is {P.CARD_VISA}, expiry 12/28. Can you just put it through for me?"),
        ("assistant", "Please don't share full card numbers in chat; I have removed it from our records on my side. For your security, card details can only be entered on the billing page under Settings, then Billing. If the form rejects the card, check that the billing address matches the one your bank holds, and try again."),
    ]).plant("pii.card", "pii.card", note="Visa test number 4111 1111 1111 1111"))
    plants.append(Item(turns=[
        ("user", f"Our office can't reach the Taskflow web app since this morning. Our public IP is {P.IPV4} and the IPv6 address is {P.IPV6}. Are we blocked?"),
        ("assistant", "I checked our firewall logs and your address was rate limited after a burst of failed API logins from a script. I have lifted the block. Please check which script is using an expired token so it does not happen again."),
    ]).plant("lookalike.documentation_ip", note="IPv4 203.0.113.42 and IPv6 2001:db8:85a3::8a2e:370:7334: documentation ranges, nobody's personal data: no pii.ip"))
    plants.append(Item(turns=[
        ("user", f"We cancelled our annual plan within the refund window. Can you send the refund to our bank account instead of the card? IBAN {P.IBAN_GB}."),
        ("assistant", "Refunds for card payments can only go back to the card that was charged, so I cannot send it to a bank account. The refund was issued today and should appear on the card statement within five working days."),
    ]).plant("pii.iban", "pii.iban", note="textbook example IBAN GB82 WEST 1234 5698 7654 32"))
    plants.append(Item(turns=[
        ("user", f"For the tax form on my invoice you need my SSN, right? It's {P.SSN}. Please add it to my billing profile."),
        ("assistant", "We don't need or store social security numbers, so please don't send them in chat. For US invoices we only need a company name and, if you have one, an EIN. You can add those yourself under Settings, then Billing details."),
    ]).plant("pii.ssn", "pii.ssn", note="well-known invalid SSN 078-05-1120"))

    # secrets
    plants.append(Item(turns=[
        ("user", f"Our Taskflow export to S3 fails with AccessDenied. Here is the config we use:\naws_access_key_id = {P.AWS_KEY_ID}\naws_secret_access_key = {P.AWS_SECRET}\nregion = eu-west-1"),
        ("assistant", "The export needs the s3:PutObject permission on the target bucket, and AccessDenied usually means the policy only grants read access. Please also rotate that key straight away, because it has now been shared in a chat, and paste only the key id in future messages."),
    ]).plant("secret.aws", "secret.aws_key", note="AWS documentation example key id AKIAIOSFODNN7EXAMPLE plus secret"))
    gh = P.github_token(rng)
    plants.append(Item(turns=[
        ("user", f"The GitHub integration says the token is invalid. I created a new one: {gh}. Can you check why it's rejected?"),
        ("assistant", "Please revoke that token now, since it has been posted here. The integration needs a token with the repo and read:org scopes; a token without read:org is rejected with exactly that message. Create a new one with both scopes and paste it into the integration settings, not into chat."),
    ]).plant("secret.github", "secret.github_token", note="fake token of GitHub's ghp_ shape"))
    plants.append(Item(turns=[
        ("user", "I'm setting up the SFTP backup. Is this the right format for the key field?\n" + P.private_key_block(rng)),
        ("assistant", "The format is right, but never paste a private key into a support chat: anyone with it can access your server. Please generate a new key pair, add only the public key to the server, and upload the private key through the encrypted upload field on the Backups page."),
    ]).plant("secret.private_key", "secret.private_key", note="RSA private key block (random bytes)"))
    plants.append(Item(turns=[
        ("user", f"Calls to /v2/tasks return 401 even with a fresh token. This is the Authorization header: Bearer {P.JWT}"),
        ("assistant", "That token is a JSON Web Token signed for a different audience, so the API rejects it. Request a token from the /oauth/token endpoint with the audience set to api.taskflow, and it will be accepted. Please treat tokens like passwords and do not share them."),
    ]).plant("secret.jwt", "secret.jwt", note="the jwt.io example token"))
    plants.append(Item(turns=[
        ("user", f"Our Slack bot stopped posting task updates. The bot token is {P.slack_token(rng)} and the database is at postgres://taskflow_admin:Winter2026!@db.internal.example.com:5432/tasks if you need to look."),
        ("assistant", "Please rotate both the Slack token and the database password, because they are now in this chat. The bot stops posting when it is removed from a channel; invite it back with /invite @Taskflow and the updates will resume."),
    ]).plant("secret.slack+url_password", "secret.slack_token", "secret.password_in_url", note="fake xoxb- token and a password in a URL"))

    # look-alikes that must not fire (otherwise clean)
    plants.append(Item(turns=[
        ("user", f"Hi, I ordered the hardback of 'Designing Data-Intensive Applications' (ISBN {P.ISBN}) on 2026-03-14 and received the paperback instead. My order reference is {P.ORDER_REF_16}."),
        ("assistant", f"Sorry about that mix-up. I have checked order reference {P.ORDER_REF_16} from 14/03/2026 and the warehouse picked the wrong edition. The hardback is on its way with tracking number {P.UPS_TRACKING}, and the courier will collect the paperback at the same time."),
    ]).plant("lookalike.isbn+order_ref+date", note="ISBN, 16-digit order reference failing Luhn, dates, tracking number: no pii.* flag"))
    plants.append(Item(turns=[
        ("user", "After updating the desktop app to 2.14.1 on 03/04/2026 the sidebar is empty. I rolled back to 2.13.0 and it works. Is this a bug in 2.14.1?"),
        ("assistant", "Yes, 2.14.1 has a bug that hides the sidebar when a workspace has more than 500 archived projects. Version 2.14.2, released on 2026-04-07, fixes it; you can update from Help, then Check for updates, and remove the workaround afterwards."),
    ]).plant("lookalike.version+date", note="version strings 2.14.1 / 2.13.0 / 2.14.2 and dates: no pii.ip or pii.* flag"))
    plants.append(Item(turns=[
        ("user", "Invoice INV-2026-004417 lists 1,299 tasks exported and a reference 0044 2079 4600 but I think that's wrong. What is that reference?"),
        ("assistant", "That 12-digit reference is our internal payment batch number, not a phone number or account number, so you can ignore it. The export count of 1,299 tasks is correct for the period on the invoice, which covers every project in the workspace."),
    ]).plant("lookalike.invoice_refs", note="invoice number and a digit group that looks like a phone: no pii.* flag"))

    # refusals
    for text in P.REFUSALS[:4]:
        conv = _saas(rng, rng.choice(["seats_billing", "two_factor", "export_data"]))[:2]
        plants.append(Item(turns=[conv[0], ("assistant", text)]).plant("refusal", "refusal.refusal", note=text[:40] + "..."))

    # truncated replies
    for key in ("webhook", "integration", "import_tool"):
        conv = _saas(rng, key)[:2]
        plants.append(Item(turns=[conv[0], ("assistant", P.truncate_mid_sentence(conv[1][1], rng))]).plant("truncated", "repetition.truncated", note="assistant reply cut mid-clause, on a dangling word"))

    # degenerate loop
    conv = _saas(rng, "recurring_tasks")[:2]
    plants.append(Item(turns=[conv[0], ("assistant", (P.DEGENERATE_PHRASE * 400).strip())]).plant("degenerate", "repetition.degenerate", note="one phrase repeated 400 times"))

    # empty assistant turns (dropped by repair) and a conversation without a user turn
    conv = _saas(rng, "timezone")[:2]
    plants.append(Item(turns=[("system", sys0), conv[0], ("assistant", "")], repairs=["dropped empty assistant turn"]).plant("empty_assistant", "structure.example_missing_assistant_message", note="only assistant turn is empty"))
    conv = _saas(rng, "permissions")
    plants.append(Item(turns=[conv[0], ("assistant", "   "), ("user", "Hello? Are you still there? I asked how to give a contractor access to one project only."), *conv[1:2]], repairs=["dropped empty assistant turn", "merged consecutive user turns"]).plant("empty_assistant_mid", note="whitespace-only assistant turn in the middle: repair drops it and merges the two user turns; clean afterwards"))
    plants.append(Item(turns=[("system", sys0), ("assistant", "Welcome to Taskflow support! I can help with accounts, billing, integrations and the API. What would you like to know today?")]).plant("no_user_turn", "structure.no_user_turn", note="system + assistant only"))

    # consecutive same-role turns (merged by repair; clean afterwards)
    for key in ("export_data", "mobile_crash", "api_rate_limit"):
        conv = _saas(rng, key)
        user, answer = conv[0][1], conv[1][1]
        first, _, rest = user.partition(". ")
        if rest:
            split = [("user", first + "."), ("user", rest)]
        else:
            split = [("user", user), ("user", "Sorry, forgot to say: this is quite urgent for our team.")]
        a1, _, a2 = answer.partition(". ")
        turns = [*split, ("assistant", a1 + "."), ("assistant", a2 or "Let me know if that helps.")]
        plants.append(Item(turns=turns, repairs=["merged consecutive user turns", "merged consecutive assistant turns"]).plant("consecutive_roles", note="two user then two assistant turns: repair merges them; clean afterwards"))

    # volatile facts (prices, dates, policy) in otherwise clean answers
    volatile = [
        ("How much is the Business plan per user?", "The Business plan is $24 per user per month when billed annually, or $29 month to month. The price is guaranteed until 31 December 2026 for existing customers, and volume discounts start at 50 seats."),
        ("Is there a discount for non-profits?", "Yes, registered non-profits get 50% off any paid plan. Apply from the Billing page with proof of status; the offer currently runs until June 30, 2026."),
        ("How long do you keep deleted projects?", "Deleted projects stay in the trash for 30 days under our current retention policy, after which they are permanently removed. Workspace owners on the Business plan can extend this to 90 days."),
        ("What does the Team plan cost if we have 12 people?", "For 12 members the Team plan is 12 x $10 = $120 per month, or $1,152 per year with the annual discount of 20%. Prices exclude VAT, which is added based on your billing country."),
        ("When does the old API version stop working?", "API v1 will be switched off on 1 September 2026. Until then both v1 and v2 work, and v1 responses carry a Deprecation header with the exact date."),
        ("Can I get a refund if I cancel after two weeks?", "Our policy allows a full refund within 14 days of purchase for annual plans. After 14 days, we refund the unused months minus a $15 processing fee."),
    ]
    for q2, a in volatile:
        plants.append(Item(turns=[("user", q2 + " We're evaluating Taskflow for our agency at the moment."), ("assistant", a)]).plant("volatile", note="price / date / policy fact (readiness: volatility)"))

    # name / weight and a tool call
    for key, name in (("permissions", "customer_jordan"), ("webhook", "dev_priya"), ("seats_billing", "finance_ops")):
        conv = _saas(rng, key, full=True)
        while len(conv) < 4:
            conv = _saas(rng, key, full=True)
        msgs = _msgs([("system", sys0), *conv])
        msgs[1]["name"] = name
        msgs[2]["weight"] = 0
        msgs[4]["weight"] = 1
        plants.append(Item(turns=[("system", sys0), *conv], record={"messages": msgs}).plant("name_weight", note="user name + per-turn weight 0/1 (first answer not trained on): both kept on import; clean"))
    call_id = "call_" + P.fake_token(rng, "", 24)
    order = f"BH-{rng.randint(100000, 999999)}"
    tool_msgs: list[dict[str, Any]] = [
        {"role": "system", "content": RETAIL_SYSTEM},
        {"role": "user", "content": f"Can you tell me where my order {order} is? It was due yesterday and I haven't received anything."},
        {"role": "assistant", "content": None, "tool_calls": [{"id": call_id, "type": "function", "function": {"name": "get_order_status", "arguments": json.dumps({"order_id": order})}}]},
        {"role": "tool", "tool_call_id": call_id, "content": json.dumps({"order_id": order, "status": "in_transit", "carrier": "DPD", "eta": "tomorrow"})},
        {"role": "assistant", "content": f"Your order {order} is on its way with DPD and is now expected tomorrow. The delay was at the carrier's depot; you will get a text with a one-hour delivery window in the morning."},
    ]
    plants.append(Item(turns=[(m["role"], m["content"] or "") for m in tool_msgs], record={"messages": tool_msgs}).plant("tool_calls", note="assistant tool call + tool result: kept on import; clean"))

    # broken lines: quarantined at import
    plants.append(Item(raw='{"messages": [{"role": "user", "content": "Where is my order?"}, {"role": "assistant", "content": "It shipped yesterday and should arrive').plant("broken.malformed_json", note="unterminated JSON"))
    plants.append(Item(raw='["user", "How do I reset my password?", "assistant", "Use the Forgot password link."]').plant("broken.not_object", note="JSON array, not an object"))
    plants.append(Item(raw='{"messages": "user: my invoice is wrong / assistant: I will fix it"}').plant("broken.wrong_type", note="messages is a string, not a list"))
    plants.append(Item(raw='{"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": ["not", "text"]}]}').plant("broken.wrong_type", note="content is a number / a list"))
    plants.append(Item(raw='{"prompt": "Where can I download invoices?", "chosen": "Under Settings, then Billing."}').plant("broken.missing_field", note="no messages field"))

    return place_after_originals(items + plants, rng)


def write(items: list[Item], path: Any) -> None:
    lines = []
    for i, it in enumerate(items, start=1):
        it.where = f"line {i}"
        it.key = {"line": i}
        if it.raw is not None:
            lines.append(it.raw)
        elif it.record is not None:
            lines.append(json.dumps(it.record, ensure_ascii=False))
        else:
            lines.append(json.dumps({"messages": _msgs(it.turns)}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
