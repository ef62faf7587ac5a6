"""Secrets: every part of a credential is found, and redaction leaves none of it behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import add_conversations
from filters_util import only

from curator.cli.main import main
from curator.core.filters.pii import scan_text
from curator.core.filters.redact import redact_messages
from curator.core.jobs import run_job
from curator.core.pipeline import pipeline_job
from curator.core.workspace import Workspace

AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AZURE_KEY = "Zm9vYmFy" * 10 + "Q2xvdWQxMjM0NTY=="[:6] + "=="
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw"

# (flag, text, every part of the credential that must not survive redaction)
CASES: list[tuple[str, str, list[str]]] = [
    (
        "secret.aws_key",
        f"Here are the keys: access key id {AWS_ID} and secret access key {AWS_SECRET}",
        [AWS_ID, AWS_SECRET],
    ),
    (
        "secret.aws_key",
        f"aws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}",
        [AWS_ID, AWS_SECRET],
    ),
    (  # unlabelled: a 40-character secret right after its key id
        "secret.aws_key",
        f"Use {AWS_ID} / {AWS_SECRET} for the upload bucket.",
        [AWS_ID, AWS_SECRET],
    ),
    (
        "secret.gcp_key",
        "maps key AIzaSyD3x4mpl3K3yV4lu3abcdefghijklmnopq",
        ["AIzaSyD3x4mpl3K3yV4lu3abcdefghijklmnopq"],
    ),
    (
        "secret.azure_key",
        f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={'A1b2C3d4' * 10}ab12ef==;EndpointSuffix=core",
        ["A1b2C3d4" * 10 + "ab12ef=="],
    ),
    (
        "secret.github_token",
        "token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        ["ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"],
    ),
    (
        "secret.slack_token",
        "bot xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx and "
        "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdEFGHijklMNOP1234",
        [
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "T0AAAAAAA/B0BBBBBBB/abcdEFGHijklMNOP1234",
        ],
    ),
    (
        "secret.openai_key",
        "export OPENAI_API_KEY=sk-proj-4f9Kx2LmQ8vT1bZ7cW3nR6yH0aJ5dE",
        ["sk-proj-4f9Kx2LmQ8vT1bZ7cW3nR6yH0aJ5dE"],
    ),
    ("secret.jwt", f"Authorization header: {JWT}", [JWT]),
    (
        "secret.private_key",
        f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n{KEY_BODY[::-1]}\n-----END RSA PRIVATE KEY-----\nthanks",
        [KEY_BODY, KEY_BODY[::-1]],
    ),
    (  # cut off before its END line: the key text is still all of it
        "secret.private_key",
        f"my key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n{KEY_BODY[::-1]}",
        [KEY_BODY, KEY_BODY[::-1]],
    ),
    (
        "secret.password_in_url",
        "DATABASE_URL=postgres://taskflow_admin:Winter2026!x@db.internal:5432/app",
        ["taskflow_admin", "Winter2026!x"],
    ),
    ("secret.password", "login: mroberts\npassword: Tr0ub4dor&3", ["mroberts", "Tr0ub4dor&3"]),
    ("secret.password", "username=svc_backup pwd=9fJ#kq2Lz", ["svc_backup", "9fJ#kq2Lz"]),
    ("secret.password", "My password is Sunset-2024 and it still fails", ["Sunset-2024"]),
    (
        "secret.client_secret",
        "client_id: 8f3e2a1b-77c4-4d1e-9a0b-3c5d6e7f8091\nclient_secret: Qm8~xV2.pLr4_Tz9sWq1",
        ["8f3e2a1b-77c4-4d1e-9a0b-3c5d6e7f8091", "Qm8~xV2.pLr4_Tz9sWq1"],
    ),
    (
        "secret.api_key",
        'headers = {"X-Api-Key": "a8Fq2LmZ9xT4vB7nR1cW5yK3"}; api_key = a8Fq2LmZ9xT4vB7nR1cW5yK3',
        ["a8Fq2LmZ9xT4vB7nR1cW5yK3"],
    ),
    (
        "secret.api_key",
        "curl -H 'Authorization: Bearer 7hG2kLq9ZxV4mN8pR3tY6wB1'",
        ["7hG2kLq9ZxV4mN8pR3tY6wB1"],
    ),
]


def fragments(value: str, width: int = 8) -> set[str]:
    """Every piece of ``value`` long enough to mean something (all of it when short)."""
    if len(value) <= width:
        return {value}
    return {value[i : i + width] for i in range(len(value) - width + 1)}


@pytest.mark.parametrize(
    ("flag", "text", "parts"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_every_part_of_a_credential_is_found(flag: str, text: str, parts: list[str]) -> None:
    found = scan_text(text)
    assert flag in {f[2] for f in found}
    for part in parts:
        assert any(
            f[0] <= text.index(part) and text.index(part) + len(part) <= f[1] for f in found
        ), part
    redacted, n = redact_messages([{"role": "user", "content": text}])
    assert n >= 1
    for part in parts:
        assert not [frag for frag in fragments(part) if frag in redacted[0]["content"]], part


@pytest.mark.parametrize(
    "text",
    [
        "Reset your password from the sign-in page; the password is case sensitive.",
        "password: <your password>, user: <your user>",
        "Set PASSWORD=${DB_PASSWORD} in the environment",
        "client_secret = YOUR_CLIENT_SECRET",
        "api_key = 'your-api-key-here'",
        "The git commit is 3f786850e387550fdab836ed7e6dc881de23001b",  # 40 hex, no key id
        "Connect to postgres://user:password@localhost/db",
        "Your new password must be at least 12 characters.",
    ],
)
def test_placeholders_and_prose_are_not_secrets(text: str) -> None:
    assert [f for f in scan_text(text) if f[2].startswith("secret.")] == []


def test_redact_then_export_leaves_no_fragment_of_any_secret(tmp_path: Path, capsys) -> None:
    """The user's path: run, `review --redact --where flagged`, export; read the file."""
    ws_path = tmp_path / "s.curator"
    ws = Workspace.open(ws_path, create=True)
    convs = [
        [("user", f"{text}\n(record {i})"), ("assistant", "Thanks, I have it now.")]
        for i, (_f, text, _p) in enumerate(CASES)
    ]
    add_conversations(ws, convs)
    run_job(pipeline_job(ws, only(["pii"])))  # short look-alike texts: no dedup here
    assert main(["review", "-w", str(ws_path), "--redact", "--where", "flagged"]) == 0
    out = tmp_path / "out"
    assert main(["export", "-w", str(ws_path), "-o", str(out), "--include", "passing"]) == 0
    exported = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*.jsonl"))
    lines = [json.loads(line) for line in exported.splitlines() if line.strip()]
    assert len(lines) == len(CASES)  # every record made it out once its secrets were gone
    for flag, _text, parts in CASES:
        for part in parts:
            assert not [frag for frag in fragments(part) if frag in exported], (flag, part)


def test_tool_call_arguments_are_scanned_and_redacted(tmp_path: Path) -> None:
    from curator.core import records as R
    from curator.core.filters.redact import findings_of

    args = json.dumps(
        {"region": "eu-west-1", "access_key": AWS_ID, "secret_access_key": AWS_SECRET}
    )
    calls = [{"id": "c1", "type": "function", "function": {"name": "s3_upload", "arguments": args}}]
    messages = [
        R.message("user", "Upload the report"),
        R.message("assistant", None, tool_calls=calls),
    ]
    found = findings_of(messages)
    assert set(found.filter(found["field"] == "tool_calls").get_column("text")) == {
        AWS_ID,
        AWS_SECRET,
    }
    redacted, n = redact_messages(messages)
    assert n == 2
    assert (
        AWS_ID not in redacted[1]["tool_calls"] and AWS_SECRET[:8] not in redacted[1]["tool_calls"]
    )
    assert json.loads(redacted[1]["tool_calls"])[0]["function"]["name"] == "s3_upload"
