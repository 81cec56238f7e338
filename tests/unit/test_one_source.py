"""One source per fact: languages, formats, labels are spelled once and read everywhere; a
refusal carries its facts, and each edge words it for its audience (issue 11)."""

import re
from pathlib import Path

import pytest

from coordination.domain import DEFINITIONS, ActionType, IncompleteLetters, InvalidInput, NotFound
from coordination.domain.countries import DEFAULT_LANGUAGE
from coordination.domain.vocabulary import (
    INTERFACE_LANGUAGES,
    LETTER_LANGUAGES,
    TEMPLATE_FORMATS,
    Language,
    LetterFormat,
)

from .support import OFFICER, open_action

ROOT = Path(__file__).resolve().parents[2]
UA, PM, CC = ActionType.URGENT_APPEAL, ActionType.PRECAUTIONARY_MEASURE, ActionType.COUNTRY_COMMUNICATION


# ---------------------------------------------------------------- the facts, once


def test_the_letter_languages_are_the_language_vocabulary_and_each_type_writes_in_some_of_them():
    assert LETTER_LANGUAGES == ("en", "es", "fr", "pt") == tuple(Language)
    assert DEFINITIONS[UA].languages == ("en", "es", "fr")  # the UN's
    for definition in DEFINITIONS.values():
        assert set(definition.languages) <= set(LETTER_LANGUAGES), definition.type
    assert set(DEFAULT_LANGUAGE.values()) <= set(LETTER_LANGUAGES)


def test_the_interface_languages_are_letter_languages_and_plain_strings():
    assert INTERFACE_LANGUAGES == ("en", "es")
    assert set(INTERFACE_LANGUAGES) <= set(LETTER_LANGUAGES)
    assert all(type(code) is str for code in (*LETTER_LANGUAGES, *INTERFACE_LANGUAGES))  # stored as they are


def test_the_formats_are_one_vocabulary_the_cli_renderer_and_services_read():
    from coordination import cli
    from coordination.adapters import renderer

    assert tuple(LetterFormat) == ("txt", "html", "pdf") and TEMPLATE_FORMATS == ("txt", "html")
    assert cli.LetterFormat is LetterFormat and cli.Language is Language  # the CLI's choices are the domain's
    assert set(renderer.LetterRenderer(ROOT / "templates" / "letters").envs) == set(TEMPLATE_FORMATS)


@pytest.mark.parametrize("language", LETTER_LANGUAGES)
def test_every_letter_language_has_its_words_and_each_type_its_templates(language):
    templates = ROOT / "templates" / "letters"
    assert (templates / "_layouts" / f"words.{language}.j2").is_file()
    for definition in DEFINITIONS.values():
        if language in definition.languages:
            for stage in definition.stages:
                for letter in stage.letters:
                    assert (templates / definition.type.value / f"{letter.name}.{language}.j2").is_file()


def test_the_interface_has_a_catalog_and_a_name_for_each_interface_language_and_no_other():
    from coordination.web import i18n

    assert tuple(i18n.CATALOGS) == INTERFACE_LANGUAGES == tuple(i18n.LANGUAGE_NAMES)
    assert i18n.negotiate("fr, pt;q=0.9") == "en" and i18n.negotiate("es-MX") == "es"


def test_every_form_label_is_translated():
    from coordination.web.i18n import ES, FIELD_LABELS

    assert [label for label in FIELD_LABELS.values() if label not in ES] == []


def test_the_new_action_form_offers_exactly_each_types_languages():
    from coordination.web.forms import new_action_choices

    choices = new_action_choices()
    assert choices["types"] == [t.value for t in ActionType]
    assert choices["languages"] == list(LETTER_LANGUAGES)
    assert choices["languages_by_type"] == {t.value: list(DEFINITIONS[t].languages) for t in ActionType}
    assert new_action_choices("urgent-appeal")["offered"] == ["en", "es", "fr"]
    assert new_action_choices("press-release")["offered"] == choices["offered"]  # an unknown type: the first's


def test_letter_names_are_unique_across_types():
    """The web words a letter field's refusal by the letter's name alone."""
    names = [letter.name for d in DEFINITIONS.values() for s in d.stages for letter in s.letters]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- refusals carry their facts


