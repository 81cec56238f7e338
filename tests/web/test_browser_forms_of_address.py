"""Forms of address in headless Chromium (issue 13, part 3): on a phone-sized screen, an admin adds
a mission headed by an ambassador and changes it to a chargé d'affaires; the page still fits, and
the address book holds what the selects said."""

import re

import pytest

from tests.helpers import ADMIN

from .conftest import PASSWORD
from .live import PHONE, fits, served, sign_in


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served(tmp_path_factory.mktemp("web-live-forms-of-address"), PASSWORD) as (app, url, _):
        yield app, url


def test_an_admin_gives_a_mission_its_head_and_changes_it_on_a_phone(live, chromium):
    from playwright.sync_api import expect

    app, url = live
    admin = sign_in(chromium, url, ADMIN, PASSWORD, viewport=PHONE)
    admin.goto(url + "/admin/recipients")
    form = admin.get_by_role("region", name="Add a recipient")
    form.get_by_label("State").select_option("BRA")
    form.get_by_label("Kind").select_option("permanent-mission-geneva")
    form.get_by_label("Email").fill("delbrasgen@bra.test")
    form.get_by_label("Office (who heads it)").select_option("ambassador")
    form.get_by_label("Grammatical gender of the title").select_option("m")
    form.get_by_role("button", name="Add the recipient").click()
    admin.wait_for_url(re.compile(r"/admin/recipients\?country=BRA$"))
    row = admin.get_by_role("row").filter(has_text="delbrasgen@bra.test")
    expect(row).to_contain_text("ambassador (masculine)")
    fits(admin)

    row.get_by_text("Change").first.click()
    row.get_by_label("Office (who heads it)").select_option("charge-d-affaires")
    row.get_by_label("Grammatical gender of the title").select_option("f")
    row.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_contain_text("Saved delbrasgen@bra.test")
    expect(admin.get_by_role("row").filter(has_text="delbrasgen@bra.test")).to_contain_text("chargé d'affaires (feminine)")
    saved = [r for r in app.services.list_recipients(country="BRA") if r.email == "delbrasgen@bra.test"][0]
    assert (saved.office.value, saved.gender.value) == ("charge-d-affaires", "f")
    fits(admin)
