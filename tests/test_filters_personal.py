"""Personal data vs contact details: names, addresses, postcodes, dates of birth, and
whose phone number or address it is (who says it, the words before it, reserved values)."""

from __future__ import annotations

import pytest
from filters_util import only, run_flags

from curator.core.filters.personal import parse_date
from curator.core.filters.pii import scan_text


def found(text: str, role: str = "user") -> list[tuple[str, str]]:
    return [(f[2], f[3]) for f in scan_text(text, role)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi Maria,\nmy order never came.", "Maria"),
        ("Hello Tom Walker, thanks for writing in.", "Tom Walker"),
        ("Dear Aisha,\nyour refund is on its way.", "Aisha"),
        ("The parcel was damaged.\n\nThanks,\nPriya", "Priya"),
        ("Let me know if it works.\n\nBest regards,\nDana\nBrightside Home Support", "Dana"),
        ("My name is Lukas Schmidt and I ordered a chair.", "Lukas Schmidt"),
        ("Hi, this is Ana from accounts payable.", "Ana"),
        ("Thank you for calling, you're speaking with Marcus. How can I help?", "Marcus"),
        ("You're very welcome, Grace. Have a lovely evening.", "Grace"),
        ("Thanks for the details, Omar. I checked the order.", "Omar"),
    ],
)
def test_names_in_context_are_found(text: str, name: str) -> None:
    assert ("pii.name", name) in found(text, "assistant")


@pytest.mark.parametrize(
    "text",
    [
        "Hi there, can you help?",
        "Hello team, the build is red.",
        "Dear Sir or Madam,\nplease cancel my order.",
        "Thanks,\nThe Brightside Home Team",
        "Good morning, Northwind Mobile, how can I help?",
        "Thanks, great, that works.",
        "I want to fly to San Francisco with American Airlines on March 3rd.",
        "Natalia sold clips to 48 of her friends in April.",  # a name, but no cue: not claimed
        "This is fine.",
    ],
)
def test_capitalised_words_without_a_name_cue_are_not_names(text: str) -> None:
    assert [n for n, _ in found(text, "assistant") if n == "pii.name"] == []


def test_a_reply_that_is_a_name_counts_only_when_a_name_was_asked_for(tmp_path) -> None:
    convs = [
        [
            ("assistant", "Can I take your full name and the postcode on the account, please?"),
            ("user", "Sure, it's Maria Patel, and the postcode is LS1 4AB."),
            ("assistant", "Thanks, that's all I need."),
        ],
        [
            ("user", "Which city should I visit?"),
            ("assistant", "Paris Texas, and then Austin."),
        ],
    ]
    asked, not_asked = run_flags(tmp_path, convs, only(["pii"]))
    assert set(asked) == {"pii.name", "pii.postcode"}
    assert not_asked == {}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Please send it to 12 Acacia Avenue, Leeds.", "12 Acacia Avenue"),
        ("I live at 221B Baker Street", "221B Baker Street"),
        ("My address is 1600 North Main St Apt 4", "1600 North Main St Apt 4"),
    ],
)
def test_a_users_own_street_address_is_personal(text: str, value: str) -> None:
    assert ("pii.address", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my postcode is SW1A 1AA", "SW1A 1AA"),
        ("Ship to 42 Elm Grove, Bristol BS8 4DQ", "BS8 4DQ"),
        ("Deliver to 5 Main Street, Austin, TX 78701", "78701"),
        ("my zip code is 94103", "94103"),
        ("Canada: my postal code is K1A 0B1", "K1A 0B1"),
    ],
)
def test_postcodes(text: str, value: str) -> None:
    assert ("pii.postcode", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my date of birth is the 6th of December, 1986", "6th of December, 1986"),
        ("DOB: 03/04/1985", "03/04/1985"),
        ("I was born on March 3, 1990.", "March 3, 1990"),
        ("birth date 1979-11-02", "1979-11-02"),
    ],
)
def test_dates_of_birth(text: str, value: str) -> None:
    assert ("pii.dob", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "The meeting is on 03/04/2025.",  # a date, no birth cue
        "born on 31/02/1990",  # no such day
        "born on 01/01/2090",  # in the future
        "The flight is on March 3, 2027 at 10 am.",
        "Order SKU B12AB ships from aisle M1 4",
    ],
)
def test_dates_and_codes_that_are_not_personal(text: str) -> None:
    assert [n for n, _ in found(text) if n in ("pii.dob", "pii.postcode")] == []


