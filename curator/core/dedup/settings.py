"""Dedup settings: a frozen dataclass stored under the workspace setting "dedup"."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import polars as pl

from curator.core.errors import UsageError
from curator.core.workspace import Workspace

SETTINGS_KEY = "dedup"
SCOPES = ("all", "user", "assistant")


@dataclass(frozen=True)
class DedupSettings:
    """What counts as a duplicate.

    ``threshold``: estimated Jaccard at or above which two texts are near
    duplicates. ``ngram``: words per shingle. ``scope``: which turns the
    near-duplicate text is built from (``all`` = every non-system turn).
    ``include_system``: also compare system messages (off: a system prompt most
    records share says nothing about whether two conversations are the same).
    ``min_tokens``: texts with fewer words are kept out of near-dup matching
    (tiny shingle sets make Jaccard meaningless; exact matching still applies).
    ``short_words``/``char_ngram``: a compared text of fewer words is shingled
    into character n-grams instead (a one-word change in a ten-word prompt
    moves half of its word 5-grams but few of its character 3-grams).
    ``shared_share``/``shared_min_texts``: word shingles in at least this share
    of the texts (and this many) are shared text, left out (``shared.py``).
    ``paraphrase``: also look for the same reply to a reworded prompt
    (``paraphrase.py``): replies at ``paraphrase_reply`` Jaccard or more that
    end with the same words (the answer) and whose prompts reach
    ``paraphrase_threshold`` TF-IDF cosine.
    Normalisation (both kinds): ``lowercase``, ``fold_punctuation`` (punctuation
    and symbols become spaces), ``fold_digits`` (every digit run becomes "0", so
    order numbers do not make two canned answers differ); whitespace is always
    collapsed.
    """

    threshold: float = 0.8
    ngram: int = 5
    num_perm: int = 128
    scope: str = "all"
    exact: bool = True
    near: bool = True
    min_tokens: int = 10
    include_system: bool = False
    short_words: int = 50
    char_ngram: int = 4
    shared_share: float = 0.05
    shared_min_texts: int = 100
    paraphrase: bool = False
    paraphrase_threshold: float = 0.4
    paraphrase_reply: float = 0.6
    lowercase: bool = True
    fold_punctuation: bool = True
    fold_digits: bool = False
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise UsageError(f"--threshold must be in (0, 1], got {self.threshold}.")
        if not 1 <= self.ngram <= 32:
            raise UsageError(f"--ngram must be between 1 and 32, got {self.ngram}.")
        if not 16 <= self.num_perm <= 1024:
            raise UsageError(f"--num-perm must be between 16 and 1024, got {self.num_perm}.")
        if self.scope not in SCOPES:
            raise UsageError(f"--scope must be one of {', '.join(SCOPES)}, got {self.scope!r}.")
        if self.min_tokens < 1:
            raise UsageError(f"min_tokens must be at least 1, got {self.min_tokens}.")
        if not 1 <= self.char_ngram <= 16:
            raise UsageError(f"char_ngram must be between 1 and 16, got {self.char_ngram}.")
        if not 0.0 < self.paraphrase_threshold <= 1.0:
            raise UsageError(
                f"paraphrase threshold must be in (0, 1], got {self.paraphrase_threshold}."
            )
        if not 0.0 < self.paraphrase_reply <= 1.0:
            raise UsageError(f"paraphrase_reply must be in (0, 1], got {self.paraphrase_reply}.")
        if not 0.0 < self.shared_share <= 1.0:
            raise UsageError(f"shared_share must be in (0, 1], got {self.shared_share}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DedupSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def with_options(self, **changes: Any) -> DedupSettings:
        """A copy with the non-None changes applied (CLI flags left unset keep the stored value)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def text_fingerprint(self) -> str:
        """What the compared texts (and so the shared passages) depend on."""
        return (
            f"ngram={self.ngram}|scope={self.scope}|system={self.include_system}"
            f"|lc={self.lowercase}|punct={self.fold_punctuation}|digits={self.fold_digits}"
            f"|share={self.shared_share}|min={self.shared_min_texts}|polars={pl.__version__}"
        )

    def signature_fingerprint(self) -> str:
        """What a cached signature depends on (besides the shared passages)."""
        return (
            f"affine32-sha1|seed={self.seed}|perm={self.num_perm}|short={self.short_words}"
            f"|chars={self.char_ngram}|{self.text_fingerprint()}"
        )


def load_settings(ws: Workspace) -> DedupSettings:
    stored = ws.get_setting(SETTINGS_KEY)
    return DedupSettings.from_dict(stored) if isinstance(stored, dict) else DedupSettings()


def save_settings(ws: Workspace, settings: DedupSettings) -> None:
    ws.set_setting(SETTINGS_KEY, settings.to_dict())
