"""The Spanish interface in headless Chromium holds no English: every page in `PAGES` (and every
refusal in `REFUSALS`) is opened by a person whose interface is Spanish, and its visible text, its
title and its labels for assistive technology are searched for the English strings of the interface
(issue 12, part 6).

What is searched for (`english_strings`): the English of every catalog entry whose Spanish differs,
and the English labels of the domain's words (stages, statuses, types, deadlines, organisations,
events, recipients, letters' titles and fields), less any that is also a word or phrase of the
Spanish catalog ("Error", "supervisor"). What is not searched: data (names, emails, references,
titles, letter text, addresses: `DATA` and the patterns of `strip_data`) and what the page marks as
another language (`lang="…"`: a letter in the State's language, the language switch, a refusal's
domain message, which stays English by rule; see coordination/web/i18n.py).

Pages added later join `PAGES` (a path, with {placeholders} of `refs`, and who opens it) or
`REFUSALS` (who, the page, what to do on it).
"""

import re
from collections.abc import Callable

import pytest

from coordination.domain import DEFINITIONS
from coordination.domain.mandates import CODES
from coordination.domain.reminders import ON_OPEN
from coordination.domain.vocabulary import (
    ActionType,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    LetterStatus,
    Organisation,
    RecipientKind,
    Role,
    Status,
)
from coordination.fictional import FICTIONAL_HOLDERS
from coordination.web.i18n import ACTORS, EN_EVENTS, ES, RECIPIENT_KINDS, label
from tests.helpers import (
    ADMIN,
    LETTERS,
    OFFICER,
    RECIPIENTS,
    SUP_IACHR,
    SUP_OHCHR,
    USERS,
    dispatched,
    fill,
    open_at_gate,
)

from .conftest import PASSWORD
from .live import served

# The pages walked in Spanish: (who opens it, path). Append new pages here.
PAGES: list[tuple[str | None, str]] = [
    (None, "/sign-in"),
    (OFFICER, "/"), (SUP_OHCHR, "/"), (SUP_IACHR, "/"), (ADMIN, "/"),
    (OFFICER, "/actions"), (OFFICER, "/actions?status=awaiting_approval"),
    (OFFICER, "/actions/new"), (SUP_OHCHR, "/overview"), (OFFICER, "/account"),
    (SUP_OHCHR, "/actions/{gate}"),  # may decide: the forms
    (SUP_IACHR, "/actions/{gate}"),  # has decided: why not, in the page
    (OFFICER, "/actions/{gate}"),
    (SUP_OHCHR, "/actions/{gate}?diff=urgent_appeal&from=1"),
    (OFFICER, "/actions/{rejected}"),  # back at drafting, a rejection in the decisions
    (OFFICER, "/actions/{dispatched}"),  # outbox, deadlines, reminders, the reply form
    (OFFICER, "/actions/{evaluation}"),  # a resolution's choice field
    (OFFICER, "/actions/{english}"),  # letters in English: their text is not the interface's
    (OFFICER, "/no-such-page"),
    (OFFICER, "/actions/JAM-1999-0001"),
    (OFFICER, "/actions/{gate}/approve"),  # a GET on a form's address: 405
    # the whole life of an action, administration, search and the report (issue 12, parts 1 to 4)
    (SUP_OHCHR, "/actions/{dispatched}"),  # close, link, the deadlines' extend and cancel forms
    (SUP_OHCHR, "/actions/{withdrawn}"),  # its reason, the reopening form
    (OFFICER, "/actions/{closed}"),  # closed by hand: its outcome, a link to another action
    (OFFICER, "/actions/{linked}"),  # the other side of the link
    (OFFICER, "/actions?q=Tegucigalpa&status=withdrawn"), (OFFICER, "/actions?q=nothing-like-this"),
    (ADMIN, "/admin/users"), (ADMIN, "/admin/recipients"), (ADMIN, "/admin/recipients?country=HND"),
    (ADMIN, "/admin/signatories"), (None, "/password/not-a-known-token"),
]

LETTERS_ES = {  # the letters of the Spanish actions, in Spanish
    "urgent_appeal": {
        "mandates": "defenders", "subject": "amenazas a una defensora",
        "facts": "La defensora recibió amenazas.", "concerns": "Nos preocupa su seguridad.",
        "questions": "¿Qué medidas se tomaron?\n¿Hay una investigación?", "interim_measures": "Protegerla.",
    },
    "acknowledgement": {"requester_name": "Colectivo Tierra", "requester_email": "colectivo@ngo.test",
                        "request_summary": "Un periodista amenazado."},
    "request_for_information": {"facts": "Vigilancia y amenazas.", "information_requested": "Medidas de protección."},
    "communication": {"subject": "ataques a defensores", "situation": "Una pauta de ataques.",
                      "concerns": "Impunidad.", "requests": "Investigar.\nProteger."},
}
TITLE = "Amenazas en Tegucigalpa"


