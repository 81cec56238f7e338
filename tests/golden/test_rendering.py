"""Rendering safety and formats: user text is data, HTML is escaped, PDFs are reproducible."""

from dataclasses import replace
from datetime import date

import pytest

from coordination.adapters.renderer import LetterRenderer
from coordination.config import default_templates_dir
from coordination.domain import ActionType, InvalidInput

from .test_golden import NOW, golden_action

ON = date(2026, 11, 2)
HOSTILE = {
    "expression": "{{ 7*7 }}",
    "statement": "{% for x in range(3) %}loop{% endfor %}",
    "attribute": "{{ ''.__class__.__mro__ }}",
    "script": "<script>alert('x')</script>",
}


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(default_templates_dir())


def _appeal_with(facts: str, subject: str = "threats"):
    action, letter = golden_action(ActionType.URGENT_APPEAL, "urgent_appeal", "drafting", "en")
    spec = action.definition.letter("urgent_appeal")
    letter.set_field(spec, "facts", facts, editor="officer@example.org", now=NOW)
    letter.set_field(spec, "subject", subject, editor="officer@example.org", now=NOW)
    return action, letter


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_template_syntax_in_a_field_is_shown_as_written_and_never_executed(renderer, name):
    action, letter = _appeal_with(HOSTILE[name])
    text = renderer.render(action, letter, on=ON, fmt="txt").text
    assert HOSTILE[name] in text
    assert "49" not in text and "looploop" not in text and "<class" not in text


def test_html_in_a_field_is_escaped_in_the_html_letter(renderer):
    action, letter = _appeal_with(HOSTILE["script"], subject="<b>bold</b>")
    html = renderer.render(action, letter, on=ON, fmt="html").text
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_cr_lf_in_a_subject_field_leaves_the_subject_on_one_line(renderer):
    action, letter = _appeal_with("facts", subject="threats\r\nBcc: attacker@evil.test")
    rendered = renderer.render(action, letter, on=ON, fmt="html")
    assert "\r" not in rendered.subject and "\n" not in rendered.subject
    assert rendered.subject.endswith("threats Bcc: attacker@evil.test")
    assert "<title>" + rendered.subject.replace("·", "·") in rendered.text


def test_a_draft_shows_which_required_fields_are_missing(renderer):
    action, letter = golden_action(ActionType.URGENT_APPEAL, "urgent_appeal", "drafting", "en")
    letter.versions[:] = letter.versions[:1]  # back to the empty first version
    text = renderer.render(action, letter, on=ON).text
    assert "[facts]" in text and "[questions]" in text and "None" not in text


def test_the_pdf_of_the_same_version_is_byte_for_byte_the_same(renderer):
    action, letter = golden_action(ActionType.PRECAUTIONARY_MEASURE, "resolution", "evaluation", "es")
    html = renderer.render(action, letter, on=ON, fmt="html", created=NOW).text
    first, second = renderer.pdf(html), renderer.pdf(html)
    assert first.startswith(b"%PDF-") and first == second
    other = renderer.render(action, letter, on=date(2026, 11, 3), fmt="html", created=NOW).text
    assert renderer.pdf(other) != first  # a different letter is a different document


def test_dates_and_state_names_follow_the_letter_language(renderer):
    for language, expected_date, state in [("en", "2 November 2026", "Jamaica"), ("es", "2 de noviembre de 2026", "Honduras"),
                                           ("fr", "2 novembre 2026", "Haïti"), ("pt", "2 de novembro de 2026", "Brasil")]:
        action, letter = golden_action(ActionType.COUNTRY_COMMUNICATION, "communication", "drafting", language)
        text = renderer.render(action, letter, on=ON).text
        assert expected_date in text and state in text, language


def test_a_state_name_follows_the_language_the_letter_is_rendered_in(renderer):
    action, letter = golden_action(ActionType.COUNTRY_COMMUNICATION, "communication", "drafting", "en")
    action = replace(action, country="BRA")
    assert "Brazil" in renderer.render(action, letter, on=ON).text
    assert "Brésil" in renderer.render(action, letter, on=ON, language="fr").text


def test_an_unknown_format_or_language_is_refused(renderer):
    action, letter = golden_action(ActionType.URGENT_APPEAL, "urgent_appeal", "drafting", "en")
    with pytest.raises(InvalidInput, match="format"):
        renderer.render(action, letter, on=ON, fmt="docx")
    with pytest.raises(InvalidInput, match="language"):
        renderer.render(action, letter, on=ON, language="de")
