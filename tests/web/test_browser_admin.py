"""The administration in headless Chromium (issue 12, part 2): an admin adds a user and a State
recipient through the pages, on a phone-sized screen too, and the new user sets their password
with the link they were sent."""

import re

import pytest
import sqlalchemy as sa

from tests.helpers import ADMIN

from .conftest import PASSWORD
from .live import PHONE, fits, served, sign_in


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served(tmp_path_factory.mktemp("web-live-admin"), PASSWORD) as (app, url, _):
        yield app, url


def test_an_admin_adds_a_user_and_a_recipient_and_the_user_sets_a_password_by_link(live, chromium):
    from playwright.sync_api import expect

    app, url = live
    admin = sign_in(chromium, url, ADMIN, PASSWORD, viewport=PHONE)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    admin.wait_for_url(re.compile(r"/admin/users$"))
    form = admin.get_by_role("region", name="Add a user")
    form.get_by_label("Email").fill("nadia.new@iachr.test")
    form.get_by_label("Name").fill("Nadia New")
    form.get_by_label("Organisation").select_option("iachr")
    form.get_by_label("Role").select_option("officer")
    form.get_by_role("button", name="Add the user").click()
    expect(admin.get_by_role("status")).to_contain_text("Added nadia.new@iachr.test")
    row = admin.get_by_role("row").filter(has_text="nadia.new@iachr.test")
    row.get_by_text("Change").first.click()
    row.get_by_role("button", name="Email a link to set the password").click()
    expect(admin.get_by_role("status")).to_contain_text("on its way to nadia.new@iachr.test")
    fits(admin)

    admin.get_by_role("navigation", name="Administration").get_by_role("link", name="Address book").click()
    form = admin.get_by_role("region", name="Add a recipient")
    form.get_by_label("State").select_option("GTM")
    form.get_by_label("Kind").select_option("oas-mission")
    form.get_by_label("Email").fill("mision.oea@gtm.test")
    form.get_by_label("Name").fill("Misión de Guatemala ante la OEA")
    form.get_by_role("button", name="Add the recipient").click()
    admin.wait_for_url(re.compile(r"/admin/recipients\?country=GTM$"))
    expect(admin.get_by_role("table")).to_contain_text("mision.oea@gtm.test")
    assert [r.email for r in app.services.list_recipients(country="GTM")][-1] == "mision.oea@gtm.test"

    with app.engine.connect() as connection:
        body = connection.execute(sa.text("SELECT body_text FROM outbox WHERE recipient = 'nadia.new@iachr.test'"
                                          )).scalar_one()
    link = re.search(r"(/password/\S+)", body).group(1)
    newcomer = chromium.new_context(base_url=url).new_page()
    newcomer.goto(link)
    newcomer.get_by_label("New password", exact=True).fill("a passphrase of my own")
    newcomer.get_by_label("New password again").fill("a passphrase of my own")
    newcomer.get_by_role("button", name="Set the password").click()
    newcomer.wait_for_url(re.compile(r"/sign-in$"))
    newcomer.get_by_label("Email").fill("nadia.new@iachr.test")
    newcomer.get_by_label("Password").fill("a passphrase of my own")
    newcomer.get_by_role("button", name="Sign in").click()
    newcomer.wait_for_url(lambda u: "/sign-in" not in u)
    expect(newcomer.get_by_role("link", name=re.compile("Nadia New"))).to_be_visible()
    admin.context.close()
    newcomer.context.close()
