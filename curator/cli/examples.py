"""Example epilogs for ``curator CMD --help``, and the options every command shares.

A command module may define its own ``EXAMPLES`` text instead of an entry here
(``tests/test_cli_conventions.py`` fails on a command with neither).
"""

from __future__ import annotations

import argparse
from types import ModuleType

EXAMPLES: dict[str, str] = {
    "gui": """examples:
  curator gui                      # the start page: open or create a workspace
  curator gui support.curator      # straight into a workspace""",
    "demo": """examples:
  curator demo                     # build ~/.curator/demo.curator from sample_data/ and open it
  curator demo --no-gui -w /tmp/demo.curator   # build it and print the summary only""",
    "import": """examples:
  curator import chats.jsonl -w support.curator
  curator import exports/ -w support.curator                       # every file in the folder
  curator import helpdesk.csv -w support.curator \\
      --conversation-column ticket_id --speaker-column author --text-column body
  curator import pairs.jsonl -w prefs.curator --format preference  # prompt/chosen/rejected pairs
  zcat logs.jsonl.gz | curator import - --format openai -w support.curator
  curator import postgresql://curator@db.internal/helpdesk -w support.curator --password-env PGPW \
      --query 'SELECT ticket_id, author_type, body, created_at FROM messages' --time-column created_at
  curator import sqlite:///chats.db --table messages -w support.curator --role-map 'agent=assistant'
  curator import shards/ -w support.curator --engine ray          # read the shards on Ray workers""",
    "run": """examples:
  curator run -w support.curator                   # dedup + every filter of the recipe
  curator run -w support.curator --recipe strict.toml --json
  curator run -w support.curator --engine ray                   # same results, on a local Ray instance
  curator run -w support.curator --engine ray --ray-address auto   # on a cluster (ray start --head)""",
    "dedup": """examples:
  curator dedup -w support.curator
  curator dedup -w support.curator --threshold 0.7 --scope assistant --json
  curator dedup -w support.curator --engine ray""",
    "info": """examples:
  curator info -w support.curator
  curator info -w support.curator --json | jq .by_flag
  curator info -w support.curator --quarantine      # every line that was not imported""",
    "query": """examples:
  curator query -w support.curator --flag pii.email
  curator query -w support.curator --status pending --search refund --json | head""",
    "show": """examples:
  curator show -w support.curator 3f9a0c1d2e4b5a6f
  curator show -w support.curator 3f9a0c1d2e4b5a6f --json""",
    "review": """examples:
  curator review -w support.curator --approve --where passing
  curator review -w support.curator --reject off-topic --ids 3f9a0c1d2e4b5a6f
  curator review -w support.curator --redact --where flagged
  curator review -w prefs.curator --swap --ids 3f9a0c1d2e4b5a6f    # preference pair: swap the answers
  curator review -w support.curator --undo --json""",
    "report": """examples:
  curator report -w support.curator
  curator report -w support.curator --json | jq .verdict
  curator report -w support.curator --html report.html""",
    "export": """examples:
  curator export -w support.curator -o out/ --split 0.1 --seed 7
  curator export -w support.curator -o - | head -n 3              # JSONL on stdout
  curator export -w prefs.curator -o dpo/ --format preference --target trl
  curator export -w support.curator -o out/ --json | jq .counts""",
    "baseline": """examples:
  curator baseline -w support.curator -o baseline/                 # eval set, few-shot prompt, passages
  curator baseline -w support.curator -o baseline/ --budget-tokens 6000 --seed 7 --split 0.1
  curator baseline -w support.curator -o baseline/ --json | jq .fewshot""",
}


def configure_common(p: argparse.ArgumentParser, name: str, module: ModuleType) -> None:
    """Add ``-q/--quiet`` and the example epilog to a command's parser."""
    if not any("--quiet" in a.option_strings for a in p._actions):
        p.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            help="no progress bar and no summary lines; errors, --json and asked-for rows still print",
        )
    text = getattr(module, "EXAMPLES", None) or EXAMPLES.get(name)
    if text:
        p.epilog = text
        p.formatter_class = argparse.RawDescriptionHelpFormatter
