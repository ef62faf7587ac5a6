"""A small helpdesk: tickets + messages, seeded into PostgreSQL or SQLite, or written as CSV.

The same rows in every form, so a test can compare what each import gives.
Messages are inserted out of conversation order (as a live helpdesk writes
them), so grouping and time ordering are exercised.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

TICKETS = [(101, "Late order"), (102, "Refund"), (103, "Password reset"), (104, "Invoice copy")]
# (message id, ticket id, author_type, body, created_at)
MESSAGES = [
    (1, 101, "customer", "My order #4411 has not arrived yet.", "2026-11-02 09:00:00"),
    (2, 102, "customer", "I'd like a refund for the blue kettle, it leaks.", "2026-11-02 09:01:00"),
    (
        3,
        101,
        "agent",
        "Sorry about that! It left our warehouse yesterday, so it should arrive tomorrow.",
        "2026-11-02 09:04:00",
    ),
    (4, 103, "customer", "I can't log in, the reset link says it expired.", "2026-11-02 09:05:00"),
    (
        5,
        102,
        "agent",
        "Of course. I've started the refund; you'll see it in 3-5 working days.",
        "2026-11-02 09:06:00",
    ),
    (6, 101, "customer", "Great, thanks.", "2026-11-02 09:07:00"),
    (
        7,
        103,
        "agent",
        "Reset links last an hour. I've sent you a fresh one just now.",
        "2026-11-02 09:09:00",
    ),
    (8, 104, "customer", "Could you send me a copy of invoice 2026-118?", "2026-11-02 09:10:00"),
    (9, 104, "agent", "Attached to the email I just sent you.", "2026-11-02 09:12:00"),
    # written late, but it happened first: ordered by created_at
    (10, 103, "customer", "Hello, I need help with my account.", "2026-11-02 09:04:30"),
]
QUERY = (
    "SELECT m.ticket_id, t.subject, m.author_type, m.body, m.created_at "
    "FROM messages m JOIN tickets t ON t.id = m.ticket_id ORDER BY m.id"
)
OPTIONS = [
    "--conversation-column",
    "ticket_id",
    "--speaker-column",
    "author_type",
    "--text-column",
    "body",
    "--time-column",
    "created_at",
    "--role-map",
    "customer=user,agent=assistant",
]

_DDL = [
    "CREATE TABLE tickets (id integer PRIMARY KEY, subject text NOT NULL)",
    "CREATE TABLE messages (id integer PRIMARY KEY, ticket_id integer REFERENCES tickets(id),"
    " author_type text, body text, created_at timestamp)",
]


def seed_postgres(con: Any) -> None:
    """Create and fill the schema (a psycopg connection in autocommit)."""
    con.execute("DROP TABLE IF EXISTS messages, tickets")
    for ddl in _DDL:
        con.execute(ddl)
    with con.cursor() as cur:
        cur.executemany("INSERT INTO tickets VALUES (%s, %s)", TICKETS)
        cur.executemany("INSERT INTO messages VALUES (%s, %s, %s, %s, %s)", MESSAGES)


def seed_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    for ddl in _DDL:
        con.execute(ddl)
    con.executemany("INSERT INTO tickets VALUES (?, ?)", TICKETS)
    con.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", MESSAGES)
    con.commit()
    con.close()


def write_csv(path: Path) -> None:
    """The CSV export of QUERY's rows (same columns, same order)."""
    subject = dict(TICKETS)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ticket_id", "subject", "author_type", "body", "created_at"])
        for _, ticket, author, body, at in MESSAGES:
            w.writerow([ticket, subject[ticket], author, body, at])
