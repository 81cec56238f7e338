"""Forms of address (issue 13, part 3): every language × kind of recipient × office × gender, and
the neutral form, rendered by the pure module; the address book's refusals."""

import re

import pytest

from coordination.adapters.renderer import state_phrases
from coordination.domain import InvalidInput, RecipientKind
from coordination.domain.forms_of_address import OFFICES, checked_office, form_of_address
from coordination.domain.vocabulary import LETTER_LANGUAGES, Gender, Office

# What a letter must never print: the placeholders of a form of address left unresolved.
PLACEHOLDER = re.compile(r"/a\b|\(a\)|/la\b|o\(a\)|His/Her|el/la|[^\W\d_]/[^\W\d_]|\w\((?:a|o|as|os|es)\)")
CASES = [(language, kind, office, gender) for language in LETTER_LANGUAGES for kind in RecipientKind
         for office in (None, *OFFICES[kind]) for gender in ((None,) if office is None else tuple(Gender))]


def _form(language, kind, office, gender, iso3="DOM", name=None):
    return form_of_address(language, kind, office, gender, state_phrases(iso3, language), name=name)


def test_the_cases_cover_every_language_kind_office_and_gender():
    # 4 languages × (ministry: neutral + minister f/m; 2 missions: neutral + 3 offices f/m)
    assert len(CASES) == 4 * (3 + 2 * 7)


@pytest.mark.parametrize("language,kind,office,gender", CASES)
def test_every_form_is_whole_and_free_of_placeholders(language, kind, office, gender):
    form = _form(language, kind, office, gender)
    for text in (*form.lines, form.salutation, form.vocative, form.institution):
        assert text and text == text.strip() and "  " not in text
        assert not PLACEHOLDER.search(text), text
        assert "{" not in text and "}" not in text and "None" not in text
    assert form.salutation[-1] in ",:" and form.vocative[-1] not in ",:"
    if office is None:  # the institution itself, greeted without a gender
        assert form.lines == (form.institution,)
        assert form.vocative in ("Excellency", "Excelencia", "Excellence", "Excelência")
    else:
        assert form.lines[-1] == form.institution or office is Office.MINISTER
    assert form.excellency is (office is not Office.CHARGE_D_AFFAIRES)


# Exact forms, as a protocol officer would write them.
EXACT = [
    ("es", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.F, "DOM",
     ("Su Excelencia la señora Ministra de Relaciones Exteriores de la República Dominicana",), "Excelencia:", "Excelencia"),
    ("es", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.M, "BRA",
     ("Su Excelencia el señor Ministro de Relaciones Exteriores del Brasil",), "Excelencia:", "Excelencia"),
    ("es", RecipientKind.OAS_MISSION, Office.CHARGE_D_AFFAIRES, Gender.F, "HND",
     ("Señora Encargada de Negocios", "Misión Permanente de Honduras ante la Organización de los Estados Americanos"),
     "Señora Encargada de Negocios:", "señora Encargada de Negocios"),
    ("pt", RecipientKind.PERMANENT_MISSION_GENEVA, Office.AMBASSADOR, Gender.M, "BRA",
     ("Excelentíssimo Senhor Embaixador", "Missão Permanente do Brasil junto ao Escritório das Nações Unidas e outras "
      "organizações internacionais em Genebra"), "Senhor Embaixador,", "Senhor Embaixador"),
    ("pt", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.F, "COL",
     ("Excelentíssima Senhora Ministra das Relações Exteriores da Colômbia",), "Senhora Ministra,", "Senhora Ministra"),
    ("pt", RecipientKind.OAS_MISSION, Office.CHARGE_D_AFFAIRES, Gender.M, "USA",
     ("Senhor Encarregado de Negócios", "Missão Permanente dos Estados Unidos junto à Organização dos Estados Americanos"),
     "Senhor Encarregado de Negócios,", "Senhor Encarregado de Negócios"),
    ("fr", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.F, "HTI",
     ("Son Excellence Madame la Ministre des Affaires étrangères d'Haïti",), "Madame la Ministre,", "Madame la Ministre"),
    ("fr", RecipientKind.OAS_MISSION, Office.AMBASSADOR, Gender.F, "CAN",
     ("Son Excellence Madame l'Ambassadrice", "Mission permanente du Canada auprès de l'Organisation des États américains"),
     "Madame l'Ambassadrice,", "Madame l'Ambassadrice"),
    ("fr", RecipientKind.PERMANENT_MISSION_GENEVA, Office.PERMANENT_REPRESENTATIVE, Gender.F, "HTI",
     ("Son Excellence Madame la Représentante permanente", "Mission permanente d'Haïti auprès de l'Office des Nations "
      "Unies et des autres organisations internationales à Genève"),
     "Madame la Représentante permanente,", "Madame la Représentante permanente"),
    ("fr", RecipientKind.OAS_MISSION, Office.CHARGE_D_AFFAIRES, Gender.M, "HTI",
     ("Monsieur le Chargé d'affaires", "Mission permanente d'Haïti auprès de l'Organisation des États américains"),
     "Monsieur le Chargé d'affaires,", "Monsieur le Chargé d'affaires"),
    ("en", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.F, "BHS",
     ("Her Excellency the Minister for Foreign Affairs of the Bahamas",), "Excellency,", "Excellency"),
    ("en", RecipientKind.PERMANENT_MISSION_GENEVA, Office.CHARGE_D_AFFAIRES, Gender.M, "JAM",
     ("The Chargé d'affaires", "Permanent Mission of Jamaica to the United Nations Office and other international "
      "organizations in Geneva"), "Sir,", "Sir"),
]


