"""Secret detectors: cloud keys, service tokens, private keys, JWTs, passwords.

Patterns follow the providers' published token formats (as detect-secrets and
gitleaks use them); validators drop obvious placeholders ("sk-xxxx",
"postgres://user:password@host") so documentation-style examples do not fire.

Every part of a credential is a finding of its own, so redaction removes all of
it: an AWS secret access key next to its key id (labelled or not), a client
secret and its client id, a password and the user name beside it, the whole
user:password of a URL, and a private key block to its END line (or, when the
END is missing, to the last line of key text).
"""

from __future__ import annotations

import base64
import json
import re

from curator.core.filters.detectors import Detector

_PLACEHOLDER_PASSWORDS = {
    "password", "pass", "passwd", "secret", "pwd", "changeme", "xxx", "****", "hunter2",
    "yourpassword", "your_password", "mypassword", "example", "placeholder", "redacted",
}  # fmt: skip
_PLACEHOLDER_WORDS = re.compile(r"(?i)your|example|placeholder|redacted|xxxx|dummy|\.\.\.")


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


def password_value_ok(pw: str) -> bool:
    """Not a placeholder ("password", "<pw>", "${DB_PASS}", "****")."""
    return not (pw.lower() in _PLACEHOLDER_PASSWORDS or pw[:1] in "<{$[%(" or set(pw) <= set("*x."))


def _password_ok(m: re.Match[str], text: str) -> bool:
    return password_value_ok(m.group(2))


