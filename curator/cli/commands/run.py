"""`curator run -w WS [--recipe FILE] [--json]`: dedup + filters with the workspace's recipe."""

from __future__ import annotations

import argparse

from curator.cli.common import add_engine_options, drive, engine_from, open_ws, print_json, quiet
from curator.core.filters import Recipe
from curator.core.pipeline import pipeline_job


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="the workspace folder")
    p.add_argument("--recipe", metavar="FILE", help="TOML recipe to store in the workspace and run")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    add_engine_options(p)


def run(args: argparse.Namespace) -> int:
    ws = open_ws(args.workspace)
    if args.recipe:
        recipe = Recipe.load(args.recipe)  # a bad file fails here, before anything changes
        recipe.save_to(ws)
    else:
        recipe = Recipe.from_workspace(ws)
    result = drive(pipeline_job(ws, recipe, engine_from(args)), quiet=args.json or quiet(args))
    if args.json:
        print_json(result)
        return 0
    if quiet(args):
        return 0
    print(f"Ran on {result['records']:,} records in {result['seconds']:.1f} s")
    for step in result["steps"]:
        name = step["step"]
        if "skipped" in step:
            print(f"  {name:<12} skipped: {step['skipped']}")
        elif name == "dedup":
            print(
                f"  {name:<12} {step.get('exact_duplicates', 0):,} exact and "
                f"{step.get('near_duplicates', 0):,} near duplicates in {step.get('clusters', 0):,} clusters"
            )
        elif name == "flags":
            continue
        else:
            print(
                f"  {name:<12} scored {step['scored']:,} records, reused {step['reused']:,} cached"
            )
    if result["flags"]:
        print("Flags (records)")
        for name, n in sorted(result["flags"].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {n:>9,}  {name}")
        print("See them with: curator query -w WS --flag NAME")
    else:
        print("No filter flagged anything.")
    return 0
