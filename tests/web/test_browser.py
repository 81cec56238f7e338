"""The web app in headless Chromium: an urgent appeal from the officer's draft to both supervisors'
approval, and the refusals a person meets in the browser."""

import re

import pytest

from tests.helpers import LETTERS, OFFICER, SUP_IACHR, SUP_OHCHR, SUP_OHCHR_2, open_at_gate

from .conftest import PASSWORD
from .live import PHONE, fits, served

FIELD_LABELS = {
    "mandates": "Mandates of the signatories", "subject": "Subject", "facts": "Information received",
    "concerns": "Concerns", "questions": "Questions to the Government (one per line)",
    "interim_measures": "Interim measures requested",
}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One app and one uvicorn server on a free loopback port for all the browser tests."""
    with served(tmp_path_factory.mktemp("web-live"), PASSWORD) as (app, url, _):
        yield app, url


def _approve(page, ref: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/actions/{ref}")
    if comment:
        page.get_by_label("Comment (optional)").fill(comment)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()


def test_an_urgent_appeal_goes_from_the_officer_to_both_supervisors(live, as_user):
    from playwright.sync_api import expect

    officer = as_user(OFFICER)
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Open an action").click()
    officer.get_by_label("Type").select_option("urgent-appeal")
    officer.get_by_label("State (ISO 3166-1 alpha-3 code, e.g. HND)").fill("HND")
    officer.get_by_label("Short internal title").fill("Threats after a land-rights meeting")
    officer.get_by_label("Beneficiaries (one per line)").fill("Browser Defender")
    officer.get_by_role("button", name="Open", exact=True).click()
    officer.wait_for_url(re.compile(r"/actions/JAM-\d{4}-\d{4}$"))
    ref = officer.url.rsplit("/", 1)[1]
    officer.get_by_role("button", name="Submit stage intake").click()
    expect(officer.locator("#stage")).to_have_text("drafting")

    officer.get_by_text("Edit the letter's fields").click()
    for field, label in FIELD_LABELS.items():
        if field == "mandates":  # a group of boxes, one per mandate, named by the group's legend
            group = officer.get_by_role("group", name=label, exact=True)
            group.get_by_label("Special Rapporteur on the situation of human rights defenders").check()
            continue
        officer.get_by_label(label, exact=True).fill(LETTERS["urgent_appeal"][field])
    officer.get_by_role("button", name="Save the letter").click()
    expect(officer.get_by_role("status")).to_contain_text("Urgent appeal to the Government is now version 2")  # one save, one version
    officer.get_by_role("button", name="Submit stage drafting").click()
    expect(officer.locator("#stage")).to_have_text("joint approval")

    ohchr = as_user(SUP_OHCHR)
    ohchr.goto(f"/actions/{ref}")  # reads version 3 of the letter: version 2 with its signers bound at the submission
    letter = ohchr.frame_locator("iframe.letter-frame")
    expect(letter.locator("html")).to_have_attribute("lang", "es")  # the State's language
    expect(letter.locator(".letterhead")).to_contain_text("NACIONES UNIDAS")

    iachr = as_user(SUP_IACHR)
    iachr.goto("/")
    iachr.get_by_role("link", name=ref).click()
    iachr.get_by_label("Comment (optional)").fill("Agreed for the IACHR.")
    iachr.get_by_role("button", name="Approve").click()
    expect(iachr.get_by_role("status")).to_contain_text("still awaits the other organisation's approval")

    officer.goto(f"/actions/{ref}")
    officer.get_by_text("Edit the letter's fields").click()
    officer.get_by_label("Concerns", exact=True).fill("We are gravely concerned about the threats.")
    officer.get_by_role("button", name="Save the letter").click()
    expect(officer.get_by_role("status")).to_contain_text("version 4")
    _approve(iachr, ref, "Agreed again after the edit.")  # the edit voided the first approval

    ohchr.goto("/")
    expect(ohchr.get_by_role("link", name=ref)).to_be_visible()
    ohchr.get_by_role("link", name=ref).click()
    changes = ohchr.get_by_role("region", name="Changes")
    expect(changes).to_contain_text("Changes since version 3, the last you saw or decided on (now version 4)")
    expect(changes.locator("del")).to_contain_text("We are concerned.")
    expect(changes.locator("ins")).to_contain_text("We are gravely concerned about the threats.")
    ohchr.get_by_role("button", name="Approve").click()
    expect(ohchr.get_by_role("status")).to_contain_text(f"Gate met. {ref} is now at stage dispatch.")
    expect(ohchr.locator("#stage")).to_have_text("dispatch")
    expect(ohchr.locator(".stepper [aria-current=step]")).to_have_text("dispatch")
    assert live[0].services.get_action(ref)["references"][1].startswith("UA HND ")


def test_a_supervisor_of_an_organisation_that_has_decided_sees_the_decision_taken_not_the_forms(live, as_user):
    """The decided forms give way to the decision taken (issue 12): no button that would answer 403."""
    from playwright.sync_api import expect

    app = live[0]
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    other = as_user(SUP_OHCHR_2)
    other.goto(f"/actions/{ref}")
    expect(other.get_by_role("button", name="Approve")).to_have_count(0)
    expect(other.get_by_role("button", name="Reject")).to_have_count(0)
    expect(other.locator("#not-deciding")).to_have_text(
        "OHCHR has already approved round 1 of stage joint_approval; the decision now rests with IACHR")
    expect(other.locator("#org-ohchr")).to_contain_text(SUP_OHCHR)  # the decision taken, by whom
    assert app.services.get_action(ref)["status"] == "awaiting_approval"


def test_a_form_posted_without_its_csrf_token_is_refused(live, as_user):
    from playwright.sync_api import expect

    app = live[0]
    ref = open_at_gate(app, "urgent-appeal")
    iachr = as_user(SUP_IACHR)
    iachr.goto(f"/actions/{ref}")
    iachr.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove())")
    with iachr.expect_response(f"**/actions/{ref}/approve") as answer:
        iachr.get_by_role("button", name="Approve").click()
    assert answer.value.status == 403
    expect(iachr.get_by_role("heading", level=1)).to_have_text("Form refused")
    assert app.services.get_action(ref)["approvals"] == []


def test_a_signed_out_visitor_is_sent_to_sign_in_and_then_to_the_page_asked_for(live, chromium):
    from playwright.sync_api import expect

    ref = open_at_gate(live[0], "urgent-appeal")
    context = chromium.new_context(base_url=live[1], locale="es-ES")
    try:
        page = context.new_page()
        page.goto(f"/actions/{ref}")
        assert "/sign-in?next=" in page.url
        expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")  # Accept-Language: es
        page.get_by_label("Correo electrónico").fill(SUP_IACHR)
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_label("Contraseña").press("Enter")
        page.wait_for_url(f"**/actions/{ref}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(ref)
        expect(page.get_by_role("button", name="Aprobar")).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator(".skip")).to_be_focused()  # the skip link comes first for keyboard users
        page.keyboard.press("Enter")
        expect(page.locator("#main")).to_be_focused()
    finally:
        context.close()


def test_the_pages_fit_a_phone_screen(live, as_user):
    ref = open_at_gate(live[0], "urgent-appeal")
    phone = as_user(SUP_IACHR, viewport=PHONE)
    for path in ("/", f"/actions/{ref}", "/overview"):
        phone.goto(path)
        fits(phone)


def test_the_new_action_form_offers_only_the_chosen_types_letter_languages(live, as_user):
    page = as_user(OFFICER)
    page.goto("/actions/new")
    enabled = "[...document.querySelectorAll('#language option')].filter(o => o.value && !o.disabled).map(o => o.value)"
    page.select_option("#type", "precautionary-measure")
    page.select_option("#language", "pt")
    page.select_option("#type", "urgent-appeal")
    assert page.evaluate(enabled) == ["en", "es", "fr"]
    assert page.input_value("#language") == ""  # Portuguese was chosen: back to the State's language
    page.select_option("#type", "country-communication")
    assert page.evaluate(enabled) == ["en", "es", "fr", "pt"]
