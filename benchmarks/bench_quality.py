"""How often Curator's judgements are right: precision and recall on hand-labelled records.

    python benchmarks/bench_quality.py                 # data from ../shared/data
    python benchmarks/bench_quality.py --data DIR      # elsewhere
    python benchmarks/bench_quality.py --keep DIR      # keep the workspaces it builds

Imports the real dev data (SGD dev dialogues, GSM8K) and ``sample_data/`` into
temporary workspaces with the current code, runs ``curator run``, then reads
every ``benchmarks/labels/labels_*.jsonl`` (format: ``benchmarks/labels/README.md``)
and prints, per flag family and per flag name:

- precision = labelled-right / labelled records the flag fires on now, with counts;
- recall = labelled records that should be flagged and are (``correct`` and ``miss``
  labels), and how many labelled misses are found now;
- abstentions: labelled records the flag rightly does not fire on.

A label describes the record, not the code that ran when it was written: a
``correct`` or ``miss`` label means "this flag belongs here", ``incorrect`` or
``clean`` means "it does not". So labels stay valid when a filter changes.

Then recall on ``sample_data/planted.json`` and the readiness verdict (with its
reasons) for each dev dataset, computed as a preview on passing records.

Judgements that are not flags (e.g. the readiness report's per-record volatility
facts) plug in through ``JUDGES``: a flag-name prefix -> a function(frame) that
returns rows (id, name) for the records it marks. A label whose flag no flag and
no judge produces is listed as "no judge".
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curator.core import records as R  # noqa: E402
from curator.core.workspace import Workspace  # noqa: E402

LABELS = REPO / "benchmarks" / "labels"
SAMPLE = REPO / "sample_data"
POSITIVE = {"correct", "miss"}
NEGATIVE = {"incorrect", "clean"}

# flag-name prefix -> function(frame) -> DataFrame(id, name): per-record judgements that
# are not stored as flags. Register with @judge("volatility") in this file.
Judge = Callable[[pl.DataFrame], pl.DataFrame]
JUDGES: dict[str, Judge] = {}


def judge(prefix: str) -> Callable[[Judge], Judge]:
    def add(fn: Judge) -> Judge:
        JUDGES[prefix] = fn
        return fn

    return add


@judge("volatility")
def _volatility(frame: pl.DataFrame) -> pl.DataFrame:
    """volatility.<kind> per record, as the readiness check counts it (core/readiness/volatility.py)."""
    from curator.core.filters.base import explode_messages
    from curator.core.readiness.volatility import KINDS, volatility_columns

    msgs = explode_messages(frame.select(R.ID, R.MESSAGES))

    def side(role: str) -> pl.DataFrame:
        return (
            msgs.filter(pl.col("role") == role).group_by(R.ID).agg(pl.col("content").str.join("\n"))
        )

    texts = (
        frame.select(R.ID)
        .join(side("assistant").rename({"content": "a"}), on=R.ID, how="left")
        .join(side("user").rename({"content": "u"}), on=R.ID, how="left")
        .with_columns(pl.col("a", "u").fill_null(""))
    )
    marks = texts.select(R.ID, *volatility_columns(pl.col("a"), pl.col("u")))
    rows = [
        marks.filter(pl.col(f"vol_{k}")).select(R.ID, pl.lit(f"volatility.{k}").alias("name"))
        for k in KINDS
    ]
    return pl.concat(rows)


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str  # relative to --data, or absolute
    import_args: tuple[str, ...]


DEV = (
    Dataset(
        "sgd_dev",
        "sgd_dev",
        (
            "--format",
            "json",
            "--messages-field",
            "turns",
            "--role-field",
            "speaker",
            "--content-field",
            "utterance",
            "--role-map",
            "USER=user,SYSTEM=assistant",
        ),
    ),
    Dataset("gsm8k", "gsm8k_train_alpaca.json", ()),
)


def curator(*args: str) -> subprocess.CompletedProcess[str]:
    """Run this checkout's CLI (not whatever `curator` is on PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "curator", *args], cwd=REPO, capture_output=True, text=True
    )


def build(ds: Dataset, data: Path, where: Path) -> Workspace:
    ws = where / f"{ds.name}.curator"
    src = data / ds.path
    got = curator("import", str(src), "-w", str(ws), *ds.import_args)
    if got.returncode not in (0, 1) or not ws.exists():
        sys.exit(f"import of {src} failed:\n{got.stderr}")
    run = curator("run", "-w", str(ws))
    if run.returncode != 0:
        sys.exit(f"curator run on {ws} failed:\n{run.stderr}")
    return Workspace.open(ws)


