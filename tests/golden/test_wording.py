"""The wording of every letter in every language, read as the State's ministry would read it (issue 13).

Each letter is rendered from the reviewed samples (tests/golden/samples.*.json), filled as an officer
would fill it, and scanned for what gives a generated letter away: a placeholder left in the text, an
English word list in a letter that is not English, a voice that changes inside a letter (a joint
letter carries two signature blocks and speaks as "we"; the press release speaks in the third
person), and headings that differ from one language of a letter to another.

`FIRST_PERSON_SINGULAR` and `FIRST_PERSON_PLURAL` are the formulas of each voice, per language; other
tests (and the merger of issue 13) may reuse them.
"""

import html
import re
from dataclasses import replace

import pytest

from coordination.adapters.renderer import LetterRenderer
from coordination.config import default_templates_dir
from coordination.domain import ActionType, stages

from .test_golden import LANGUAGES, LETTERS, NOW, ON, golden_action, golden_signers

# Formulas a letter written in the first person singular uses: the Executive Secretariat's letters
# may (one signer), a letter signed by both organisations may not.
FIRST_PERSON_SINGULAR: dict[str, tuple[str, ...]] = {
    "en": ("I have the honour", "I take this opportunity", "I acknowledge", "I would like", "I am ",
           "assurances of my ", "my highest"),
    "es": ("Tengo el honor", "Tengo el agrado", "me dirijo", "dirigirme", "Aprovecho", "mi más", "mi consideración",
           "acuso recibo", "Le solicito", "Le ruego", "Me permito", "Reitero"),
    "fr": ("J'ai l'honneur", "Je saisis", "m'adresser", "j'accuse", "Je vous prie", "de ma haute", "ma très haute",
           "mes salutations"),
    "pt": ("Tenho a honra", "Aproveito", "me dirigir", "acuso o recebimento", "minha mais", "Solicito que", "Peço-lhe",
           "Reitero"),
}
# Formulas of a letter written as "we" (the joint letters): none may sit beside the singular ones.
FIRST_PERSON_PLURAL: dict[str, tuple[str, ...]] = {
    "en": ("We have the honour", " we ", "We ", " our ", " us "),
    "es": ("Tenemos el honor", "dirigirnos", "nuestra", "nuestro", "Pedimos", "solicitamos", "Agradeceríamos",
           "deseamos", "instamos"),
    "fr": ("Nous avons l'honneur", " nous ", "Nous ", " notre ", " nos "),
    "pt": ("Temos a honra", "nos dirigir", "nossa", "nosso", "Pedimos", "solicitamos", "Agradeceríamos",
           "gostaríamos", "instamos"),
}
# Any first person, as words: the press release has none.
FIRST_PERSON_WORDS: dict[str, str] = {
    "en": r"\b(I(?!\.)|[Ww]e|[Oo]urs?|us|[Mm]y|me)\b",
    "es": r"\b([Yy]o|[Nn]osotros|[Nn]uestr[oa]s?|[Mm]e|[Mm]is?|[Nn]os)\b",
    "fr": r"\b([Jj]e|[Jj]'|[Nn]ous|[Nn]otre|[Nn]os|[Mm]on|[Mm]a|[Mm]es)\b|\b[Jj]'",
    "pt": r"\b([Ee]u|[Nn]ós|[Nn]oss[oa]s?|[Mm]e|[Mm]eus?|[Mm]inhas?)\b",
}
# A placeholder of a draft or of a form of address written for either gender.
PLACEHOLDER = re.compile(r"\(a\)|/a\b|\bel/la\b|\bo/a\b|His/Her|[\[\]{}]")
# English function words and titles that have no place in a letter in Spanish, French or Portuguese.
ENGLISH = (" the ", " of the ", " and ", " we ", " are ", " is ", " to the ", " for the ", " with ", " which ",
           " Government", "Excellency",
           "Special Rapporteur", "Commission on Human Rights", "High Commissioner for", "United Nations Office",
           "Dear ", "Sincerely", "Please ", "Mandates of")
JOINT = {"urgent_appeal", "communication"}  # signed by both organisations
IDS = [f"{t.value}/{name}" for t, _, name in LETTERS]


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(default_templates_dir())


