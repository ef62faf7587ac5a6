"""`curator import SRC...|- -w WS [--format F]`, or a database:
`curator import postgresql://USER@HOST/DB|sqlite:///FILE --query SQL|--table T -w WS`."""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from curator.cli.common import add_engine_options, drive, engine_from, open_ws, print_json, quiet
from curator.core.errors import CuratorError, UsageError
from curator.core.ingest import ImportOptions, ImportSummary, import_job, scan_sources
from curator.core.ingest.database import DatabaseSource, is_database_url
from curator.core.ingest.database_job import import_database_job
from curator.core.ingest.detect import skip_reason
from curator.core.ingest.options import FORMATS as INGEST_FORMATS
from curator.core.jobs import Job
from curator.core.workspace import DB_NAME, Workspace

FORMATS = ("auto", *INGEST_FORMATS)
# a suffix for stdin's spool file, so the format's reader and detection see what they expect
_STDIN_SUFFIX = {"csv": ".csv", "transcript": ".txt", "parquet": ".parquet", "json": ".json"}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="SRC",
                   help="file or folder (every file in it); - reads standard input (needs --format); "
                   "or a database URL, postgresql://USER@HOST/DB or sqlite:///FILE (with --query or --table)")
    p.add_argument("-w", "--workspace", required=True, metavar="WS", help="workspace folder (created if missing)")
    p.add_argument("--format", default="auto", choices=FORMATS,
                   help="input format (default: detected from the content); preference = prompt/chosen/rejected pairs")
    p.add_argument("--messages-field", metavar="F", help="JSON field holding the list of messages (generic JSON)")
    p.add_argument("--role-field", metavar="F", help="key of the speaker inside each message (generic JSON)")
    p.add_argument("--content-field", metavar="F", help="key of the text inside each message (generic JSON)")
    p.add_argument("--conversation-column", metavar="C", help="CSV column that groups rows into conversations")
    p.add_argument("--speaker-column", metavar="C", help="CSV column naming who wrote the row")
    p.add_argument("--text-column", metavar="C", help="CSV column with the message text")
    p.add_argument("--time-column", metavar="C", help="CSV column to order a conversation's rows by")
    p.add_argument("--role-map", metavar="A=user,B=assistant",
                   help="map source speaker labels to roles (system, user, assistant, tool)")
    p.add_argument("--query", metavar="SQL",
                   help="database source: the SELECT whose rows are the messages (mapped with the CSV column options)")
    p.add_argument("--table", metavar="T", help="database source: read every row of table T (instead of --query)")
    p.add_argument("--password-env", metavar="VAR",
                   help="database source: take the password from environment variable VAR "
                   "(else PGPASSWORD or ~/.pgpass); it is never stored or shown")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_engine_options(p)


SHOW_QUARANTINE = 10


def options_from_args(args: argparse.Namespace) -> ImportOptions:
    return ImportOptions(
        format=args.format,
        messages_field=args.messages_field,
        role_field=args.role_field,
        content_field=args.content_field,
        conversation_column=args.conversation_column,
        speaker_column=args.speaker_column,
        text_column=args.text_column,
        time_column=args.time_column,
        role_map=ImportOptions.parse_role_map(args.role_map),
    )


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    if any(is_database_url(s) for s in args.sources):
        return _run_database(args, options)
    if args.query is not None or args.table is not None or args.password_env is not None:
        raise UsageError(
            "--query, --table and --password-env are for a database source "
            "(postgresql://USER@HOST/DB or sqlite:///FILE)"
        )
    if "-" in args.sources:
        return _run_stdin(args, options)
    return _run(args, options, [Path(s) for s in args.sources])