def build_sample(where: Path) -> tuple[Workspace, dict]:
    planted = json.loads((SAMPLE / "planted.json").read_text())
    ws = where / "sample.curator"
    for name, spec in planted["files"].items():
        got = curator("import", str(SAMPLE / name.rstrip("/")), "-w", str(ws), *spec["import_args"])
        if got.returncode not in (0, 1):
            sys.exit(f"import of sample_data/{name} failed:\n{got.stderr}")
    if curator("run", "-w", str(ws)).returncode != 0:
        sys.exit("curator run on the sample data failed")
    return Workspace.open(ws), planted


def read_labels() -> pl.DataFrame:
    rows = []
    for path in sorted(LABELS.glob("labels_*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                sys.exit(f"{path.name}:{n}: not JSON ({exc.msg})")
            missing = {"source", "locator", "flag", "label"} - set(row)
            if missing or row["label"] not in POSITIVE | NEGATIVE:
                sys.exit(
                    f"{path.name}:{n}: needs source, locator, flag, label in {sorted(POSITIVE | NEGATIVE)}"
                )
            rows.append(
                {
                    **{k: str(row[k]) for k in ("source", "locator", "flag", "label")},
                    "file": path.name,
                }
            )
    return pl.DataFrame(
        rows, schema={c: pl.String for c in ("source", "locator", "flag", "label", "file")}
    )


def judgements(ws: Workspace, label_flags: set[str]) -> pl.DataFrame:
    """(source, locator, name) for every flag plus every judge's rows."""
    frame = ws.frame()
    keys = frame.select(R.ID, R.SOURCE, R.LOCATOR)
    parts = [ws.flags().select(R.ID, "name")]
    for prefix, fn in JUDGES.items():
        if any(f == prefix or f.startswith(prefix + ".") for f in label_flags):
            parts.append(fn(frame).select(R.ID, pl.col("name").cast(pl.String)))
    return pl.concat(parts).join(keys, on=R.ID).select(R.SOURCE, R.LOCATOR, "name").unique()


def fires(labels: pl.DataFrame, judged: pl.DataFrame) -> pl.DataFrame:
    """labels + fired (the labelled flag, or any flag of the labelled family, fires now)."""
    pairs = labels.join(judged, on=[R.SOURCE, R.LOCATOR], how="left")
    hit = (pl.col("name") == pl.col("flag")) | pl.col("name").str.starts_with(pl.col("flag") + ".")
    per = pairs.group_by(R.SOURCE, R.LOCATOR, "flag", "label", "file", maintain_order=True).agg(
        hit.fill_null(False).any().alias("fired")
    )
    return per


def known_families(seen: set[str]) -> set[str]:
    """Families bench_quality can judge: every filter's, every flag seen, every judge."""
    from curator.core.filters import FILTERS

    return set(FILTERS) | {n.split(".")[0] for n in seen} | {p.split(".")[0] for p in JUDGES}


def report(scored: pl.DataFrame) -> None:
    scored = scored.with_columns(
        pl.col("label").is_in(list(POSITIVE)).alias("pos"),
        pl.col("flag").str.split(".").list.first().alias("family"),
    )

    def line(key: str, g: pl.DataFrame) -> str:
        fired = g.filter(pl.col("fired"))
        tp = fired.filter(pl.col("pos")).height
        pos = g.filter(pl.col("pos"))
        neg = g.filter(~pl.col("pos"))
        prec = f"{tp / fired.height:.3f}" if fired.height else "  -  "
        rec = f"{pos.filter(pl.col('fired')).height / pos.height:.3f}" if pos.height else "  -  "
        misses = g.filter(pl.col("label") == "miss")
        found = misses.filter(pl.col("fired")).height
        return (
            f"  {key:<46} precision {prec} ({tp}/{fired.height})  recall {rec} "
            f"({pos.filter(pl.col('fired')).height}/{pos.height})  rightly silent "
            f"{neg.filter(~pl.col('fired')).height}/{neg.height}  labels {g.height}"
            + (f"  labelled misses now found {found}/{misses.height}" if misses.height else "")
        )

    for (fam,), g in scored.sort("family").group_by("family", maintain_order=True):
        print(line(f"{fam} (family)", g))
        details = g.filter(pl.col("flag").str.contains(r"\.")).sort("flag")
        for (flag,), gg in details.group_by("flag", maintain_order=True):
            print(line(f"  {flag}", gg))


def planted_recall(ws: Workspace, planted: dict) -> None:
    frame = ws.frame().select(
        R.SOURCE,
        R.LOCATOR,
        R.META,
        pl.col(R.FLAGS).list.eval(pl.element().struct.field("name")).alias("names"),
    )
    by: dict[tuple[str, str], set[str]] = {}
    batches: dict[str, int] = {}
    multi = set(
        frame.group_by(R.SOURCE).len().filter(pl.col("len") > 1).get_column(R.SOURCE).to_list()
    )
    for row in frame.sort(R.SOURCE, R.LOCATOR).to_dicts():
        src, loc = row[R.SOURCE], row[R.LOCATOR]
        if src.endswith(".csv"):
            loc = f"ticket {json.loads(row[R.META] or '{}').get('ticket_id')}"
        elif src.startswith(("call_", "calls_")):
            src = loc = f"transcripts/{src}"
            if row[R.SOURCE] in multi:
                batches[src] = batches.get(src, 0) + 1
                loc = f"{loc}, call {batches[src]}"
        by[(src, loc)] = set(row["names"])
    found = total = 0
    missed = []
    for p in planted["planted"]:
        for want in p.get("expect", []):
            if "duplicate" in want:
                continue  # dedup has its own benchmark (bench_dedup.py)
            total += 1
            if want in by.get((p["file"], p["where"]), set()):
                found += 1
            else:
                missed.append(f"{p['file']} {p['where']}: {want}")
    print(
        f"  planted problems found: {found}/{total}"
        + ("" if not missed else f"; missed: {missed[:10]}")
    )


def readiness(ws: Workspace, name: str) -> None:
    from curator.core.readiness.report import build_report

    rep = build_report(ws, include="passing")
    print(f"  {name}: verdict {rep.verdict} (preview on passing records: {rep.counts})")
    for reason in rep.reasons:
        print(f"      reason: {reason}")
    for c in rep.checks:
        if c.level in ("warn", "block"):
            print(f"      {c.level:<5} {c.title}: {c.message}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--keep", type=Path, help="build the workspaces here and keep them")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(
            f"No dev data at {args.data}. This benchmark needs the shared data folder "
            "(sgd_dev/ and gsm8k_train_alpaca.json); pass --data DIR.",
            file=sys.stderr,
        )
        return 2
    labels = read_labels()
    print(f"{labels.height} labels from {', '.join(sorted(set(labels['file'])))}")
    where = args.keep or Path(tempfile.mkdtemp(prefix="curator-quality-"))
    where.mkdir(parents=True, exist_ok=True)
    try:
        built = {ds.name: build(ds, args.data, where) for ds in DEV}
        sample, planted = build_sample(where)
        scored, unjudged = [], []
        workspaces = [*built.items(), ("sample_data", sample)]
        judged_by = {}
        for name, ws in workspaces:
            sources = ws.frame().get_column(R.SOURCE).unique()
            mine = labels.filter(pl.col(R.SOURCE).is_in(sources.implode()))
            judged_by[name] = (mine, judgements(ws, set(mine["flag"])))
        families = known_families({n for _, j in judged_by.values() for n in j["name"].to_list()})
        for name, _ws in workspaces:
            mine, judged = judged_by[name]
            is_known = pl.col("flag").str.split(".").list.first().is_in(sorted(families))
            ok = mine.filter(is_known)
            unjudged.append(mine.filter(~is_known))
            scored.append(fires(ok, judged).with_columns(pl.lit(name).alias("dataset")))
            unlabelled = judged.join(mine, on=[R.SOURCE, R.LOCATOR], how="anti")
            counts = unlabelled.group_by("name").len().sort("len", descending=True)
            print(
                f"\n{name}: flags on records with no label: "
                + (", ".join(f"{n} {k}" for n, k in counts.rows()) or "none")
            )
        all_scored = pl.concat(scored)
        print("\nAll labelled data (real dev data and sample_data):")
        report(all_scored)
        print("\nReal dev data only (SGD dev, GSM8K):")
        report(all_scored.filter(pl.col("dataset") != "sample_data"))
        missing = pl.concat(unjudged)
        if missing.height:
            fams = missing.group_by(pl.col("flag").str.split(".").list.first()).len().rows()
            print(f"\nno judge for {missing.height} labels ({fams}): add a function to JUDGES")
        print("\nsample_data planted problems:")
        planted_recall(sample, planted)
        print("\nReadiness verdicts:")
        for name, ws in built.items():
            readiness(ws, name)
    finally:
        if not args.keep:
            shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