def _looks_secret(value: str, min_len: int = 6) -> bool:
    """A value a person would not write as a word: a digit or symbol, or mixed case."""
    if len(value) < min_len or not password_value_ok(value) or _PLACEHOLDER_WORDS.search(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return has_digit or has_symbol or (mixed and len(value) >= 8)


def _labelled_password_ok(m: re.Match[str], text: str) -> bool:
    value = m.group(1)
    if text[m.start() : m.start(1)].rstrip("\"' ").lower().endswith("is"):
        # "the password is ..." in prose: only a value no sentence would end with
        return _looks_secret(value, 6) and not value.endswith((".", ","))
    return _looks_secret(value, 4)


def _labelled_token_ok(m: re.Match[str], text: str) -> bool:
    value = m.group(1)
    return (
        _looks_secret(value, 16)
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
    )


def _near(pattern: re.Pattern[str], ok: object, text: str, start: int, width: int) -> bool:
    """Is there a validated ``pattern`` match within ``width`` characters of ``start``?"""
    lo, hi = max(0, start - width), min(len(text), start + width)
    return any(ok(m, text) for m in pattern.finditer(text, lo, hi))  # type: ignore[operator]


def _mask_private_key(s: str) -> str:
    return s.split("\n", 1)[0].split("\\n", 1)[0][:40]


def _mask_password(s: str) -> str:
    return "*" * min(len(s), 6)


def _always(m: re.Match[str], text: str) -> bool:
    return True


# label-value separator: "key": "v", key=v, key is v, and JSON inside JSON (\"key\": \"v\")
_V = r"(?:\\?[\"'])?\s*(?:[:=]|\bis\b)\s*(?:\\?[\"'])?"
_AWS_ID = re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")
_AWS_SECRET_LABELLED = re.compile(
    r"(?i)\b(?:aws[ _]?)?secret[ _]?(?:access[ _]?)?key"
    + _V
    + r"([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
)
_AWS_SECRET_BARE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_CLIENT_SECRET = re.compile(r"(?i)\bclient[ _\-]?secret" + _V + r"([A-Za-z0-9_\-.~+/=]{8,})")
_CLIENT_ID = re.compile(r"(?i)\bclient[ _\-]?id" + _V + r"([A-Za-z0-9_\-.@]{6,})")
_PASSWORD = re.compile(
    r"(?i)\b(?:password|passwd|passphrase|pwd|pass|pw)" + _V + r"([^\s\"'<>,;`]{4,64})"
)
_PASSWORD_GATE = "(?i:(?:passw[a-z]*|passphrase|pwd|pass|pw)[\\\\\"' \t]*(?:[:=]|is ))"
_USER = re.compile(
    r"(?i)\b(?:user(?:name)?|login|user ?id|account)" + _V + r"([^\s\"'<>,;`]{2,64})"
)
_TOKEN = re.compile(
    r"(?i)\b(?:api[_\- ]?key|apikey|api[_\- ]?secret|access[_\- ]?token|auth[_\- ]?token"
    r"|secret[_\- ]?key|bearer)(?:" + _V + r"|\s+)([A-Za-z0-9_\-.~+/=]{16,})(?![A-Za-z0-9_\-.~+/=])"
)


def _aws_bare_ok(m: re.Match[str], text: str) -> bool:
    v = m.group(0)
    mixed = any(c.isupper() for c in v) and any(c.islower() for c in v)
    return (
        mixed
        and any(c.isdigit() or c in "/+" for c in v)
        and _near(_AWS_ID, _not_placeholder, text, m.start(), 300)
    )


def _client_secret_ok(m: re.Match[str], text: str) -> bool:
    return _looks_secret(m.group(1), 8)


def _client_id_ok(m: re.Match[str], text: str) -> bool:
    return _near(_CLIENT_SECRET, _client_secret_ok, text, m.start(), 300)


def _user_ok(m: re.Match[str], text: str) -> bool:
    return password_value_ok(m.group(1)) and _near(
        _PASSWORD, _labelled_password_ok, text, m.start(), 200
    )


SECRET_DETECTORS: tuple[Detector, ...] = (
    Detector(
        "secret.private_key",
        "private key block",
        "PRIVATE_KEY",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            # no END line (cut off): every following line of key text or headers
            r"|(?:(?:\\n|\s)+(?:[A-Za-z0-9+/=]{8,}|[A-Za-z\-]+: [^\n\\]*))*)"
        ),
        _always,
        _mask_private_key,
        gate="PRIVATE KEY",
    ),
    Detector(
        "secret.aws_key",
        "AWS access key",
        "AWS_KEY",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        _not_placeholder,
        _mask_prefix,
        gate="AKIA|ASIA|ABIA|ACCA",
    ),
    Detector(
        "secret.aws_key",
        "AWS secret access key",
        "AWS_KEY",
        _AWS_SECRET_LABELLED,
        _always,
        _mask_prefix,
        group=1,
        gate="(?i:secret[ _]?(?:access[ _]?)?key)",
    ),
    Detector(
        "secret.aws_key",
        "AWS secret access key",
        "AWS_KEY",
        _AWS_SECRET_BARE,
        _aws_bare_ok,
        _mask_prefix,
        gate="AKIA|ASIA|ABIA|ACCA",
    ),
    Detector(
        "secret.client_secret",
        "client secret",
        "CLIENT_SECRET",
        _CLIENT_SECRET,
        _client_secret_ok,
        _mask_password,
        group=1,
        gate="(?i:client[ _-]?secret)",
    ),
    Detector(
        "secret.client_secret",
        "client secret",
        "CLIENT_ID",
        _CLIENT_ID,
        _client_id_ok,
        _mask_prefix,
        group=1,
        gate="(?i:client[ _-]?secret)",
    ),
    Detector(
        "secret.gcp_key",
        "Google Cloud API key",
        "GCP_KEY",
        re.compile(r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"),
        _not_placeholder,
        _mask_prefix,
        gate="AIza",
    ),
    Detector(
        "secret.azure_key",
        "Azure storage key",
        "AZURE_KEY",
        re.compile(r"AccountKey=([A-Za-z0-9+/]{86}==)"),
        _always,
        _mask_prefix,
        group=1,
        gate="AccountKey=",
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
        gate="(?i:azure)",
    ),
    Detector(
        "secret.github_token",
        "GitHub token",
        "GITHUB_TOKEN",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        _not_placeholder,
        _mask_prefix,
        gate="gh[pousr]_|github_pat_",
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
        gate="xox[abposr]-|hooks[.]slack",
    ),
    Detector(
        "secret.openai_key",
        "OpenAI-style API key",
        "API_KEY",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])"),
        _openai_ok,
        _mask_prefix,
        gate="sk-",
    ),
    Detector(
        "secret.jwt",
        "JSON web token",
        "JWT",
        re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
        _jwt_ok,
        _mask_prefix,
        gate="eyJ",
    ),
    Detector(
        "secret.password_in_url",
        "password inside a URL",
        "PASSWORD",
        re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://([^\s:/@]+:([^\s:/@]+))@[^\s/]+"),
        _password_ok,
        _mask_password,
        group=1,
        gate="://[^ \\t\\n/:@]+:[^ \\t\\n/@]+@",
    ),
    Detector(
        "secret.password",
        "password",
        "PASSWORD",
        _PASSWORD,
        _labelled_password_ok,
        _mask_password,
        group=1,
        gate=_PASSWORD_GATE,
    ),
    Detector(
        "secret.password",
        "password",
        "USER",
        _USER,
        _user_ok,
        _mask_password,
        group=1,
        gate=_PASSWORD_GATE,
    ),
    Detector(
        "secret.api_key",
        "API key or token",
        "API_KEY",
        _TOKEN,
        _labelled_token_ok,
        _mask_prefix,
        group=1,
        gate="(?i:api[_ -]?key|apikey|api[_ -]?secret|access[_ -]?token|auth[_ -]?token|secret[_ -]?key|bearer)",
    ),
)
