"""Counted phrases follow CLDR plural rules (Babel): "1 día" and "2 días", never "1 días"."""

import re

import pytest

from coordination.adapters.renderer import counted

from .test_golden import LANGUAGES, LETTERS, NOW, ON, golden_action, renderer  # noqa: F401  (the module's fixture)

DAY = {"en": ("day", "days"), "es": ("día", "días"), "fr": ("jour", "jours"), "pt": ("dia", "dias")}
COUNTING = [(t, s, name) for t, s, name in LETTERS if "reply_within_days" in
            {f.name for f in golden_action(t, name, s, "en")[0].definition.letter(name).fields}]


def test_some_letter_counts_days():
    assert COUNTING  # the request for information asks for a reply within n days


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=[f"{t.value}/{l}" for t, _, l in LETTERS])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_each_letter_says_1_day_and_2_days_in_each_language(renderer, action_type, stage, letter_name, language, fmt):  # noqa: F811
    singular, plural = DAY[language]
    for days, word in [(1, singular), (2, plural)]:
        action, letter = golden_action(action_type, letter_name, stage, language)
        spec = action.definition.letter(letter_name)
        if any(f.name == "reply_within_days" for f in spec.fields):
            letter.set_field(spec, "reply_within_days", str(days), editor="officer@example.org", now=NOW)
        text = " ".join(renderer.render(action, letter, on=ON, fmt=fmt, created=NOW).text.split())
        if (action_type, stage, letter_name) in COUNTING:
            assert re.search(rf"\b{days} {word}\b", text), (days, word)
        assert not re.search(rf"\b1 {plural}\b", text)  # never "1 días", whatever the letter


@pytest.mark.parametrize("language,number,expected", [
    ("en", 1, "1 day"), ("en", 0, "0 days"), ("es", 1, "1 día"), ("es", 21, "21 días"),
    ("fr", 1, "1 jour"), ("fr", 0, "0 jour"), ("fr", 2, "2 jours"), ("pt", 1, "1 dia"), ("pt", 10, "10 dias"),
])
def test_counted_uses_the_cldr_category_of_the_number(language, number, expected):
    assert counted(number, language, dict(zip(("one", "other"), DAY[language], strict=True))) == expected
