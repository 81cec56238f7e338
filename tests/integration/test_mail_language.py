"""Mails in the reader's language, delivered to a real SMTP server (aiosmtpd on loopback), on
SQLite and PostgreSQL: a digest and a request to decide in the interface language each person
chose (Spanish, or English), with the words of stages, kinds, action types and organisations and
never their codes; the From header's display name; a letter's covering words in its language."""

from email.headerregistry import Address

from coordination.services.delivery import IACHR_NAMES, SENDER_NAMES, sender_header

from ..helpers import OFFICER, SUP_IACHR, SUP_OHCHR, dispatched, open_at_gate
from .test_reminder_mail import sweep_and_send, two_overdue_appeals

CODES = ("joint_approval", "approval_sla", "urgent-appeal", "urgent_appeal", "ohchr", "iachr", "escalation-")


def speaks(app, email: str, language: str) -> None:
    """The person chose this interface language in the web app."""
    user = next(u for u in app.services.list_users() if u.email == email)
    app.services.set_language(user=user, language=language)


def references(app, ref: str, prefix: str) -> str:
    """The action's reference that starts with `prefix` ("UA ", "MC-")."""
    return next(r for r in app.services.get_action(ref)["references"] if r.startswith(prefix))


def bodies(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def no_codes(*texts: str) -> None:
    for text in texts:
        for code in CODES:
            assert code not in text, code


async def test_a_spanish_speaking_supervisor_gets_the_digest_in_spanish_and_an_english_one_in_english(mail_app, smtp):
    speaks(mail_app, SUP_IACHR, "es")
    speaks(mail_app, SUP_OHCHR, "en")
    first, second = two_overdue_appeals(mail_app)

    await sweep_and_send(mail_app)

    messages = {m["To"]: m for m in smtp.messages}
    spanish, english = messages[SUP_IACHR], messages[SUP_OHCHR]
    assert spanish["Subject"] == "[coordinación] 4 recordatorios de plazos, 4 vencidos"
    text, html = bodies(spanish)
    assert '<html lang="es">' in html
    line = next(line for line in text.splitlines() if line.startswith(first))
    assert line.startswith(f"{first} (llamamiento urgente, HND), etapa aprobación conjunta: "
                           "decisión sobre la aprobación de ACNUDH vence el mié 4 nov 2026")
    assert "decisión sobre la aprobación de CIDH" in line and line.count("vencido hace 1 día (escalamiento 1)") == 2
    assert "Las horas son de Washington D. C." in text and "en la página de la acción" in html
    assert "Hola, " in text and "Dear" not in text and "/a " not in text
    no_codes(text, html, spanish["Subject"])
    assert spanish["From"].addresses[0].display_name == "Mecanismo de Acción Conjunta CIDH–ACNUDH"
    assert spanish["From"].addresses[0].addr_spec == "joint-actions@coordination.test"

    assert english["Subject"] == "[coordination] 4 deadline reminders, 4 overdue"
    text, html = bodies(english)
    assert f"{second} (urgent appeal, HND), stage joint approval: decision on the gate by OHCHR due" in text
    no_codes(text, html)
    assert english["From"].addresses[0].display_name == "OHCHR–IACHR Joint Action Mechanism"
    # who chose no language reads English
    assert messages[OFFICER]["Subject"].startswith("[coordination] ")


async def test_the_request_to_decide_in_spanish_and_in_english(mail_app, smtp):
    speaks(mail_app, SUP_IACHR, "es")
    ref = open_at_gate(mail_app, "precautionary-measure")

    await sweep_and_send(mail_app)

    messages = {m["To"]: m for m in smtp.messages}
    assert messages[SUP_IACHR]["Subject"] == "[coordinación] 1 decisión solicitada"
    text, html = bodies(messages[SUP_IACHR])
    assert f"{ref} (medida cautelar, " in text and "se solicita su decisión" in text
    assert "decisión sobre la aprobación de CIDH" in text
    no_codes(text, html)
    assert messages[SUP_OHCHR]["Subject"] == "[coordination] 1 decision requested"
    text, html = bodies(messages[SUP_OHCHR])
    assert f"{ref} (precautionary measure, " in text and "your decision is requested" in text
    no_codes(text, html)


async def test_the_covering_email_of_a_letter_speaks_the_letters_language(mail_app, smtp):
    spanish = dispatched(mail_app, "urgent-appeal", language="es")
    french = dispatched(mail_app, "urgent-appeal", language="fr")

    report = await mail_app.services.send_outbox()

    assert report.failed == 0
    for ref, language, words in ((spanish, "es", "Referencias: {refs}. Se adjunta la carta {file} (PDF)"),
                                 (french, "fr", "Références : {refs}. Veuillez trouver ci-joint la lettre {file} (PDF)")):
        ua = references(mail_app, ref, "UA ")  # the UN's file number, which the State cites in its reply
        letters = [m for m in smtp.messages if m["Subject"].startswith(ref)]
        assert letters
        for message in letters:
            pdf = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
            text, html = bodies(message)
            expected = words.format(refs=f"{ref} · {ua}", file=pdf.get_filename())
            assert text.startswith(expected)
            assert expected in html
            assert message["From"].addresses[0].display_name == SENDER_NAMES[language]


async def test_a_letter_the_commission_signs_alone_comes_from_the_commission(mail_app, smtp):
    ref = dispatched(mail_app, "precautionary-measure", language="pt")

    await mail_app.services.send_outbox()

    letters = [m for m in smtp.messages if m["Subject"].startswith(ref)]
    assert letters
    mc = references(mail_app, ref, "MC-")
    for message in letters:
        assert message["From"].addresses[0].display_name == IACHR_NAMES["pt"] == \
            "Comissão Interamericana de Direitos Humanos"
        assert bodies(message)[0].startswith(f"Referências: {ref} · {mc}. Segue em anexo a carta ")


def test_a_mail_from_with_its_own_display_name_is_kept():
    assert sender_header("Joint Actions Desk <desk@example.org>", "es") == "Joint Actions Desk <desk@example.org>"
    assert sender_header("desk@example.org", "pt") == Address("Mecanismo de Ação Conjunta CIDH–ACNUDH",
                                                              addr_spec="desk@example.org")
    assert sender_header("desk@example.org", "de").display_name == SENDER_NAMES["en"]
    assert sender_header("desk@example.org", "fr", letter="resolution").display_name == IACHR_NAMES["fr"]
    assert sender_header("desk@example.org", "fr", letter="communication").display_name == SENDER_NAMES["fr"]
    assert sender_header("desk@example.org", "fr", letter="gone").display_name == SENDER_NAMES["fr"]


async def test_a_password_link_in_the_persons_language(mail_app, smtp):
    speaks(mail_app, SUP_IACHR, "es")
    mail_app.services.send_password_link(email=SUP_IACHR)
    mail_app.services.send_password_link(email=SUP_OHCHR)

    await mail_app.services.send_outbox()

    messages = {m["To"]: m for m in smtp.messages}
    assert messages[SUP_IACHR]["Subject"] == "[coordinación] Elija su contraseña"
    text, html = bodies(messages[SUP_IACHR])
    assert "Abra este enlace y elija una" in text and '<html lang="es">' in html
    assert messages[SUP_OHCHR]["Subject"] == "[coordination] Set your password"
