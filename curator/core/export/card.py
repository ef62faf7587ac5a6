"""The dataset card: ``README.md`` in the Hugging Face layout, written into every export.

The YAML header lists the split files under ``configs`` so that
``datasets.load_dataset(folder)`` picks the splits (and the other files in the
folder — manifest, trainer snippets — are not mistaken for data); then size
category and language. The body says what is in the folder and how it was
made: counts, curation steps, filters and thresholds, what was excluded and
why, and what the export changed. Everything comes from the manifest, so the
card and ``manifest.json`` never disagree.
"""

from __future__ import annotations

import json
from typing import Any, Final

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace

CARD: Final = "README.md"
_SIZES: Final = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
)
_MIN_LANGUAGE_SHARE: Final = 0.02


def size_category(n: int) -> str:
    return next(
        (label for limit, label in _SIZES if n < limit),
        "n>1B" if n >= 1_000_000_000 else "100M<n<1B",
    )


def languages(ws: Workspace, ids: pl.Series) -> dict[str, int]:
    """Detected language -> exported records, from the language filter's scores
    (languages under 2% of the export are left out of the header, not the body)."""
    scores = ws.read_result("scores_language")
    if scores is None or "language" not in scores.columns:
        return {}
    got = (
        scores.select(R.ID, "language")
        .unique(R.ID)
        .join(pl.DataFrame({R.ID: ids}), on=R.ID, how="semi")
        .filter(pl.col("language") != "unknown")
        .group_by(pl.col("language").str.replace(r"-.*$", ""))
        .len()
        .sort(["len", "language"], descending=[True, False])
    )
    return {str(k): int(n) for k, n in got.iter_rows()}


def curation(ws: Workspace, ids: pl.Series) -> dict[str, Any]:
    """Curation steps for the manifest: the last pipeline run's recipe (with the
    thresholds each step used), dedup settings and flags on the exported records."""
    from curator.core.filters.recipe import Recipe, step_defaults

    run = ws.last_run("run")
    dedup = ws.last_run("dedup")
    recipe = Recipe.from_dict(run["params"]["recipe"]) if run else None
    steps = []
    for s in recipe.steps if recipe else []:
        try:
            params = {**(step_defaults(s.name) or {}), **s.params}
        except KeyError:
            params = dict(s.params)
        steps.append({"step": s.name, "enabled": s.enabled, "params": _plain(params)})
    frame_flags = ws.flags()
    flags: dict[str, int] = {}
    if frame_flags.height:
        exported = frame_flags.join(pl.DataFrame({R.ID: ids}), on=R.ID, how="semi")
        flags = {
            str(k): int(n)
            for k, n in exported.group_by("name")
            .agg(pl.col(R.ID).n_unique())
            .sort("name")
            .iter_rows()
        }
    return {
        "pipeline_run": bool(run),
        "steps": steps,
        "dedup": _plain(dedup["params"]) if dedup else None,
        "flags_on_exported_records": flags,
        "languages": languages(ws, ids),
    }


def _plain(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def _yaml_list(key: str, items: list[str]) -> list[str]:
    return [f"{key}:"] + [f"- {json.dumps(i)}" for i in items]


def features(options: Any, facts: Any) -> list[dict[str, Any]] | None:
    """The ``dataset_info.features`` of a JSON export, so every split loads with the same
    columns (a split where no row has ``tools`` would otherwise not match the others).
    ``json`` is the datasets 5 type for arbitrary JSON values; hf/parquet carry their own."""
    fmt = options.format
    if fmt in ("openai", "trl"):
        out: list[dict[str, Any]] = [{"name": "messages", "list": "json"}]
        if facts.tools:
            out.append({"name": "tools", "list": "json"})
        return out if facts.tools else None
    if fmt == "sharegpt" and facts.tools:
        return [{"name": "conversations", "list": "json"}, {"name": "tools", "dtype": "string"}]
    if fmt == "alpaca" and facts.system:
        return [
            {"name": n, "dtype": "string"} for n in ("instruction", "input", "output", "system")
        ]
    return None


def _header(
    manifest: dict[str, Any], data_files: dict[str, str], feats: list[dict[str, Any]] | None = None
) -> list[str]:
    total = sum(manifest["counts"].values())
    langs = manifest.get("curation", {}).get("languages", {})
    header_langs = [k for k, n in langs.items() if n >= _MIN_LANGUAGE_SHARE * max(1, total)]
    out = ["---", "configs:", "- config_name: default", "  data_files:"]
    for split, path in data_files.items():
        out += [f"  - split: {split}", f"    path: {json.dumps(path)}"]
    if header_langs:
        out += _yaml_list("language", header_langs)
    out += _yaml_list("size_categories", [size_category(total)])
    out += _yaml_list("task_categories", ["text-generation"])
    out += _yaml_list("tags", ["curator", "conversational", "sft"])
    out.append(f"pretty_name: {json.dumps(manifest.get('name') or 'Curator export')}")
    if feats:
        out += ["dataset_info:", "  features:"]
        for f in feats:
            kind = "list" if "list" in f else "dtype"
            out += [f"  - name: {f['name']}", f"    {kind}: {f[kind]}"]
    out.append("---")
    return out


def _table(rows: list[list[str]]) -> list[str]:
    head, *body = rows
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in body]
    return out


