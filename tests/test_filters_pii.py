"""PII and secrets: real findings fire with spans; look-alikes do not."""

from __future__ import annotations

import pytest
from filters_util import only, run_flags

from curator.core.filters.detectors import iban_ok, luhn_ok, ssn_ok
from curator.core.filters.pii import scan_text


def names(text: str) -> list[str]:
    return [f[2] for f in scan_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@mailbox.co.uk today", "pii.email"),
        ("call me on +1 (415) 555-2671 after 5", "pii.phone"),
        ("my number is 415-555-2671", "pii.phone"),
        ("UK office +44 20 7946 0958", "pii.phone"),
        ("card 4111 1111 1111 1111 exp 12/27", "pii.card"),
        ("amex 378282246310005", "pii.card"),
        ("my home IP is 81.2.69.160, is it blocked?", "pii.ip"),
        ("my IPv6 is 2a02:8010:6358::8a2e:370:7334", "pii.ip"),
        ("pay to GB82 WEST 1234 5698 7654 32 please", "pii.iban"),
        ("IBAN DE89370400440532013000", "pii.iban"),
        ("SSN 078-05-1120 on file", "pii.ssn"),
        ("key AKIAIOSFODNN7EXAMPLE", "secret.aws_key"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret.aws_key"),
        ("my new mobile is 07700 900461", "pii.phone"),
        ("my number is +44 7700 900461", "pii.phone"),
        ("AIzaSyD3x4mpl3K3yV4lu3abcdefghijklmnopq", "secret.gcp_key"),
        ("ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "secret.github_token"),
        ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "secret.slack_token"),
        ("export OPENAI_API_KEY=sk-proj-4f9Kx2LmQ8vT1bZ7cW3nR6yH0aJ5dE", "secret.openai_key"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "secret.private_key",
        ),
        (
            "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "secret.jwt",
        ),
        ("DATABASE_URL=postgres://admin:Tr0ub4dor3@db.internal:5432/app", "secret.password_in_url"),
        ("AccountKey=" + "A" * 40 + "b" * 46 + "==", "secret.azure_key"),
    ],
)
def test_real_findings_fire(text: str, expected: str) -> None:
    assert expected in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your order 4929 1830 5521 7706 has shipped",  # 16 digits failing Luhn
        "Order #1234567890123456 confirmed",
        "ISBN 978-0-306-40615-7",
        "ISBN-10 0-306-40615-2",
        "Released on 2024-01-15 at 12:30:45",
        "Upgrade to version 2.14.1 or 10.0.19045",
        "build 1.2.3.4 of the firmware",
        "Tracking 1Z999AA10123456784",
        "Ticket 20240115-0042, call back at 14:30",
        "The meeting is 10:30:00 to 11:45:00",
        "Use SKU 123-45-6789X",  # not a standalone SSN
        "SSN-like 000-12-3456 and 666-12-3456 and 912-34-5678 are invalid",
        "Connect to postgres://user:password@localhost/db",  # placeholder password
        "Set OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx",
        "Price is 1,299.00 USD or 1 299,00 EUR",
        "Coordinates 48.8566, 2.3522",
        "Account DE00 1234 5678 9012 3456 78",  # fails mod-97
        "Call 123-456-7890 for a demo",  # not a valid NANP number
        # reserved documentation values and public services: nobody's personal data
        "write to jane.doe@example.com or ops@mail.example.org or a@b.example.net",
        "try support@shop.example or dev@app.test",
        "You can reach them at 510-555-0123.",
        "my number is (555) 013-2671",
        "ssh user@example.com",
        "ssh deploy@prod.acme-corp.io and git clone git@github.com:acme/app.git",
        "ping 8.8.8.8 then 1.1.1.1",
        "set DNS to 9.9.9.9 or 2606:4700:4700::1111",
        "docs use 192.0.2.10, 198.51.100.7 and 203.0.113.42 and 2001:db8:85a3::8a2e:370:7334",
        "the router is 192.168.1.1 and the NAS 10.0.0.12",
        "ping 93.184.216.34 to check the route",
        "server at 81.2.69.160 is down",
    ],
)
def test_look_alikes_do_not_fire(text: str) -> None:
    assert names(text) == []


def test_findings_keep_message_and_span(tmp_path) -> None:
    from filters_util import filtered_ws

    convs = [
        [
            ("user", "hi, I'm at bob@mailbox.co.uk"),
            ("assistant", "Thanks! Also reach us at +1 415 555 2671."),
        ]
    ]
    ws, _ = filtered_ws(tmp_path, convs, only(["pii"]))
    found = ws.read_result("pii_findings")
    rows = {r["name"]: r for r in found.to_dicts()}
    email = rows["pii.email"]
    assert (email["turn"], convs[0][0][1][email["start"] : email["end"]]) == (
        0,
        "bob@mailbox.co.uk",
    )
    # "reach us at": the business's own line, a contact detail, not personal data
    phone = rows["contact.phone"]
    assert phone["turn"] == 1 and convs[0][1][1][phone["start"] : phone["end"]] == "+1 415 555 2671"
    scores = ws.read_result("scores_pii").to_dicts()[0]
    assert (scores["pii_count"], scores["secret_count"], scores["contact_count"]) == (1, 0, 1)


def test_flags_have_readable_reasons_and_severity(tmp_path) -> None:
    convs = [
        [
            ("user", "I'm jane@mailbox.co.uk"),
            ("assistant", "Noted, jane@mailbox.co.uk. Your key AKIAIOSFODNN7EXAMPLE is exposed."),
        ],
        [
            ("user", "What is your returns policy?"),
            ("assistant", "Returns are free within 30 days."),
        ],
    ]
    flagged, clean = run_flags(tmp_path, convs, only(["pii"]))
    assert flagged["pii.email"] == "2 email addresses in messages 1, 2 (j***@mailbox.co.uk, …)"
    assert flagged["secret.aws_key"] == "AWS access key in message 2 (AKIA…)"
    assert clean == {}


def test_overlap_prefers_secret_over_email() -> None:
    found = scan_text("postgres://admin:Tr0ub4dor3@db.acme-corp.com/app")
    assert [f[2] for f in found] == ["secret.password_in_url"]
    assert found[0][3] == "admin:Tr0ub4dor3"  # the whole credential: user and password


def test_validators() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4929183055217706")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert ssn_ok("078-05-1120") and not ssn_ok("078-00-1120") and not ssn_ok("900-12-3456")


def test_allow_lists_silence_known_values(tmp_path) -> None:
    convs = [[("user", "Email me at sam@acme-corp.com or call me on 415-555-2671.")]]
    recipe = only(["pii"]).with_params("pii", allow_domains=["acme-corp.com"], ignore=["pii.phone"])
    assert run_flags(tmp_path, convs, recipe) == [{}]