def english_strings() -> set[str]:
    """The English strings of the interface that are not also Spanish."""
    found: set[str] = set()
    for key, spanish in ES.items():
        if key in EN_EVENTS or spanish == key:  # events are searched by their English labels
            continue
        found.update(re.split(r"\{[^}]*\}", key))
    found.update(EN_EVENTS.values())
    same = lambda text: text  # noqa: E731 - the English "translation"
    for kind, values in (("status", Status), ("deadline", DeadlineKind), ("deadline_status", DeadlineStatus),
                         ("decision", Decision), ("letter", LetterStatus), ("type", ActionType)):
        found.update(label(same, kind, value.value) for value in values)
    found.update(role.value for role in Role)
    found.update(org.label for org in Organisation)
    found.update(kind.value for kind in RecipientKind)
    found.update(RECIPIENT_KINDS.values())
    found.update(ACTORS)
    found.add(label(same, "threshold", ON_OPEN))
    for definition in DEFINITIONS.values():
        found.add(definition.title)
        for stage in definition.stages:
            found.add(label(same, "stage", stage.name))
            for letter in stage.letters:
                found.add(letter.title)
                for field in letter.fields:
                    found.add(field.label)
                    found.update(field.choices)
    spanish = " ".join(ES.values())
    kept = set()
    for text in (s.strip(" .,:;·—«»") for s in found):
        if text.count("(") != text.count(")"):  # a fragment cut at a placeholder: "accepts ({limit})."
            text = text.strip(" ()")
        if sum(c.isalpha() for c in text) < 2 or _whole(text).search(spanish):
            continue
        kept.add(text)
    return kept


def _whole(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])", re.IGNORECASE)


ENGLISH = sorted(english_strings(), key=len, reverse=True)
PATTERNS = [(text, _whole(text)) for text in ENGLISH]