def render(
    manifest: dict[str, Any], data_files: dict[str, str], feats: list[dict[str, Any]] | None = None
) -> str:
    """The README.md text. ``data_files``: split -> path of its data file(s), relative."""
    m = manifest
    total = sum(m["counts"].values())
    target = m.get("target")
    lines = _header(m, data_files, feats)
    lines += [
        "",
        f"# {m.get('name') or 'Curator export'}",
        "",
        f"{total:,} conversations for supervised fine-tuning, exported by Curator {m['curator_version']} "
        f"on {m['created_at']} as **{m['format']}** ({m['description']})"
        + (f" for **{target}**" if target else "")
        + ". `manifest.json` beside this file lists every file with its SHA-256.",
        "",
        "## Splits",
        "",
    ]
    rows = [["split", "file", "records", "tokens", "assistant tokens"]]
    for f in m["files"]:
        t = m["tokens"].get(f["split"], {})
        rows.append(
            [
                f["split"],
                f"`{data_files.get(f['split'], f['path'])}`",
                f"{f['records']:,}",
                f"{t.get('tokens', 0):,}",
                f"{t.get('assistant_tokens', 0):,}",
            ]
        )
    lines += _table(rows)
    lines += ["", f"Tokens: {m['tokens'].get('note', '')}.", ""]
    split = m["split"]
    if split.get("fraction") is not None:
        leak = split["leakage"]
        lines += [
            f"Validation share {split['fraction']} (seed {split['seed']}): {split['method']}. "
            f"Duplicate clusters on both sides: {leak.get('clusters_spanning_both', 0)}; identical "
            f"conversations on both sides: {leak.get('identical_conversations_spanning_both', 0)}"
            + (
                ""
                if leak.get("dedup_results_present")
                else " (no dedup results: near-duplicates unchecked)"
            )
            + ".",
            "",
        ]
    lines += _curation(m)
    lines += _excluded(m)
    lines += _loading(m)
    return "\n".join(lines) + "\n"


def _curation(m: dict[str, Any]) -> list[str]:
    cur = m.get("curation", {})
    out = ["## How it was curated", ""]
    srcs = m.get("sources", [])
    if srcs:
        out.append("Imported from:")
        out += [f"- `{s['source']}` ({s['format']}, {s['records']:,} records)" for s in srcs]
        out.append("")
    steps = cur.get("steps", [])
    if not cur.get("pipeline_run"):
        out += ["No `curator run` (dedup and quality filters) was recorded for this workspace.", ""]
    else:
        out += ["Pipeline steps (`curator run`), in order, with the thresholds used:", ""]
        rows = [["step", "enabled", "settings"]]
        for s in steps:
            params = ", ".join(f"{k}={json.dumps(v)}" for k, v in s["params"].items()) or "defaults"
            rows.append([s["step"], "yes" if s["enabled"] else "no", params.replace("|", "\\|")])
        out += [*_table(rows), ""]
    if cur.get("dedup"):
        d = cur["dedup"]
        out += [
            "Dedup settings: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in d.items()) + ".",
            "",
        ]
    flags = cur.get("flags_on_exported_records", {})
    if flags:
        out += ["Warnings still on exported records (shown to reviewers, not blocking):", ""]
        out += [*_table([["flag", "records"]] + [[k, f"{n:,}"] for k, n in flags.items()]), ""]
    langs = cur.get("languages", {})
    if langs:
        out += [
            "Languages (detected): " + ", ".join(f"{k} {n:,}" for k, n in langs.items()) + ".",
            "",
        ]
    sel = m["selection"]
    out += [f"Selection: `--include {sel['include']}` picked {sel['selected']:,} records.", ""]
    return out


def _excluded(m: dict[str, Any]) -> list[str]:
    out = ["## What was excluded or changed, and why", ""]
    excluded = m["selection"].get("excluded", {})
    rows = [["reason", "records"]] + [[k, f"{n:,}"] for k, n in sorted(excluded.items())]
    inv = m["invalid"]
    if inv.get("skipped"):
        rows.append(
            ["invalid line for this format (listed in manifest.json)", f"{inv['skipped']:,}"]
        )
    if len(rows) > 1:
        out += [*_table(rows), ""]
    else:
        out += ["Nothing was left out.", ""]
    fixes = m.get("fixes", {})
    if fixes.get("agent_first_moved_to_system"):
        out.append(
            f"- {fixes['agent_first_moved_to_system']:,} conversations opened with the assistant; that opening "
            "message was moved into the system prompt so every trainer reads them (none dropped)."
        )
    if fixes.get("untrained_tail_cut_records"):
        out.append(
            f"- {fixes['untrained_tail_cut_messages']:,} trailing weight-0 messages were cut from "
            f"{fixes['untrained_tail_cut_records']:,} conversations (after their last trained reply), because "
            "this trainer has no per-turn loss mask."
        )
    for note in m.get("trainer_notes", []):
        out.append(f"- {note}")
    if out[-1] != "":
        out.append("")
    return out


def _loading(m: dict[str, Any]) -> list[str]:
    out = [
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder")  # splits from the header above',
        "```",
        "",
    ]
    snippets = {k: v for k, v in m.get("snippets", {}).items() if v}
    if snippets:
        out += ["Trainer configs in this folder (paths are relative to it):", ""]
        out += [f"- {k}: `{v}`" for k, v in snippets.items()]
        out.append("")
    return out
