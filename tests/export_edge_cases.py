"""Generated edge-case conversations for the export and trainer-consumer tests (no tests here).

Each case is named so a failing assertion says which shape a trainer mishandled:
tool calls (one, parallel, with tool definitions), weight-0 turns (before a trained
reply and trailing), agent-first transcripts (with and without a system prompt),
system prompts, and a long multi-turn conversation.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from curator.core import records as R
from curator.core.workspace import Workspace

M = R.message
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_order_status",
            "description": "Look up an order",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            },
        },
    },
]
SYSTEM = "You are Brightside Home's support assistant. Be brief."


def _calls(*calls: tuple[str, str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": cid, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
        for cid, n, a in calls
    ]


def edge_cases() -> dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]:
    """name -> (messages, meta)."""
    long_conv = [M("system", SYSTEM)]
    for i in range(12):
        long_conv += [
            M("user", f"Follow-up question number {i} about my order BH-{1000 + i}?"),
            M("assistant", f"Answer {i}: order BH-{1000 + i} ships on day {i + 1}."),
        ]
    return {
        "tool_call": (
            [
                M("system", SYSTEM),
                M("user", "Where is my order BH-381650?"),
                M(
                    "assistant",
                    None,
                    tool_calls=_calls(("call_a1", "get_order_status", {"order_id": "BH-381650"})),
                ),
                M("tool", '{"status": "in_transit", "eta": "tomorrow"}', tool_call_id="call_a1"),
                M("assistant", "Your order BH-381650 is on its way and arrives tomorrow."),
            ],
            {"tools": TOOLS},
        ),
        "parallel_tool_calls": (
            [
                M("user", "Is BH-2 shipped, and what is the weather in Leeds for 2 days?"),
                M(
                    "assistant",
                    None,
                    tool_calls=_calls(
                        ("call_b1", "get_order_status", {"order_id": "BH-2"}),
                        ("call_b2", "get_weather", {"city": "Leeds", "days": 2}),
                    ),
                ),
                M("tool", '{"status": "shipped"}', tool_call_id="call_b1"),
                M("tool", '{"forecast": "rain"}', tool_call_id="call_b2"),
                M("assistant", "BH-2 has shipped; Leeds expects rain for the next two days."),
            ],
            {"tools": TOOLS},
        ),
        "weight0_before_trained": (
            [
                M("system", SYSTEM),
                M("user", "Can I return a lamp after 40 days?"),
                M("assistant", "No returns ever, sorry.", weight=0),
                M("user", "Are you sure? The site says 60 days."),
                M(
                    "assistant",
                    "You are right: returns are accepted within 60 days of delivery.",
                    weight=1,
                ),
            ],
            {},
        ),
        "weight0_trailing": (
            [
                M("user", "Do you ship to Ireland?"),
                M("assistant", "Yes, we ship to Ireland within 5 working days."),
                M("user", "And to Iceland?"),
                M("assistant", "Maybe, who knows.", weight=0),
            ],
            {},
        ),
        "agent_first": (
            [
                M("assistant", "Hello, thanks for calling Northwind Mobile, how can I help?"),
                M("user", "My roaming does not work in Spain."),
                M(
                    "assistant",
                    "Roaming is now switched on for your line; restart the phone to pick it up.",
                ),
            ],
            {},
        ),
        "agent_first_with_system": (
            [
                M("system", SYSTEM),
                M("assistant", "Hi! I'm the Brightside assistant."),
                M("user", "I need a new charger for my lamp."),
                M(
                    "assistant",
                    "Chargers are in the Spare parts section; the lamp uses the USB-C model.",
                ),
            ],
            {},
        ),
        "system_single_turn": (
            [
                M("system", SYSTEM),
                M("user", "What are your opening hours?"),
                M("assistant", "We answer chats from 8am to 8pm every day."),
            ],
            {},
        ),
        "plain_single_turn": (
            [
                M("user", "How do I reset my password?"),
                M(
                    "assistant",
                    "Use 'Forgot password' on the sign-in page; the link is valid for an hour.",
                ),
            ],
            {},
        ),
        "long_multi_turn": (long_conv, {}),
    }


def add_edge_cases(
    ws: Workspace, names: list[str] | None = None, source: str = "edge.jsonl"
) -> dict[str, str]:
    """Add the cases (all, or ``names``) to the workspace; returns name -> record id."""
    cases = edge_cases()
    rows = []
    for i, name in enumerate(names or list(cases), start=1):
        msgs, meta = cases[name]
        loc = f"line {i}"
        rows.append(
            {
                R.ID: R.record_id(source, loc),
                R.SOURCE: source,
                R.SOURCE_PATH: f"/data/{source}",
                R.LOCATOR: loc,
                R.LINE: i,
                R.MESSAGES: msgs,
                R.META: json.dumps(meta),
                R.REPAIRS: [],
                R.IMPORT_ID: 0,
            }
        )
    df = pl.DataFrame(rows, schema=R.RECORD_SCHEMA)
    ws.add_import(
        source=source,
        path=f"/data/{source}",
        file_hash=f"hash-{source}",
        fmt="openai",
        options={},
        records=df,
        quarantine=[],
    )
    return dict(zip(names or list(cases), df.get_column(R.ID).to_list(), strict=True))
