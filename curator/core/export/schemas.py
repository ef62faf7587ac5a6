"""Finding, loading and applying the JSON Schemas in ``schemas/``.

An editable install reads the repository's ``schemas/`` folder; a wheel reads
the copy packaged as ``curator/data/schemas/`` (a test keeps both identical).
Schema errors are reported under the OpenAI cookbook's error names where one
fits, so a user sees the same words as in the cookbook notebook.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from curator.core.errors import CuratorError

SCHEMA_NAMES: Final = (
    "openai_chat",
    "openai_preference",
    "trl_preference",
    "sharegpt",
    "alpaca",
    "curator_record",
    "trl_chat",
    "baseline_eval",
    "baseline_fewshot",
    "baseline_passage",
)
_HERE = Path(__file__).resolve()
CANDIDATE_DIRS: Final = (
    _HERE.parents[3] / "schemas",  # repository checkout / editable install
    _HERE.parents[2] / "data" / "schemas",  # packaged copy inside the wheel
)


def schema_dir() -> Path:
    for d in CANDIDATE_DIRS:
        if (d / "openai_chat.schema.json").is_file():
            return d
    raise CuratorError(
        "Curator's JSON Schemas are missing (looked in "
        + ", ".join(str(d) for d in CANDIDATE_DIRS)
        + "). Reinstall Curator."
    )


def schema_path(name: str) -> Path:
    return schema_dir() / f"{name}.schema.json"


@cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise CuratorError(f"no schema named {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    out: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return out


def schema_sha256(name: str) -> str:
    return hashlib.sha256(schema_path(name).read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = [(load_schema(n)["$id"], Resource.from_contents(load_schema(n))) for n in SCHEMA_NAMES]
    return Registry().with_resources(resources)


@cache
def validator(name: str, pointer: str = "") -> Draft202012Validator:
    """A validator for a schema, or for one of its ``$defs`` (pointer like "name")."""
    schema = load_schema(name)
    if pointer:
        schema = {"$ref": f"{schema['$id']}#/$defs/{pointer}"}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def has_def(name: str, pointer: str) -> bool:
    return pointer in load_schema(name).get("$defs", {})


def _path(error: ValidationError) -> str:
    parts = []
    for p in error.absolute_path:
        parts.append(f"[{p}]" if isinstance(p, int) else f".{p}")
    return "line" + "".join(parts)


def _is_weight_rule(error: ValidationError) -> bool:
    """The ShareGPT rule 'weight only on gpt/function_call turns' fails as an enum on 'from'."""
    path = list(error.absolute_path)
    return bool(path) and path[-1] == "from" and "then" in error.absolute_schema_path


def _kind(error: ValidationError) -> str:
    """Map a schema error to a cookbook error name (or 'schema_violation')."""
    path = list(error.absolute_path)
    v = error.validator
    at_top = not path
    at_message = len(path) == 2 and path[0] in ("messages", "conversations")
    field = path[2] if len(path) == 3 and path[0] in ("messages", "conversations") else None
    if at_top and v == "type":
        return "data_type"
    if at_top and v == "required" and ("'messages'" in error.message or "'conversations'" in error.message):
        return "missing_messages_list"
    if path in (["messages"], ["conversations"]) and v in ("type", "minItems"):
        return "missing_messages_list"
    if path in (["instruction"], ["output"], ["system"]) and v in ("type", "minLength"):
        return "missing_content"
    if at_message and v == "required":
        return "message_missing_key"
    if at_message and v == "additionalProperties":
        return "message_unrecognized_key"
    if field in ("role", "from") and v == "enum" and not _is_weight_rule(error):
        return "unrecognized_role"
    if field in ("content", "value") and v in ("minLength", "type"):
        return "missing_content"
    if at_message and v == "anyOf":
        return "missing_content"
    return "schema_violation"


def _detail(error: ValidationError) -> str:
    """A message that names the place, not the (possibly private) text."""
    where = _path(error)
    v = error.validator
    if v in ("required", "additionalProperties"):
        return f"{where}: {error.message}"
    if v == "pattern":
        return f"{where} does not match {error.validator_value!r}"
    if v == "minLength":
        return f"{where} is empty"
    if v == "minItems":
        return f"{where} is empty"
    if v == "enum" and _is_weight_rule(error):
        return f"{where}: weight is only allowed on {' and '.join(error.validator_value)} turns"
    if v in ("enum", "const"):
        shown = error.instance if isinstance(error.instance, int | float | bool) or (
            isinstance(error.instance, str) and len(error.instance) <= 40
        ) else "this value"
        return f"{where} is {shown!r}; allowed: {error.validator_value!r}"
    if v == "type":
        return f"{where} must be of type {error.validator_value!r}"
    if v == "anyOf":
        return f"{where} needs non-empty content or tool_calls"
    return f"{where}: {error.message[:200]}"


def _leaves(errors: list[ValidationError]) -> list[ValidationError]:
    out: list[ValidationError] = []
    for e in errors:
        if e.validator in ("allOf", "$ref", "if", "then") and e.context:
            out.extend(_leaves(list(e.context)))
        else:
            out.append(e)
    return out


def schema_problems(obj: Any, name: str) -> list[tuple[str, str]]:
    """(kind, detail) for every schema violation of one decoded line."""
    errors = sorted(validator(name).iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    seen: dict[tuple[str, str], None] = {}
    for e in _leaves(errors):
        seen[(_kind(e), _detail(e))] = None
    return list(seen)
