"""The new-action form offers each action type's own letter languages, read from the domain's
definitions, and a refusal is worded with the form's labels (issue 11)."""

import html
import json
import re

from coordination.domain import DEFINITIONS, ActionType
from tests.helpers import OFFICER

from .conftest import all_rows


def _language_select(page: str) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """The per-type lists the page carries, and the languages it offers and hides now."""
    select = re.search(r'<select id="language"[^>]*data-languages=\'([^\']*)\'[^>]*>(.*?)</select>', page, re.DOTALL)
    assert select, "no language select with its per-type lists"
    by_type = json.loads(html.unescape(select.group(1)))
    options = re.findall(r'<option value="([a-z]+)"([^>]*)>', select.group(2))
    offered = [code for code, attributes in options if "disabled" not in attributes]
    hidden = [code for code, attributes in options if "hidden" in attributes and "disabled" in attributes]
    return by_type, offered, hidden


def test_the_page_carries_each_types_languages_and_offers_those_of_the_type_shown(browser):
    browser.sign_in(OFFICER)
    page = browser.get("/actions/new").text
    by_type, offered, hidden = _language_select(page)
    assert by_type == {t.value: list(DEFINITIONS[t].languages) for t in ActionType}
    first = ActionType(re.search(r'<select id="type"[^>]*>\s*<option value="([^"]+)"', page).group(1))
    assert offered == list(DEFINITIONS[first].languages) and hidden == []
    assert '<script src="/static/new_action.js" defer></script>' in page
    assert browser.get("/static/new_action.js").status_code == 200


def test_an_urgent_appeal_in_portuguese_is_refused_and_the_form_then_offers_the_urgent_appeals_languages(
        seeded, browser):
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    response = browser.post("/actions", {"type": "urgent-appeal", "country": "BRA", "title": "T", "language": "pt"})
    assert response.status_code == 422
    assert "Letter language: urgent appeals are written in en, es, fr, not &#39;pt&#39;" in response.text
    _, offered, hidden = _language_select(response.text)
    assert offered == ["en", "es", "fr"] and hidden == ["pt"]
    assert all_rows(seeded) == before


def test_the_refusal_is_led_by_the_label_in_the_pages_language(browser):
    browser.sign_in(OFFICER)
    browser.post("/language", {"lang": "es", "next": "/actions/new"})
    response = browser.post("/actions", {"type": "urgent-appeal", "country": "HND", "title": " "})
    assert response.status_code == 422
    assert 'Título interno breve: <span lang="en">a joint action needs a title</span>' in response.text  # marked English
