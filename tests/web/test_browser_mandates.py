"""The mandates and their holders in headless Chromium on a phone-sized screen (issue 13, part 1):
an admin ends a term and adds the next one through /admin/signatories, which fits 390 px; an
officer ticks mandates in the letter form, which fits too."""

import re

import pytest

from tests.helpers import ADMIN, OFFICER

from .conftest import PASSWORD
from .live import PHONE, fits, served, sign_in


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served(tmp_path_factory.mktemp("web-live-mandates"), PASSWORD) as (app, url, _):
        yield app, url


def test_an_admin_ends_a_term_and_adds_the_next_on_a_phone(live, chromium):
    from playwright.sync_api import expect

    app, url = live
    admin = sign_in(chromium, url, ADMIN, PASSWORD, viewport=PHONE)
    admin.goto(f"{url}/admin/signatories")
    expect(admin.get_by_role("table")).to_contain_text("Ana Example")
    fits(admin)
    end = admin.get_by_role("region", name="End a term")
    end.get_by_label("Mandate").select_option("judges")
    end.get_by_label("Last day of the term").fill("2030-12-31")
    end.get_by_role("button", name="End the term").click()
    expect(admin.get_by_role("status")).to_contain_text("ends on 2030-12-31")
    add = admin.get_by_role("region", name="Add a term")
    add.get_by_label("Mandate").select_option("judges")
    add.get_by_label("Name").fill("Nuevo Ejemplo")
    add.get_by_label("Grammatical gender of the title").select_option("m")
    add.get_by_label("From").fill("2031-01-01")
    add.get_by_role("button", name="Add the term").click()
    expect(admin.get_by_role("status")).to_contain_text("Nuevo Ejemplo holds judges from 2031-01-01")
    fits(admin)
    assert [h.name for h in app.services.list_signatories(mandate="judges")][-1] == "Nuevo Ejemplo"


def test_an_officer_ticks_mandates_in_the_letter_form_on_a_phone(live, chromium):
    from playwright.sync_api import expect

    app, url = live
    action = app.services.open_action(type="urgent-appeal", country="HND", title="Phone", officer=OFFICER,
                                      beneficiaries=["B"])
    app.services.submit_stage(reference=action.reference, officer=OFFICER)
    page = sign_in(chromium, url, OFFICER, PASSWORD, viewport=PHONE)
    page.goto(f"{url}/actions/{action.reference}")
    page.get_by_text("Edit the letter's fields").click()
    page.get_by_label("Special Rapporteur on the situation of human rights defenders").check()
    page.get_by_label("on Human Rights Defenders and Justice Operators").check()
    fits(page)
    page.get_by_role("button", name="Save the letter").click()
    page.wait_for_url(re.compile(r"#letter-urgent_appeal$"))
    expect(page.get_by_role("status")).to_contain_text("is now version")
    fields = app.services.get_action(action.reference)["letters"][0]["fields"]
    assert fields["mandates"] == "defenders,iachr-defenders"
