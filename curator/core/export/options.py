"""What an export writes: options (a frozen dataclass the GUI dialog fills) and format facts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from curator.core.errors import UsageError
from curator.core.selection import INCLUDES, Include

Format = Literal["openai", "sharegpt", "alpaca", "hf", "parquet", "preference", "trl"]
FORMATS: Final[tuple[Format, ...]] = ("openai", "sharegpt", "alpaca", "hf", "parquet", "preference", "trl")
# --format preference: which line shape (DESIGN.md: chosen by --target openai|trl)
PREFERENCE_STYLES: Final = ("openai", "trl")
SPLITS: Final = ("train", "validation")


@dataclass(frozen=True)
class FormatInfo:
    """How one format lands on disk and which schema its lines follow."""

    schema: str  # name of the file in schemas/ without ".schema.json"
    suffix: str  # file suffix per split; "" for a datasets folder
    description: str


FORMAT_INFO: Final[dict[str, FormatInfo]] = {
    "openai": FormatInfo("openai_chat", ".jsonl", "OpenAI chat fine-tuning JSONL"),
    "sharegpt": FormatInfo("sharegpt", ".jsonl", "ShareGPT conversations JSONL"),
    "alpaca": FormatInfo("alpaca", ".json", "Alpaca JSON array (single-turn)"),
    "hf": FormatInfo("openai_chat", "", "Hugging Face DatasetDict (save_to_disk)"),
    "parquet": FormatInfo("openai_chat", ".parquet", "Parquet, one 'messages' column"),
    "preference": FormatInfo(
        "openai_preference", ".jsonl", "Preference pairs JSONL (OpenAI preference or TRL)"
    ),
    "trl": FormatInfo("trl_chat", ".jsonl", "TRL / HF chat-template JSONL (tool-call arguments as objects)"),
}
TRL_PREFERENCE: Final = FormatInfo(
    "trl_preference", ".jsonl", "TRL preference JSONL (prompt, chosen, rejected)"
)
HF_FOLDER: Final = "dataset"


@dataclass(frozen=True)
class ExportOptions:
    """Settings of one export. ``split`` is the validation fraction (None: no split)."""

    output_dir: Path
    format: Format = None  # type: ignore[assignment]  # None: the target's format, else openai
    include: Include = "approved"
    split: float | None = None
    seed: int = 0
    skip_invalid: bool = False
    preference_style: str = "openai"  # --format preference: "openai" or "trl" lines
    target: str | None = None  # a trainer profile (core/export/targets.py); None: format only

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        from curator.core.export.targets import resolve_format

        # an explicit format wins; unknown targets raise UsageError naming the choices
        object.__setattr__(self, "format", resolve_format(self.target, self.format))
        if self.format not in FORMATS:
            raise UsageError(f"unknown export format {self.format!r}; use one of {', '.join(FORMATS)}")
        if self.preference_style not in PREFERENCE_STYLES:
            raise UsageError(
                f"preference exports are written for {' or '.join(PREFERENCE_STYLES)}, "
                f"not {self.preference_style!r}"
            )
        if not 0 <= self.seed < 2**64:  # the split hashes it as 64 bits: larger ones alias
            raise UsageError(f"--seed must be from 0 to 2^64-1, got {self.seed}")
        if self.include not in INCLUDES:
            raise UsageError(f"--include must be one of {', '.join(INCLUDES)}, not {self.include!r}")
        if self.split is not None and not 0.0 < self.split < 1.0:
            raise UsageError(
                f"--split {self.split} is not a fraction between 0 and 1 (e.g. 0.1 for 10% validation)"
            )

    @property
    def info(self) -> FormatInfo:
        if self.format == "preference" and self.preference_style == "trl":
            return TRL_PREFERENCE
        return FORMAT_INFO[self.format]

    def split_names(self) -> tuple[str, ...]:
        return SPLITS if self.split is not None else SPLITS[:1]

    def data_files(self) -> dict[str, str]:
        """split -> file (or folder) name relative to output_dir."""
        if self.format == "hf":
            return dict.fromkeys(self.split_names(), HF_FOLDER)
        return {s: f"{s}{self.info.suffix}" for s in self.split_names()}

    def settings(self) -> dict[str, object]:
        return {
            "output_dir": str(self.output_dir),
            "format": self.format,
            "include": self.include,
            "split": self.split,
            "seed": self.seed,
            "skip_invalid": self.skip_invalid,
            **({"preference_style": self.preference_style} if self.format == "preference" else {}),
            "target": self.target,
        }
