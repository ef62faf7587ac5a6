"""`curator dedup -w WS [--threshold T --ngram N --num-perm P --scope all|user|assistant] [--json]`."""

from __future__ import annotations

import argparse

from curator.cli.common import add_engine_options, drive, engine_from, open_ws, print_json, quiet


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("--threshold", type=float, default=None, help="Jaccard threshold (default 0.8)")
    p.add_argument("--ngram", type=int, default=None, help="word n-gram shingle size (default 5)")
    p.add_argument("--num-perm", type=int, default=None, help="MinHash permutations (default 128)")
    p.add_argument(
        "--scope",
        choices=("all", "user", "assistant"),
        default=None,
        help="which turns are compared (default all)",
    )
    p.add_argument(
        "--include-system",
        action="store_true",
        default=None,
        help="also compare system messages (default: left out, a shared system prompt is not content)",
    )
    p.add_argument(
        "--paraphrase",
        action="store_true",
        default=None,
        help="also flag the same reply to a reworded prompt (near_duplicate.paraphrase; offline)",
    )
    p.add_argument(
        "--paraphrase-threshold",
        type=float,
        default=None,
        metavar="T",
        help="prompt TF-IDF cosine for a paraphrase (default 0.4)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="recompute the shared passages and every signature (default: reuse what is stored)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_engine_options(p)


def run(args: argparse.Namespace) -> int:
    # imported here: datasketch/scipy/numba load only when dedup actually runs
    from curator.core.dedup import cluster_table, dedup_job, load_settings

    ws = open_ws(args.workspace)
    settings = load_settings(ws).with_options(
        threshold=args.threshold,
        ngram=args.ngram,
        num_perm=args.num_perm,
        scope=args.scope,
        include_system=args.include_system,
        paraphrase=args.paraphrase,
        paraphrase_threshold=args.paraphrase_threshold,
    )
    summary = drive(dedup_job(ws, settings, full=args.full, engine=engine_from(args)), quiet=args.json or quiet(args))
    if args.json:
        print_json({**summary.to_dict(), "settings": settings.to_dict()})
        return 0
    if quiet(args):
        return 0
    s = summary
    print(
        f"Dedup of {s.records:,} records (threshold {settings.threshold}, {settings.ngram}-word "
        f"shingles, {settings.num_perm} permutations, scope {settings.scope})"
    )
    para_clusters = s.clusters - s.exact_clusters - s.near_clusters
    print(
        f"Clusters    {s.clusters:,} ({s.exact_clusters:,} exact, {s.near_clusters:,} near"
        + (f", {para_clusters:,} paraphrase" if settings.paraphrase else "")
        + ")"
    )
    print(
        f"Duplicates  {s.duplicates:,} flagged ({s.exact_duplicates:,} exact_duplicate, "
        f"{s.near_duplicates:,} near_duplicate"
        + (
            f", {s.paraphrase_duplicates:,} near_duplicate.paraphrase"
            if settings.paraphrase
            else ""
        )
        + "); keepers stay unflagged"
    )
    if s.too_short:
        print(
            f"Too short   {s.too_short:,} record(s) under {settings.min_tokens} words "
            "kept out of near-duplicate matching"
        )
    if s.shared_shingles:
        print(
            f"Shared text {s.shared_shingles:,} word {settings.ngram}-grams found in at least "
            f"{settings.shared_share:.0%} of the texts are left out before comparing "
            "(preambles, greetings, sign-offs)"
        )
    print(
        f"Signatures  {s.signatures_computed:,} computed, {s.signatures_cached:,} reused "
        f"({s.backend}); LSH {s.bands} bands x {s.rows} rows, {s.candidate_pairs:,} candidate "
        f"pairs, {s.verified_pairs:,} verified; {s.char_shingled:,} short text(s) compared "
        f"by character {settings.char_ngram}-grams"
    )
    print(f"Time        {s.seconds:.2f} s")
    top = cluster_table(ws).head(5)
    if top.height:
        print("Largest clusters")
        for row in top.iter_rows(named=True):
            lo = row["min_similarity"]
            print(
                f"  {row['cluster_id']}  {row['size']:>5} records  {row['kind']:<5}  keeper "
                f"{row['keeper_id']}  similarity >= {lo:.2f}"
            )
    print("See them: curator query -w WS --flag near_duplicate (or exact_duplicate)")
    return 0