@pytest.mark.parametrize("language,kind,office,gender,iso3,lines,salutation,vocative", EXACT)
def test_exact_forms(language, kind, office, gender, iso3, lines, salutation, vocative):
    form = _form(language, kind, office, gender, iso3)
    assert (form.lines, form.salutation, form.vocative) == (lines, salutation, vocative)


@pytest.mark.parametrize("language", LETTER_LANGUAGES)
def test_the_neutral_form_addresses_the_institution_by_its_default_or_address_book_name(language):
    ministry = _form(language, RecipientKind.FOREIGN_MINISTRY, None, None, "BRA")
    assert ministry.lines[0].endswith(state_phrases("BRA", language)["of"])
    named = _form(language, RecipientKind.OAS_MISSION, None, None, "BRA", name="Missão do Brasil junto à OEA")
    assert named.lines == ("Missão do Brasil junto à OEA",) and named.institution == "Missão do Brasil junto à OEA"


def test_a_named_entry_keeps_its_name_under_the_office_holders_line():
    minister = _form("es", RecipientKind.FOREIGN_MINISTRY, Office.MINISTER, Gender.M, "CRI",
                     name="Ministerio de Relaciones Exteriores y Culto")
    assert minister.lines == ("Su Excelencia el señor Ministro de Relaciones Exteriores de Costa Rica",
                              "Ministerio de Relaciones Exteriores y Culto")
    ambassador = _form("es", RecipientKind.OAS_MISSION, Office.AMBASSADOR, Gender.F, "CRI", name="Misión de Costa Rica")
    assert ambassador.lines == ("Su Excelencia la señora Embajadora", "Misión de Costa Rica")


@pytest.mark.parametrize("language", LETTER_LANGUAGES)
def test_feminine_and_masculine_differ_where_the_language_marks_gender(language):
    for kind in RecipientKind:
        for office in OFFICES[kind]:
            f, m = (_form(language, kind, office, g) for g in (Gender.F, Gender.M))
            assert f != m  # "Her"/"His", "Sir"/"Madam", "la señora Ministra", "Madame l'Ambassadrice"…
            if language == "fr":
                assert f.salutation.startswith("Madame ") and m.salutation.startswith("Monsieur ")
            if language == "pt":
                assert f.salutation.startswith("Senhora ") and m.salutation.startswith("Senhor ")


# ---------------------------------------------------------------- the address book's refusals

def test_an_office_and_gender_are_both_given_or_neither():
    assert checked_office(RecipientKind.OAS_MISSION, None, None) == (None, None)
    assert checked_office(RecipientKind.OAS_MISSION, "", "") == (None, None)
    assert checked_office(RecipientKind.OAS_MISSION, "ambassador", "F") == (Office.AMBASSADOR, Gender.F)
    with pytest.raises(InvalidInput) as gender_alone:
        checked_office(RecipientKind.OAS_MISSION, None, "f")
    assert gender_alone.value.field == "gender" and gender_alone.value.value == "f"
    assert gender_alone.value.choices == ("ambassador", "permanent-representative", "charge-d-affaires")
    with pytest.raises(InvalidInput) as office_alone:
        checked_office(RecipientKind.FOREIGN_MINISTRY, "minister", None)
    assert office_alone.value.field == "gender" and office_alone.value.choices == ("f", "m")


@pytest.mark.parametrize("kind,office,gender,field,choices", [
    (RecipientKind.FOREIGN_MINISTRY, "ambassador", "f", "office", ("minister",)),
    (RecipientKind.OAS_MISSION, "minister", "m", "office", ("ambassador", "permanent-representative", "charge-d-affaires")),
    (RecipientKind.PERMANENT_MISSION_GENEVA, "consul", "m", "office",
     ("ambassador", "permanent-representative", "charge-d-affaires")),
    (RecipientKind.OAS_MISSION, "ambassador", "x", "gender", ("f", "m")),
])
def test_values_outside_the_vocabulary_are_refused_with_the_choices(kind, office, gender, field, choices):
    with pytest.raises(InvalidInput) as refused:
        checked_office(kind, office, gender)
    assert (refused.value.field, refused.value.choices) == (field, choices)
    assert refused.value.value in (office, gender)


def test_an_unknown_language_is_refused():
    with pytest.raises(InvalidInput) as refused:
        form_of_address("de", RecipientKind.OAS_MISSION, None, None, {"of": "von Honduras"})
    assert refused.value.field == "language"
