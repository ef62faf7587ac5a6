"""Benchmark: every filter over synthetic support conversations, records/s each.

Builds N synthetic support conversations (2-6 turns; sentences drawn from
English templates with random names, items, numbers and order ids so texts
are distinct; 4% in French, Spanish or German; planted emails, phones,
cards, keys, loops, truncations, refusals and a macro reply), puts
them in a workspace, then in the same run measures:

* each filter's score phase on its own, and the whole pass the way
  ``curator run`` does it (score every enabled filter + thresholds), cold;
* the same pass again with nothing changed (cache hits only);
* a threshold change (``apply_thresholds``) and a GUI slider count
  (``count_flagged``), which read stored scores only;
* language: our step (distinct texts, bounded prefixes, langdetect-rs when
  installed, else a process pool) against the naive approach, calling
  ``langdetect.detect`` on every conversation's full text in a loop. The naive
  loop runs on a subset and its time is extrapolated linearly (printed as such).
  Our step with the reference engine (langdetect in a process pool) is timed
  on a subset too.

    python benchmarks/bench_filters.py --n 100000 [--naive-n 1000]

Budget (DESIGN.md / issue 4): the whole filter pass over 100k conversations
under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curator.core import records as R
from curator.core.filters import (
    FILTERS,
    Recipe,
    apply_thresholds,
    count_flagged,
    score_job,
)
from curator.core.filters.langid import detect_many, has_fast_engine
from curator.core.filters.language import _side_texts
from curator.core.jobs import run_job
from curator.core.workspace import Workspace

NAMES = ["Alex", "Sam", "Priya", "Tom", "Maria", "Chen", "Ola", "Ivan", "Lea", "Omar", "Kai"]
ITEMS = ["lamp", "kettle", "blender", "chair", "desk", "router", "jacket", "mattress", "heater"]
EN_USER = [
    "Hi, my {item} arrived yesterday but it does not turn on.",
    "I ordered a {item} {n} days ago and it still has not arrived.",
    "Can you tell me where order {order} is right now?",
    "I was charged twice for order {order}, can you fix that?",
    "How do I reset the password on my account?",
    "Is it possible to change the delivery address for order {order}?",
    "The {item} I received is the wrong colour, I wanted the grey one.",
    "My name is {name} and I need help with a refund.",
    "Do you ship to Canada, and how long does it take?",
    "Could you cancel my subscription before the next renewal?",
    "The tracking page says delivered but nothing is at my door.",
    "I would like to return the {item}, it is too big for my room.",
]
EN_AGENT = [
    "Thanks for getting in touch, {name}.",
    "I am sorry to hear that your {item} is not working.",
    "I have checked order {order} and it left our warehouse on Monday.",
    "The courier scanned the parcel this morning, so it should arrive within {n} days.",
    "I have refunded the duplicate charge; you will see it on your statement in three to five days.",
    "You can reset your password from the login page by choosing Forgot password.",
    "I have updated the delivery address, and you will get a new confirmation email shortly.",
    "We can send a replacement {item} today at no cost to you.",
    "Returns are free within thirty days; I have emailed you a prepaid label.",
    "Your subscription is cancelled and you will not be charged again.",
    "If it has not arrived by Friday, reply here and I will open a claim with the courier.",
    "Is there anything else I can help you with today?",
]
FOREIGN = {
    "fr": [
        "Bonjour, ma commande {order} n'est toujours pas arrivée.",
        "Je suis désolé pour ce retard, je vérifie tout de suite.",
        "Le colis a quitté notre entrepôt lundi et arrivera dans {n} jours.",
        "Je vous ai envoyé un e-mail de confirmation avec le nouveau lien.",
    ],
    "es": [
        "Hola, mi pedido {order} todavía no ha llegado a casa.",
        "Lamento mucho el retraso, ya he abierto una reclamación con el transportista.",
        "El paquete salió del almacén el lunes y llegará en {n} días.",
        "Le he enviado un correo electrónico con la etiqueta de devolución.",
    ],
    "de": [
        "Guten Tag, meine Bestellung {order} ist noch nicht angekommen.",
        "Das tut mir leid, ich habe die fehlenden Teile sofort nachbestellt.",
        "Das Paket hat unser Lager am Montag verlassen und kommt in {n} Tagen an.",
        "Sie erhalten gleich eine Bestätigung mit der Sendungsverfolgung per E-Mail.",
    ],
}
MACRO = (
    "Thank you for contacting support! A specialist will get back to you within 1-2 business "
    "days. Please do not reply to this message."
)


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        item=rng.choice(ITEMS),
        name=rng.choice(NAMES),
        n=rng.randint(2, 14),
        order=rng.randint(100_000, 999_999),
    )


def turn(rng: random.Random, templates: list[str], k: tuple[int, int]) -> str:
    picked = rng.sample(templates, min(len(templates), rng.randint(*k)))
    return " ".join(fill(rng, t) for t in picked)


def conversation(rng: random.Random, i: int) -> list[tuple[str, str]]:
    lang = "en" if rng.random() > 0.04 else rng.choice(list(FOREIGN))
    users = EN_USER if lang == "en" else FOREIGN[lang]
    agents = EN_AGENT if lang == "en" else FOREIGN[lang]
    turns = []
    for _ in range(rng.randint(1, 3)):
        turns.append(("user", turn(rng, users, (1, 3))))
        turns.append(("assistant", turn(rng, agents, (1, 5))))
    r = rng.random()
    if r < 0.02:
        turns[0] = (
            "user",
            turns[0][1] + f" My email is user{i}@example.com, phone +1 415 555 {i % 10000:04d}.",
        )
    elif r < 0.025:
        turns[0] = ("user", turns[0][1] + " Card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE.")
    elif r < 0.03:
        turns[-1] = ("assistant", "Please hold. " * rng.randint(50, 400))
    elif r < 0.035:
        turns[-1] = ("assistant", turns[-1][1] + " You can also go to your account and")
    elif r < 0.04:
        turns[-1] = ("assistant", "As an AI language model, I cannot help with that.")
    elif r < 0.05:
        turns[-1] = ("assistant", MACRO)
    elif r < 0.055:
        turns = turns[1:]  # no user turn
    return turns


def build(ws: Workspace, n: int, seed: int) -> None:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        loc = f"line {i + 1}"
        rows.append(
            {
                R.ID: R.record_id("bench.jsonl", loc),
                R.SOURCE: "bench.jsonl",
                R.SOURCE_PATH: "/bench/bench.jsonl",
                R.LOCATOR: loc,
                R.LINE: i + 1,
                R.MESSAGES: [R.message(role, text) for role, text in conversation(rng, i)],
                R.META: "{}",
                R.REPAIRS: [],
                R.IMPORT_ID: 0,
            }
        )
    df = pl.DataFrame(rows, schema=R.RECORD_SCHEMA)
    ws.add_import(
        source="bench.jsonl",
        path="/bench/bench.jsonl",
        file_hash=f"bench-{seed}-{n}",
        fmt="openai",
        options={},
        records=df,
        quarantine=[],
    )


def timed(fn):  # type: ignore[no-untyped-def]
    """(result, wall seconds); CPU seconds of this process go to CPU_LOG."""
    t0, c0 = time.perf_counter(), _cpu()
    out = fn()
    CPU_LOG.append(_cpu() - c0)
    return out, time.perf_counter() - t0


CPU_LOG: list[float] = []


def _cpu() -> float:
    """CPU seconds of this process and its finished children (pool workers)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument(
        "--naive-n", type=int, default=1_000, help="subset for the naive langdetect loop"
    )
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    print(
        f"cores: {os.cpu_count()}, polars {pl.__version__}, langdetect-rs: {has_fast_engine()}, {load()}"
    )
    print("wall seconds are what a user waits; CPU seconds (this process, its threads and")
    print("finished pool workers) show the work itself when other programs share the cores.")

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "bench.curator", create=True)
        _, t_build = timed(lambda: build(ws, args.n, args.seed))
        frame = ws.frame().select(R.ID, R.MESSAGES)
        n_msgs = int(frame.get_column(R.MESSAGES).list.len().sum())
        print(f"built {args.n:,} conversations ({n_msgs:,} messages) in {t_build:.1f} s")

        recipe = Recipe.default()
        print("\nscore phase, each filter alone (cold):")
        print(f"  {'filter':<12} {'wall s':>8} {'records/s':>12} {'CPU s':>8}")
        for name in recipe.enabled_filters():
            f = FILTERS[name]()
            params = recipe.filter_params(name)
            _, t = timed(lambda f=f, params=params: run_job(f.score(frame, params)))
            print(f"  {name:<12} {t:>8.2f} {args.n / t:>12,.0f} {CPU_LOG[-1]:>8.2f}")

        _, t_cold = timed(lambda: (run_job(score_job(ws, recipe)), apply_thresholds(ws, recipe)))
        print(
            f"\nwhole filter pass (score all + thresholds), cold: {t_cold:.1f} s wall "
            f"({CPU_LOG[-1]:.1f} s CPU) = {args.n / t_cold:,.0f} records/s "
            f"[budget: < 60 s for 100k on 2 cores; {load()}]"
        )
        _, t_warm = timed(lambda: (run_job(score_job(ws, recipe)), apply_thresholds(ws, recipe)))
        print(f"same pass again, nothing changed (cache): {t_warm:.1f} s")
        strict = recipe.with_params("repetition", dup_line_frac=0.1).with_params(
            "length", min_reply_chars=40
        )
        _, t_thr = timed(lambda: apply_thresholds(ws, strict))
        print(f"threshold change, re-flag from stored scores: {t_thr:.2f} s")
        n_slider, t_slider = timed(lambda: count_flagged(ws, "length", {"min_reply_chars": 60}))
        print(
            f"slider count (count_flagged, cached read): {t_slider * 1000:.0f} ms -> {n_slider:,} records"
        )
        flags = apply_thresholds(ws, recipe)
        print(
            "flags at default thresholds: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(flags.items()))
        )

        print("\nlanguage step vs naive langdetect.detect(full text) loop:")
        lang = FILTERS["language"]()
        lp = recipe.filter_params("language")
        _, t_ours = timed(lambda: run_job(lang.score(frame, lp)))
        sides = _side_texts(frame, lp.prefix_chars)
        distinct = sides.filter(pl.col("letters") >= lp.min_letters).get_column("text").n_unique()
        print(
            f"  ours ({'langdetect-rs' if has_fast_engine() else 'langdetect pool'}), all {args.n:,}: "
            f"{t_ours:.1f} s ({distinct:,} distinct side texts)"
        )

        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        sub = frame.head(args.naive_n)
        full = (
            sub.select(
                pl.col(R.MESSAGES).list.eval(pl.element().struct.field("content")).list.join("\n")
            )
            .to_series()
            .to_list()
        )

        def naive() -> None:
            for t in full:
                with contextlib.suppress(LangDetectException):
                    detect(t)

        _, t_naive_sub = timed(naive)
        t_naive = t_naive_sub * args.n / len(full)
        print(
            f"  naive loop on {len(full):,} full texts: {t_naive_sub:.1f} s -> extrapolated to "
            f"{args.n:,}: {t_naive:.0f} s (linear extrapolation)"
        )
        print(f"  ratio naive / ours: {t_naive / t_ours:.1f}x")

        ref_n = min(args.n, max(args.naive_n * 5, 2_000))
        ref_frame = frame.head(ref_n)
        ref_texts = _side_texts(ref_frame, lp.prefix_chars)
        ref_texts = (
            ref_texts.filter(pl.col("letters") >= lp.min_letters)
            .get_column("text")
            .unique()
            .to_list()
        )
        _, t_ref = timed(lambda: run_job(detect_many(ref_texts, engine="langdetect")))
        t_ref_full = t_ref * args.n / ref_n
        print(
            f"  ours with the reference engine (langdetect, process pool) on {ref_n:,} records: "
            f"{t_ref:.1f} s -> extrapolated to {args.n:,}: {t_ref_full:.0f} s; "
            f"ratio naive / ours-reference: {t_naive / t_ref_full:.1f}x"
        )
        if has_fast_engine():
            _, t_fast = timed(lambda: run_job(detect_many(ref_texts, engine="langdetect-rs")))
            print(
                f"  langdetect-rs vs langdetect on the same {len(ref_texts):,} texts: "
                f"{t_ref / t_fast:.1f}x faster"
            )


if __name__ == "__main__":
    main()
    print(f"done; {load()}")
