"""Clean call-centre scenarios for "Northwind Mobile" (phone, broadband) and
in-app chat scenarios for "Pennywise" (a banking app)."""

from __future__ import annotations

import random

from gen_engine import SAME, Scenario

GREETINGS = [
    "Thank you for calling Northwind Mobile, you're speaking with {agent}. How can I help you today?",
    "Good {daypart}, Northwind Mobile, this is {agent}. What can I do for you?",
    "Hi, thanks for holding. My name is {agent}, how can I help?",
    "Northwind Mobile customer care, {agent} speaking. How can I help you this {daypart}?",
]
VERIFY = [
    ("Before I look at the account, can I take your full name and the postcode on the account, please?", "Sure, it's {name} {surname}, and the postcode is {postcode}."),
    ("Of course. Could you confirm the first line of your address and your date of birth for security?", "Yes, it's {house} {street}, and my date of birth is the {dob}."),
    ("I can look into that. Can you confirm your name and the last three digits of the account number?", "{name} {surname}, and the last three digits are {acct3}."),
]
GOODBYES = [
    ("Great, thank you so much for your help.", "You're very welcome, {name}. Thanks for calling Northwind Mobile and have a lovely {daypart}."),
    ("Perfect, that's everything, thanks.", "No problem at all. If anything else comes up, just give us a call. Take care."),
    ("Brilliant, that sorts it. Thanks, {agent}.", "My pleasure, {name}. Have a good rest of your day."),
]
SURNAMES = ["Patel", "Okafor", "Smith", "Kowalski", "Nguyen", "Murphy", "Haddad", "Larsen", "Costa", "Evans"]
STREETS = ["Mill Lane", "Station Road", "Church Street", "Park Avenue", "Victoria Road", "Elm Grove"]

