"""`curator baseline -w WS -o DIR [--budget-tokens N] [--seed S] [--split F] [--examples K] [--json]`."""

from __future__ import annotations

import argparse
import sys

from curator.cli.common import drive, open_ws, print_json, quiet


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="folder for the kit (created; replaced only when it holds an earlier Curator kit)",
    )
    p.add_argument(
        "--include",
        choices=("approved", "passing"),
        default="approved",
        help="use approved records (default) or approved plus pending ones that pass, as export does",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for the split, topics and eval draw (use the one you export with; default 0)",
    )
    p.add_argument(
        "--split",
        type=float,
        default=0.1,
        metavar="F",
        help="validation fraction of the export you compare with; eval.jsonl comes from that side "
        "(default 0.1)",
    )
    p.add_argument(
        "--budget-tokens",
        type=int,
        default=2000,
        metavar="N",
        help="token budget of the few-shot system prompt (cl100k_base); pick a share of the "
        "target model's context window, e.g. 2000 of 8k or 8000 of 128k (default 2000)",
    )
    p.add_argument(
        "--examples",
        type=int,
        default=None,
        metavar="K",
        help="at most K few-shot examples (default: one per topic, as many as fit the budget)",
    )
    p.add_argument(
        "--eval-max",
        type=int,
        default=500,
        metavar="N",
        help="at most N eval records (default 500, about ±4.4 points on a pass rate)",
    )
    p.add_argument("--json", action="store_true", help="print the kit's manifest as JSON")


def run(args: argparse.Namespace) -> int:
    from curator.core.baseline import BaselineOptions, baseline_job

    options = BaselineOptions(
        output_dir=args.output,
        include=args.include,
        seed=args.seed,
        split=args.split,
        budget_tokens=args.budget_tokens,
        max_examples=args.examples,
        eval_max=args.eval_max,
    )
    options.export_options()  # bad --split/--seed: a usage error before any work
    ws = open_ws(args.workspace)
    manifest = drive(baseline_job(ws, options), quiet=args.json or quiet(args))
    if args.json:
        print_json(manifest)
        return 0
    if not quiet(args):
        ev, fs, ps = manifest["eval"], manifest["fewshot"], manifest["passages"]
        sys.stdout.write(
            f"Baseline kit in {args.output} from {manifest['records']:,} records ({len(manifest['topics'])} topics)\n"
            f"eval.jsonl        {ev['size']:,} held-out records (validation side of --split {args.split} "
            f"--seed {args.seed})\n"
            f"fewshot_prompt.md {fs['examples']} examples, {fs['topics_covered']}/{fs['topics']} topics, "
            f"{fs['prompt_tokens']:,}/{fs['budget_tokens']:,} tokens\n"
            f"retrieval/        {ps['passages']:,} passages of facts that change\n"
            f"Readiness: {manifest['readiness']['verdict']}. README.md says how to run the comparison.\n"
        )
    return 0
