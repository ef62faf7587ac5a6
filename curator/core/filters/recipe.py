"""The recipe: which pipeline steps run, in order, with which parameters.

A TOML file (``curator run --recipe FILE``) and a workspace setting ("recipe")
hold the same thing::

    [[step]]
    name = "near_dedup"
    enabled = true
    threshold = 0.8

    [[step]]
    name = "language"
    expected = ["en"]

Steps: ``exact_dedup``, ``near_dedup`` and the opt-in ``paraphrase_dedup``
(map onto the dedup module's settings; paraphrase's ``threshold`` is its
prompt-cosine threshold) and every registered filter. Unknown steps or parameters, and
values of the wrong type, are errors naming the file and line.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curator.core.errors import CuratorError
from curator.core.filters.base import FILTERS
from curator.core.workspace import Workspace

SETTING_KEY = "recipe"
DEDUP_STEPS = ("exact_dedup", "near_dedup", "paraphrase_dedup")
PARAPHRASE_KEYS = {"threshold": "paraphrase_threshold"}  # step parameter -> DedupSettings field
DEFAULT_ORDER = (  # paraphrase_dedup is opt-in: not in the default recipe
    "exact_dedup",
    "near_dedup",
    "structure",
    "length",
    "language",
    "repetition",
    "refusal",
    "diversity",
    "pii",
)
_NORMALISE = ("lowercase", "fold_punctuation", "fold_digits")


class RecipeError(CuratorError):
    """A recipe the user wrote is malformed; the message names file and line."""


def _dedup_fields() -> dict[str, Any] | None:
    try:
        from curator.core.dedup.settings import DedupSettings
    except ImportError:
        return None
    return {f.name: f.default for f in dataclasses.fields(DedupSettings)}


def step_defaults(name: str) -> dict[str, Any] | None:
    """Parameter names and defaults of a step; None if any key is accepted."""
    if name in FILTERS:
        params = FILTERS[name].Params()
        return {f.name: getattr(params, f.name) for f in dataclasses.fields(params)}
    if name in DEDUP_STEPS:
        fields = _dedup_fields()
        if fields is None:
            return None
        if name == "exact_dedup":
            return {k: fields[k] for k in _NORMALISE if k in fields}
        if name == "paraphrase_dedup":
            return {k: fields[f] for k, f in PARAPHRASE_KEYS.items() if f in fields}
        skip = {"exact", "near", "paraphrase", *PARAPHRASE_KEYS.values()}
        return {k: v for k, v in fields.items() if k not in skip}
    raise KeyError(name)


@dataclass
class Step:
    name: str
    enabled: bool = True
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recipe:
    steps: list[Step]

    # --- construction --------------------------------------------------------------------
    @classmethod
    def default(cls) -> Recipe:
        return cls([Step(n) for n in DEFAULT_ORDER])

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "recipe", text: str = "") -> Recipe:
        raw = data.get("step", [])
        if not isinstance(raw, list):
            raise RecipeError(f"{source}: 'step' must be a list of [[step]] tables.")
        unknown_top = set(data) - {"step", "version"}
        if unknown_top:
            key = sorted(unknown_top)[0]
            raise RecipeError(
                f"{source}{_at(text, None, key)}: unknown key {key!r}; "
                "a recipe holds [[step]] tables only."
            )
        raw = _upgrade(raw)
        steps: list[Step] = []
        for i, entry in enumerate(raw):
            steps.append(_parse_step(entry, i, source, text))
        names = [s.name for s in steps]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise RecipeError(f"{source}{_at(text, None, dup)}: step {dup!r} is listed twice.")
        return cls(steps)

    @classmethod
    def loads(cls, text: str, source: str = "recipe") -> Recipe:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RecipeError(
                f"{source}: not valid TOML: {exc}. Fix the line and try again."
            ) from None
        return cls.from_dict(data, source=source, text=text)

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RecipeError(f"{p}: no such recipe file.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RecipeError(f"{p}: cannot read the recipe ({exc}).") from None
        return cls.loads(text, source=str(p))

    @classmethod
    def from_workspace(cls, ws: Workspace) -> Recipe:
        """The workspace's stored recipe, or the default when none is stored."""
        stored = ws.get_setting(SETTING_KEY)
        if not isinstance(stored, dict):
            return cls.default()
        return cls.from_dict(stored, source=f"recipe stored in {ws.name}")

    # --- output ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "step": [{"name": s.name, "enabled": s.enabled, **s.params} for s in self.steps],
        }

    def dumps(self) -> str:
        lines = [
            "# Curator recipe: `curator run` runs these steps in this order.",
            "# Parameters left out take their defaults.",
            "version = 1",
        ]
        for s in self.steps:
            lines += ["", "[[step]]", f"name = {_toml(s.name)}", f"enabled = {_toml(s.enabled)}"]
            lines += [f"{k} = {_toml(v)}" for k, v in s.params.items()]
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.dumps(), encoding="utf-8")

    def save_to(self, ws: Workspace) -> None:
        """Store the recipe; it is checked first, so a bad value is never saved."""
        Recipe.loads(self.dumps(), source="the recipe")
        ws.set_setting(SETTING_KEY, self.to_dict())

    # --- queries ----------------------------------------------------------------------------
    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def enabled(self, name: str) -> bool:
        s = self.step(name)
        return s is not None and s.enabled

    def enabled_filters(self) -> list[str]:
        return [s.name for s in self.steps if s.enabled and s.name in FILTERS]

    def filter_params(self, name: str) -> Any:
        s = self.step(name)
        return FILTERS[name].params_from(s.params if s else {})

    def with_params(self, name: str, **params: Any) -> Recipe:
        """A copy with one step's parameters updated (the step is added if missing)."""
        steps = [Step(s.name, s.enabled, dict(s.params)) for s in self.steps]
        target = next((s for s in steps if s.name == name), None)
        if target is None:
            target = Step(name)
            steps.append(target)
        target.params.update(params)
        return Recipe(steps)

    def dedup_settings(self, ws: Workspace | None = None) -> Any | None:
        """DedupSettings for the enabled dedup steps, or None (disabled / not installed)."""
        exact, near = self.enabled("exact_dedup"), self.enabled("near_dedup")
        para = self.enabled("paraphrase_dedup")
        if not (exact or near or para):
            return None
        try:
            from curator.core.dedup.settings import DedupSettings, load_settings
        except ImportError:
            return None
        base = load_settings(ws) if ws is not None else DedupSettings()
        changes: dict[str, Any] = {"exact": exact, "near": near, "paraphrase": para}
        for n in DEDUP_STEPS:
            s = self.step(n)
            if s is not None and s.enabled:
                if n == "paraphrase_dedup":
                    changes.update({PARAPHRASE_KEYS.get(k, k): v for k, v in s.params.items()})
                else:
                    changes.update(s.params)
        return dataclasses.replace(base, **changes)