def _run_stdin(args: argparse.Namespace, options: ImportOptions) -> int:
    """``curator import - --format F``: spool standard input to a file named ``stdin``
    (same bytes -> same ids, so piping the same data twice adds nothing), then import it."""
    if args.sources != ["-"]:
        raise UsageError("- (standard input) cannot be combined with other sources; import them separately")
    if options.format == "auto":
        raise UsageError("reading standard input needs --format, e.g. `curator import - --format openai -w WS`")
    if options.format == "hf":
        raise UsageError("a Hugging Face dataset is a folder; it cannot come from standard input")
    with tempfile.TemporaryDirectory(prefix="curator-stdin-") as tmp:
        spool = Path(tmp) / f"stdin{_STDIN_SUFFIX.get(options.format, '.jsonl')}"
        with open(spool, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
        if spool.stat().st_size == 0:
            raise CuratorError("standard input is empty; there is nothing to import")
        return _run(args, options, [spool])


def _run_database(args: argparse.Namespace, options: ImportOptions) -> int:
    """One database source: its query's rows, grouped like a CSV log."""
    if len(args.sources) != 1:
        raise UsageError("a database URL is imported on its own; import files with a separate `curator import`")
    if options.format not in ("auto", "csv"):
        raise UsageError("a database source is read as message rows (like --format csv); drop --format")
    source = DatabaseSource.make(
        args.sources[0], query=args.query, table=args.table, password_env=args.password_env
    )
    source.password()  # a --password-env that is not set is a usage error, before anything is created
    return _run(args, options, [], lambda ws: import_database_job(ws, source, options))


def _run(
    args: argparse.Namespace,
    options: ImportOptions,
    given: list[Path],
    make_job: Callable[[Workspace], Job[ImportSummary]] | None = None,
) -> int:
    sources, not_data = scan_sources(given) if make_job is None else ([], [])
    if make_job is None and not sources:
        names = "; ".join(f"{p.name}: {skip_reason(p)}" for p in not_data[:5])
        raise CuratorError(
            "no files to import: the folder(s) given are empty or nothing named is a file"
            + (f" or hold no data files (skipped {names})" if not_data else "")
        )
    created = not (Path(args.workspace) / DB_NAME).exists()
    folder_existed = Path(args.workspace).exists()
    ws = open_ws(args.workspace, create=True)
    try:
        job = import_job(ws, given, options, engine_from(args)) if make_job is None else make_job(ws)
        summary = drive(job, quiet=args.json or quiet(args))
    except BaseException:
        if created:
            _remove_new_workspace(ws, keep_folder=folder_existed)
        raise
    if args.json:
        print_json(summary.to_dict())
    elif not quiet(args):
        _print_summary(summary, ws.path)
    if summary.failed and not summary.changed:
        if created:  # exit 1 means "changed nothing": no workspace left behind either
            _remove_new_workspace(ws, keep_folder=folder_existed)
            print(f"No workspace was created at {ws.path}.")
        return 1
    return 0


def _remove_new_workspace(ws: Workspace, *, keep_folder: bool) -> None:
    """Remove a workspace this command created, when the import failed as a whole
    (an empty folder the user made stays, empty)."""
    ws.close()
    gc.collect()  # other threads' connections to it
    if not keep_folder:
        shutil.rmtree(ws.path, ignore_errors=True)
        return
    for p in ws.path.iterdir():
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _print_summary(summary: ImportSummary, ws_path: Path) -> None:
    width = max([len(f.source) for f in summary.files] + [4])
    print(f"{'file':<{width}}  {'format':<17} {'added':>9} {'skipped':>9} {'quarantined':>11}")
    for f in summary.files:
        if f.not_data:
            print(f"{f.source:<{width}}  skipped: {f.skipped or 'not a data file (name it to import it anyway)'}")
            continue
        if f.error:
            print(f"{f.source:<{width}}  FAILED: {f.error}")
            continue
        note = "  (already imported)" if f.already_imported else ""
        print(
            f"{f.source:<{width}}  {f.format or '?':<17} {f.added:>9,} {f.skipped_existing:>9,}"
            f" {f.quarantined:>11,}{note}"
        )
    print(
        f"{'total':<{width}}  {'':<17} {summary.added:>9,} {summary.skipped_existing:>9,}"
        f" {summary.quarantined:>11,}"
    )
    entries = [(f.source, q) for f in summary.files for q in f.quarantine]
    if entries:
        print(f"\nQuarantined ({len(entries):,}): not imported, kept in the workspace with the reason")
        for source, q in entries[:SHOW_QUARANTINE]:
            # a line number, unless the locator says more (a split: "validation/row 3")
            where = f"{q.line}" if q.line is not None and "/" not in q.locator else f" {q.locator}"
            print(f"  {source}:{where}: {q.reason}")
        if len(entries) > SHOW_QUARANTINE:
            print(
                f"  ... and {len(entries) - SHOW_QUARANTINE:,} more; see them all with "
                f"`curator import ... --json` or `curator info -w {ws_path} --quarantine`"
            )
