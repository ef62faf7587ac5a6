"""Language identification over many texts: langdetect, deterministic, parallel.

``langdetect`` with ``DetectorFactory.seed = 0`` is the reference. When the
``langdetect_rs`` package is importable it is used instead: it reproduces
langdetect's results bit for bit (checked by a test on sample texts) from a
Rust core that runs batches in parallel without the GIL. Otherwise texts go
to a pool of processes in chunks. Either way the caller gets progress per
chunk and can cancel between chunks.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Generator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from curator.core.jobs import Progress

Detection = tuple[str, float, str, float]  # language, prob, runner-up, its prob
UNKNOWN: Detection = ("unknown", 0.0, "", 0.0)
_CHUNK = 2_000
_POOL_MIN = 400  # fewer texts than this: a pool's start-up costs more than it saves


def has_fast_engine() -> bool:
    try:
        import langdetect_rs  # type: ignore[import-not-found,import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def _pack(langs: Any) -> Detection:
    if not langs:
        return UNKNOWN
    top = langs[0]
    second = langs[1] if len(langs) > 1 else None
    return (
        str(top.lang),
        float(top.prob),
        str(second.lang) if second else "",
        float(second.prob) if second else 0.0,
    )


def detect_chunk_reference(texts: list[str]) -> list[Detection]:
    """The reference: langdetect.detect_langs per text, seed 0."""
    from langdetect import DetectorFactory, detect_langs  # type: ignore[import-untyped]
    from langdetect.lang_detect_exception import (  # type: ignore[import-untyped]
        LangDetectException,
    )

    DetectorFactory.seed = 0
    out = []
    for t in texts:
        try:
            out.append(_pack(detect_langs(t)))
        except LangDetectException:
            out.append(UNKNOWN)
    return out


def detect_chunk_fast(texts: list[str]) -> list[Detection]:
    import langdetect_rs

    langdetect_rs.DetectorFactory.seed = 0
    return [_pack(r) for r in langdetect_rs.detect_langs_batch(texts)]


def resolve_engine(engine: str) -> str:
    if engine == "auto":
        return "langdetect-rs" if has_fast_engine() else "langdetect"
    if engine not in ("langdetect", "langdetect-rs"):
        raise ValueError(
            f"unknown language engine {engine!r}; use auto, langdetect or langdetect-rs"
        )
    return engine


def detect_many(
    texts: list[str], engine: str = "auto", workers: int | None = None, step: str = "language"
) -> Generator[Progress, None, list[Detection]]:
    """Detect each text (callers pass unique texts); yields Progress per chunk."""
    total = len(texts)
    engine = resolve_engine(engine)
    chunks = [texts[i : i + _CHUNK] for i in range(0, total, _CHUNK)]
    yield Progress(step, 0, total, f"{engine}, {total:,} distinct texts")
    if engine == "langdetect-rs":
        out: list[Detection] = []
        for chunk in chunks:
            out.extend(detect_chunk_fast(chunk))
            yield Progress(step, len(out), total, engine)
        return out
    n = workers or os.cpu_count() or 1
    if n <= 1 or total < _POOL_MIN:
        out = []
        for chunk in chunks:
            out.extend(detect_chunk_reference(chunk))
            yield Progress(step, len(out), total, engine)
        return out
    return (yield from _pooled(chunks, n, total, step))


def _pooled(
    chunks: list[list[str]], n: int, total: int, step: str
) -> Generator[Progress, None, list[Detection]]:
    # spawn, not fork: the parent runs Polars' thread pool, which fork can deadlock.
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
    results: dict[int, list[Detection]] = {}
    try:
        futures: dict[Future[list[Detection]], int] = {
            pool.submit(detect_chunk_reference, c): i for i, c in enumerate(chunks)
        }
        pending = set(futures)
        done_texts = 0
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in done:
                results[futures[f]] = f.result()
                done_texts += len(results[futures[f]])
            yield Progress(step, done_texts, total, "langdetect")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [d for i in range(len(chunks)) for d in results[i]]


LANGUAGE_NAMES = {
    "af": "Afrikaans",
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "kn": "Kannada",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mr": "Marathi",
    "ne": "Nepali",
    "nl": "Dutch",
    "no": "Norwegian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "so": "Somali",
    "sq": "Albanian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "unknown": "unknown",
}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
