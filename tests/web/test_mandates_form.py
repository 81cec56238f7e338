"""The letter form selects mandates with checkboxes labelled in the interface's language, joined
to codes for the use case (issue 13, part 1); a submission refused at the gate because a mandate
has no holder on the day says so on the page and writes nothing."""

import re

from tests.helpers import OFFICER

from .conftest import all_rows


def _drafting(app) -> str:  # type: ignore[no-untyped-def]
    action = app.services.open_action(type="urgent-appeal", country="HND", title="Test action", officer=OFFICER,
                                      beneficiaries=["Beneficiary One"])
    app.services.submit_stage(reference=action.reference, officer=OFFICER)  # intake → drafting
    return action.reference


def test_the_letter_form_ticks_mandates_and_saves_them_as_codes(seeded, browser):
    ref = _drafting(seeded)
    browser.sign_in(OFFICER)
    page = browser.get(f"/actions/{ref}").text
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="field_mandates" value="([^"]+)"', page)
    assert [v for _, v in boxes] == ["defenders", "expression", "assembly", "executions", "torture", "indigenous",
                                     "environment", "judges", "iachr-defenders", "iachr-expression"]
    assert boxes[0][0] == "f-urgent_appeal-mandates"  # the field's label points at the first box
    assert "Special Rapporteur on the situation of human rights defenders" in page
    assert "IACHR rapporteurships" in page

    form = {"field_mandates": ["defenders", "assembly", "iachr-defenders"], "checkboxes": "mandates"}
    assert browser.post(f"/actions/{ref}/letters/urgent_appeal", form).status_code == 303
    letter = seeded.services.get_action(ref)["letters"][0]
    assert letter["fields"]["mandates"] == "defenders,assembly,iachr-defenders"
    page = browser.get(f"/actions/{ref}").text
    assert re.search(r'value="assembly" checked', page) and not re.search(r'value="torture" checked', page)

    before = all_rows(seeded)
    untick = browser.post(f"/actions/{ref}/letters/urgent_appeal", {"checkboxes": "mandates"})
    assert untick.status_code == 422 and all_rows(seeded) == before  # none ticked: refused, not ignored
    iachr_only = browser.post(f"/actions/{ref}/letters/urgent_appeal",
                              {"field_mandates": "iachr-expression", "checkboxes": "mandates"})
    assert iachr_only.status_code == 422 and "select at least one UN mandate" in iachr_only.text
    assert all_rows(seeded) == before


def test_the_letter_form_in_spanish_names_the_mandates_in_spanish(seeded, browser):
    ref = _drafting(seeded)
    browser.sign_in(OFFICER)
    assert browser.post("/language", {"lang": "es"}).status_code == 303
    page = browser.get(f"/actions/{ref}").text
    assert "sobre la situación de los defensores de derechos humanos" in page
    assert "Relatorías Especiales del Consejo de Derechos Humanos" in page and "Relatorías de la CIDH" in page


def test_a_submission_with_a_vacant_mandate_is_refused_on_the_page_and_writes_nothing(seeded, browser):
    from tests.helpers import fill

    ref = _drafting(seeded)
    fill(seeded, ref, "urgent_appeal", values={"mandates": "defenders,judges"})
    seeded.services.end_signatory(mandate="judges", on="2026-10-31")
    browser.sign_in(OFFICER)
    browser.get(f"/actions/{ref}")
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/submit", {})
    assert response.status_code == 409
    assert "No holder of judges on 2026-11-02: the letter cannot go to its gate" in response.text
    assert all_rows(seeded) == before
    assert browser.post("/language", {"lang": "es"}).status_code == 303
    response = browser.post(f"/actions/{ref}/submit", {})
    assert "Ningún titular de judges el 2026-11-02" in response.text
