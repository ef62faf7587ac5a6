"""Clean support scenarios for "Brightside Home", an online home-goods and electronics shop.

Each scenario holds several phrasings of the customer's question, several answer bodies
and follow-up exchanges; `gen_engine.compose` picks and fills them with per-conversation
slot values, so no two conversations share more than a sentence or two.
"""

from __future__ import annotations

from gen_engine import SAME, Scenario

BRAND = "Brightside Home"

PRODUCTS = [
    "Aria cordless vacuum", "Lumen floor lamp", "Nimbus air purifier", "Cedar bookshelf",
    "Halo smart speaker", "Tidal espresso machine", "Vista 27-inch monitor", "Drift memory-foam pillow",
    "Ember cast-iron skillet", "Breeze tower fan", "Orbit robot mop", "Pixel photo frame",
    "Sonata soundbar", "Glide office chair", "Frost mini fridge", "Willow linen duvet set",
    "Quartz kettle", "Nova desk lamp", "Summit hiking backpack", "Terra planter set",
    "Echo wireless earbuds", "Atlas standing desk", "Mosaic rug", "Cove bath towel set",
]
CARRIERS = ["UPS", "FedEx", "DHL", "USPS", "Royal Mail", "DPD"]
OCCASIONS = [
    "my daughter's birthday", "a housewarming on Saturday", "our office opening",
    "my mum's anniversary", "a trip next week", "the holidays", "my move into a new flat",
]

