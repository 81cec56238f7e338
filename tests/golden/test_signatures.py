"""What letters say of their signers: the heading, the capacity phrase and the signature blocks with
one, two and three mandate holders of mixed gender, in four languages (a reviewed golden file);
each template's stated voice; the blocks each voice carries in every rendered letter.

Regenerate the golden file after a deliberate change with COORDINATION_UPDATE_GOLDEN=1, then read the diff."""

import re
from html import unescape

import pytest

from coordination.adapters import signatures
from coordination.adapters.renderer import LetterRenderer
from coordination.config import default_templates_dir
from coordination.domain.mandates import Signer, resolve_signers, signing_codes
from coordination.domain.stages import DEFINITIONS
from coordination.fictional import FICTIONAL_HOLDERS

from .test_golden import HERE, LANGUAGES, LETTERS, NOW, ON, UPDATE, golden_action, golden_signers

GOLDEN = HERE / "expected" / "signatures.tsv"
# selections of a joint letter, by the genders of their UN holders on the golden day (fictional.py)
CASES = {
    "one-f": "defenders",  # Ana Example
    "one-m": "assembly",  # Tomás Ejemplar
    "two-fm": "defenders,assembly",
    "two-ff": "expression,executions",  # Lucía Muestra, Marie Exemple
    "three-fmf": "executions,torture,judges,iachr-defenders,iachr-expression",  # + Julián Muestra, Beatriz Exemplo
    "three-mmm-iachr": "assembly,torture,environment,iachr-expression",
}
BLOCK = re.compile(r'<p class="signature"><strong>(.*?)</strong><br>(.*?)</p>')


def signers_of(selection: str) -> list[Signer]:
    return resolve_signers(signing_codes("joint", selection), FICTIONAL_HOLDERS, ON)


def rows() -> list[str]:
    lines = ["case\tlanguage\tpart\ttext"]
    for case, selection in CASES.items():
        signers = signers_of(selection)
        for language in LANGUAGES:
            parts = dict(signatures.phrases(signers, language))
            parts.update({f"block {n}": " / ".join(b.lines)
                          for n, b in enumerate(signatures.blocks(signers, language), 1)})
            lines += [f"{case}\t{language}\t{part}\t{text}" for part, text in parts.items()]
    return lines


def test_heading_capacity_and_blocks_match_their_reviewed_golden_file():
    text = "\n".join(rows()) + "\n"
    if UPDATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.is_file(), "no golden file: run with COORDINATION_UPDATE_GOLDEN=1 and review it"
    assert text == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize("language,expected", [
    ("en", "Mandates of the Special Rapporteur on the promotion and protection of the right to freedom of opinion "
           "and expression and the Special Rapporteur on extrajudicial, summary or arbitrary executions"),
    ("es", "Mandatos de la Relatora Especial sobre la promoción y protección del derecho a la libertad de opinión "
           "y de expresión y de la Relatora Especial sobre las ejecuciones extrajudiciales, sumarias o arbitrarias"),
])
def test_the_heading_agrees_with_two_women(language, expected):
    assert signatures.heading(signers_of(CASES["two-ff"]), language) == expected


def test_the_capacity_phrase_names_one_resolution_in_the_singular():
    one = signers_of("assembly")
    assert signatures.capacity(one, "es").endswith(", de conformidad con la resolución 50/17 del Consejo de Derechos "
                                                    "Humanos")
    assert signatures.capacity(one, "fr").endswith(", conformément à la résolution 50/17 du Conseil des droits de "
                                                    "l'homme")
    assert signatures.capacity(one, "en").startswith("in our capacity as Special Rapporteur on the rights")
    assert signatures.capacity(signers_of("defenders,assembly"), "en").startswith("in our capacities as ")


def test_three_titles_are_separated_by_semicolons_as_the_un_writes_them():
    heading = signatures.heading(signers_of("executions,torture,judges"), "es")
    assert heading == ("Mandatos de la Relatora Especial sobre las ejecuciones extrajudiciales, sumarias o arbitrarias; "
                       "del Relator Especial sobre la tortura y otros tratos o penas crueles, inhumanos o degradantes "
                       "y de la Relatora Especial sobre la independencia de los magistrados y abogados")


