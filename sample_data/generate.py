"""Regenerate every file in sample_data/ deterministically (seeded), plus planted.json.

    python sample_data/generate.py            # write the files, check them, print a summary
    python sample_data/generate.py --check    # also run langdetect over the clean records

The same seed always produces byte-identical files. After writing, the script
checks its own promises: planted near-duplicates really are near (word 5-gram
Jaccard >= 0.8), no two clean records anywhere are near each other (< 0.6),
look-alike numbers fail Luhn and test card numbers pass it. README.md and
planted.json are written from the same manifest, so they always agree.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_datasets  # noqa: E402
import gen_engine  # noqa: E402
import gen_helpdesk  # noqa: E402
import gen_openai  # noqa: E402
import gen_personal  # noqa: E402
import gen_plants as P  # noqa: E402
import gen_readme  # noqa: E402
import gen_transcripts  # noqa: E402
from gen_model import Item, jaccard, shingles  # noqa: E402

SEED = 20260301
CSV_OPTIONS = "--conversation-column ticket_id --speaker-column author_type --text-column message --time-column timestamp"


def _imported_turns(it: Item) -> list[tuple[str, str]]:
    """The turns as the importer should leave them: empty turns dropped, same roles merged."""
    out: list[tuple[str, str]] = []
    for role, text in it.turns:
        if not text.strip():
            continue
        if out and out[-1][0] == role:
            out[-1] = (role, out[-1][1] + "\n\n" + text)
        else:
            out.append((role, text))
    return out


def check(files: dict[str, list[Item]], with_langdetect: bool) -> dict[str, Any]:
    """Assert the planted structure holds; return figures for the manifest."""
    assert not P.luhn_ok(P.ORDER_REF_16) and not P.luhn_ok(P.ISBN)
    assert all(P.luhn_ok(c) for c in (P.CARD_VISA, P.CARD_MC, P.CARD_AMEX))
    convs = [(f, it) for f, items in files.items() for it in items if it.raw is None]
    sh = {id(it): shingles(_imported_turns(it)) for _, it in convs}
    groups: dict[str, list[Item]] = {}
    for _, it in convs:
        if it.group:
            groups.setdefault(it.group, []).append(it)
    near_min = 1.0
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            j = jaccard(sh[id(a)], sh[id(b)])
            near_min = min(near_min, j)
            assert j >= 0.8, f"planted near-duplicates {a.where} / {b.where}: J={j:.2f}"

    grouped = [it for members in groups.values() for it in members]
    for a, b in itertools.combinations(grouped, 2):
        if a.group != b.group:
            j = jaccard(sh[id(a)], sh[id(b)])
            assert j < 0.6, f"near-duplicate groups {a.group} and {b.group} overlap: J={j:.2f}"

    def is_clean(it: Item) -> bool:
        return all(not p.expect for p in it.plants) and it.duplicate_of is None

    originals = {id(it.duplicate_of) for _, it in convs if it.duplicate_of is not None}
    clean = [(f, it) for f, it in convs if is_clean(it) and id(it) not in originals and it.turns]
    worst = (0.0, "", "")
    for (fa, a), (fb, b) in itertools.combinations(clean, 2):
        j = jaccard(sh[id(a)], sh[id(b)])
        if j > worst[0]:
            worst = (j, f"{fa} {a.where}", f"{fb} {b.where}")
    assert worst[0] < 0.6, f"clean records too similar: {worst}"
    not_english: list[str] = []
    if with_langdetect:
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0
        for f, it in clean:
            for role, text in _imported_turns(it):
                if role != "system" and detect(text) != "en":
                    not_english.append(f"{f} {it.where} {role}: {text[:60]!r}")
    return {
        "clean_records": len(clean),
        "max_jaccard_between_clean_records": round(worst[0], 3),
        "most_similar_clean_pair": worst[1:],
        "min_jaccard_within_planted_near_duplicate_groups": round(near_min, 3),
        "clean_messages_not_detected_as_english": not_english if with_langdetect else None,
    }


def _plant_rows(file: str, items: list[Item], keepers: dict[str, Item]) -> list[dict[str, Any]]:
    rows = []
    for it in items:
        for p in it.plants:
            expect = list(p.expect)
            # "file": the sample file the record is in (for transcripts: transcripts/NAME.txt)
            row: dict[str, Any] = {"file": file, "where": it.where, **it.key, "kind": p.kind, "expect": expect, "note": p.note}
            if it.duplicate_of is not None:
                row["duplicate_of"] = it.duplicate_of.where
            if it.group:
                row["group"] = it.group
                keeper = keepers[it.group]
                if keeper is it:
                    row["expect"] = [e for e in expect if e != "near_duplicate"]
                    row["note"] += "; the group's keeper (longest assistant text, then earliest): not flagged"
                else:
                    row["duplicate_of"] = keeper.where
            if it.repairs:
                row["repairs"] = it.repairs
            rows.append(_with_personal(row, it) if it.raw is None else row)
    return rows


def _personal_rows(file: str, items: list[Item]) -> list[dict[str, Any]]:
    """Records that are not planted but name people (see gen_personal): the flags they get."""
    rows = []
    for it in items:
        if it.raw is not None or it.plants:
            continue
        expect = gen_personal.expected(it.written or _imported_turns(it))
        if expect:
            note = "; ".join(gen_personal.NOTES[e] for e in expect)
            rows.append({"file": file, "where": it.where, **it.key, "kind": "personal_data", "expect": expect, "note": note})
    return rows


def _with_personal(row: dict[str, Any], it: Item) -> dict[str, Any]:
    """A planted row also expects the personal-data flags its record's text raises."""
    extra = [e for e in gen_personal.expected(it.written or _imported_turns(it)) if e not in row["expect"]]
    return {**row, "expect": row["expect"] + extra} if extra else row