def render(renderer, action_type, stage, letter_name, language, fmt="txt", **fields) -> str:
    """A letter filled from the samples (and `fields` over them), as text; HTML as its visible text."""
    action, letter = golden_action(action_type, letter_name, stage, language)
    spec = action.definition.letter(letter_name)
    for field, value in fields.items():
        if value is None:  # an optional field left empty
            current = letter.current
            letter.versions.append(replace(current, version=current.version + 1, fields=current.fields | {field: None}))
        else:
            letter.set_field(spec, field, value, editor="officer@example.org", now=NOW)
    text = renderer.render(action, letter, on=ON, fmt=fmt, created=NOW, signers=golden_signers(action, letter)).text
    if fmt == "html":
        text = re.sub(r"<style.*?</style>|<head.*?</head>", "", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def found(text: str, formulas) -> list[str]:
    return [formula for formula in formulas if formula in text]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_a_filled_letter_holds_no_placeholder(renderer, action_type, stage, letter_name, language, fmt):
    text = render(renderer, action_type, stage, letter_name, language, fmt)
    left = [(m.group(), text[max(0, m.start() - 30):m.end() + 30]) for m in PLACEHOLDER.finditer(text)]
    assert not left, left


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
def test_a_letter_not_in_english_holds_no_english(renderer, action_type, stage, letter_name, language):
    text = render(renderer, action_type, stage, letter_name, language).lower()  # headings are upper case in text
    english = found(text, [word.lower() for word in ENGLISH])
    assert not english, english


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", [x for x in LETTERS if x[2] in JOINT],
                         ids=[i for i, x in zip(IDS, LETTERS, strict=True) if x[2] in JOINT])
def test_a_joint_letter_speaks_as_we_never_as_i(renderer, action_type, stage, letter_name, language):
    text = render(renderer, action_type, stage, letter_name, language)
    assert not found(text, FIRST_PERSON_SINGULAR[language]), found(text, FIRST_PERSON_SINGULAR[language])
    assert found(text, FIRST_PERSON_PLURAL[language])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
def test_no_letter_mixes_i_and_we(renderer, action_type, stage, letter_name, language):
    text = render(renderer, action_type, stage, letter_name, language)
    singular, plural = found(text, FIRST_PERSON_SINGULAR[language]), found(text, FIRST_PERSON_PLURAL[language])
    assert not (singular and plural), (singular, plural)


def declared_voice(action_type: ActionType, letter_name: str, language: str) -> str:
    """The person a template states on its first line, after its voice (stages.Voice):
    `{#- voice: joint|iachr|press; person: we|I|third person: who speaks -#}`."""
    first = (default_templates_dir() / action_type.value / f"{letter_name}.{language}.j2").read_text().split("\n")[0]
    stated = re.match(r"\{#- voice: [a-z]+; person: (we|I|third person):", first)
    assert stated, f"{letter_name}.{language}.j2 does not state its voice on its first line"
    return stated.group(1)