CALL_SCENARIOS = [
    Scenario(
        "bill_higher",
        asks=["Hi, yeah, my bill this month is a lot higher than usual and I don't understand why.", "I'm calling about my latest bill, it's nearly double what I normally pay."],
        details=["I haven't changed anything on my plan.", "I was abroad for a few days, but I thought roaming was included."],
        answers=[
            "Okay, I can see what's happened. There are several calls to a premium rate number on the eighth of the month, and those aren't included in any plan. I can put a bar on premium numbers so it can't happen again, and as a one-off I'll credit half of those charges back to your account.",
            "Right, I've found it. Your discounted contract period ended last month, so the plan moved to the standard rate. The good news is you're eligible for a new deal, and I can move you to a plan with more data for less than you're paying now, with no new phone required.",
        ],
        followups=[("How do I stop it happening again?", "I've turned on bill alerts for you, so you'll get a text if your usage goes over your usual amount before the bill is issued.")],
    ),
    Scenario(
        "broadband_down",
        match=SAME,
        asks=["My broadband has been down since last night. The light on the router is flashing orange.", "Hi, the internet keeps dropping out every twenty minutes or so, it's been like this all week."],
        details=["I've already turned the router off and on again.", "I work from home, so it's a real problem."],
        answers=[
            "Thanks for trying that already. I've run a line test from here and it's showing a fault between the street cabinet and your property, so it isn't your equipment. I've booked an engineer visit for {date}, between eight and one. You don't need to do anything before then.",
            "I can see the connection dropping and reconnecting on our side too. It looks like the router is overheating and restarting. Could you check it has some space around it and isn't in a cupboard? If it carries on, I'll send you a replacement router, which usually arrives within two days.",
        ],
        followups=[("Will I get anything back for the days it wasn't working?", "Yes, you'll get automatic compensation for each full day without service, and it will show as a credit on your next bill.")],
    ),
    Scenario(
        "roaming",
        match=SAME,
        asks=["I'm travelling to {city} next month and I want to make sure I won't get a huge bill. How does roaming work on my plan?", "Hi, I'm abroad at the moment and my data isn't working at all."],
        details=["I've got an Android phone.", "I'm there for about two weeks."],
        answers=[
            "Your plan includes roaming in most of Europe, so you can use your allowance there like at home. For other countries you'd need the travel add-on, which I can turn on from the day you leave. You'll get a text when you arrive telling you exactly what's included.",
            "Let's get that sorted. First, could you check that data roaming is switched on in your phone's mobile network settings? It's off by default on most phones. Once it's on, restart the phone and it should connect to a partner network within a minute.",
        ],
        followups=[("Can I set a spending cap while I'm away?", "Yes, I've set a cap on your account, so data stops once you reach it and you'll get a text asking if you want to continue.")],
    ),
    Scenario(
        "upgrade_phone",
        match=SAME,
        asks=["I'd like to find out if I'm due an upgrade. My phone's getting pretty slow.", "Hi, my contract ends soon and I'm thinking about a new phone, what are my options?"],
        details=["I'd like to keep my number.", "I don't use much data, mostly calls and messages."],
        answers=[
            "You're eligible for an upgrade from today. Since you mostly use calls and messages, a smaller data plan would actually lower your monthly cost. I can send you a summary by text with the three phones we talked about so you can think it over before deciding.",
            "Your contract ends in a few weeks, and you can upgrade up to thirty days early without any fee. Your number stays the same whatever you choose. Would you like me to go through the phones in stock, or would you prefer to keep your current phone and move to a SIM-only plan?",
        ],
        followups=[("What happens to my old phone?", "You can keep it, trade it in with us for credit, or recycle it for free with the envelope we send along with the new phone.")],
    ),
    Scenario(
        "sim_activation",
        asks=["I got a new SIM in the post, but it still says no service after I put it in.", "My replacement SIM hasn't activated, it's been more than a day."],
        details=["It's a new phone as well.", "I followed the leaflet that came with it."],
        answers=[
            "I can see the SIM was dispatched, but the activation request never reached the network. I've just sent it again manually. Please switch the phone off, wait a minute, and switch it back on. It can take up to fifteen minutes for the signal to appear.",
            "The SIM is active on our side, so it may be a settings issue on the new phone. Could you check that the phone isn't locked to another network? If you go into the SIM settings and it asks for an unlock code, that would explain it, and the seller can give you the code.",
        ],
        followups=[("Will my contacts move to the new SIM?", "Contacts are normally saved to your phone or your account rather than the SIM, so they'll be there once you sign in on the new phone.")],
    ),
    Scenario(
        "port_number",
        match=SAME,
        asks=["I'm switching to you from another network and I want to keep my old number. How does that work?", "My number transfer was supposed to happen yesterday, but I still have a temporary number."],
        details=["I already have the transfer code.", "I need my old number for work."],
        answers=[
            "It's easy. Text the word PAC to 65075 from your old phone and you'll get a transfer code straight away. Give me the code and I'll schedule the move for the next working day. Your old contract ends automatically once the number moves.",
            "I'm sorry about the delay. The transfer was rejected because the code was entered with a typo. I've corrected it and resubmitted it, so the number should move over by tomorrow. Until then, calls to your old number still reach your old SIM.",
        ],
        followups=[("Will I lose signal during the switch?", "You might be without service for an hour or two on the day it moves, usually in the morning. Restarting the phone helps it pick up the new network.")],
    ),
    Scenario(
        "slow_wifi",
        match=SAME,
        fu_match=((0,), ()),
        asks=["The Wi-Fi is really slow upstairs but fine next to the router. Is there anything you can do?", "I'm paying for fast broadband, but the speed tests only show a fraction of it."],
        details=["The router is in the hallway downstairs.", "It's worse in the evenings."],
        answers=[
            "The speed to your property looks right on our line test, so it's the Wi-Fi signal inside the house. Thick walls and floors weaken it quite a lot. Your package includes a free Wi-Fi booster, so I'll send one out today. Plug it in halfway between the router and the rooms upstairs.",
            "Speed tests over Wi-Fi are often lower than the line speed. Could you try a test with a laptop plugged into the router with a cable? If that shows the full speed, I'll talk you through changing the Wi-Fi channel, which helps a lot when neighbours' networks are busy in the evening.",
        ],
        followups=[("Do I need to set up the booster?", "It pairs itself with the router when you press the WPS button on both within two minutes. The instructions are in the box.")],
    ),
    Scenario(
        "cancel_contract",
        match=SAME,
        fu_match=((0,), ()),
        asks=["I'd like to cancel my broadband, I'm moving abroad next month.", "Hi, I want to end my mobile contract, what do I need to do?"],
        details=["I'm out of contract, I believe.", "I want to make sure there's no final bill surprise."],
        answers=[
            "I'm sorry to see you go. As you're moving abroad, there's no early exit fee. I've scheduled the broadband to end on the day you move, and we'll send a prepaid bag for the router. Your final bill will only cover the days up to the end date.",
            "You're out of contract, so you can leave with thirty days' notice and no fees. I've placed the cancellation today, and you'll get a confirmation text with the end date. If you're moving to another network, remember to ask for a transfer code if you want to keep your number.",
        ],
        followups=[("Do I have to return the router?", "Yes, please return it in the prepaid bag within thirty days so you're not charged for it.")],
    ),
]