def _near_dup_keepers(items_by_file: dict[str, list[Item]]) -> dict[str, Item]:
    """Expected keeper per near-dup group: longest assistant text, then earliest."""
    out: dict[str, Item] = {}
    for items in items_by_file.values():
        groups: dict[str, list[Item]] = {}
        for it in items:
            if it.group:
                groups.setdefault(it.group, []).append(it)
        for g, members in groups.items():
            best = max(members, key=lambda m: (m.assistant_chars, -items.index(m)))
            out[g] = best
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="also run langdetect over clean records")
    ap.add_argument("--out", type=Path, default=HERE, help="where to write (default: sample_data/)")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    gen_engine.POOL.accepted.clear()  # main() may run twice in one process
    rng = random.Random(SEED)
    openai_items = gen_openai.build(random.Random(rng.random()))
    csv_items = gen_helpdesk.build(random.Random(rng.random()))
    call_items = gen_transcripts.build(random.Random(rng.random()))
    share_items = gen_datasets.build_sharegpt(random.Random(rng.random()))
    alpaca_items = gen_datasets.build_alpaca(random.Random(rng.random()))

    gen_openai.write(openai_items, out / gen_openai.FILE)
    csv_info = gen_helpdesk.write(csv_items, out / gen_helpdesk.FILE, random.Random(rng.random()))
    call_info = gen_transcripts.write(call_items, out / gen_transcripts.FOLDER, random.Random(rng.random()))
    gen_datasets.write_sharegpt(share_items, out / gen_datasets.SHAREGPT)
    gen_datasets.write_alpaca(alpaca_items, out / gen_datasets.ALPACA)

    by_file = {
        gen_openai.FILE: openai_items,
        gen_helpdesk.FILE: csv_items,
        gen_transcripts.FOLDER + "/": call_items,
        gen_datasets.SHAREGPT: share_items,
        gen_datasets.ALPACA: alpaca_items,
    }
    figures = check(by_file, args.check)
    keepers = _near_dup_keepers(by_file)
    broken = [it for it in openai_items if it.raw is not None]
    manifest = {
        "seed": SEED,
        "files": {
            gen_openai.FILE: {
                "format": "openai", "lines": len(openai_items),
                "records": len(openai_items) - len(broken), "quarantined": len(broken),
                "quarantined_lines": [it.key["line"] for it in broken],
                "import": f"curator import sample_data/{gen_openai.FILE} -w WS",
                "import_args": [], "locator": "line N (1-based)",
            },
            gen_helpdesk.FILE: {
                "format": "csv", "rows": csv_info["rows"], "records": len(csv_items), "quarantined": 0,
                "import": f"curator import sample_data/{gen_helpdesk.FILE} -w WS {CSV_OPTIONS}",
                "import_args": CSV_OPTIONS.split(), "locator": "ticket_id",
                **{k: v for k, v in csv_info.items() if k != "rows"},
            },
            gen_transcripts.FOLDER + "/": {
                "format": "transcript", "files": call_info["files"], "records": call_info["calls"], "quarantined": 0,
                "import": f"curator import sample_data/{gen_transcripts.FOLDER} -w WS",
                "import_args": [], "locator": "file (and call number in the batch file)",
                "batch_file": call_info["batch_file"],
            },
            gen_datasets.SHAREGPT: {
                "format": "sharegpt", "records": len(share_items), "quarantined": 0,
                "import": f"curator import sample_data/{gen_datasets.SHAREGPT} -w WS",
                "import_args": [], "locator": "index N (1-based array position)",
            },
            gen_datasets.ALPACA: {
                "format": "alpaca", "records": len(alpaca_items), "quarantined": 0,
                "import": f"curator import sample_data/{gen_datasets.ALPACA} -w WS",
                "import_args": [], "locator": "index N (1-based array position)",
            },
        },
        "near_duplicate_keepers": {g: k.where for g, k in keepers.items()},
        "checks": figures,
        "planted": [row for f, items in by_file.items() for row in _plant_rows(f, items, keepers)],
        # not problems, but personal data the filters flag: names, a caller's postcode, ...
        "personal_data": [row for f, items in by_file.items() for row in _personal_rows(f, items)],
    }
    manifest["totals"] = {
        "records": sum(f["records"] for f in manifest["files"].values()),
        "quarantined": sum(f["quarantined"] for f in manifest["files"].values()),
    }
    manifest["expected_flags"] = gen_readme.expected_flag_counts(manifest)
    gen_readme.write_readme(manifest, out / "README.md")
    (out / "planted.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name, f in manifest["files"].items():
        print(f"{name:<22} records {f['records']:>4}  quarantined {f['quarantined']}")
    print(f"total                  records {manifest['totals']['records']:>4}  quarantined {manifest['totals']['quarantined']}")
    print(f"planted items: {len(manifest['planted'])}; checks: {json.dumps(figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
