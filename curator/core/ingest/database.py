"""Message rows from a database: PostgreSQL (psycopg) and SQLite (sqlite3).

``postgresql://USER@HOST/DB`` or ``sqlite:///FILE`` plus a query (or a table),
read through a server-side cursor in batches of ``BATCH`` rows, each batch
turned into a Polars frame of String columns at once, so no Python list ever
holds more than one batch. The rows then go through the CSV log's grouping
(``csv_log.group_rows``): the same column options, the same conversations.

Credentials never leave this module: the password (from ``--password-env``,
the URL, ``PGPASSWORD`` or ``.pgpass`` -- the last two read by libpq itself) is
used to connect and is stripped from the target that is shown, stored and
hashed into record ids, and from every error message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import polars as pl

from curator.core.errors import CuratorError, UsageError

SCHEMES = ("postgresql://", "postgres://", "sqlite:///")
BATCH = 20_000  # rows per fetch: one batch of Python tuples in memory at a time
_SECRET_PARAMS = {"password", "passfile", "sslpassword"}


def is_database_url(text: str) -> bool:
    return text.lower().startswith(SCHEMES)


def quote_identifier(name: str) -> str:
    """``schema.table`` -> ``"schema"."table"`` (each part quoted, quotes doubled)."""
    parts = name.split(".")
    if not name.strip() or any(not p for p in parts):
        raise UsageError(
            f"--table {name!r}: give a table name, e.g. --table messages or --table public.messages"
        )
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


@dataclass(frozen=True)
class DatabaseSource:
    """A connection target and the query whose rows are the messages."""

    url: str  # as given: may hold a password, so never stored or shown
    query: str
    table: str | None = None
    password_env: str | None = None

    @staticmethod
    def make(
        url: str,
        *,
        query: str | None = None,
        table: str | None = None,
        password_env: str | None = None,
    ) -> DatabaseSource:
        if not is_database_url(url):
            raise UsageError(
                f"{redact(url)}: not a database URL; use postgresql://USER@HOST/DB or sqlite:///FILE"
            )
        if (query is None) == (table is None):
            raise UsageError(
                f"{redact(url)}: say what to read with --query SQL or --table T (one of them)"
            )
        if query is not None and not query.strip():
            raise UsageError("--query is empty; give the SELECT whose rows are the messages")
        sql = query if query is not None else f"SELECT * FROM {quote_identifier(table or '')}"
        return DatabaseSource(url, sql.strip().rstrip(";").strip(), table, password_env)

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.lower().startswith("sqlite:") else "postgresql"

    @property
    def target(self) -> str:
        """The connection target without credentials: safe to show and store."""
        if self.kind == "sqlite":
            return "sqlite:///" + str(self.sqlite_path())
        return redact(self.url)

    @property
    def identity(self) -> str:
        """Hashed into record ids: the same target and query give the same ids."""
        return hashlib.sha256(f"{self.target}\x1f{self.query}".encode()).hexdigest()[:32]

    @property
    def label(self) -> str:
        """Short name for summaries: the target, and the table when one was named."""
        return f"{self.target} {self.table}" if self.table else self.target

    def sqlite_path(self) -> Path:
        raw = unquote(urlsplit(self.url).path)
        return Path(raw[1:] if raw.startswith("/") else raw).absolute()

    def password(self) -> str | None:
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise UsageError(
                    f"--password-env {self.password_env}: that environment variable is not set; "
                    f"set it to the password (e.g. `read -s {self.password_env}; export {self.password_env}`)"
                )
            return value
        return urlsplit(self.url).password

    def scrub(self, text: str) -> str:
        """``text`` with the password (if any) replaced, for error messages."""
        secrets = {unquote(s) for s in (urlsplit(self.url).password, _env(self.password_env)) if s}
        secrets |= {quote(s, safe="") for s in list(secrets)}
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text.replace(self.url, self.target)


def _env(name: str | None) -> str | None:
    return os.environ.get(name) if name else None


def redact(url: str) -> str:
    """A URL without its password (user name kept) and without secret parameters."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")
        if netloc[1]:
            user = netloc[0].split(":", 1)[0]
            host = f"{user}@{netloc[2]}" if user else netloc[2]
        else:
            host = parts.netloc
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _SECRET_PARAMS]
        )
        return urlunsplit((parts.scheme, host, parts.path, query, ""))
    except ValueError:
        return url.split("://", 1)[0] + "://…"


