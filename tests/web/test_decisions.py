"""Decisions and casework through the pages: the services' rules and refusals, with their HTTP status,
and nothing written when a form is refused."""

import hashlib
import re

from tests.helpers import LETTERS, OFFICER, OFFICER_IACHR, SUP_IACHR, SUP_OHCHR, SUP_OHCHR_2, dispatched, open_at_gate

from .conftest import all_rows


def _stage(seeded, ref: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    view = seeded.services.get_action(ref)
    return view["stage"], view["status"]


def test_both_supervisors_approve_and_the_action_moves_to_its_next_stage(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    response = browser.post(f"/actions/{ref}/approve", {"comment": "Fine for the IACHR."})
    assert response.status_code == 303 and response.headers["location"] == f"/actions/{ref}"
    page = browser.get(f"/actions/{ref}").text
    assert "still awaits the other organisation" in page and "Fine for the IACHR." in page
    another.sign_in(SUP_OHCHR)
    another.post(f"/actions/{ref}/approve")
    page = another.get(f"/actions/{ref}").text
    assert "Gate met." in page
    assert _stage(seeded, ref) == ("dispatch", "ready")
    assert re.search(r'id="stage">dispatch<', page)


def test_a_supervisor_of_an_organisation_that_has_already_approved_cannot_decide(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    browser.post(f"/actions/{ref}/approve")
    another.sign_in(SUP_OHCHR_2)
    before = all_rows(seeded)
    response = another.post(f"/actions/{ref}/approve")
    assert response.status_code == 403
    assert "OHCHR has already approved round 1 of stage joint_approval" in response.text  # the CLI's words
    assert 'role="alert"' in response.text and ref in response.text  # shown in the action page
    response = another.post(f"/actions/{ref}/reject", {"comment": "no"})
    assert response.status_code == 403
    assert all_rows(seeded) == before


def test_an_officer_cannot_decide_and_the_submitter_cannot_either(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/approve")
    assert response.status_code == 403 and "only supervisors can" in response.text
    assert "Your decision for" not in response.text  # no decision form for an officer
    assert all_rows(seeded) == before


def test_a_rejection_without_a_comment_is_refused_with_422_and_writes_nothing(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/reject", {"comment": "   "})
    assert response.status_code == 422 and "a rejection needs a comment" in response.text
    response = browser.post(f"/actions/{ref}/reject", {})
    assert response.status_code == 422
    assert all_rows(seeded) == before
    response = browser.post(f"/actions/{ref}/reject", {"comment": "Name the mandate holders."})
    assert response.status_code == 303
    assert _stage(seeded, ref) == ("drafting", "in_progress")


def test_an_unknown_action_is_404_for_pages_and_forms(seeded, browser):
    browser.sign_in(SUP_IACHR)
    assert browser.get("/actions/JAM-2026-9999").status_code == 404
    assert browser.get("/actions/JAM-2026-9999/letters/urgent_appeal").status_code == 404
    before = all_rows(seeded)
    for path in ("approve", "reject", "submit", "skip", "reply", "letters/urgent_appeal"):
        response = browser.post(f"/actions/JAM-2026-9999/{path}", {"comment": "x", "reason": "x",
                                                                    "received_on": "2026-11-01"})
        assert response.status_code == 404, path
        assert "unknown joint action" in response.text
    assert all_rows(seeded) == before


def test_an_unknown_letter_or_format_is_refused(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    assert browser.get(f"/actions/{ref}/letters/press_release").status_code == 404
    assert browser.get(f"/actions/{ref}/letters/urgent_appeal?format=docx").status_code == 422
    assert browser.get(f"/actions/{ref}/letters/urgent_appeal?language=xx").status_code == 422


def test_an_officer_opens_an_action_through_the_form(seeded, browser):
    browser.sign_in(OFFICER)
    assert browser.get("/actions/new").status_code == 200
    response = browser.post("/actions", {"type": "urgent-appeal", "country": "hnd", "title": "Threats",
                                         "beneficiaries": "A. Defender\n\nB. Defender"})
    assert response.status_code == 303 and response.headers["location"] == "/actions/JAM-2026-0001"
    view = seeded.services.get_action("JAM-2026-0001")
    assert (view["country"], view["language"], view["beneficiaries"]) == ("HND", "es", ["A. Defender", "B. Defender"])
    assert view["opened_by"] == OFFICER


def test_opening_with_bad_input_is_422_and_writes_nothing(seeded, browser):
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    for form in ({"type": "urgent-appeal", "country": "XXX", "title": "T"},
                 {"type": "urgent-appeal", "country": "HND", "title": "  "},
                 {"type": "press-release", "country": "HND", "title": "T"},
                 {"type": "urgent-appeal", "country": "HND", "title": "T", "language": "pt"},
                 {"type": "urgent-appeal", "country": "HND"}):
        response = browser.post("/actions", form)
        assert response.status_code == 422, form
        if form["country"] == "XXX":
            assert "unknown country code" in response.text.lower() or "XXX" in response.text
            assert 'value="XXX"' in response.text  # what was typed is kept
    assert all_rows(seeded) == before


def test_an_officer_edits_letter_fields_in_one_version_per_save_and_submits(seeded, browser):
    ref = seeded.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                               beneficiaries=["B"]).reference
    browser.sign_in(OFFICER)
    assert browser.post(f"/actions/{ref}/submit").status_code == 303  # intake → drafting
    page = browser.get(f"/actions/{ref}").text
    assert 'name="field_facts"' in page and 'for="f-urgent_appeal-facts"' in page
    form = {f"field_{k}": v.replace("\n", "\r\n") for k, v in LETTERS["urgent_appeal"].items()}
    response = browser.post(f"/actions/{ref}/letters/urgent_appeal", form)
    assert response.status_code == 303
    letter = seeded.services.get_action(ref)["letters"][0]
    assert letter["version"] == 2  # one save of every field: one version
    assert letter["fields"]["questions"] == "First question?\nSecond question?"
    edits = [e for e in seeded.services.get_action(ref)["history"] if e["event"] == "LetterEdited"]
    assert len(edits) == 1 and edits[0]["details"]["version"] == 2
    assert browser.post(f"/actions/{ref}/letters/urgent_appeal", form).status_code == 303  # the same again
    assert "Nothing changed." in browser.get(f"/actions/{ref}").text
    assert seeded.services.get_action(ref)["letters"][0]["version"] == 2  # no change, no version
    response = browser.post(f"/actions/{ref}/letters/urgent_appeal",
                            {**form, "field_facts": "Other facts.", "field_concerns": "Other concerns."})
    assert response.status_code == 303
    changes = browser.get(f"/actions/{ref}?diff=urgent_appeal&from=2").text
    assert "<ins>+Other facts.</ins>" in changes and "<ins>+Other concerns.</ins>" in changes
    assert seeded.services.get_action(ref)["letters"][0]["version"] == 3
    assert browser.post(f"/actions/{ref}/submit").status_code == 303
    assert _stage(seeded, ref) == ("joint_approval", "awaiting_approval")


def test_a_letter_form_with_one_bad_field_writes_none_of_its_fields(seeded, browser):
    ref = open_at_gate(seeded, "precautionary-measure")
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/letters/request_for_information",
                            {"field_facts": "New facts.", "field_reply_within_days": "a week"})
    assert response.status_code == 422 and "whole number of days" in response.text
    assert "New facts." in response.text  # what was typed is kept in the form
    response = browser.post(f"/actions/{ref}/letters/request_for_information", {"field_facts": ""})
    assert response.status_code == 422 and "cannot be empty" in response.text
    assert all_rows(seeded) == before


def test_submitting_incomplete_letters_is_refused_with_409(seeded, browser):
    ref = seeded.services.open_action(type="country-communication", country="GTM", title="T",
                               officer=OFFICER).reference
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/submit")
    assert response.status_code == 409 and "required letter fields are not set" in response.text
    assert all_rows(seeded) == before


def test_the_diff_since_the_version_last_seen_is_shown_to_the_supervisor(seeded, browser, another):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    first = browser.get(f"/actions/{ref}").text
    assert "the last you saw" not in first
    version = seeded.services.get_action(ref)["letters"][0]["version"]
    another.sign_in(OFFICER)
    another.post(f"/actions/{ref}/letters/urgent_appeal", {"field_concerns": "We are gravely concerned."})
    page = browser.get(f"/actions/{ref}").text
    assert f"Changes since version {version}, the last you saw or decided on (now version {version + 1})" in page
    assert "<del>-We are concerned.</del>" in page and "<ins>+We are gravely concerned.</ins>" in page
    assert "the last you saw" in browser.get(f"/actions/{ref}").text  # still shown on reloading
    compare = browser.get(f"/actions/{ref}?diff=urgent_appeal&from=1").text
    assert f"Changes from version 1 to version {version + 1}" in compare


def test_a_reply_is_recorded_and_a_bad_date_is_422(seeded, browser, clock):
    ref = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    seeded.services.advance_action(reference=ref)
    clock.advance(days=3)
    browser.sign_in(OFFICER_IACHR)
    page = browser.get(f"/actions/{ref}").text
    assert 'name="received_on"' in page and "Download PDF" in page
    before = all_rows(seeded)
    assert browser.post(f"/actions/{ref}/reply", {"received_on": "yesterday"}).status_code == 422
    assert browser.post(f"/actions/{ref}/reply", {"received_on": "2030-01-01"}).status_code == 422
    assert all_rows(seeded) == before
    response = browser.post(f"/actions/{ref}/reply", {"received_on": "2026-11-04", "acknowledgement_only": "1"})
    assert response.status_code == 303
    assert _stage(seeded, ref) == ("publication", "waiting")
    assert seeded.services.get_action(ref)["replies"][0]["acknowledgement_only"] is True


def test_a_stage_is_skipped_with_its_reason_and_not_without(seeded, browser):
    ref = open_at_gate(seeded, "precautionary-measure")
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    assert browser.post(f"/actions/{ref}/skip", {"reason": ""}).status_code == 422
    assert all_rows(seeded) == before
    assert browser.post(f"/actions/{ref}/skip", {"reason": "Immediate harm."}).status_code == 303
    assert _stage(seeded, ref) == ("evaluation", "in_progress")


def test_letters_render_in_their_language_as_html_text_and_pdf(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    html = browser.get(f"/actions/{ref}/letters/urgent_appeal")
    assert html.status_code == 200 and 'lang="es"' in html.text
    assert "default-src 'none'" in html.headers["content-security-policy"]  # and the page frames it sandboxed
    text = browser.get(f"/actions/{ref}/letters/urgent_appeal?format=txt&language=en")
    assert text.headers["content-type"].startswith("text/plain") and "Excellency" in text.text
    pdf = browser.get(f"/actions/{ref}/letters/urgent_appeal?format=pdf")
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]


def test_a_dispatched_letter_shows_the_sha256_of_its_pdf_next_to_the_download_link(seeded, browser):
    """Anyone holding the PDF the State received can compare its sha256 with the page's (issue 13, part 7)."""
    waiting = open_at_gate(seeded, "urgent-appeal")
    ref = dispatched(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    assert "pdf-sha256" not in browser.get(f"/actions/{waiting}").text  # not dispatched: no hash yet

    page = browser.get(f"/actions/{ref}").text
    pdf = browser.get(f"/actions/{ref}/letters/urgent_appeal?format=pdf").content

    digest = hashlib.sha256(pdf).hexdigest()
    assert f'PDF/A as dispatched, SHA-256 <code class="hash">{digest}</code>' in page


def test_the_action_page_offers_each_letter_in_every_other_language(seeded, browser):
    import re

    ref = open_at_gate(seeded, "urgent-appeal")  # its letters in Spanish, the State's language
    browser.sign_in(SUP_IACHR)
    page = browser.get(f"/actions/{ref}").text
    links = re.findall(r'href="(/actions/[^"]+/letters/urgent_appeal\?format=html&amp;language=(\w+))"', page)
    assert sorted(code for _, code in links) == ["en", "fr", "pt"]  # not Spanish: that is the letter itself
    openings = {"en": "Excellency", "fr": "Excellence", "pt": "Excelência"}
    for link, code in links:
        letter = browser.get(link.replace("&amp;", "&"))
        assert letter.status_code == 200 and f'lang="{code}"' in letter.text and openings[code] in letter.text


FORMS = {  # every casework and decision form, with input it would accept
    "approve": {"comment": "ok"}, "reject": {"comment": "Change it."}, "submit": {},
    "skip": {"reason": "Immediate harm."}, "reply": {"received_on": "2026-11-02"},
    "letters/urgent_appeal": {"field_facts": "Other facts."},
}


def test_every_form_without_its_csrf_token_is_403_and_writes_nothing(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    before = all_rows(seeded)
    for path, form in [*((f"/actions/{ref}/{p}", f) for p, f in FORMS.items()),
                       ("/actions", {"type": "urgent-appeal", "country": "HND", "title": "T"}),
                       ("/language", {"lang": "es"}), ("/sign-out", {})]:
        assert browser.post(path, form, token=False).status_code == 403, path
    assert all_rows(seeded) == before
    assert browser.client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_an_admin_may_read_but_every_casework_and_decision_form_is_403(seeded, browser):
    ref = open_at_gate(seeded, "precautionary-measure")
    browser.sign_in("ada.admin@ohchr.test")
    assert browser.get(f"/actions/{ref}").status_code == 200
    before = all_rows(seeded)
    for path, form in FORMS.items():
        path = path.replace("urgent_appeal", "request_for_information")
        response = browser.post(f"/actions/{ref}/{path}", form)
        assert response.status_code == 403, path
        assert "cannot" in response.text and "only " in response.text
    assert browser.post("/actions", {"type": "urgent-appeal", "country": "HND", "title": "T"}).status_code == 403
    assert all_rows(seeded) == before


def test_a_form_at_the_wrong_step_is_409_and_writes_nothing(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")  # awaiting approval: nothing to submit, no reply due, no skip
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    for path in ("submit", "skip", "reply"):
        response = browser.post(f"/actions/{ref}/{path}", FORMS[path])
        assert response.status_code == 409, path
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    before = all_rows(seeded)
    browser.client.cookies.clear()
    browser.sign_in(SUP_OHCHR_2)
    assert browser.post(f"/actions/{ref}/approve").status_code == 409  # the gate is met: nothing to decide
    browser.client.cookies.clear()
    browser.sign_in(OFFICER)
    response = browser.post(f"/actions/{ref}/letters/urgent_appeal", FORMS["letters/urgent_appeal"])
    assert response.status_code == 409 and "letters can be edited only while" in response.text
    assert all_rows(seeded) == before


def test_a_supervisor_who_decided_elsewhere_sees_the_changes_since_that_decision(seeded, browser, clock):
    ref = open_at_gate(seeded, "urgent-appeal")
    version = seeded.services.get_action(ref)["letters"][0]["version"]
    clock.advance(minutes=5)
    seeded.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)  # on the command line
    clock.advance(minutes=5)
    seeded.services.edit_letter(reference=ref, letter="urgent_appeal", field="facts", value="New facts.",
                         editor=OFFICER)
    browser.sign_in(SUP_OHCHR)
    page = browser.get(f"/actions/{ref}").text
    assert f"Changes since version {version}, the last you saw or decided on (now version {version + 1})" in page
    assert "<ins>+New facts.</ins>" in page
