"""A self-contained HTML readiness report: inline CSS and SVG, no scripts, no network.

Every piece of text from the workspace (messages, flag names, file names) is
escaped, so record text can never become markup in the file a user sends on.
"""

from __future__ import annotations

from html import escape
from typing import Any

from curator.core.readiness.report import Report

COLORS = {"ok": "#1a7f37", "warn": "#9a6700", "block": "#cf222e", "info": "#0969da", "n/a": "#6e7781"}
BANNER = {"ready": "#1a7f37", "limited_data": "#9a6700", "not_ready": "#cf222e"}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.muted{color:#656d76;font-size:13px}
.banner{color:#fff;border-radius:8px;padding:16px 20px;margin:16px 0}
.banner b{font-size:20px;display:block;margin-bottom:4px}
.baseline{background:#fff;border:1px solid #d0d7de;border-left:4px solid #0969da;border-radius:8px;padding:4px 16px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:120px}
.card .n{font-size:22px;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
td,th{border-top:1px solid #d0d7de;padding:8px 10px;vertical-align:top;text-align:left}
th{background:#f6f8fa;font-size:13px}
.lvl{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
.small{font-size:12.5px;color:#656d76;margin-top:4px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;padding:1px 4px;border-radius:4px;word-break:break-all}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.chart{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px}
.chart h3{font-size:14px;margin:0 0 6px}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}
ol li{margin-bottom:6px}
"""


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1%}" if 0 <= v <= 1 else f"{v:,.1f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_num(x)}" for k, x in v.items() if k != "words_sampled")
    return str(v)


def hbar_svg(items: list[tuple[str, float]], width: int = 330, color: str = "#0969da") -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return '<p class="muted">No data.</p>'
    row, label_w = 20, 150
    top = max(v for _, v in items) or 1
    h = row * len(items) + 4
    parts = [f'<svg width="{width}" height="{h}" viewBox="0 0 {width} {h}" role="img">']
    for i, (label, v) in enumerate(items):
        y = i * row + 2
        w = (width - label_w - 60) * (v / top)
        parts.append(f'<text x="0" y="{y + 13}">{_e(label if len(label) <= 24 else label[:23] + "…")}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_e(_num(v))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(hist: dict[str, Any], width: int = 330, height: int = 150) -> str:
    """Vertical bars over log-spaced bins; a red line marks the token limit."""
    edges, counts, limit = hist.get("edges") or [], hist.get("counts") or [], hist.get("limit")
    if not counts:
        return '<p class="muted">No data.</p>'
    n, top, base = len(counts), max(counts) or 1, height - 18
    bw = (width - 10) / n
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, c in enumerate(counts):
        bh = (base - 12) * c / top
        parts.append(
            f'<rect x="{5 + i * bw:.1f}" y="{base - bh:.1f}" width="{max(bw - 1, 1):.1f}" height="{bh:.1f}" fill="#0969da">'
            f"<title>{_e(edges[i])}-{_e(edges[i + 1])} tokens: {c:,}</title></rect>"
        )
    for i in (0, n // 2, n):
        parts.append(f'<text x="{min(5 + i * bw, width - 40):.1f}" y="{height - 3}">{_e(f"{edges[i]:,}")}</text>')
    if limit and edges and edges[0] <= limit <= edges[-1]:
        j = max(k for k in range(len(edges)) if edges[k] <= limit)
        frac = 0.0 if j >= n else (limit - edges[j]) / max(edges[j + 1] - edges[j], 1)
        x = 5 + (j + frac) * bw
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{base}" stroke="#cf222e" stroke-width="2"/>')
        parts.append(f'<text x="{max(x - 60, 0):.1f}" y="10" style="fill:#cf222e">limit {limit:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_svg(points: list[tuple[str, int, int]], width: int = 330, height: int = 150) -> str:
    """Cumulative approved (green) and rejected (red) over days."""
    if not points:
        return '<p class="muted">No review decisions yet.</p>'
    top = max(max(a, r) for _, a, r in points) or 1
    base, n = height - 18, len(points)

    def xy(i: int, v: float) -> str:
        x = 5 + (width - 10) * (i / max(n - 1, 1))
        return f"{x:.1f},{base - (base - 10) * v / top:.1f}"

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for k, color in ((1, "#1a7f37"), (2, "#cf222e")):
        pts = " ".join(xy(i, p[1] if k == 1 else p[2]) for i, p in enumerate(points))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
    parts.append(f'<text x="5" y="{height - 3}">{_e(points[0][0])}</text>')
    if n > 1:
        parts.append(f'<text x="{width - 70}" y="{height - 3}">{_e(points[-1][0])}</text>')
    parts.append(f'<text x="5" y="10">{int(top):,} (approved green, rejected red)</text></svg>')
    return "".join(parts)


def _chart(title: str, body: str, note: str = "") -> str:
    extra = f'<div class="small">{_e(note)}</div>' if note else ""
    return f'<div class="chart"><h3>{_e(title)}</h3>{body}{extra}</div>'


def _charts(r: Report) -> str:
    s = r.stats
    tok = s["tokens"]
    q = tok["example"]
    out = [
        _chart("Records by status", hbar_svg([(k, v) for k, v in s["by_status"].items()])),
        _chart("Tokens per example (good examples)", histogram_svg(tok["histogram"]),
               f"median {q['median']:,.0f} · p90 {q['p90']:,.0f} · p99 {q['p99']:,.0f} · max {q['max']:,.0f} (estimates)"),
        _chart("Assistant tokens per example", histogram_svg(tok["assistant_histogram"])),
        _chart("Messages per example", hbar_svg(list(s["messages_per_example"]["counts"].items())[:12])),
        _chart("Flags (records)", hbar_svg(list(s["by_flag"].items())[:12], color="#9a6700")),
    ]
    if s.get("languages"):
        out.append(_chart("Languages", hbar_svg(list(s["languages"]["counts"].items())[:10])))
    dup = s["duplicates"]
    out.append(_chart("Duplicate clusters by size", hbar_svg([(f"size {k}", v) for k, v in list(dup["sizes"].items())[:10]]),
                      f"{dup['clusters']:,} clusters · {dup['exact']:,} exact and {dup['near']:,} near copies set aside"))
    prog = [(p["day"], p["cumulative_approved"], p["cumulative_rejected"]) for p in s["review_progress"]]
    out.append(_chart("Review progress", line_svg(prog)))
    return '<div class="charts">' + "".join(out) + "</div>"


def _checks_table(r: Report) -> str:
    rows = []
    for c in r.checks:
        extra = []
        if c.query and c.level in ("warn", "block"):
            extra.append(f"List them: <code>{_e(str(c.query))}</code>")
        if c.examples:
            extra.append("Examples: " + ", ".join(f"<code>{_e(x)}</code>" for x in c.examples))
        rows.append(
            "<tr>"
            f'<td><span class="lvl" style="background:{COLORS[c.level]}">{_e(c.level.upper())}</span></td>'
            f"<td><b>{_e(c.title)}</b><div class=\"small\">{_e(c.id)}</div></td>"
            f"<td>{_e(_num(c.value))}</td>"
            f"<td>{_e(c.message)}<div class=\"small\">Why: {_e(c.why)}</div>"
            f"<div class=\"small\">Next: {_e(c.next_step)}</div>"
            f"<div class=\"small\">Threshold: {_e(c.threshold)} · Source: {_e(c.source)}</div>"
            + "".join(f'<div class="small">{x}</div>' for x in extra)
            + "</td></tr>"
        )
    head = "<tr><th>Level</th><th>Check</th><th>Value</th><th>Finding</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _banner_text(r: Report) -> str:
    prefix = r.label + ": "
    return r.verdict_message[len(prefix):] if r.verdict_message.startswith(prefix) else r.verdict_message


def _baseline(r: Report) -> str:
    """The prompt/RAG baseline kit, when the report suggests trying it before fine-tuning."""
    if r.baseline_kit is None:
        return ""
    return (
        '<div class="baseline"><h3>Try the cheaper road first: a prompt/RAG baseline kit</h3>'
        f"<p><code>{_e(r.baseline_kit)}</code> writes <code>eval.jsonl</code> (held-out conversations, disjoint "
        "from the training split), <code>fewshot_prompt.md</code> (a system prompt with representative examples "
        "within a token budget) and <code>retrieval/passages.jsonl</code> (the facts that change, with the "
        "records they came from), and a README on comparing a base model with that prompt and retrieval "
        "against a fine-tuned model.</p></div>"
    )


def render_html(r: Report) -> str:
    c, t = r.counts, r.target
    cards = "".join(
        f'<div class="card"><div class="muted">{_e(k)}</div><div class="n">{v:,}</div></div>'
        for k, v in (("good examples", c["good"]), ("total", c["total"]), ("approved", c["approved"]),
                     ("pending", c["pending"]), ("rejected", c["rejected"]))
    )
    cost = r.check("cost").details
    cards += (f'<div class="card"><div class="muted">epochs x tokens ({_e(t.name)})</div>'
              f'<div class="n">{cost.get("epochs", 0)} x {cost.get("tokens_per_epoch", 0):,}</div></div>')
    steps = "".join(f"<li>{_e(s)}</li>" for s in r.next_steps) or "<li>Nothing to do.</li>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Readiness report - {_e(r.label)}</title><style>{CSS}</style></head><body><main>"
        f"<h1>Is this data ready for fine-tuning?</h1>"
        f'<div class="muted">Workspace {_e(r.workspace)} · counting {_e(r.include)} records · '
        f"target {_e(t.label)} ({t.max_tokens:,} tokens per example) · {_e(r.stats.get('generated_at', ''))}</div>"
        f'<p class="population"><b>{_e(r.population)}</b></p>'
        f'<div class="banner" style="background:{BANNER[r.verdict]}"><b>{_e(r.label)}'
        f'{" (preview)" if r.preview else ""}</b>{_e(_banner_text(r))}</div>'
        f'<div class="cards">{cards}</div>'
        f"<h2>Next steps</h2><ol>{steps}</ol>{_baseline(r)}"
        f"<h2>Checks</h2>{_checks_table(r)}"
        f"<h2>Statistics</h2>{_charts(r)}"
        '<p class="muted">Token counts are estimates with cl100k_base and the OpenAI cookbook\'s message overhead. '
        "Each number can be traced with the listed <code>curator query</code> or <code>curator show</code> command. "
        "Made by Curator; this file needs no network to view.</p>"
        "</main></body></html>\n"
    )
