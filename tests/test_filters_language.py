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


def test_english_with_names_units_and_tool_calls_is_not_another_language(tmp_path) -> None:
    # modelled on real English data langdetect used to call German, Dutch or Tagalog
    convs = [[("user", EN_Q), ("assistant", EN_A)]] * 3
    convs += [
        [
            ("user", "What is 68 F in Celsius?"),
            ("assistant", "68 degrees Fahrenheit is 20 degrees Celsius."),
        ],
        [
            ("user", "Who won the 1911 Nobel Prize in Chemistry?"),
            (
                "assistant",
                "Marie Curie was awarded search('Nobel Prize Chemistry 1911 winner') in Stockholm.",
            ),
        ],
        [
            ("user", "Say thanks"),
            ("assistant", "Danke schön! Danke schön! Danke schön! Danke schön!"),
        ],
        [
            ("user", "Megan has read 32 books. Kelcie has read 1/4 of that. How many in total?"),
            ("assistant", "Kelcie: 32/4=8 books\nGreg: 9+2(8)=25 books\nTotal: 32+8+25=65 books"),
        ],
        [
            ("user", "How many dozen eggs does Jane sell in 2 weeks?"),
            (
                "assistant",
                "Jane's chickens lay 10 chickens * 6 eggs = 60 eggs per week, so 60 / 12 = 5 dozen eggs.",
            ),
        ],
    ]
    flags = run_flags(tmp_path, convs, LANG)
    assert flags == [{}] * len(convs)


def test_a_short_english_chunk_misread_by_langdetect_is_not_a_language_switch(tmp_path) -> None:
    reply = (
        "The flower shop sold 10 bouquets * 12 roses/bouquets = 120 roses. This means they sold "
        "a total of 190 flowers - 120 roses = 70 daisies. Therefore, each daisy bouquet contains "
        "70 daisies / 10 bouquets = 7 daisies per bouquet."
    )
    convs = [[("user", EN_Q), ("assistant", EN_A)]] * 2 + [[("user", EN_Q), ("assistant", reply)]]
    assert run_flags(tmp_path, convs, LANG) == [{}, {}, {}]
