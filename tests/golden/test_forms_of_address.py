"""Forms of address (issue 13, part 3) against a reviewed golden file: every language × kind of
recipient × office × gender, and the neutral form, for two States whose names contract differently
("de la República Dominicana", "do Brasil"); and the letters themselves, rendered with each form
from the address book and without any, free of "el/la", "o(a)", "His/Her".

Regenerate after a deliberate change with COORDINATION_UPDATE_GOLDEN=1, then read the diff.
"""

import os
from pathlib import Path

import pytest

from coordination.adapters.renderer import single_line, state_phrases
from coordination.domain import Recipient, RecipientKind
from coordination.domain.forms_of_address import OFFICES, form_of_address
from coordination.domain.vocabulary import Gender, Office

from ..unit.test_forms_of_address import CASES, PLACEHOLDER
from .test_golden import LANGUAGES, LETTERS, ON, STATES, golden_action, renderer  # noqa: F401  (the module's fixture)

GOLDEN = Path(__file__).parent / "expected" / "forms_of_address.tsv"
UPDATE = os.environ.get("COORDINATION_UPDATE_GOLDEN") == "1"
COLUMNS = ("state", "language", "kind", "office", "gender", "addressee", "salutation", "vocative")
GOLDEN_STATES = ("DOM", "BRA")


def row(iso3: str, language: str, kind: RecipientKind, office: Office | None, gender: Gender | None) -> str:
    form = form_of_address(language, kind, office, gender, state_phrases(iso3, language))
    return "\t".join([iso3, language, kind.value, office.value if office else "-", gender.value if gender else "-",
                      " | ".join(form.lines), form.salutation, form.vocative])


def test_the_golden_file_is_written_from_the_module():
    text = "\t".join(COLUMNS) + "\n" + "".join(row(iso3, *case) + "\n" for iso3 in GOLDEN_STATES for case in CASES)
    if UPDATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


def _entries(iso3: str, office: Office | None, gender: Gender | None) -> list[Recipient]:
    """The State's address book: each kind of recipient, headed by `office` where that kind has it."""
    return [Recipient(iso3, kind, f"{kind.value}@state.test",
                      office=office if office in OFFICES[kind] else None,
                      gender=gender if office in OFFICES[kind] else None) for kind in RecipientKind]


HEADS = [(None, None), *[(o, g) for o in Office for g in Gender]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=[f"{t.value}/{l}" for t, _, l in LETTERS])
def test_no_letter_carries_a_placeholder_form_of_address(renderer, action_type, stage, letter_name, language):  # noqa: F811
    action, letter = golden_action(action_type, letter_name, stage, language)
    for office, gender in HEADS:
        for fmt in ("txt", "html"):
            text = renderer.render(action, letter, on=ON, fmt=fmt, recipients=_entries(STATES[language], office, gender)).text
            for placeholder in ("/a", "(a)", "/la", "o(a)", "His/Her", "el/la"):
                assert placeholder not in text, (office, gender, fmt, placeholder)
            if fmt == "txt":
                assert not PLACEHOLDER.search(text), PLACEHOLDER.search(text)


# The letter to a State, with its address book entry: the addressee, the salutation and the closing.
IN_LETTERS = [
    ("es", "urgent_appeal", Office.AMBASSADOR, Gender.F,
     ["Su Excelencia la señora Embajadora", "Excelencia:", "Acepte, Excelencia, la expresión"]),
    ("es", "urgent_appeal", Office.CHARGE_D_AFFAIRES, Gender.M,
     ["Señor Encargado de Negocios\nMisión Permanente de Honduras ante", "\nSeñor Encargado de Negocios:\n",
      "Acepte, señor Encargado de Negocios, la expresión"]),
    ("fr", "communication", Office.MINISTER, Gender.F,
     ["Son Excellence Madame la Ministre des Affaires étrangères d'Haïti\nCopie : Mission permanente d'Haïti",
      "\nMadame la Ministre,\n", "Veuillez agréer, Madame la Ministre, l'assurance"]),
    ("pt", "urgent_appeal", Office.AMBASSADOR, Gender.M,
     ["Excelentíssimo Senhor Embaixador\nMissão Permanente do Brasil junto ao Escritório", "\nSenhor Embaixador,\n",
      "Aceite, Senhor Embaixador, os protestos"]),
    ("pt", "request_for_information", Office.MINISTER, Gender.F,
     ["Excelentíssima Senhora Ministra das Relações Exteriores do Brasil\n", "\nSenhora Ministra,\n",
      "Aceite, Senhora Ministra, os protestos"]),
    ("en", "urgent_appeal", Office.CHARGE_D_AFFAIRES, Gender.F,
     ["The Chargé d'affaires\nPermanent Mission of Jamaica", "\nMadam,\n", "Please accept, Madam, the assurances"]),
    ("en", "communication", Office.MINISTER, Gender.M,
     ["His Excellency the Minister for Foreign Affairs of Jamaica\ncc: Permanent Mission of Jamaica",
      "\nExcellency,\n", "Please accept, Excellency, the assurances"]),
]


@pytest.mark.parametrize("language,letter_name,office,gender,expected", IN_LETTERS)
def test_a_letter_addresses_the_office_holder_of_the_address_book(renderer, language, letter_name, office, gender,  # noqa: F811
                                                                  expected):
    action_type, stage, _ = next(case for case in LETTERS if case[2] == letter_name)
    action, letter = golden_action(action_type, letter_name, stage, language)
    text = renderer.render(action, letter, on=ON, recipients=_entries(STATES[language], office, gender)).text
    for part in expected:
        assert part in text, part


# A chargé d'affaires is not an Excellency: the appeal's own sentences speak of "your Government"
# (what the officer types, such as the legal annex, is theirs).
NOT_AN_EXCELLENCY = {
    "en": (["bring to the attention of your Government", "taken by your Government", "received from your Government"],
           "attention of Your Excellency's Government information"),
    "es": (["atención urgente de su Gobierno", "adoptadas por su Gobierno", "recibida de su Gobierno"],
           "Gobierno de Su Excelencia la información"),
    "fr": (["l'attention de votre Gouvernement", "prises par votre Gouvernement", "reçue de votre Gouvernement"],
           "Gouvernement de Votre Excellence sur des informations"),
}


@pytest.mark.parametrize("language", sorted(NOT_AN_EXCELLENCY))
def test_an_appeal_to_a_mission_led_by_a_charge_d_affaires_names_no_excellency(renderer, language):  # noqa: F811
    action_type, stage = next((t, s) for t, s, name in LETTERS if name == "urgent_appeal")
    action, letter = golden_action(action_type, "urgent_appeal", stage, language)
    expected, gone = NOT_AN_EXCELLENCY[language]
    text = single_line(renderer.render(action, letter, on=ON,
                                       recipients=_entries(STATES[language], Office.CHARGE_D_AFFAIRES, Gender.F)).text)
    for part in expected:
        assert part in text, part
    assert gone not in text
    with_ambassador = single_line(renderer.render(action, letter, on=ON, recipients=_entries(
        STATES[language], Office.AMBASSADOR, Gender.F)).text)
    assert gone in with_ambassador
