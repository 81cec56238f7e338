"""What the pages say after a decision or an edit: the reference the gate assigned, and the
approvals an edit voided — in English and in Spanish (SQLite and PostgreSQL)."""

import html

from tests.helpers import LETTERS, OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate


def _flash(page: str) -> str:
    return html.unescape(page)


def test_the_approval_that_meets_the_gate_says_the_reference_it_assigned(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    browser.post(f"/actions/{ref}/approve")
    assert "Its reference" not in _flash(browser.get(f"/actions/{ref}").text)
    another.sign_in(SUP_OHCHR)
    another.post("/language", {"lang": "es"})

    another.post(f"/actions/{ref}/approve")

    page = _flash(another.get(f"/actions/{ref}").text)
    assert f"Aprobación completa. {ref} está ahora en la etapa" in page and "Su referencia: UA HND 1/2026." in page


def test_an_edit_at_the_gate_says_whose_approval_it_voided(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    another.sign_in(SUP_OHCHR)
    another.post(f"/actions/{ref}/approve")
    browser.sign_in(OFFICER)
    fields = {f"field_{k}": v for k, v in LETTERS["urgent_appeal"].items()}

    browser.post(f"/actions/{ref}/letters/urgent_appeal", fields | {"field_concerns": "New concerns."})
    first = _flash(browser.get(f"/actions/{ref}").text)
    browser.post(f"/actions/{ref}/letters/urgent_appeal", fields | {"field_concerns": "Newer concerns."})
    second = _flash(browser.get(f"/actions/{ref}").text)

    assert f"This edit voided the approval of {SUP_OHCHR}: the stage must be approved again." in first
    assert "voided the approval" not in second


def test_decided_forms_give_way_to_the_decision_taken(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    assert f'action="/actions/{ref}/approve"' in browser.get(f"/actions/{ref}").text

    browser.post(f"/actions/{ref}/approve")

    mine = _flash(browser.get(f"/actions/{ref}").text)
    assert f'action="/actions/{ref}/approve"' not in mine and f'action="/actions/{ref}/reject"' not in mine
    assert 'id="not-deciding"' in mine and "already decided on round 1" in mine
    another.sign_in(SUP_IACHR)
    theirs = another.get(f"/actions/{ref}").text  # the other organisation still decides
    assert f'action="/actions/{ref}/approve"' in theirs and 'id="not-deciding"' not in theirs