def test_parse_date_reads_the_shapes_people_write() -> None:
    assert str(parse_date("19th of October, 1956")) == "1956-10-19"
    assert str(parse_date("Oct 19, 1956")) == "1956-10-19"
    assert str(parse_date("25/12/1980")) == "1980-12-25"
    assert parse_date("31/02/1990") is None


@pytest.mark.parametrize(
    ("role", "text", "expected"),
    [
        # a business's published details, read out by the assistant or asked about
        ("assistant", "Their phone number is 408-247-8880.", "contact.phone"),
        ("assistant", "You can reach them at 925-648-7838 by phone.", "contact.phone"),
        (
            "assistant",
            "His number is 925-827-1008 and he's located at 101 Gregory Lane",
            "contact.phone",
        ),
        ("assistant", "They are located at 261 North 2nd Street.", "contact.address"),
        ("user", "What's the restaurant's phone number? Is it 415-775-7644?", "contact.phone"),
        ("user", "I need a cab to 100 Van Ness Avenue", "contact.address"),
        ("user", "Email the shop at orders@brightside-home.co.uk, their address", "contact.email"),
        # someone's own
        ("user", "my number is 415-775-7644", "pii.phone"),
        ("user", "Call me on +44 20 7946 0958 tomorrow", "pii.phone"),
        ("user", "It's 07911 123456 if you need me", "pii.phone"),
        ("assistant", "I'll call you back on 415-775-7644 within the hour.", "pii.phone"),
        ("assistant", "We have your email as sam.jones@mailbox.co.uk.", "pii.email"),
    ],
)
def test_whose_contact_detail_it_is(role: str, text: str, expected: str) -> None:
    names = [n for n, _ in found(text, role) if n != "pii.name"]
    assert expected in names, names
    other = "contact." if expected.startswith("pii.") else "pii."
    assert not [
        n for n in names if n.startswith(other) and n.split(".")[1] == expected.split(".")[1]
    ]


def test_an_assistant_repeating_the_users_own_number_is_still_personal(tmp_path) -> None:
    convs = [
        [
            ("user", "Please text 415-775-7644 when the engineer is on the way."),
            ("assistant", "Will do: we'll text 415-775-7644 on the day."),
        ],
        [
            ("user", "Can you book a table at Sushi Ran?"),
            ("assistant", "Done. Their phone number is 415-332-3620 if you need to change it."),
        ],
    ]
    own, business = run_flags(tmp_path, convs, only(["pii"]))
    assert set(own) == {"pii.phone"} and "2 phone numbers in messages 1, 2" in own["pii.phone"]
    assert set(business) == {"contact.phone"}
    assert business["contact.phone"].startswith("business or public phone number in message 2")


def test_contact_details_are_info_and_not_redacted(tmp_path) -> None:
    from filters_util import filtered_ws

    from curator.core.filters.redact import redact_messages

    convs = [
        [("user", "Book me a table"), ("assistant", "Booked. You can reach them at 408-247-8880.")]
    ]
    ws, _ = filtered_ws(tmp_path, convs, only(["pii"]))
    flags = ws.flags().to_dicts()
    assert [(f["name"], f["severity"]) for f in flags] == [("contact.phone", "info")]
    scores = ws.read_result("scores_pii").to_dicts()[0]
    assert (scores["pii_count"], scores["contact_count"]) == (0, 1)
    messages = [{"role": r, "content": t} for r, t in convs[0]]
    assert redact_messages(messages) == (messages, 0)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My NHS number is 943 476 5919.", "943 476 5919"),
        ("DNI: 12345678Z", "12345678Z"),
        ("my BSN is 111222333", "111222333"),
        ("CPF 390.533.447-05", "390.533.447-05"),
        ("SIN 130 692 544", "130 692 544"),
        ("Aadhaar 2341 2341 2346", "2341 2341 2346"),
        ("national insurance number AB123456C", "AB123456C"),
        ("Steuer-ID 36 574 261 809", "36 574 261 809"),
    ],
)
def test_national_ids_after_their_name_and_with_valid_check_digits(text: str, value: str) -> None:
    assert ("pii.national_id", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "my BSN is 111222334",  # fails the 11-check
        "DNI: 12345678A",  # wrong control letter
        "National Insurance number: QQ123456C",  # HMRC's documentation prefix
        "Your order 111222333 ships since Monday",  # a valid BSN shape, but no BSN cue
        "Aadhaar 2341 2341 2345",  # fails Verhoeff
    ],
)
def test_id_look_alikes_are_not_ids(text: str) -> None:
    assert [n for n, _ in found(text) if n == "pii.national_id"] == []
