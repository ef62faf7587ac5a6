"""Planted problems: the exact texts later stages (filters, dedup) must find.

All identifiers are fake or published test values: card numbers are the
networks' documented test numbers, the AWS key is the one from AWS's own
documentation (…EXAMPLE), IBANs are the textbook examples, IPs come from the
documentation ranges (RFC 5737 / RFC 3849), phone numbers from fictional ranges.
"""

from __future__ import annotations

import base64
import random

Turn = tuple[str, str]

# --- PII (must fire) -------------------------------------------------------------
CARD_VISA = "4111 1111 1111 1111"
CARD_MC = "5555 5555 5555 4444"
CARD_AMEX = "378282246310005"
IBAN_GB = "GB82 WEST 1234 5698 7654 32"
IBAN_DE = "DE89 3704 0044 0532 0130 00"
IPV4 = "203.0.113.42"
IPV6 = "2001:db8:85a3::8a2e:370:7334"
SSN = "078-05-1120"

# --- secrets (must fire) ------------------------------------------------------------
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)

# --- look-alikes (must NOT fire) -------------------------------------------------------
ORDER_REF_16 = "4929 1830 5521 7706"  # 16 digits, fails Luhn
ISBN = "978-0-306-40615-7"  # fails Luhn too
UPS_TRACKING = "1Z999AA10123456784"


def fake_token(rng: random.Random, prefix: str, n: int, alphabet: str | None = None) -> str:
    chars = alphabet or "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return prefix + "".join(rng.choice(chars) for _ in range(n))


def github_token(rng: random.Random) -> str:
    return fake_token(rng, "ghp_FAKE", 32)


def slack_token(rng: random.Random) -> str:
    digits = "0123456789"
    return f"xoxb-{fake_token(rng, '', 12, digits)}-{fake_token(rng, '', 13, digits)}-{fake_token(rng, '', 24)}"


def private_key_block(rng: random.Random) -> str:
    raw = bytes(rng.randrange(256) for _ in range(288))
    body = base64.b64encode(raw).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


# --- refusals and canned replies -------------------------------------------------------------
REFUSALS = [
    "As an AI language model, I cannot access your order history or make changes to your account. Please contact the store directly for help with your order.",
    "As an AI language model, I cannot provide opinions about billing disputes. I recommend reaching out to your bank.",
    "I'm sorry, but I can't help with that.",
    "I'm sorry, but as an AI I cannot assist with requests about account security.",
    "As an AI language model, I don't have the ability to process refunds or look up transactions.",
    "I cannot help with that request. As an AI language model, I am unable to write messages on behalf of a company.",
]

CSV_MACRO = (
    "Thank you for contacting Brightside Home Support! We have received your request and one of our "
    "specialists will get back to you within 1-2 business days. In the meantime, you may find an "
    "answer in our Help Centre at help.brightside.example. Please do not reply to this message, as "
    "replies are not monitored. Kind regards, The Brightside Home Team"
)

DEGENERATE_PHRASE = "I can definitely help you with that. "

# --- other languages (long enough for langdetect) --------------------------------------------
LANG_CODES = {"Spanish": "es", "German": "de", "French": "fr"}