BANK_SCENARIOS = [
    Scenario(
        "card_lost",
        asks=["I think I've lost my Pennywise card. What should I do first?", "My card isn't in my wallet and I can't remember where I last used it. Can I block it?"],
        details=["I still have my phone with the app.", "I last paid with it yesterday at a café."],
        answers=[
            "First, freeze the card in the app: tap Card, then Freeze. Freezing is instant and you can undo it if the card turns up. If you're sure it's gone, choose Report lost, and we'll cancel it and send a new card with a new number, usually within three to five working days.",
            "You can block it right away in the app under Card, then Freeze card. Payments will be declined while it's frozen, but direct debits keep working. Then check your recent transactions; if you see anything you don't recognise, tap it and choose Report a problem.",
        ],
        followups=[("Can I still pay with my phone while the card is frozen?", "No, Apple Pay and Google Pay use the same card, so they are frozen too. Once the new card is ordered, you can add its virtual version to your wallet straight away.")],
    ),
    Scenario(
        "transfer_pending",
        asks=["I sent money to a friend three hours ago, and it still says pending. Is something wrong?", "Why is my transfer to my landlord taking so long? The status has been processing since this morning."],
        details=["It was a larger amount than usual.", "I've sent money to them before without problems."],
        answers=[
            "Most transfers arrive within minutes, but payments to a new recipient or of an unusual amount are sometimes held for an automatic security check. It normally clears within a few hours and you don't need to do anything. If it's still pending tomorrow morning, message us and we'll look at it manually.",
            "I can see your transfer is being checked by the receiving bank, not by us. That happens with some banks for larger amounts. There's nothing you need to do, and if they return it, the money goes straight back into your account.",
        ],
        followups=[("Can I cancel it while it's pending?", "Pending transfers can't be cancelled once sent, but if the recipient's bank rejects it, the money is returned to you automatically.")],
    ),
    Scenario(
        "dispute_charge",
        match=SAME,
        asks=["There's a payment on my account I don't recognise from an online store. How do I dispute it?", "I cancelled a subscription, but they charged me again. Can Pennywise get the money back?"],
        details=["I've never shopped there.", "I have the cancellation email from them."],
        answers=[
            "Tap the transaction in the app and choose Report a problem, then I don't recognise this. We'll freeze your card as a precaution and send you a new one. Most disputes are decided within ten working days, and we may give you a temporary credit while we investigate.",
            "Yes, we can raise a chargeback. Tap the payment, choose Report a problem, then Subscription I cancelled, and attach the cancellation email. The merchant gets a chance to respond, and you'll get updates in the app at each step.",
        ],
        followups=[("Will the merchant know it was me who disputed it?", "They'll know a chargeback was raised on that payment, but they don't see any of your personal details beyond what they already had.")],
    ),
    Scenario(
        "statement",
        match=SAME,
        asks=["How do I download a bank statement for my mortgage application?", "I need a statement with the bank stamp for a visa application. Can you provide one?"],
        details=["It needs to cover the last three months.", "They want a PDF."],
        answers=[
            "Go to Account, then Statements, pick the date range, and choose PDF. The statement includes the bank's details and your account number, which is what mortgage lenders usually ask for. You can share it directly from your phone or email it to yourself.",
            "Our PDF statements are accepted by most embassies, as they carry our bank details and a verification code the embassy can check online. If they insist on a stamped copy, request an official letter in the app under Help, then Documents, and we'll post it within five working days.",
        ],
        followups=[("Can I get statements from before I switched to the new app?", "Yes, statements go back to the day your account was opened. Just choose an earlier start date.")],
    ),
    Scenario(
        "identity_check",
        match=SAME,
        asks=["The app asked me to verify my identity again. Why, and is this legit?", "My identity verification keeps failing when I take a photo of my passport."],
        details=["I verified when I opened the account.", "The lighting in my room isn't great."],
        answers=[
            "Yes, it's genuine. Banks have to refresh identity checks from time to time, for example when a document expires. The request only ever appears inside the app; we'll never ask for this by email or text. It takes about two minutes.",
            "The check usually fails because of glare or a cropped photo. Place the passport on a dark, flat surface near a window, make sure all four corners are visible, and avoid the flash. If it fails three times, the app offers a video call with one of our team instead.",
        ],
        followups=[("Can I use my driving licence instead?", "Yes, a photo driving licence or national identity card works as well as a passport.")],
    ),
    Scenario(
        "foreign_fee",
        match=SAME,
        asks=["Do you charge fees for paying in another currency when I'm on holiday?", "I was charged a fee for a payment in euros. I thought there were no fees abroad."],
        details=["I used the card in shops and at a cash machine.", "I'm on the standard plan."],
        answers=[
            "Card payments in other currencies use the network exchange rate with no extra fee on any plan. Cash withdrawals abroad are free up to a monthly limit on the standard plan, and a small percentage applies above that. The app shows the limit under Plan, then Benefits.",
            "I've checked the payment: the fee wasn't from us, it was a cash machine operator's charge, which some machines add on top. The screen usually warns you before you confirm. Our own fees are always listed separately in the transaction details.",
        ],
        followups=[("Should I pay in the local currency or in pounds when asked?", "Always choose the local currency. If you pick pounds, the shop or cash machine does the conversion, usually at a worse rate.")],
    ),
    Scenario(
        "change_phone",
        match=SAME,
        asks=["I have a new phone number. How do I update it in Pennywise?", "I'm getting a new phone, how do I move the app without losing access?"],
        details=["My old SIM will stop working next week.", "I use the app for two-step verification too."],
        answers=[
            "Go to Profile, then Personal details, then Phone number. We'll send a code to the new number and ask you to confirm with a selfie, so make sure you do it while you still have the old phone. Once it's confirmed, all security messages go to the new number.",
            "Install the app on the new phone and log in; we'll send a code to your current number and ask you to confirm on the old phone. After that, the old phone is signed out automatically. If you no longer have the old phone, the app will ask for a selfie check instead.",
        ],
        followups=[("Will my saved payees still be there?", "Yes, payees, cards and settings are stored on your account, not the phone, so everything is there after you log in.")],
    ),
    Scenario(
        "savings",
        match=SAME,
        asks=["How does the savings pot work? Can I take money out whenever I want?", "Is the interest on the savings pot paid monthly or yearly?"],
        details=["I'm saving for a deposit on a flat.", "I'd like to set up automatic transfers."],
        answers=[
            "You can move money in and out of a pot instantly, with no notice period and no penalty. Interest is calculated daily and paid monthly into the pot. To save automatically, open the pot, tap Automate, and choose a weekly or monthly amount, or round up your card payments.",
            "Interest is worked out on your balance every day and paid on the first of each month, so you see it grow throughout the year. The current rate is always shown at the top of the pot, and we let you know in advance if it changes.",
        ],
        followups=[("Is money in a pot protected?", "Yes, pots are part of your account, so the same deposit protection applies as to your main balance.")],
    ),
]


def call_slots(rng: random.Random) -> dict[str, object]:
    return {
        "surname": rng.choice(SURNAMES),
        "postcode": f"{rng.choice(['LS', 'BS', 'M', 'G', 'CF', 'S'])}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUW')}",
        "house": rng.randint(2, 140),
        "street": rng.choice(STREETS),
        "dob": f"{rng.randint(2, 28)}th of {rng.choice(['March', 'July', 'October', 'December'])}, {rng.randint(1950, 2002)}",
        "acct3": f"{rng.randint(100, 999)}",
        "daypart": rng.choice(["morning", "afternoon"]),
    }


def bank_slots(rng: random.Random) -> dict[str, object]:
    return {}
