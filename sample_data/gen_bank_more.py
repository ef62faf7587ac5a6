"""More Pennywise (banking app) scenarios, so the ShareGPT file is varied."""

from __future__ import annotations

from gen_engine import SAME, Scenario

SCENARIOS = [
    Scenario(
        "overdraft",
        match=SAME,
        fu_match=((0, 1), (1,), ()),
        asks=[
            "Can I get an arranged overdraft on my Pennywise account? My salary sometimes arrives a day or two late.",
            "I went slightly overdrawn yesterday without meaning to. Will I be charged for that?",
            "How do I lower my overdraft limit? I'd rather not be tempted to use it.",
        ],
        details=["I've had the account for about two years.", "It was only by a few pounds.", "I mainly use the account for bills."],
        answers=[
            "You can apply in the app under Account, then Overdraft. We run a soft check that doesn't affect your credit score and show you the limit we can offer before you accept anything. Interest is only charged on the days you're actually overdrawn, and the app shows a running total so there are no surprises.",
            "Unarranged overdrafts are charged at the same daily rate as arranged ones, with no extra fees, and a small buffer means tiny amounts aren't charged at all. Looking at your balance, it was within the buffer, so nothing will be charged. Turning on low-balance alerts will warn you next time before it happens.",
            "Go to Account, then Overdraft, and tap Change limit; you can lower it, or remove it entirely, straight away. Increasing it again later needs a new application, so choose a limit you're comfortable with. The change is confirmed by a notification once it's done.",
        ],
        followups=[
            ("Will applying show up on my credit file?", "The eligibility check is a soft search, which other lenders can't see. Only if you accept the offer do we record a full application."),
            ("Can I get a reminder before I go overdrawn?", "Yes, set a low-balance alert under Notifications and choose the amount; we'll send a push message when your balance drops below it."),
        ],
    ),
    Scenario(
        "direct_debit",
        match=SAME,
        asks=[
            "A direct debit for my gym bounced this month even though I had enough money on the day. Why did that happen?",
            "How do I cancel a direct debit? The company isn't responding to my emails.",
            "I moved my salary to Pennywise. Do I need to set up all my direct debits again?",
        ],
        details=["The gym charged me a late fee because of it.", "It's for a magazine subscription I no longer want.", "There are about eight of them."],
        answers=[
            "Direct debits are collected early in the morning, before most salaries arrive, so the balance at the start of the day is what counts. On that morning the balance was just below the amount due. If the gym charges a fee, show them this message; many merchants waive it for a first missed payment, and you can ask them to move the collection date.",
            "You can cancel it yourself: go to Payments, then Direct debits, choose the company and tap Cancel. It stops future collections immediately, and it's a good idea to let the company know so they don't treat it as a missed payment.",
            "No, use the switching service when you join: it moves every direct debit and standing order from your old bank automatically and closes the old account on the date you choose. Payments that arrive at the old account in the meantime are redirected for three years.",
        ],
        followups=[
            ("Can I see when each direct debit will be taken?", "Yes, the Upcoming tab under Payments lists every scheduled collection with its expected date and amount."),
            ("What if a company takes the wrong amount?", "You're covered by the Direct Debit Guarantee: report it in the app and we'll refund the amount immediately while we sort it out with the company."),
        ],
    ),
    Scenario(
        "card_delivery",
        match=SAME,
        fu_match=((0, 1), (1,), (1,)),
        asks=[
            "I ordered a replacement card a week ago and it still hasn't arrived. Can you check where it is?",
            "Can I choose a different delivery address for my new card? I'm staying with my parents this month.",
            "My new card arrived but the app won't let me activate it. It just says something went wrong.",
        ],
        details=["The old one has been cancelled already.", "I'm in the same city.", "I'm on the latest version of the app."],
        answers=[
            "Cards are posted by standard mail and usually take three to five working days, but some areas are slower at the moment. As it's been over a week, I've cancelled the card in the post so nobody else can use it and ordered a new one by tracked delivery at no cost. You can use the virtual card in the app until it arrives.",
            "Yes: when you order the card, tap Change address on the delivery step and enter your parents' address. It only applies to this card; your home address stays the same for statements and everything else.",
            "Activation fails when the last four digits typed don't match the new card, or when the app still has the old card cached. Please close the app fully, reopen it, and activate again from Card, then Activate new card. If it still fails, tell me and I'll activate it from our side.",
        ],
        followups=[
            ("Can I use Apple Pay before the physical card arrives?", "Yes, the new card's virtual version is available straight away and can be added to Apple Pay or Google Pay from the card screen."),
            ("Does the new card have the same PIN?", "Replacement cards keep your existing PIN. You can view it in the app under Card, then Show PIN, after confirming with your passcode."),
        ],
    ),
    Scenario(
        "joint_account",
        match=SAME,
        fu_match=((0, 1), (), (0, 1)),
        asks=[
            "My partner and I want a joint account. Can we open one in the app?",
            "How do I remove my ex-partner from our joint account?",
            "Can both of us have our own card on the joint account?",
        ],
        details=["We both already have personal accounts with you.", "We separated a few months ago.", "We share the household bills."],
        answers=[
            "Yes. One of you starts it under Accounts, then Open joint account, and invites the other by phone number. Once both of you have accepted in your own apps, the account opens immediately and appears next to your personal accounts.",
            "A joint account can't be changed to a sole account by one holder alone, so both of you need to agree. One of you can request closure in the app, and the other confirms; any balance is split as you both choose. If you can't contact your ex-partner, our support team can explain the other options.",
            "Yes, each of you gets your own card with its own PIN, and both cards draw on the same balance. Every payment shows which card made it, so it's easy to keep track of who spent what.",
        ],
        followups=[
            ("Can we set up shared savings pots on it too?", "Yes, pots on a joint account are shared, and either of you can add money or set automatic transfers."),
            ("Will we both get notifications for payments?", "Each of you chooses your own notification settings, so you can both be alerted for every payment or only for larger ones."),
        ],
    ),
    Scenario(
        "passcode",
        match=SAME,
        fu_match=((0, 1), (), ()),
        asks=[
            "I forgot my app passcode and now I'm locked out. How can I reset it?",
            "The app keeps asking for my passcode even though I turned on Face ID. Is that normal?",
            "Can I change my passcode to something longer for extra security?",
        ],
        details=["I've tried a few times already.", "I'm using an iPhone.", "I don't want to lose my settings."],
        answers=[
            "On the login screen tap Forgot passcode. We'll send a code to your phone and ask you to take a quick selfie to confirm it's you; after that you can choose a new passcode. Nothing else on your account changes, and your cards keep working throughout.",
            "Yes, that's expected from time to time. Face ID unlocks the app day to day, but we ask for your passcode after a restart of the phone, after an app update, and every thirty days, as an extra check that the device is still in your hands.",
            "Yes, go to Profile, then Security, then Change passcode, and choose Use a longer passcode to pick up to ten digits. You'll confirm with your current passcode first.",
        ],
        followups=[
            ("Will resetting the passcode sign me out on my tablet too?", "Yes, for safety every other device is signed out after a reset, so you'll need to log in again on the tablet."),
            ("Can someone else reset my passcode if they have my phone?", "Not without passing the selfie check, which compares against the photo ID you verified when you opened the account."),
        ],
    ),
]