def test_the_iachr_rapporteurs_are_named_with_a_possessive_agreeing_with_each():
    signers = signers_of(CASES["three-fmf"])
    assert signatures.jointly(signers, "fr") == (
        "conjointement avec la Commission interaméricaine des droits de l'homme, son Rapporteur sur les défenseurs "
        "des droits humains et les opérateurs de justice et sa Rapporteuse spéciale pour la liberté d'expression")
    assert "seu Relator sobre" in signatures.jointly(signers, "pt")
    assert "sua Relatora Especial para" in signatures.jointly(signers, "pt")


@pytest.mark.parametrize("following,expected", [("Italia", "e"), ("hijos", "e"), ("Ígor", "e"), ("hielo", "y"),
                                                ("Honduras", "y"), ("del Relator", "y")])
def test_spanish_and_turns_e_before_the_sound_i(following, expected):
    assert signatures.conjunction("es", following) == expected


def test_a_plural_of_the_signers_is_feminine_only_when_every_one_is():
    assert signatures.plural_gender(signers_of("expression")[:1]) == "f"
    assert signatures.plural_gender(signers_of("defenders,assembly")) == "m"  # a mixed plural
    assert signatures.plural_gender(signers_of("expression,executions")) == "f"  # with Carmen Ejemplo


# ---------------------------------------------------------------- templates and rendered letters


TEMPLATES = [(d, letter) for d in DEFINITIONS.values() for s in d.stages for letter in s.letters]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("definition,letter", TEMPLATES, ids=[f"{d.type.value}/{lt.name}" for d, lt in TEMPLATES])
def test_each_template_states_the_voice_of_its_letter(definition, letter, language):
    path = default_templates_dir() / definition.type.value / f"{letter.name}.{language}.j2"
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith(f"{{#- voice: {letter.voice.value}; person: ")


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(default_templates_dir())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=[f"{t.value}/{n}" for t, _, n in LETTERS])
def test_each_voice_carries_its_blocks_each_with_a_named_signer(renderer, action_type, stage, letter_name, language):
    action, letter = golden_action(action_type, letter_name, stage, language)
    signers = golden_signers(action, letter)
    html = renderer.render(action, letter, on=ON, fmt="html", created=NOW, signers=signers).text
    blocks = [(unescape(name), unescape(lines)) for name, lines in BLOCK.findall(html)]
    voice = action.definition.letter(letter_name).voice.value
    iachr = signatures.IACHR_NAME[language]
    if voice == "press":
        assert blocks == [] and 'class="signatures"' not in html
    elif voice == "iachr":
        assert len(blocks) == 1 and blocks[0][0] == "Carmen Ejemplo" and blocks[0][1].endswith(iachr)
    else:
        assert len(blocks) >= 2 and [name for name, _ in blocks] == [s.name for s in signers]
        assert all(name.strip() and "[" not in name for name, _ in blocks)  # no block without its signer
        assert blocks[-1][1].endswith(iachr) and not blocks[0][1].endswith(iachr)


def test_a_vacant_mandate_shows_its_title_and_a_marker(renderer):
    t, stage, name = next(x for x in LETTERS if x[2] == "urgent_appeal")
    action, letter = golden_action(t, name, stage, "es")
    signers = golden_signers(action, letter)
    signers[0] = Signer(signers[0].mandate, signers[0].organisation, "", "f", signers[0].titles, signers[0].resolution)
    text = renderer.render(action, letter, on=ON, fmt="txt", created=NOW, signers=signers).text
    assert "[vacante]\nRelatora Especial sobre la situación de los defensores de derechos humanos\n" in text


def test_without_signers_every_block_of_the_voice_is_shown_vacant(renderer):
    t, stage, name = next(x for x in LETTERS if x[2] == "communication")
    action, letter = golden_action(t, name, stage, "en")
    text = renderer.render(action, letter, on=ON, fmt="txt", created=NOW).text
    assert text.count("[vacant]") == 4  # two UN mandates, the IACHR rapporteur, the Executive Secretary
    assert "Mandates of the Special Rapporteur on the situation of human rights defenders and" in text


def test_an_iachr_letter_given_every_signer_still_carries_the_iachr_block_alone(renderer):
    t, stage, name = next(x for x in LETTERS if x[2] == "acknowledgement")
    action, letter = golden_action(t, name, stage, "pt")
    html = renderer.render(action, letter, on=ON, fmt="html", created=NOW, signers=signers_of("defenders")).text
    assert [n for n, _ in BLOCK.findall(html)] == ["Carmen Ejemplo"]
    assert "Ana Example" not in html and 'content="Escritório' not in html  # nor among the PDF's authors
    assert signatures.for_voice(signers_of("defenders"), "press") == []