@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
def test_each_letter_speaks_in_the_voice_its_template_states_in_all_four_languages(
        renderer, action_type, stage, letter_name):
    voices = {language: declared_voice(action_type, letter_name, language) for language in LANGUAGES}
    assert len(set(voices.values())) == 1, voices
    assert (voices["en"] == "we") is (letter_name in JOINT)  # two signature blocks: "we"
    # Where the definitions declare a letter's voice for its signature blocks (stages.Voice: joint,
    # iachr, press), the grammatical person the template states must fit it.
    fits = {"we": {"joint"}, "I": {"iachr"}, "third person": {"iachr", "press"}}[voices["en"]]
    assert stages.letter_voice(letter_name) in fits, (stages.letter_voice(letter_name), voices["en"])
    for language, voice in voices.items():
        text = render(renderer, action_type, stage, letter_name, language)
        singular, plural = found(text, FIRST_PERSON_SINGULAR[language]), found(text, FIRST_PERSON_PLURAL[language])
        if voice == "we":
            assert plural and not singular, (language, singular)
        elif voice == "I":
            assert singular and not plural, (language, plural)
        else:
            assert not re.findall(FIRST_PERSON_WORDS[language], text), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_press_release_speaks_in_the_third_person(renderer, language):
    text = render(renderer, ActionType.COUNTRY_COMMUNICATION, "press_release", "press_release", language)
    assert not re.findall(FIRST_PERSON_WORDS[language], text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("letter_name", ["resolution", "review_resolution"])
def test_the_resolutions_speak_as_the_commission_and_name_the_joint_mechanism(renderer, letter_name, language):
    stage = {"resolution": "evaluation", "review_resolution": "follow_up"}[letter_name]
    text = render(renderer, ActionType.PRECAUTIONARY_MEASURE, stage, letter_name, language)
    body = text.split("\n\n", 4)[-1]
    assert not re.findall(FIRST_PERSON_WORDS[language], body)
    commission, office = {"en": ("The Commission will inform", "High Commissioner"),
                          "es": ("La Comisión informará", "Alto Comisionado"),
                          "fr": ("La Commission informera", "Haut-Commissariat"),
                          "pt": ("A Comissão informará", "Alto Comissariado")}[language]
    assert commission in text and office in text.split(commission, 1)[1]


def structure(text_html: str) -> list[str]:
    """The sequence of headings (with their numerals), paragraphs and lists of an HTML letter."""
    body = text_html[text_html.index("<body"):]
    parts = []
    for tag, inner in re.findall(r"<(h2|p|ol|li)\b[^>]*>(.*?)(?=<)", body, flags=re.S):
        numeral = re.match(r"(I|II|III|IV|V)\.\s", inner) if tag == "h2" else None
        parts.append(tag + (f" {numeral.group(1)}" if numeral else ""))
    return parts


@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
def test_the_four_languages_of_a_letter_have_the_same_headings_in_the_same_places(
        renderer, action_type, stage, letter_name):
    shapes = {}
    for language in LANGUAGES:
        action, letter = golden_action(action_type, letter_name, stage, language)
        shapes[language] = structure(renderer.render(action, letter, on=ON, fmt="html", created=NOW,
                                                     signers=golden_signers(action, letter)).text)
    assert all(shape == shapes["en"] for shape in shapes.values()), shapes


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("decision", ["grant", "dismiss"])
@pytest.mark.parametrize("state_information", [True, False])
def test_a_resolution_numbers_its_sections_in_sequence_and_words_its_decision(
        renderer, language, decision, state_information):
    fields = {"decision": decision} | ({} if state_information else {"state_information": None})
    text = render(renderer, ActionType.PRECAUTIONARY_MEASURE, "evaluation", "resolution", language, **fields)
    numerals = re.findall(r"^(I|II|III|IV)\. ", text, flags=re.M)
    assert numerals == (["I", "II", "III", "IV"] if state_information else ["I", "II", "III"])
    assert not PLACEHOLDER.search(text.split("\n\n", 4)[-1])
    prejudgment = {"en": "do not constitute a prejudgment", "es": "no constituyen prejuzgamiento",
                   "fr": "ne constituent pas un préjugé", "pt": "não constituem prejulgamento"}[language]
    assert (prejudgment in text) is (decision == "grant")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("outcome", ["extend", "modify", "lift"])
@pytest.mark.parametrize("measures", [True, False])
def test_a_review_resolution_announces_measures_only_when_it_sets_them_out(renderer, language, outcome, measures):
    fields = {"outcome": outcome} | ({} if measures else {"measures_requested": None})
    text = render(renderer, ActionType.PRECAUTIONARY_MEASURE, "follow_up", "review_resolution", language, **fields)
    announced = {"en": "as follows", "es": "a continuación", "fr": "dans les termes suivants",
                 "pt": "a seguir"}[language]
    assert (announced in text) is (outcome == "modify" and measures)
    assert not PLACEHOLDER.search(text.split("\n\n", 4)[-1])


BLOCK = re.compile(r'<p class="signature"><strong>(.*?)</strong>')


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=IDS)
def test_a_letter_with_two_signature_blocks_has_no_singular_formula_and_every_block_names_its_signer(
        renderer, action_type, stage, letter_name, language):
    """Read from the rendered letter itself, not from its declared voice: the blocks it carries
    (two or more: no "I"), and a name in each (no vacancy, no empty block)."""
    action, letter = golden_action(action_type, letter_name, stage, language)
    page = renderer.render(action, letter, on=ON, fmt="html", created=NOW, signers=golden_signers(action, letter)).text
    names = [html.unescape(name) for name in BLOCK.findall(page)]
    assert all(name.strip() and "[" not in name for name in names), names
    if len(names) >= 2:
        text = render(renderer, action_type, stage, letter_name, language)
        assert not found(text, FIRST_PERSON_SINGULAR[language]), found(text, FIRST_PERSON_SINGULAR[language])
    voice = stages.letter_voice(letter_name)
    if voice is stages.Voice.JOINT:  # the UN mandate holders and the IACHR's signer
        assert len(names) >= 2, names
    else:
        assert len(names) == (1 if voice is stages.Voice.IACHR else 0), names
