"""How often Curator's judgements are right: precision and recall on hand-labelled records.

    python benchmarks/bench_quality.py                 # data from ../shared/data
    python benchmarks/bench_quality.py --data DIR      # elsewhere
    python benchmarks/bench_quality.py --keep DIR      # keep the workspaces it builds

Imports the real dev data (SGD dev dialogues, GSM8K, and SGD dev cut into single
user/system exchanges, derived in the temporary folder) and ``sample_data/`` into
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

Near-duplicate labels (``near_duplicate``/``exact_duplicate``) are scored under the
dedup settings each names (``settings``; one dedup run per distinct value, the workspace
left at the defaults afterwards), and a label with a ``pair`` fires only when the two
records share a cluster; the near-duplicate section also counts what fires on records
no label names.

Then recall on ``sample_data/planted.json`` and the readiness verdict (with its
reasons) for each dev dataset, computed as a preview on passing records.

Judgements that are not flags (e.g. the readiness report's per-record volatility
facts) plug in through ``JUDGES``: a flag-name prefix -> a function(frame) that
returns rows (id, name) for the records it marks. A label whose flag no flag and
no judge produces is listed as "no judge".
"""

from __future__ import annotations

import argparse
import itertools
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


def sgd_exchanges(data: Path, where: Path) -> Path:
    """SGD dev cut into single exchanges (each user turn + the system reply), as a user
    building single-turn data from dialogues would: real short texts for dedup."""
    out = where / "sgd_exchanges.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for path in sorted((data / "sgd_dev").glob("dialogues_*.json")):
            for dialogue in json.loads(path.read_text(encoding="utf-8")):
                turns = dialogue["turns"]
                for a, b in itertools.pairwise(turns):
                    if a["speaker"] == "USER" and b["speaker"] == "SYSTEM":
                        msgs = [
                            {"role": "user", "content": a["utterance"]},
                            {"role": "assistant", "content": b["utterance"]},
                        ]
                        f.write(json.dumps({"messages": msgs}) + "\n")
    return out


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str  # relative to --data, or absolute
    import_args: tuple[str, ...]
    derive: Callable[[Path, Path], Path] | None = None  # (data, where) -> file to import


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
    Dataset("sgd_exchanges", "sgd_dev", (), derive=sgd_exchanges),
)


def curator(*args: str) -> subprocess.CompletedProcess[str]:
    """Run this checkout's CLI (not whatever `curator` is on PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "curator", *args], cwd=REPO, capture_output=True, text=True
    )


def build(ds: Dataset, data: Path, where: Path) -> Workspace:
    ws = where / f"{ds.name}.curator"
    src = ds.derive(data, where) if ds.derive else data / ds.path
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
                    "settings": str(row.get("settings") or DEFAULT),
                    "pair": row.get("pair"),
                    "pair_source": row.get("pair_source") or row["source"],
                }
            )
    return pl.DataFrame(rows, schema=LABEL_SCHEMA)


# --- near-duplicates: labels are scored under the dedup settings they name -------------
DEFAULT = "default"
DEDUP_FAMILIES = ("near_duplicate", "exact_duplicate")
LABEL_SCHEMA = {
    **{c: pl.String for c in ("source", "locator", "flag", "label", "file", "settings")},
    "pair": pl.String,
    "pair_source": pl.String,
}


def dedup_options(settings: str) -> dict[str, object]:
    """ "scope=user,threshold=0.6" -> DedupSettings keyword arguments ("default": none)."""
    from curator.core.dedup import DedupSettings

    if settings == DEFAULT:
        return {}
    types = {f: type(v) for f, v in DedupSettings().to_dict().items()}
    out: dict[str, object] = {}
    for part in settings.replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if key not in types:
            sys.exit(f"label settings {settings!r}: unknown dedup setting {key!r}")
        kind = types[key]
        out[key] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    return out


def is_dedup(flag: pl.Expr) -> pl.Expr:
    return flag.str.split(".").list.first().is_in(list(DEDUP_FAMILIES))


def dedup_run(ws: Workspace, settings: str) -> pl.DataFrame:
    """Run dedup with these settings: per record source, locator, cluster_id, dedup flag names."""
    from curator.core.dedup import DedupSettings, dedup_job
    from curator.core.jobs import run_job

    run_job(dedup_job(ws, DedupSettings(**dedup_options(settings))))  # type: ignore[arg-type]
    frame = ws.frame().select(R.ID, R.SOURCE, R.LOCATOR, R.CLUSTER_ID)
    names = (
        ws.flags()
        .filter(is_dedup(pl.col("name")))
        .group_by(R.ID)
        .agg(pl.col("name").cast(pl.String))
    )
    return frame.join(names, on=R.ID, how="left").with_columns(
        pl.col("name").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )


def dedup_fires(
    ws: Workspace, labels: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Dedup labels + fired, each under its settings; and each run's records (for what fires).

    A label with a ``pair`` (the other record's locator, in ``pair_source`` or the
    same source) fires when the two are in one cluster and one of them carries the
    labelled flag (the keeper is whichever the keeper order picks); without one,
    when the record carries it.
    """
    keys = [R.SOURCE, R.LOCATOR, "flag", "label", "file", "settings", "pair", "pair_source"]
    out, runs = [], {}
    for (settings,), group in labels.group_by("settings", maintain_order=True):
        run = dedup_run(ws, str(settings))
        runs[str(settings)] = run
        me = run.select(R.SOURCE, R.LOCATOR, pl.col(R.CLUSTER_ID).alias("c1"), "name")
        other = run.select(
            pl.col(R.SOURCE).alias("pair_source"),
            pl.col(R.LOCATOR).alias("pair"),
            pl.col(R.CLUSTER_ID).alias("c2"),
            "name",
        )
        both = pl.concat(
            [
                group.join(me, on=[R.SOURCE, R.LOCATOR], how="left"),
                group.filter(pl.col("pair").is_not_null())
                .join(other, on=["pair_source", "pair"], how="left")
                .select(*keys, pl.lit(None, dtype=pl.String).alias("c1"), "name", "c2"),
            ],
            how="diagonal",
        )
        # the flag names as "|a|b|": the labelled flag, or one of its family, is in it
        joined = pl.lit("|") + pl.col("name").fill_null([]).list.join("|") + pl.lit("|")
        flag = pl.col("flag")
        named = joined.str.contains(pl.lit("|") + flag + pl.lit("|"), literal=True) | (
            joined.str.contains(pl.lit("|") + flag + pl.lit("."), literal=True)
        )
        per = both.group_by(keys, maintain_order=True).agg(
            named.any().alias("flagged"),
            pl.col("c1").drop_nulls().first(),
            pl.col("c2").drop_nulls().first(),
        )
        together = pl.col("pair").is_null() | (pl.col("c1") == pl.col("c2")).fill_null(False)
        out.append(per.select(*keys, (pl.col("flagged") & together).alias("fired")))
    if DEFAULT in runs:
        dedup_run(ws, DEFAULT)  # leave the workspace as `curator run` made it
    else:
        runs[DEFAULT] = dedup_run(ws, DEFAULT)
    scored = pl.concat(out) if out else labels.with_columns(pl.lit(False).alias("fired"))
    return scored, runs


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