def test_opening_in_a_language_the_type_is_not_written_in_carries_the_field_and_the_choices(ports):
    with pytest.raises(InvalidInput) as refused:
        open_action(ports, UA, language="pt")
    error = refused.value
    assert (error.field, error.value, error.choices) == ("language", "pt", ("en", "es", "fr"))
    assert str(error) == "urgent appeals are written in en, es, fr, not 'pt'"


@pytest.mark.parametrize("country, field", [("XXX", "country")])
def test_a_bad_country_carries_its_field(ports, country, field):
    with pytest.raises(InvalidInput) as refused:
        open_action(ports, UA, country=country)
    assert (refused.value.field, refused.value.value) == (field, country)


def test_a_letter_field_refusal_carries_the_field_and_its_letter(ports):
    action = open_action(ports, PM)
    with pytest.raises(InvalidInput) as refused:
        action.edit_letter(OFFICER, field="requester_email", value="not an address", now=action.opened_at,
                           ports=ports)
    assert (refused.value.field, refused.value.letter) == ("requester_email", "acknowledgement")
    with pytest.raises(NotFound) as unknown:
        action.edit_letter(OFFICER, field="nope", value="x", now=action.opened_at, ports=ports)
    assert unknown.value.field == "nope" and "requester_email" in unknown.value.choices


def test_incomplete_letters_name_the_action_type_and_what_is_missing(ports):
    action = open_action(ports, UA)
    action.submit(OFFICER, now=action.opened_at, ports=ports)  # intake → drafting
    with pytest.raises(IncompleteLetters) as refused:
        action.submit(OFFICER, now=action.opened_at, ports=ports)
    error = refused.value
    assert error.action_type == "urgent-appeal" and error.stage == "drafting" and error.reference == action.reference
    assert "facts" in error.missing["urgent_appeal"]


def test_no_domain_message_names_a_command_line_option_or_command():
    sources = sorted((ROOT / "coordination" / "domain").rglob("*.py"))
    assert sources
    found = [f"{path.name}:{number}: {line.strip()}" for path in sources
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"\s--[a-z]|`coordination ", line)]
    assert found == []


# ---------------------------------------------------------------- each edge words them


def test_the_cli_words_a_refusal_with_its_options_and_commands():
    from coordination.cli import worded

    which = InvalidInput("name the letter (one of: a, b)", field="letter", choices=["a", "b"])
    assert worded(which) == "name the letter with --letter (one of: a, b)"
    order = InvalidInput("the older version (8) must not be after the newer (3)", field="from_version", value=8,
                         facts={"to_version": 3})
    assert worded(order) == "--from (8) must not be after --to (3)"
    assert worded(NotFound("unknown user 'x'", field="user", value="x")) == (
        "unknown user 'x' (add it with `coordination user add`)")
    assert worded(InvalidInput("a joint action needs a title", field="title")) == "a joint action needs a title"


def test_the_web_words_a_refusal_with_the_forms_labels_in_the_pages_language(ports):
    from coordination.web.errors import describe
    from coordination.web.i18n import translator

    with pytest.raises(InvalidInput) as refused:
        open_action(ports, UA, language="pt")
    assert describe(refused.value, translator("en")) == (
        "Letter language: urgent appeals are written in en, es, fr, not 'pt'")
    assert describe(refused.value, translator("es")).startswith("Idioma de las cartas: ")
    which = InvalidInput("name the letter (one of: a, b)", field="letter", choices=["a", "b"])
    assert "--" not in describe(which, translator("en"))
    unlabelled = InvalidInput("a letter version seen is …", field="seen")
    assert describe(unlabelled, translator("en")) == "a letter version seen is …"


def test_the_web_names_a_letter_field_by_its_label(ports):
    from coordination.web.errors import describe
    from coordination.web.i18n import translator

    action = open_action(ports, PM)
    with pytest.raises(InvalidInput) as refused:
        action.edit_letter(OFFICER, field="requester_email", value="not an address", now=action.opened_at,
                           ports=ports)
    assert describe(refused.value, translator("en")).startswith(
        "Email of the requester: field 'requester_email': invalid email address")


def test_the_web_lists_missing_letter_fields_by_their_labels():
    from coordination.web.errors import describe
    from coordination.web.i18n import translator

    error = IncompleteLetters({"urgent_appeal": ["facts", "concerns"]}, action_type="urgent-appeal")
    assert describe(error, translator("en")) == (
        "required letter fields are not set — Urgent appeal to the Government: Information received, Concerns")
    assert describe(error, translator("es")).startswith("faltan campos obligatorios de las cartas — ")
