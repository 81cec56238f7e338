"""State names with their grammar: every OAS member State in every letter language, in the
positions letters use (the Government of …, the Permanent Mission of …, in …), against a
reviewed golden file, and as the letters actually print them.

Regenerate after a deliberate change with COORDINATION_UPDATE_GOLDEN=1, then read the diff.
"""

import os
from dataclasses import replace
from pathlib import Path

import pytest

from coordination.adapters.renderer import state_phrases
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.domain.stages import ActionType
from coordination.domain.state_names import STATE_NAMES

from .test_golden import LANGUAGES, ON, golden_action, renderer  # noqa: F401  (the module's fixture)

GOLDEN = Path(__file__).parent / "expected" / "state_names.tsv"
UPDATE = os.environ.get("COORDINATION_UPDATE_GOLDEN") == "1"
COLUMNS = ("iso3", "language", "name", "the", "of", "in", "to", "formal", "source")
CASES = [(iso3, language) for iso3 in sorted(DEFAULT_LANGUAGE) for language in LANGUAGES]


def row(iso3: str, language: str) -> str:
    entry = STATE_NAMES[iso3, language]
    phrases = state_phrases(iso3, language)
    return "\t".join([iso3, language, phrases["name"], phrases["the"], phrases["of"], phrases["in"], phrases["to"],
                      entry.formal, entry.source])


def test_the_table_covers_the_35_oas_member_states_in_every_letter_language():
    assert len(DEFAULT_LANGUAGE) == 35
    assert set(STATE_NAMES) == set(CASES)
    assert all(s.source.startswith("https://") for s in STATE_NAMES.values())


def test_the_golden_file_is_written_from_the_table():
    text = "\t".join(COLUMNS) + "\n" + "".join(row(i, lang) + "\n" for i, lang in CASES)
    if UPDATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("iso3,language", CASES)
def test_each_state_in_each_language_matches_its_reviewed_row(iso3, language):
    reviewed = {line.split("\t")[0] + line.split("\t")[1]: line for line in GOLDEN.read_text(encoding="utf-8").splitlines()}
    assert reviewed[iso3 + language] == row(iso3, language)


# Forms checked by hand against UNTERM (es) and Itamaraty's usage (pt), independent of the table's rules.
EXPECTED_OF = {
    "es": {"BRA": "del Brasil", "DOM": "de la República Dominicana", "SLV": "de El Salvador", "BHS": "de las Bahamas",
           "USA": "de los Estados Unidos de América", "ARG": "de la Argentina", "PER": "del Perú", "HND": "de Honduras"},
    "pt": {"BRA": "do Brasil", "COL": "da Colômbia", "USA": "dos Estados Unidos", "CUB": "de Cuba", "HTI": "do Haiti",
           "ARG": "da Argentina", "CHL": "do Chile", "PER": "do Peru", "URY": "do Uruguai", "PRY": "do Paraguai",
           "BOL": "da Bolívia", "ECU": "do Equador", "VEN": "da Venezuela", "PAN": "do Panamá", "CRI": "da Costa Rica",
           "NIC": "da Nicarágua", "HND": "de Honduras", "GTM": "da Guatemala", "SLV": "de El Salvador",
           "MEX": "do México", "CAN": "do Canadá", "JAM": "da Jamaica", "BRB": "de Barbados", "BHS": "das Bahamas",
           "TTO": "de Trinidad e Tobago", "GUY": "da Guiana", "SUR": "do Suriname", "BLZ": "de Belize",
           "GRD": "de Granada", "LCA": "de Santa Lúcia", "VCT": "de São Vicente e Granadinas",
           "KNA": "de São Cristóvão e Névis", "ATG": "de Antígua e Barbuda", "DMA": "da Dominica",
           "DOM": "da República Dominicana"},
    "fr": {"HTI": "d'Haïti", "CAN": "du Canada", "JAM": "de la Jamaïque", "USA": "des États-Unis d'Amérique",
           "ARG": "de l'Argentine", "SLV": "d'El Salvador", "BHS": "des Bahamas"},
    "en": {"USA": "of the United States of America", "BHS": "of the Bahamas", "DOM": "of the Dominican Republic",
           "JAM": "of Jamaica"},
}
EXPECTED_IN = {"es": {"BRA": "en el Brasil", "ARG": "en la Argentina", "MEX": "en México"},
               "pt": {"BRA": "no Brasil", "COL": "na Colômbia", "USA": "nos Estados Unidos", "CUB": "em Cuba"},
               "fr": {"HTI": "en Haïti", "BRA": "au Brésil", "USA": "aux États-Unis d'Amérique", "GRD": "à la Grenade",
                      "CUB": "à Cuba", "COL": "en Colombie"},
               "en": {"BHS": "in the Bahamas", "BRA": "in Brazil"}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_hand_checked_forms(language):
    for iso3, expected in EXPECTED_OF[language].items():
        assert state_phrases(iso3, language)["of"] == expected, (iso3, language)
    for iso3, expected in EXPECTED_IN[language].items():
        assert state_phrases(iso3, language)["in"] == expected, (iso3, language)


GOVERNMENT = {"en": "the Government {of}", "es": "al Gobierno {of}", "fr": "le Gouvernement {of}", "pt": "ao Governo {of}"}
MISSION = {"en": "Permanent Mission {of}", "es": "Misión Permanente {of}", "fr": "Mission permanente {of}",
           "pt": "Missão Permanente {of}"}


@pytest.mark.parametrize("iso3,language", CASES)
def test_letters_name_each_state_with_its_grammar(renderer, iso3, language):  # noqa: F811
    """The communication names the State in its addressee (the Permanent Mission of …) and body
    (the Government of …): both with the table's contracted form, never a bare Babel name."""
    action, letter = golden_action(ActionType.COUNTRY_COMMUNICATION, "communication", "drafting", language)
    text = " ".join(renderer.render(replace(action, country=iso3), letter, on=ON).text.split())
    of = state_phrases(iso3, language)["of"]
    assert GOVERNMENT[language].format(of=of) in text
    assert MISSION[language].format(of=of) in text