SCENARIOS = [
    Scenario(
        "late_delivery",
        asks=[
            "Hi, my order {order} still hasn't arrived. Tracking has said \"in transit\" since {date} and I need the {product} for {occasion}. Can you check what is going on?",
            "Hello there. I ordered a {product} about {days} days ago (order {order}) and the delivery estimate has already passed. Nobody has contacted me about a delay.",
            "Could you tell me where my parcel is? Order number {order}. The {carrier} tracking link has not updated for several days now.",
        ],
        details=[
            "I was home all day yesterday and no card was left at the door.",
            "The app still shows the original delivery date, which is confusing.",
            "I paid for standard shipping, not the express option.",
        ],
        answers=[
            "I checked order {order} and the parcel is with {carrier}, but it has been held at their regional depot since {date}. I have opened a trace with the carrier, which usually gets a stuck parcel moving within two working days. If it has not moved by then, I will send a replacement {product} at no cost, so you do not need to reorder anything.",
            "Thanks for the order number. The {product} left our warehouse on time, but {carrier} reported a sorting delay in your area. I have flagged the shipment as a priority and asked them to confirm a new delivery date. You will get an email from us as soon as they reply, and if the parcel turns out to be lost we will reship it straight away.",
            "I can see the problem: the tracking number on {order} was never activated by {carrier}, which means the label was printed but the parcel may not have been scanned. I have asked our warehouse team to check whether it is still on the shelf. If it is, they will hand it over today and I will send you the new tracking link myself.",
        ],
        followups=[
            ("Thanks. Will I be charged again if you have to send a replacement?", "No, a replacement for a lost parcel is always free of charge. If the original turns up later, you can keep it or send it back with the prepaid label we include, whichever is easier for you."),
            ("Is there any way to get it faster? I really need it by the weekend.", "I have upgraded the shipping on your order to express at our cost. That does not change anything already with the carrier, but if we reship it will go out on the fastest service available to your address."),
        ],
    ),
    Scenario(
        "return_item",
        asks=[
            "I'd like to return the {product} I bought last week. It works fine, it just doesn't fit the space I had in mind. How do I do that?",
            "Hi! Can I still send back a {product}? I received it on {date} and haven't used it. The box is opened though.",
            "Hello, what's the process for returning something? The {product} from order {order} is not what I expected from the photos.",
        ],
        details=[
            "I still have all the packaging.",
            "I would prefer a refund rather than store credit if possible.",
            "There is no printer at home, so I can't print a label.",
        ],
        answers=[
            "Of course. Opened items can be returned as long as they are unused and complete. Go to Orders in your account, choose {order}, and select Return an item. You can pick a drop-off point or a courier collection. Once the {product} reaches our returns centre, the refund goes back to your original payment method, usually within five working days.",
            "Yes, you can still return it. I have started the return for you on order {order}, and you will receive an email with a QR code shortly. Show the code at any {carrier} drop-off point and they will print the label for you, so you do not need a printer. We will confirm by email when the {product} arrives back with us.",
            "No problem at all. Returns are free for this item. Just pack the {product} in its original box if you still have it, or any sturdy box if not, and book a collection from the Returns page. Your refund will be issued as soon as the warehouse scans the parcel in, and you can follow the progress in your account.",
        ],
        followups=[
            ("Do I need to include the receipt or anything in the box?", "No receipt is needed. The return is linked to your order automatically through the label or QR code, so the warehouse knows exactly who it belongs to."),
            ("How will I know the refund has gone through?", "You will get an email the moment the refund is issued, and it also appears under the order in your account. Depending on your bank it can take a few extra days to show on your statement."),
        ],
    ),
    Scenario(
        "damaged_item",
        match=((0, 1), (0, 1), (0, 1, 2)),
        asks=[
            "My {product} arrived broken. The box looked fine but there's a crack along the side of the unit. Order {order}.",
            "Hello, I just unpacked the {product} and it is damaged. One of the parts is bent and it won't assemble properly. What can you do?",
            "The {product} I received today doesn't turn on and there is a rattling noise inside, I think something came loose in transit.",
        ],
        details=[
            "I took photos of the box and the damage.",
            "This was meant to be a present, so I'm quite disappointed.",
            "I've already tried a different socket in case that was the problem.",
        ],
        answers=[
            "I am really sorry it arrived like that. Could you reply with a photo of the damage and of the shipping label? As soon as I have them I will send a replacement {product} on the next dispatch, and {carrier} will collect the damaged one when they deliver the new one, so you only need to be home once.",
            "That is not the condition it should have reached you in, and I apologise. I have arranged a replacement for order {order}, which should ship within one working day. There is no need to send the damaged item back first; our courier will pick it up. If you would rather have a refund instead, just say so and I will switch it.",
            "Thank you for letting us know so quickly. A unit that rattles and will not power on was almost certainly damaged in transit, so I will not ask you to troubleshoot it. I have booked a free collection and a replacement, and you will receive a confirmation email with both dates in the next few minutes.",
        ],
        followups=[
            ("Can I keep the broken one until the new one arrives? I need something in the meantime.", "Yes, that is fine. The courier will collect the damaged unit when they drop off the replacement, so you will not be without one at any point."),
            ("Should I report this to the courier as well?", "No need, we handle the claim with the carrier on our side. You do not have to contact them or fill in anything."),
        ],
    ),
    Scenario(
        "wrong_item",
        asks=[
            "I ordered a {product} but received something completely different in the box. Order {order}. What happened?",
            "Hi, you sent me the wrong colour. I chose grey for the {product} and a bright yellow one arrived.",
            "There seems to be a mix-up with my delivery: the label has my name on it, but the item inside is not the {product} I paid for.",
        ],
        details=[
            "The packing slip inside also lists the wrong item.",
            "I have not opened the inner packaging.",
            "I need the right one fairly soon.",
        ],
        answers=[
            "Sorry about the mix-up. It looks like a picking error at our warehouse. I have sent the correct {product} on express delivery and attached a prepaid return label to your account for the item you received. Please use it within thirty days; there is no charge to you at any point.",
            "Thank you for telling us, and apologies for the confusion. I have checked order {order} and the item scanned at packing does not match what you ordered, so this is our mistake. The correct {product} will ship today and {carrier} will collect the wrong one when they deliver it.",
            "That should not have happened. I have reported the error to the warehouse so they can check the rest of that batch, and I have set up an exchange: the right {product} goes out first, and you can send the other item back whenever it suits you using the label in your confirmation email.",
        ],
        followups=[
            ("Will the exchange delay my delivery?", "No, the correct item ships straight away, before we receive the wrong one back. You should have it within two to three working days."),
            ("Can I just keep the wrong item and pay the difference?", "Yes, if you would like to keep it I can arrange that. I will check the price difference and send you a payment link, and I will cancel the collection so nobody comes to pick it up."),
        ],
    ),
    Scenario(
        "change_address",
        match=((0, 2), (0, 1), (0, 2)),
        asks=[
            "I made a mistake with my delivery address on order {order}. The flat number is wrong. Can you still change it?",
            "Hello, I'm moving to {city} on Friday. Is it possible to change the shipping address for my {product} order?",
            "Can the delivery address be updated after the order is placed? I typed my old street by accident.",
        ],
        details=[
            "The order was placed about an hour ago.",
            "The postcode is correct, it's just the house number.",
            "I would also like to add a delivery note for the concierge.",
        ],
        answers=[
            "Yes, as long as the parcel has not been handed to the carrier yet. Order {order} is still being packed, so I have updated the address for you. You will get a new confirmation email with the corrected address; please check it and let me know if anything else needs changing.",
            "I can help with that. The order has already been dispatched with {carrier}, so I cannot edit it on our side, but I have sent a redirect request to the carrier with your new address in {city}. They usually confirm redirects within a day, and I will forward their reply to you.",
            "Good news: the order had not been picked yet, so the change went through and the parcel will go to the corrected address. For future orders you can edit the address yourself from the order page until the status changes to Dispatched.",
        ],
        followups=[
            ("Will changing the address change the delivery date?", "It should not for a change within the same area. If the carrier needs an extra day to reroute, the new estimate will appear on the tracking page automatically."),
            ("Can I save the new address as my default too?", "Yes, go to Account, then Addresses, and choose Set as default next to the new address. It will be pre-selected at checkout from then on."),
        ],
    ),
    Scenario(
        "cancel_order",
        match=((0, 2), (1,), (0, 2)),
        fu_match=((0,), (0, 1), (0,)),
        asks=[
            "Please cancel my order {order}. I found the {product} in a local store and don't need it anymore.",
            "Hi, I ordered twice by accident. Can you cancel one of the two orders for the {product}?",
            "Is it too late to cancel an order I placed this morning? It's the {product}.",
        ],
        details=[
            "I paid with a credit card.",
            "The confirmation email says it is processing.",
            "I don't want to be charged for shipping twice either.",
        ],
        answers=[
            "Not too late at all. I have cancelled order {order} before it was packed, and the payment authorisation will be released by your bank, usually within three to five working days. You will receive a cancellation email in a moment as confirmation.",
            "I found both orders and cancelled the later one, so only the first will ship. You will not be charged for the cancelled order; if a pending charge shows on your card, it will drop off on its own once the bank releases it.",
            "Unfortunately the {product} was handed to {carrier} about an hour ago, so I cannot stop it from our side. When it arrives, you can refuse the delivery or return it for free from your account, and I will make sure the refund is processed the day it reaches us.",
        ],
        followups=[
            ("Will I get the shipping fee back as well?", "Yes, for a cancelled order everything is refunded, including shipping. Nothing is charged until an order ships."),
            ("Can you confirm the other order is still going ahead?", "Yes, the remaining order is unaffected and is on schedule. You can see its status under Orders in your account."),
        ],
    ),
    Scenario(
        "promo_code",
        match=((0,), (1,), (0, 2)),
        fu_match=((0, 1), (0,), (0, 1)),
        asks=[
            "The discount code from your newsletter isn't working at checkout. It says the code is invalid.",
            "I forgot to apply my promo code before paying for order {order}. Can you still add it?",
            "Hi, is there a reason my welcome discount won't apply to the {product}?",
        ],
        details=[
            "I typed it exactly as it appears in the email.",
            "The email arrived two days ago.",
            "My basket has a few items in it, the {product} is the main one.",
        ],
        answers=[
            "Thanks for checking. Some newsletter codes exclude items that are already on sale, and the {product} is currently in our seasonal offer, which is why the code is rejected. If you remove the sale items, the code will apply to the rest of your basket. I can also check other items for you if you tell me what you are looking at.",
            "I can still apply it. I have added the discount to order {order} retroactively, and the difference will be refunded to your original payment method within a few days. You will see it as a separate credit rather than a change to the original charge.",
            "Welcome codes work on your first order only, and our records show an earlier order on your account from a while back. As a one-off, I have created a personal code for you with the same discount, which I have just sent to your email address.",
        ],
        followups=[
            ("Can I use the code on my next order too?", "Each code works once, but you will receive new offers by email if you stay subscribed to the newsletter."),
            ("Why wasn't this mentioned on the checkout page?", "You are right that the message could be clearer. I have passed your feedback to the web team so the checkout explains why a code does not apply."),
        ],
    ),
    Scenario(
        "warranty",
        match=((0,), (0, 1), (0, 2)),
        asks=[
            "My {product} stopped working after about {months} months. Is it still under warranty?",
            "Hello, the {product} I bought last year has developed a fault. It switches itself off after a few minutes. What are my options?",
            "I'd like to make a warranty claim for the {product}. The motor makes a grinding noise now.",
        ],
        details=[
            "I have the original order confirmation.",
            "I have cleaned it as the manual suggests, but it didn't help.",
            "It has only been used normally at home.",
        ],
        answers=[
            "Yes, the {product} has a two-year warranty, so you are well within it. Please go to the Support page, choose Warranty claim, and enter your order number. Add a short video of the fault if you can. Once the claim is approved, which is usually the same day, we will send a prepaid label and repair or replace the unit.",
            "I am sorry to hear that. A unit that switches off on its own is covered, so there is no need to troubleshoot further. I have opened a warranty case for you and attached your order. Our service partner will contact you within two working days to arrange a collection, and the repair itself is free.",
            "That noise sounds like a worn bearing, which the warranty covers. I have logged the claim against your order, and you will receive an email with the next steps shortly. If the repair takes longer than ten working days, we will replace the {product} instead so you are not left waiting.",
        ],
        followups=[
            ("Do I need the original box to send it in?", "No, any sturdy box is fine. Please pack it with some padding and include the power cable if it has a removable one."),
            ("Will the repair reset the warranty period?", "Repaired parts get their own warranty, and the rest of the original period still applies to the unit. The details will be on the repair report we send back with it."),
        ],
    ),
    Scenario(
        "refund_status",
        asks=[
            "I returned the {product} almost two weeks ago and I still haven't seen my refund. Can you look into it?",
            "Hi, the tracking shows my return was delivered to you on {date}, but there's no refund on my card yet.",
            "When can I expect my money back for order {order}? The return was accepted.",
        ],
        details=[
            "I paid by debit card.",
            "I used the prepaid label from the email.",
            "Your website says refunds take five days.",
        ],
        answers=[
            "Thanks for your patience. I can see the return for order {order} arrived at our warehouse on {date}, and the refund was issued two days later. Banks usually take three to five working days to show it, so it should appear very soon. If it is not there by the end of the week, reply here and I will send you the bank reference so your bank can trace it.",
            "I checked and your return was received, but it was waiting for a quality check that should have been completed already. I have pushed it through now, and the refund has been issued to your original payment method. You will receive a confirmation email with the amount and the date.",
            "I am sorry for the wait. The parcel reached us, but it was scanned in without the order reference, so the system did not match it to your account. I have matched it manually and issued the refund. It may take a few working days to appear on your statement.",
        ],
        followups=[
            ("Can you send the refund to a different card? The old one has expired.", "Refunds always go to the original card, but when a card has expired the bank forwards the money to the replacement card on the same account. If that does not happen, contact us again and we can issue a gift card or bank transfer instead."),
            ("Will the original shipping cost be refunded too?", "Yes, because the return was within the returns window and the item was complete, the original shipping cost is included in the refund."),
        ],
    ),
    Scenario(
        "stock",
        match=((0,), (1,), (0, 2)),
        asks=[
            "Do you know when the {product} will be back in stock? I've been waiting a while.",
            "The {product} shows \"coming soon\" on the website. Can I pre-order it somehow?",
            "Hello! Will you restock the {product} in the grey finish before the end of the month?",
        ],
        details=[
            "I signed up for the email alert but haven't heard anything.",
            "I'd rather wait than buy a different model.",
            "I only need one.",
        ],
        answers=[
            "Our next delivery of the {product} is expected in about two weeks, although supplier dates can slip. The quickest way to get one is the Notify me button on the product page: alerts go out in the order people signed up, before the item is shown as available to everyone.",
            "We do not take pre-orders for that item, I am afraid, because the supplier has not confirmed the quantity yet. I have added you to the waiting list with the email address on your account, so you will be told as soon as stock arrives.",
            "I have checked with the buying team: the grey finish is being restocked, but the date is not confirmed yet. The other finishes are in stock now if that would work for you. If you would rather wait for grey, the Notify me button is the best option.",
        ],
        followups=[
            ("Is the price going to change when it's back?", "I cannot promise anything about future prices, but the product page always shows the current one, and the price at the time you order is the one you pay."),
            ("Can you reserve one for me?", "We are not able to reserve items, but the stock alert goes out before the item is visible to other customers, so signing up gives you the best chance."),
        ],
    ),
    Scenario(
        "payment_declined",
        asks=[
            "My card keeps getting declined at checkout, even though there is money on it. What am I doing wrong?",
            "Hi, I tried to pay for the {product} three times and each time the payment failed. My bank says there's no problem on their side.",
            "Why is my payment being rejected? It worked fine on my last order.",
        ],
        details=[
            "I am using the same card as before.",
            "I get a code 05 error message.",
            "I tried both the website and the app.",
        ],
        answers=[
            "A decline that your bank does not see is often caused by the billing address: it has to match the address your bank holds for the card, including the postcode format. Please check that first. If it still fails, try the payment once more and tell me the time, and I will look up the exact reason our payment provider received.",
            "When the bank sees no problem, the decline usually comes from the card issuer's automatic fraud screening, which can block an unusual purchase without telling the bank's support team. Approving the payment in your banking app normally fixes it. You can also use PayPal or a different card to complete the order.",
            "I checked your account and the attempts were stopped by the 3-D Secure step, which happens when the verification window is closed before the bank confirms. Please try again and keep the window open until your bank's page finishes loading. Your basket is saved, so you will not lose anything.",
        ],
        followups=[
            ("Will I be charged three times because of the failed attempts?", "No, failed attempts are not charged. Your bank may show a temporary authorisation, but it disappears on its own within a few days."),
            ("Is there any other way to pay?", "Yes, we accept PayPal, Apple Pay, Google Pay and gift cards, as well as all major credit and debit cards."),
        ],
    ),
    Scenario(
        "assembly",
        match=((0, 2), (1,), (0, 2)),
        asks=[
            "The assembly instructions for the {product} are missing from the box. Where can I find them?",
            "I'm stuck on step 6 of the {product} instructions. The holes don't line up with the screws provided.",
            "Are there any videos showing how to put the {product} together? The paper manual is hard to follow.",
        ],
        details=[
            "I've counted the parts and everything seems to be there.",
            "I'm doing it on my own, so anything that makes it easier would help.",
            "The screws in bag C look shorter than in the picture.",
        ],
        answers=[
            "You can download the full manual as a PDF from the product page under Documents, and there is a step-by-step video in the same section. If any part turns out to be missing, send me a photo of the parts list with the missing item circled, and I will post it to you free of charge.",
            "That step trips up quite a few people. The side panel needs to be turned so the pre-drilled holes face inward; once it is flipped, the cam locks line up with the screws from bag C. If they still do not fit, let me know, because that would mean a part was drilled incorrectly and we will replace it.",
            "Yes, there is an assembly video on our Help Centre: search for the {product} and open the Setup tab. It follows the manual step by step and shows the tricky parts from two angles. Most people find it much easier than the paper version.",
        ],
        followups=[
            ("How long does it usually take to assemble?", "Most customers finish in under an hour with two people. Doing it alone is possible, but the large panels are easier to hold with a second pair of hands."),
            ("Do you offer an assembly service?", "In some areas, yes. Enter your postcode on the product page and the assembly option appears at checkout if it is available where you live."),
        ],
    ),
    Scenario(
        "invoice",
        match=((0, 2), (1,), (0, 2)),
        asks=[
            "I need a VAT invoice for order {order} for my company's accounts. Can you send one?",
            "Hello, could you put my business name on the invoice for the {product}? I forgot to add it at checkout.",
            "Where do I download invoices for my orders? I can only find the order confirmation.",
        ],
        details=[
            "Our finance team needs it by the end of the month.",
            "The company is registered in {city}.",
            "A PDF is fine.",
        ],
        answers=[
            "Certainly. Invoices are available under Orders in your account: open order {order} and choose Download invoice. If you need the company name and VAT number on it, add them under Account, then Billing details, and download the invoice again; it will be regenerated with the new details.",
            "I have updated the invoice for order {order} with your business name and sent the new PDF to your email address. The original invoice has been voided, so your accounts will only contain the corrected one.",
            "The order confirmation is sent at checkout, but the invoice itself is created when the order ships. Once the {product} has been dispatched, you will find a Download invoice button on the order page. If you need it before that, I can send a pro forma invoice instead.",
        ],
        followups=[
            ("Can you add our purchase order number to it as well?", "Yes, send me the purchase order number and I will add it to the reference field and send you the updated PDF."),
            ("Do you offer invoices for future orders automatically?", "If you create a business account, every order gets a company invoice automatically and you can pay on thirty-day terms."),
        ],
    ),
    Scenario(
        "account_access",
        match=SAME,
        asks=[
            "I can't log into my account. The password reset email never arrives.",
            "Hi, I think someone else logged into my account, my address book has changed. What should I do?",
            "How do I change the email address on my account? I no longer use the old one.",
        ],
        details=[
            "I've checked my spam folder.",
            "I can still log in on my phone.",
            "My last order was placed a few weeks ago.",
        ],
        answers=[
            "Reset emails sometimes get blocked by strict mail filters. I have sent a new reset link from our secondary address, so please check in a few minutes, including your spam or promotions folder. The link is valid for one hour. If it still does not arrive, I can verify your identity here and update the email for you.",
            "Thank you for telling us straight away. I have signed your account out of every device and locked it temporarily. You will receive an email to set a new password; please choose one you do not use anywhere else. Then check your saved addresses and payment methods, and let me know if you see any orders you did not place.",
            "You can change it yourself under Account, then Personal details. We will send a confirmation link to the new address, and the change takes effect once you click it. Your order history and saved details stay exactly as they are.",
        ],
        followups=[
            ("Is there two-factor login I can turn on?", "Yes, go to Account, then Security, and enable two-step verification. You can use an authenticator app or text messages."),
            ("Will I lose my saved addresses or order history?", "No, your saved addresses, order history and wish lists stay exactly as they are. Only the sign-in details change."),
        ],
    ),
]


def slots(rng: object) -> dict[str, object]:
    """Per-conversation slot values for this domain (rng is random.Random)."""
    import random

    assert isinstance(rng, random.Random)
    return {
        "product": rng.choice(PRODUCTS),
        "order": f"BH-{rng.randint(100000, 999999)}",
        "carrier": rng.choice(CARRIERS),
        "occasion": rng.choice(OCCASIONS),
        "days": rng.randint(6, 14),
        "months": rng.randint(7, 20),
    }
