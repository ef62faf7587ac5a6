"""Language: deterministic detection, majority default, other and mixed languages."""

from __future__ import annotations

import pytest
from filters_util import filtered_ws, only, run_flags

from curator.core.filters import langid

LANG = only(["language"])

EN_Q = "Hello, I ordered a lamp ten days ago and it still has not arrived. Can you check the tracking for me?"
EN_A = "Of course. The parcel is at the local depot and will be delivered tomorrow morning before noon."
FR_Q = (
    "Bonjour, j'ai reçu ma commande hier mais l'article est abîmé : il y a une fissure sur le côté."
)
FR_A = "Bonjour, je suis vraiment désolé que votre colis soit arrivé dans cet état. Je vous envoie un nouvel appareil."
ES_Q = "Hola, quiero cambiar la dirección de envío de mi pedido porque me mudo la próxima semana a otra ciudad."

SAMPLES = [
    EN_Q,
    EN_A,
    FR_Q,
    FR_A,
    ES_Q,
    "Guten Tag, ich kann mich seit gestern nicht mehr in mein Konto einloggen.",
    "Ciao, vorrei sapere quando arriva il mio ordine, grazie mille per l'aiuto.",
    "Olá, gostaria de saber o estado da minha encomenda, por favor.",
    "Hallo, ik wil graag weten waar mijn bestelling is, alvast bedankt.",
    "ok thanks",
    "Thanks!",
    "12345",
    "Привет, где мой заказ?",
    "こんにちは、注文はどこですか",
]


def test_majority_language_is_the_default_and_others_are_flagged(tmp_path) -> None:
    convs = [[("user", EN_Q), ("assistant", EN_A)]] * 3 + [[("user", FR_Q), ("assistant", FR_A)]]
    convs += [[("user", "Thanks!"), ("assistant", "You're welcome!")]]  # too short to call
    flags = run_flags(tmp_path, convs, LANG)
    assert flags[:3] == [{}, {}, {}]
    assert flags[3] == {"language.other": "conversation is in French (fr); expected English (en)"}
    assert flags[4] == {}


def test_expected_languages_setting(tmp_path) -> None:
    convs = [[("user", EN_Q), ("assistant", EN_A)], [("user", FR_Q), ("assistant", FR_A)]]
    flags = run_flags(tmp_path, convs, LANG.with_params("language", expected=["en", "fr"]))
    assert flags == [{}, {}]


def test_mixed_language_conversation(tmp_path) -> None:
    convs = [[("user", EN_Q), ("assistant", EN_A)]] * 2 + [[("user", ES_Q), ("assistant", EN_A)]]
    flags = run_flags(tmp_path, convs, LANG)
    assert flags[2] == {
        "language.mixed": "user writes Spanish (es) but the assistant replies in English (en)"
    }


def test_scores_columns_and_iso_codes(tmp_path) -> None:
    ws, ids = filtered_ws(
        tmp_path,
        [[("user", FR_Q), ("assistant", FR_A)], [("user", "hi"), ("assistant", "yo")]],
        LANG,
    )
    rows = {r["id"]: r for r in ws.read_result("scores_language").to_dicts()}
    assert rows[ids[0]]["language"] == "fr" and rows[ids[0]]["language_prob"] > 0.9
    assert rows[ids[0]]["mixed"] is False
    assert rows[ids[1]]["language"] == "unknown"


def test_detection_is_deterministic_and_order_independent() -> None:
    first = langid.detect_chunk_reference(SAMPLES)
    again = langid.detect_chunk_reference(list(reversed(SAMPLES)))[::-1]
    assert first == again
    assert first[2][0] == "fr" and first[0][0] == "en"


@pytest.mark.skipif(not langid.has_fast_engine(), reason="langdetect_rs not installed")
def test_fast_engine_agrees_with_langdetect() -> None:
    assert langid.detect_chunk_fast(SAMPLES) == langid.detect_chunk_reference(SAMPLES)


def test_process_pool_gives_the_reference_results(monkeypatch) -> None:
    from curator.core.jobs import run_job

    monkeypatch.setattr(langid, "_POOL_MIN", 2)
    monkeypatch.setattr(langid, "_CHUNK", 5)
    seen = []
    out = run_job(langid.detect_many(SAMPLES, engine="langdetect", workers=2), seen.append)
    assert out == langid.detect_chunk_reference(SAMPLES)
    assert seen[-1].done == len(SAMPLES) and seen[-1].total == len(SAMPLES)


def test_reply_mixing_two_languages(tmp_path) -> None:
    half = (
        "Thanks for waiting, I checked your order and the parcel left our warehouse on Monday "
        "morning. Das Paket hat unser Lager am Montag verlassen und kommt in zwei Tagen bei Ihnen "
        "an, vielen Dank."
    )
    convs = [[("user", EN_Q), ("assistant", EN_A)]] * 2 + [[("user", EN_Q), ("assistant", half)]]
    flags = run_flags(tmp_path, convs, LANG)
    assert flags[:2] == [{}, {}]
    assert flags[2] == {"language.mixed": "assistant replies mix English (en) and German (de)"}