def strip_data(text: str, data: set[str]) -> str:
    """The text less its data: addresses, links, codes, and the strings the test itself stored."""
    text = re.sub(r"https?://\S+|\S+@\S+|`[^`]*`", " ", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def english_in(text: str, data: set[str]) -> list[str]:
    text = strip_data(text, data)
    found = []
    for english, pattern in PATTERNS:
        if pattern.search(text):
            found.append(english)
            text = pattern.sub(" ", text)  # "Urgent appeal to the Government" is not also "urgent appeal"
    return found


# The page's visible text (collapsed sections opened), its title and its labels for assistive
# technology, less what it marks as written in another language and what a person typed in a field.
VISIBLE_TEXT = """() => {
  const lang = document.documentElement.lang;
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('body [lang]').forEach(e => { if (e.lang !== lang) e.remove(); });
  document.querySelectorAll('textarea, input, script, style').forEach(e => e.remove());
  const attributes = [...document.querySelectorAll('[aria-label], [title], [placeholder]')].map(
    e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder')].join('\\n'));
  const options = [...document.querySelectorAll('option:not([hidden])')].map(o => o.textContent);
  return [lang, document.title, document.body.innerText, ...attributes, ...options].join('\\n');
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One app whose actions stand at each status the pages show, and a server for it."""
    with served(tmp_path_factory.mktemp("web-live-es"), PASSWORD, scenario) as (app, url, prepared):
        yield app, url, prepared


def scenario(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An action at a gate (one organisation has approved, after an edit), one rejected back to
    drafting, one dispatched with its reminders sent, one at its evaluation, one in English."""
    from datetime import date, timedelta

    services = app.services
    gate = open_at_gate(app, "urgent-appeal", letters=LETTERS_ES)
    fill(app, gate, "urgent_appeal", values={"concerns": "Nos preocupa gravemente su seguridad."})
    services.approve_stage(reference=gate, supervisor=SUP_IACHR, comment="De acuerdo.")
    rejected = open_at_gate(app, "country-communication", letters=LETTERS_ES)
    services.approve_stage(reference=rejected, supervisor=SUP_IACHR)
    services.reject_stage(reference=rejected, supervisor=SUP_OHCHR, comment="Precisar los hechos.")
    sent = dispatched(app, "urgent-appeal", letters=LETTERS_ES)
    evaluation = dispatched(app, "precautionary-measure", letters=LETTERS_ES)
    services.record_reply(reference=evaluation, officer=OFFICER, received_on=date.today())
    english = open_at_gate(app, "urgent-appeal", language="en")
    withdrawn = open_at_gate(app, "urgent-appeal", letters=LETTERS_ES)
    services.withdraw_action(reference=withdrawn, as_=OFFICER, reason="Retirada a petición de la defensora.")
    closed = dispatched(app, "urgent-appeal", letters=LETTERS_ES)
    services.close_action(reference=closed, as_=SUP_OHCHR, outcome="state_replied", reason="El Estado respondió.")
    linked = open_at_gate(app, "country-communication", letters=LETTERS_ES)
    services.link_actions(reference=closed, other=linked, relation="same_situation", as_=OFFICER,
                          note="Misma comunidad.")
    services.set_mandate(code="defenders", verified=True)
    services.send_reminders(now=app.clock() + timedelta(days=90))
    return {"gate": gate, "rejected": rejected, "dispatched": sent, "evaluation": evaluation, "english": english,
            "withdrawn": withdrawn, "closed": closed, "linked": linked}


def data_of(refs: dict[str, str]) -> set[str]:
    """What the test stored: it may be in any language, it is not the interface's."""
    data = {TITLE, "Test action", "Beneficiary One", "De acuerdo.", "Precisar los hechos.",
            "Nos preocupa gravemente su seguridad.", "Retirada a petición de la defensora.", "El Estado respondió.",
            "Misma comunidad.", *(h.name for h in FICTIONAL_HOLDERS), *CODES, *refs.values()}
    for email, name, *_ in USERS:
        data.update((email, name))
    data.update(email for *_, email in RECIPIENTS)
    for letters in (LETTERS, LETTERS_ES):
        for fields in letters.values():
            for value in fields.values():
                data.update(line for line in value.splitlines() if line.strip())
    return data


@pytest.fixture
def spanish(live, chromium):
    """A page per person, signed in through the Spanish sign-in form (the browser asks for Spanish);
    the administrator instead switches from English with the language button."""
    pages: dict[str | None, object] = {}

    def page_of(email: str | None):  # type: ignore[no-untyped-def]
        if email not in pages:
            english = email == ADMIN
            page = chromium.new_context(base_url=live[1], locale="en-GB" if english else "es-ES").new_page()
            page.goto("/sign-in")
            if english:
                page.get_by_role("button", name="Español").click()
                page.wait_for_load_state()
            if email is not None:
                page.get_by_label("Correo electrónico").fill(email)
                page.get_by_label("Contraseña").fill(PASSWORD)
                page.get_by_role("button", name="Iniciar sesión").click()
                page.wait_for_url(lambda url: "/sign-in" not in url)
            pages[email] = page
        return pages[email]

    yield page_of
    for page in pages.values():
        page.context.close()  # type: ignore[attr-defined]


def _refuse_new_action(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/actions/new")
    page.get_by_label("Estado (código ISO 3166-1 alfa-3, p. ej. HND)").fill("XXX")
    page.get_by_label("Título interno breve").fill(TITLE)
    page.get_by_role("button", name="Abrir", exact=True).click()


def _stale_csrf(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => { i.value = 'stale'; })")
    page.get_by_role("button", name="Renovar la dirección del calendario").click()


def _wrong_password(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in")
    page.get_by_label("Correo electrónico").fill(OFFICER)
    page.get_by_label("Contraseña").fill("not the password at all")
    page.get_by_role("button", name="Iniciar sesión").click()


def _invalid_form(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/actions/new")
    page.evaluate("document.querySelector('select[name=type]').remove()")
    page.get_by_label("Estado (código ISO 3166-1 alfa-3, p. ej. HND)").fill("HND")
    page.get_by_label("Título interno breve").fill(TITLE)
    page.get_by_role("button", name="Abrir", exact=True).click()


def _save_a_letter(page, refs) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/actions/{refs['rejected']}")
    page.get_by_text("Editar los campos de la carta").click()
    page.get_by_label("Preocupaciones", exact=True).fill("Impunidad persistente.")
    page.get_by_role("button", name="Guardar la carta").click()


# Refusals (and messages after a form) seen in Spanish: (who, what to do). Append new ones here.
REFUSALS: list[tuple[str | None, Callable]] = [
    (OFFICER, lambda page, refs: _refuse_new_action(page)),
    (OFFICER, lambda page, refs: _stale_csrf(page)),
    (None, lambda page, refs: _wrong_password(page)),
    (OFFICER, _save_a_letter),
    (OFFICER, lambda page, refs: _invalid_form(page)),
]


def _check(page, refs: dict[str, str], where: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.wait_for_load_state()
    text = page.evaluate(VISIBLE_TEXT)
    assert text.startswith("es\n"), f"{where} is not in Spanish: {text[:200]!r}"
    return [f"{where}: {english!r}" for english in english_in(text, data_of(refs) | {"Impunidad persistente."})]


def test_the_english_strings_searched_for_are_english_only():
    assert {"Urgent appeal to the Government", "system", "OHCHR", "IACHR", "drafting", "awaiting approval",
            "permanent-mission-geneva", "Decision requested", "Inbox"} <= set(ENGLISH)
    assert not {"Error", "supervisor"} & set(ENGLISH)  # also Spanish
    assert english_in("Bandeja de entrada — ACNUDH · CIDH", set()) == []
    assert sorted(english_in("En espera de la decisión de OHCHR — system", set())) == ["OHCHR", "system"]


def test_every_page_in_spanish_shows_no_english(live, spanish):
    _, _, refs = live
    found = []
    for who, path in PAGES:
        page = spanish(who)
        page.goto(path.format(**refs))
        found += _check(page, refs, f"{path} ({who or 'signed out'})")
    assert not found, "English in Spanish pages:\n" + "\n".join(found)


def test_every_refusal_in_spanish_shows_no_english_around_the_domains_message(live, spanish):
    _, _, refs = live
    found = []
    for index, (who, act) in enumerate(REFUSALS):
        page = spanish(who)
        act(page, refs)
        found += _check(page, refs, f"refusal {index} ({who or 'signed out'}, {page.url})")
    assert not found, "English in Spanish pages:\n" + "\n".join(found)
