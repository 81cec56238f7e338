"""A decision form carries the letter versions its page showed: a letter changed since → 409 with
the changes, and nothing written."""

import re

from tests.helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate

from .conftest import all_rows


def test_an_approval_posted_after_an_officer_changed_the_letter_is_refused_409_and_writes_nothing(
        seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    page = browser.get(f"/actions/{ref}").text
    shown = re.findall(r'name="seen" value="([0-9a-f]{64})"', page)
    assert shown and set(shown) == {seeded.services.get_action(ref)["letters"][0]["sha256"]}
    seeded.services.edit_letter(reference=ref, field="interim_measures", value="Release the defender at once.",
                         editor=OFFICER)  # while the supervisor reads
    before = all_rows(seeded)

    response = browser.post(f"/actions/{ref}/approve", {"comment": "Fine."})

    assert response.status_code == 409
    assert "The letters changed since you opened this page" in response.text
    assert "<ins>+Release the defender at once.</ins>" in response.text  # the diff, from the version seen
    assert all_rows(seeded) == before
    assert all(a["void"] or a["approver"] != SUP_OHCHR for a in seeded.services.get_action(ref)["approvals"])


def test_a_rejection_posted_after_a_change_is_refused_too_and_the_reloaded_page_decides(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    browser.get(f"/actions/{ref}")
    seeded.services.edit_letter(reference=ref, field="concerns", value="Other concerns.", editor=OFFICER)
    before = all_rows(seeded)
    assert browser.post(f"/actions/{ref}/reject", {"comment": "Name the mandates."}).status_code == 409
    assert all_rows(seeded) == before

    browser.get(f"/actions/{ref}")  # read again: the form now carries the new version
    assert browser.post(f"/actions/{ref}/reject", {"comment": "Name the mandates."}).status_code == 303
    assert seeded.services.get_action(ref)["status"] == "in_progress"


def test_a_decision_form_without_the_versions_seen_is_refused(seeded, browser):
    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    before = all_rows(seeded)
    response = browser.post(f"/actions/{ref}/approve", {"seen": []})
    assert response.status_code == 422 and "urgent_appeal is missing" in response.text
    response = browser.post(f"/actions/{ref}/approve", {"seen": ["f" * 64]})
    assert response.status_code == 422
    assert all_rows(seeded) == before