FOREIGN: dict[str, list[Turn]] = {
    "es_jsonl": [
        ("user", "Hola, hice un pedido hace diez días y todavía no ha llegado. El número de seguimiento no muestra ningún movimiento desde el lunes. ¿Podrían decirme qué está pasando con mi paquete?"),
        ("assistant", "Hola, lamento mucho el retraso. He revisado su pedido y el paquete está retenido en el centro de distribución de la empresa de transporte. Ya abrí una reclamación para que lo localicen. Si no se mueve en dos días hábiles, le enviaremos un reemplazo sin ningún coste adicional."),
    ],
    "de_jsonl": [
        ("user", "Guten Tag, ich kann mich seit gestern nicht mehr in mein Konto einloggen. Die E-Mail zum Zurücksetzen des Passworts kommt einfach nicht an, auch nicht im Spam-Ordner. Was kann ich tun?"),
        ("assistant", "Guten Tag, das tut mir leid. Manche E-Mail-Anbieter filtern unsere Nachrichten sehr streng. Ich habe Ihnen gerade einen neuen Link von unserer zweiten Absenderadresse geschickt. Der Link ist eine Stunde lang gültig. Falls er wieder nicht ankommt, kann ich Ihre Identität hier prüfen und die Adresse direkt für Sie ändern."),
    ],
    "fr_jsonl": [
        ("user", "Bonjour, j'ai reçu ma commande hier mais l'article est abîmé : il y a une fissure sur le côté et l'appareil ne s'allume pas. Est-ce que je peux obtenir un remplacement rapidement ?"),
        ("assistant", "Bonjour, je suis vraiment désolé que votre colis soit arrivé dans cet état. Pourriez-vous m'envoyer une photo du dommage et de l'étiquette d'expédition ? Dès réception, je vous envoie un nouvel appareil et le transporteur récupérera l'article endommagé lors de la livraison, sans aucun frais pour vous."),
    ],
    "mixed_jsonl": [
        ("user", "Hola, quiero cambiar la dirección de envío de mi pedido porque me mudo la próxima semana a otra ciudad. ¿Todavía es posible hacerlo antes de que salga del almacén?"),
        ("assistant", "Hello! Yes, the order has not left the warehouse yet, so I have updated the delivery address for you. You will receive a new confirmation email with the corrected address in a few minutes; please check it and let me know if anything else needs to change."),
    ],
    "es_csv": [
        ("user", "Buenas tardes. Quiero devolver la lámpara que compré la semana pasada porque no combina con el salón. Todavía tengo la caja original y todos los accesorios. ¿Cómo tengo que hacerlo?"),
        ("assistant", "Buenas tardes, claro que sí. Puede iniciar la devolución desde su cuenta, en el apartado Pedidos, eligiendo la opción Devolver un artículo. Le enviaremos un código QR por correo electrónico para llevar el paquete a cualquier punto de recogida. El reembolso se hará en el mismo método de pago en unos cinco días hábiles."),
    ],
    "de_csv": [
        ("user", "Hallo, meine Bestellung ist heute angekommen, aber es fehlt ein Teil. Im Karton war nur ein Stuhlbein statt vier, deshalb kann ich den Bürostuhl nicht zusammenbauen. Können Sie mir die fehlenden Teile schicken?"),
        ("assistant", "Hallo und entschuldigen Sie bitte die Unannehmlichkeiten. Ich habe die fehlenden Teile soeben kostenlos für Sie nachbestellt. Sie werden mit Expressversand verschickt und sollten in zwei bis drei Werktagen bei Ihnen sein. Sie erhalten gleich eine Bestätigung mit der Sendungsverfolgung per E-Mail."),
    ],
    "fr_csv": [
        ("user", "Bonjour, je voudrais annuler ma commande passée ce matin. J'ai trouvé le même aspirateur moins cher dans un magasin près de chez moi et je n'en ai plus besoin. Merci de me confirmer l'annulation."),
        ("assistant", "Bonjour, votre commande n'avait pas encore été préparée, j'ai donc pu l'annuler immédiatement. Le montant bloqué sur votre carte sera libéré par votre banque sous trois à cinq jours ouvrés. Vous allez recevoir un e-mail de confirmation dans quelques minutes."),
    ],
    "de_call": [
        ("user", "Guten Tag, mein Internet funktioniert seit gestern Abend nicht mehr. Die Lampe am Router blinkt orange, und ich habe ihn schon zweimal neu gestartet."),
        ("assistant", "Danke, dass Sie das schon ausprobiert haben. Ich habe eben einen Leitungstest gemacht und sehe eine Störung zwischen dem Verteilerkasten und Ihrem Haus. Das liegt also nicht an Ihrem Gerät. Ich habe einen Techniker für Donnerstag zwischen acht und zwölf Uhr gebucht."),
        ("user", "Bekomme ich für die Tage ohne Internet eine Gutschrift?"),
        ("assistant", "Ja, für jeden vollen Tag ohne Verbindung erhalten Sie automatisch eine Entschädigung. Sie sehen die Gutschrift auf Ihrer nächsten Rechnung, Sie müssen nichts beantragen."),
    ],
    "fr_sharegpt": [
        ("user", "Bonjour, j'ai fait un virement à un ami il y a trois heures et il est toujours en attente dans l'application. Est-ce normal ou y a-t-il un problème avec mon compte ?"),
        ("assistant", "Bonjour, la plupart des virements arrivent en quelques minutes, mais ceux vers un nouveau bénéficiaire ou d'un montant inhabituel peuvent faire l'objet d'un contrôle de sécurité automatique. Cela se règle généralement en quelques heures et vous n'avez rien à faire. S'il est toujours en attente demain matin, écrivez-nous et nous le vérifierons manuellement."),
    ],
    "es_sharegpt": [
        ("user", "Hola, creo que he perdido mi tarjeta. La última vez que la usé fue ayer en una cafetería y ahora no la encuentro en la cartera. ¿Qué debo hacer primero?"),
        ("assistant", "Hola, lo primero es congelar la tarjeta en la aplicación: pulse Tarjeta y después Congelar. Es inmediato y puede deshacerlo si la encuentra. Si está seguro de que la ha perdido, elija Notificar pérdida y le enviaremos una tarjeta nueva con otro número en un plazo de tres a cinco días hábiles."),
    ],
    "de_alpaca": [
        ("user", "Schreibe eine freundliche Antwort an einen Kunden, dessen Paket beschädigt angekommen ist.\n\nDer Karton war eingedrückt und die Kaffeemaschine hat einen Riss im Wassertank."),
        ("assistant", "Liebe Kundin, lieber Kunde, es tut uns sehr leid, dass Ihre Kaffeemaschine beschädigt bei Ihnen angekommen ist. Wir schicken Ihnen umgehend ein neues Gerät zu, und der Paketdienst holt die beschädigte Maschine bei der Lieferung kostenlos ab. Sie müssen sich um nichts weiter kümmern. Mit freundlichen Grüßen, Ihr Kundenservice"),
    ],
}


# Words no finished clause ends on: Curator's truncation rule needs one of them (or
# another strong sign) because a reply that merely lacks a full stop is not cut off.
DANGLING = {"and", "or", "but", "because", "than", "the", "a", "an", "your", "our", "my", "their"}


def truncate_mid_sentence(text: str, rng: random.Random) -> str:
    """Cut a reply mid-clause (after 55-75% of its words, backed up to a dangling
    "and"/"the"/"your"... when one is near), as a broken export would."""
    words = text.split()
    cut = max(6, int(len(words) * rng.uniform(0.55, 0.75)))
    for k in range(cut, max(5, cut - 8), -1):
        if words[k - 1] in DANGLING:
            return " ".join(words[:k])
    out = " ".join(words[:cut]).rstrip(".,;:!?")
    return out + " and"