@dataclass
class Batch:
    frame: pl.DataFrame  # String columns, one row per result row
    rows_done: int  # result rows read so far


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _frame(columns: list[str], rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            c: pl.Series(c, [_text(r[i]) for r in rows], dtype=pl.String)
            for i, c in enumerate(columns)
        }
    )


def _check_columns(source: DatabaseSource, columns: list[str]) -> None:
    seen: set[str] = set()
    for c in columns:
        if c in seen:
            raise CuratorError(
                f"{source.target}: the query returns two columns named {c!r}; give them different "
                f"names (SELECT ... AS ...). Query: {source.query}"
            )
        seen.add(c)


def read_batches(source: DatabaseSource, limit_rows: int | None = None) -> Iterator[Batch]:
    """The query's rows in batches; errors name the target, the query and the row."""
    if source.kind == "sqlite":
        yield from _sqlite_batches(source, limit_rows)
    else:
        yield from _postgres_batches(source, limit_rows)


def _fail(source: DatabaseSource, what: str, exc: Exception, done: int | None) -> CuratorError:
    reason = source.scrub(
        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    )
    where = f" after row {done:,}" if done else ""
    return CuratorError(
        f"{source.target}: {what}{where}: {reason}. Query: {source.query}. "
        "Nothing from this source was imported."
    )


def _sqlite_batches(source: DatabaseSource, limit_rows: int | None) -> Iterator[Batch]:
    path = source.sqlite_path()
    if not path.is_file():
        raise CuratorError(
            f"{source.target}: there is no SQLite file at {path}; check the path after sqlite:///"
        )
    try:
        con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _fail(source, "cannot open the database", exc, None) from None
    done = 0
    try:
        try:
            cur = con.execute(source.query)
        except sqlite3.Error as exc:
            raise _fail(source, "the query failed", exc, None) from None
        if cur.description is None:
            raise CuratorError(
                f"{source.target}: the query returns no rows (not a SELECT?). Query: {source.query}"
            )
        columns = [d[0] for d in cur.description]
        _check_columns(source, columns)
        while True:
            size = BATCH if limit_rows is None else min(BATCH, limit_rows - done)
            try:
                rows = cur.fetchmany(size) if size > 0 else []
            except sqlite3.Error as exc:
                raise _fail(source, "reading the rows failed", exc, done) from None
            if not rows and done:
                return
            done += len(rows)
            yield Batch(_frame(columns, rows), done)
            if not rows:
                return
    finally:
        con.close()


def _postgres_batches(source: DatabaseSource, limit_rows: int | None) -> Iterator[Batch]:
    import psycopg  # imported here: `curator --help` stays fast

    password = source.password()
    extra: dict[str, Any] = {"connect_timeout": 10, "application_name": "curator import"}
    if password is not None:
        extra["password"] = password
    try:
        con = psycopg.connect(source.url, **extra)
    except psycopg.Error as exc:
        raise _fail(source, "cannot connect", exc, None) from None
    except Exception as exc:  # e.g. a URL libpq cannot parse
        raise _fail(source, "cannot connect", exc, None) from None
    done = 0
    try:
        con.read_only = True  # Curator never writes to the source database
        try:
            cur = con.cursor(name="curator_import")  # server-side: rows stream in batches
            cur.execute(source.query)
            columns = [d.name for d in cur.description or []]
        except psycopg.Error as exc:
            raise _fail(source, "the query failed", exc, None) from None
        _check_columns(source, columns)
        while True:
            size = BATCH if limit_rows is None else min(BATCH, limit_rows - done)
            try:
                rows = cur.fetchmany(size) if size > 0 else []
            except psycopg.Error as exc:
                what = (
                    "the connection was lost"
                    if con.broken or con.closed
                    else "reading the rows failed"
                )
                raise _fail(source, what, exc, done) from None
            if not rows and done:
                return
            done += len(rows)
            yield Batch(_frame(columns, list(rows)), done)
            if not rows:
                return
    finally:
        with contextlib.suppress(psycopg.Error):
            con.close()
