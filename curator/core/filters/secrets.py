"""Secret detectors: cloud keys, service tokens, private keys, JWTs, URL passwords.

Patterns follow the providers' published token formats (as detect-secrets and
gitleaks use them); validators drop obvious placeholders ("sk-xxxx",
"postgres://user:password@host") so documentation-style examples do not fire.
"""

from __future__ import annotations

import base64
import json
import re

from curator.core.filters.detectors import Detector

_PLACEHOLDER_PASSWORDS = {"password", "pass", "passwd", "secret", "pwd", "changeme", "xxx", "****"}


def _mask_prefix(s: str) -> str:
    return s[:4] + "…"


def _not_placeholder(m: re.Match[str], text: str) -> bool:
    s = m.group(0)
    body = s.split("_", 1)[-1] if "_" in s[:12] else s
    return len(set(body.lower()) - set("x*.-_0")) > 3


def _openai_ok(m: re.Match[str], text: str) -> bool:
    body = m.group(0)[3:]
    return (
        _not_placeholder(m, text)
        and any(c.isdigit() for c in body)
        and any(c.isalpha() for c in body)
    )


def _jwt_ok(m: re.Match[str], text: str) -> bool:
    head = m.group(0).split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


def _password_ok(m: re.Match[str], text: str) -> bool:
    pw = m.group(1)
    return not (pw.lower() in _PLACEHOLDER_PASSWORDS or pw[:1] in "<{$[%" or set(pw) <= set("*x."))


def _mask_private_key(s: str) -> str:
    return s.split("\n", 1)[0][:40]


def _mask_password(s: str) -> str:
    return "*" * min(len(s), 6)


def _always(m: re.Match[str], text: str) -> bool:
    return True


SECRET_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "secret.private_key",
        "private key block",
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?"
        ),
        _always,
        _mask_private_key,
    ),
    Detector(
        "secret.aws_key",
        "AWS access key",
        "AWS_KEY",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        _not_placeholder,
        _mask_prefix,
    ),
    Detector(
        "secret.aws_key",
        "AWS secret access key",
        "AWS_KEY",
        re.compile(
            r"(?i)aws_?secret_?access_?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        _always,
        _mask_prefix,
        group=1,
    ),
    Detector(
        "secret.gcp_key",
        "Google Cloud API key",
        "GCP_KEY",
        re.compile(r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"),
        _not_placeholder,
        _mask_prefix,
    ),
    Detector(
        "secret.azure_key",
        "Azure storage key",
        "AZURE_KEY",
        re.compile(r"AccountKey=([A-Za-z0-9+/]{86}==)"),
        _always,
        _mask_prefix,
        group=1,
    ),
    Detector(
        "secret.azure_key",
        "Azure key",
        "AZURE_KEY",
        re.compile(
            r"(?i)azure[\w.\-]{0,30}(?:key|secret|password)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9+/=~._\-]{32,})"
        ),
        _always,
        _mask_prefix,
        group=1,
    ),
    Detector(
        "secret.github_token",
        "GitHub token",
        "GITHUB_TOKEN",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        _not_placeholder,
        _mask_prefix,
    ),
    Detector(
        "secret.slack_token",
        "Slack token",
        "SLACK_TOKEN",
        re.compile(
            r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b"
            r"|https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"
        ),
        _not_placeholder,
        _mask_prefix,
    ),
    Detector(
        "secret.openai_key",
        "OpenAI-style API key",
        "API_KEY",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])"),
        _openai_ok,
        _mask_prefix,
    ),
    Detector(
        "secret.jwt",
        "JSON web token",
        "JWT",
        re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
        _jwt_ok,
        _mask_prefix,
    ),
    Detector(
        "secret.password_in_url",
        "password inside a URL",
        "PASSWORD",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/@]+:([^\s:/@]+)@[^\s/]+"),
        _password_ok,
        _mask_password,
        group=1,
    ),
)