def dedup_report(
    scored: pl.DataFrame, seen: list[tuple[str, str, pl.DataFrame, pl.DataFrame]]
) -> None:
    """Near-duplicate labels per settings, and what fires there on records nobody labelled."""
    print("\nNear-duplicates, each label scored under the dedup settings it names:")
    for (settings,), g in scored.sort("settings").group_by("settings", maintain_order=True):
        print(f"  settings {settings}:")
        report(g)
    print("\n  dedup flags on records in no label (pair or record), per run:")
    for name, settings, run, labels in seen:
        labelled = pl.concat(
            [
                labels.select(R.SOURCE, R.LOCATOR),
                labels.filter(pl.col("pair").is_not_null()).select(
                    pl.col("pair_source").alias(R.SOURCE), pl.col("pair").alias(R.LOCATOR)
                ),
            ]
        ).unique()
        fired = run.explode("name").filter(pl.col("name").is_not_null())
        rest = fired.join(labelled, on=[R.SOURCE, R.LOCATOR], how="anti")
        counts = fired.group_by("name").len().sort("name").rows()
        print(
            f"    {name} [{settings}]: fired "
            + (", ".join(f"{n} {k}" for n, k in counts) or "nothing")
            + f"; unlabelled {rest.height}"
            + (f" (e.g. {', '.join(rest.get_column(R.LOCATOR).head(5))})" if rest.height else "")
        )


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
        dedup_scored, dedup_seen = [], []
        for name, ws in workspaces:
            mine, judged = judged_by[name]
            is_known = pl.col("flag").str.split(".").list.first().is_in(sorted(families))
            ok = mine.filter(is_known & ~is_dedup(pl.col("flag")))
            unjudged.append(mine.filter(~is_known))
            scored.append(fires(ok, judged).with_columns(pl.lit(name).alias("dataset")))
            dd = mine.filter(is_dedup(pl.col("flag")))
            if dd.height:
                got, runs = dedup_fires(ws, dd)
                got = got.with_columns(pl.lit(name).alias("dataset"))
                dedup_scored.append(got)
                dedup_seen.extend((name, k, run, dd) for k, run in runs.items())
                default = got.filter(pl.col("settings") == DEFAULT)
                scored.append(default.select(scored[-1].columns))
            unlabelled = judged.join(mine, on=[R.SOURCE, R.LOCATOR], how="anti")
            counts = unlabelled.group_by("name").len().sort("len", descending=True)
            print(
                f"\n{name}: flags on records with no label: "
                + (", ".join(f"{n} {k}" for n, k in counts.rows()) or "none")
            )
        all_scored = pl.concat(scored)
        print("\nAll labelled data (real dev data and sample_data):")
        report(all_scored)
        print("\nReal dev data only (SGD dev, its exchanges, GSM8K):")
        report(all_scored.filter(pl.col("dataset") != "sample_data"))
        if dedup_scored:
            dedup_report(pl.concat(dedup_scored), dedup_seen)
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