# Recipes written before canned replies left the refusal step ("refusal.boilerplate").
_LEGACY_REFUSAL = {"macro_min_records": "min_prompts", "macro_min_share": "min_share"}


def _upgrade(raw: list[Any]) -> list[Any]:
    """An older recipe's refusal macro_* settings move to the diversity step, added
    after refusal, so a recipe stored before the split keeps finding canned replies.
    Only recipes from before the split: refusal has macro_* keys, or the recipe lists
    every filter of the old default."""
    names = [e.get("name") for e in raw if isinstance(e, dict)]
    if "refusal" not in names or "diversity" in names:
        return raw
    legacy_keys = any(
        isinstance(e, dict) and e.get("name") == "refusal" and set(e) & set(_LEGACY_REFUSAL)
        for e in raw
    )
    old_default = {"structure", "length", "language", "repetition", "refusal", "pii"}
    if not legacy_keys and not old_default <= set(names):
        return raw
    out: list[Any] = []
    for entry in raw:
        if isinstance(entry, dict) and entry.get("name") == "refusal":
            moved = {new: entry[old] for old, new in _LEGACY_REFUSAL.items() if old in entry}
            out.append({k: v for k, v in entry.items() if k not in _LEGACY_REFUSAL})
            out.append({"name": "diversity", "enabled": entry.get("enabled", True), **moved})
        else:
            out.append(entry)
    return out


def _parse_step(entry: Any, i: int, source: str, text: str) -> Step:
    if not isinstance(entry, dict) or "name" not in entry:
        raise RecipeError(f'{source}{_at(text, i, None)}: step {i + 1} needs a name = "..." line.')
    name = entry["name"]
    if not isinstance(name, str) or (name not in FILTERS and name not in DEDUP_STEPS):
        known = ", ".join(DEFAULT_ORDER + tuple(n for n in FILTERS if n not in DEFAULT_ORDER))
        raise RecipeError(
            f"{source}{_at(text, i, 'name')}: unknown step {name!r}; known steps: {known}."
        )
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RecipeError(f"{source}{_at(text, i, 'enabled')}: enabled must be true or false.")
    params = {k: v for k, v in entry.items() if k not in ("name", "enabled")}
    defaults = step_defaults(name)
    if defaults is not None:
        for key, value in params.items():
            if key not in defaults:
                raise RecipeError(
                    f"{source}{_at(text, i, key)}: step {name!r} has no parameter {key!r}; "
                    f"it takes: {', '.join(defaults) or 'no parameters'}."
                )
            if not _same_kind(defaults[key], value):
                raise RecipeError(
                    f"{source}{_at(text, i, key)}: {name}.{key} should be "
                    f"{_kind(defaults[key])}, got {value!r}."
                )
    try:
        if name in FILTERS:
            FILTERS[name].params_from(params)
    except (TypeError, ValueError) as exc:
        raise RecipeError(f"{source}{_at(text, i, None)}: step {name!r}: {exc}") from None
    if name in DEDUP_STEPS and params:
        _check_dedup_values(name, params, source, text, i)
    return Step(name, enabled, params)


def _check_dedup_values(name: str, params: dict[str, Any], source: str, text: str, i: int) -> None:
    """Range-check dedup values now, so a bad recipe is refused (naming its file and
    line) before it is saved, not by every later run (naming a CLI flag)."""
    try:
        from curator.core.dedup.settings import DedupSettings
    except ImportError:
        return
    try:
        DedupSettings(**params)
    except (CuratorError, TypeError, ValueError) as exc:
        message = re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", "_"), str(exc))
        key = next((k for k in params if message.startswith(k)), None)
        raise RecipeError(f"{source}{_at(text, i, key)}: {name}.{message}") from None


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return default is None or isinstance(value, type(default))


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, list):
        return "a list of strings"
    return "a string"


def _at(text: str, step_index: int | None, key: str | None) -> str:
    """', line N' for a key inside the step_index-th [[step]] table (best effort)."""
    if not text:
        return ""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if step_index is not None:
        headers = [n for n, line in enumerate(lines) if re.match(r"\s*\[\[\s*step\s*\]\]", line)]
        if step_index < len(headers):
            start = headers[step_index]
            end = headers[step_index + 1] if step_index + 1 < len(headers) else len(lines)
            if key is None:
                return f", line {start + 1}"
    if key is not None:
        pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|=\s*\"{re.escape(key)}\"")
        for n in range(start, end):
            if pat.search(lines[n]):
                return f", line {n + 1}"
    return ""


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise RecipeError(f"cannot write {value!r} to a recipe")
