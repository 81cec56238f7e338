"""The administration pages (issue 12, part 2): only admins see or use them, refusals write
nothing, every change is audited with the admin as actor; a disabled user cannot sign in and
their sessions end; a password-set link works once and expires."""

import re

import pytest
import sqlalchemy as sa

from tests.helpers import ADMIN, OFFICER, SUP_IACHR, SUP_OHCHR

from .conftest import PASSWORD, Browser, all_rows

PAGES = ("/admin/users", "/admin/recipients", "/admin/signatories")


def _events(app, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(
            f"SELECT actor, subject, payload FROM audit_events WHERE event = '{name}' ORDER BY id")]


def _rows(app) -> dict:  # type: ignore[no-untyped-def]
    counts = all_rows(app)
    with app.engine.connect() as connection:
        for table in ("users", "recipients", "password_links", "mandates", "mandate_holders"):
            counts[f"{table}:rows"] = [tuple(r) for r in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1")]
    return counts


def _link(app, email: str) -> str:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        body = connection.execute(sa.text("SELECT body_text FROM outbox WHERE recipient = :r ORDER BY id DESC"),
                                  {"r": email}).scalars().first()
    found = re.search(r"http://\S+(/password/\S+)", body or "")
    assert found, body
    return found.group(1)


@pytest.fixture
def admin(browser) -> Browser:
    browser.sign_in(ADMIN)
    return browser


def test_only_admins_see_the_administration_link_and_pages(seeded, browser, another):
    browser.sign_in(OFFICER)
    assert 'href="/admin/users"' not in browser.get("/").text
    for page in (*PAGES, "/admin"):
        assert browser.get(page, follow_redirects=False).status_code == 403
    another.sign_in(ADMIN)
    assert 'href="/admin/users"' in another.get("/").text
    for page in PAGES:
        response = another.get(page)
        assert response.status_code == 200, page
        assert '<div class="table-wrap">' in response.text
    assert another.get("/admin", follow_redirects=False).headers["location"] == "/admin/users"


@pytest.mark.parametrize("url, form", [
    ("/admin/users", {"email": "new@ohchr.test", "name": "New", "organisation": "ohchr", "role": "officer"}),
    ("/admin/users/role", {"email": OFFICER, "role": "supervisor"}),
    ("/admin/users/organisation", {"email": OFFICER, "organisation": "iachr"}),
    ("/admin/users/disable", {"email": OFFICER}),
    ("/admin/users/enable", {"email": OFFICER}),
    ("/admin/users/password-link", {"email": OFFICER}),
    ("/admin/recipients", {"country": "HND", "kind": "oas-mission", "email": "x@hnd.test"}),
    ("/admin/recipients/edit", {"country": "HND", "kind": "oas-mission", "email": "oea@hnd.test", "name": "X"}),
    ("/admin/recipients/remove", {"country": "HND", "kind": "oas-mission", "email": "oea@hnd.test"}),
    ("/admin/signatories", {"mandate": "judges", "name": "N", "gender": "f", "starts_on": "2026-12-01"}),
    ("/admin/signatories/end", {"mandate": "judges", "on": "2026-12-01"}),
    ("/admin/signatories/mandate", {"code": "judges", "resolution": "1/1", "verified": "yes"}),
])
def test_a_non_admin_is_refused_every_form_and_nothing_is_written(seeded, browser, url, form):
    browser.sign_in(SUP_OHCHR)
    before = _rows(seeded)
    assert browser.post(url, form).status_code == 403
    assert _rows(seeded) == before


def test_an_admin_adds_a_user_changes_role_and_organisation_and_each_change_is_audited(seeded, admin, another):
    response = admin.post("/admin/users", {"email": "Nuevo@OHCHR.test", "name": "Nuevo Oficial",
                                           "organisation": "ohchr", "role": "officer"})
    assert response.status_code == 303
    page = admin.get("/admin/users").text
    assert "Added nuevo@ohchr.test" in page and "Nuevo Oficial" in page
    assert _events(seeded, "UserAdded")[-1][:2] == (ADMIN, "nuevo@ohchr.test")

    another.sign_in(OFFICER)
    assert admin.post("/admin/users/role", {"email": OFFICER, "role": "supervisor"}).status_code == 303
    assert another.get("/", follow_redirects=False).status_code == 303  # their session ended
    assert admin.post("/admin/users/organisation", {"email": OFFICER, "organisation": "iachr"}).status_code == 303
    user = next(u for u in seeded.services.list_users() if u.email == OFFICER)
    assert (user.role.value, user.organisation.value) == ("supervisor", "iachr")
    assert _events(seeded, "RoleChanged")[-1][:2] == (ADMIN, OFFICER)
    assert _events(seeded, "OrganisationChanged")[-1][:2] == (ADMIN, OFFICER)
    assert "Last sign-in" in admin.get("/admin/users").text
    assert seeded.services.verify_audit().findings == []


def test_refused_admin_forms_say_why_and_write_nothing(seeded, admin):
    before = _rows(seeded)
    response = admin.post("/admin/users", {"email": OFFICER, "name": "Again", "organisation": "ohchr",
                                           "role": "officer"})
    assert response.status_code == 409 and "already exists" in response.text
    assert admin.post("/admin/users", {"email": "x@ohchr.test", "name": "X", "organisation": "unhcr",
                                       "role": "officer"}).status_code == 422
    assert admin.post("/admin/users/disable", {"email": ADMIN}).status_code == 403  # not oneself
    assert admin.post("/admin/recipients/remove", {"country": "HND", "kind": "oas-mission",
                                                   "email": "nobody@hnd.test"}).status_code == 404
    assert admin.post("/admin/signatories", {"mandate": "judges", "name": "", "gender": "f",
                                             "starts_on": "2027-01-01"}).status_code == 422
    overlap = admin.post("/admin/signatories", {"mandate": "judges", "name": "Someone", "gender": "m",
                                                "starts_on": "2026-01-01"})
    assert overlap.status_code == 422 and "Inés Modelo holds judges" in overlap.text
    assert admin.post("/admin/signatories", {"mandate": "judges", "name": "Someone", "gender": "x",
                                             "starts_on": "2027-01-01"}).status_code == 422
    assert admin.post("/admin/signatories/end", {"mandate": "judges", "on": "2020-01-01"}).status_code == 409
    assert admin.post("/admin/signatories/mandate", {"code": "nosuch", "resolution": "1/1"}).status_code == 422
    assert _rows(seeded) == before


def test_a_disabled_user_cannot_sign_in_and_their_sessions_end(seeded, admin, another):
    another.sign_in(SUP_IACHR)
    assert another.get("/").status_code == 200
    assert admin.post("/admin/users/disable", {"email": SUP_IACHR}).status_code == 303
    assert "disabled" in admin.get("/admin/users").text
    assert another.get("/", follow_redirects=False).status_code == 303  # signed out
    another.get("/sign-in")
    assert another.post("/sign-in", {"email": SUP_IACHR, "password": PASSWORD}).status_code == 401
    assert _events(seeded, "UserDisabled")[-1][:2] == (ADMIN, SUP_IACHR)
    assert admin.post("/admin/users/enable", {"email": SUP_IACHR}).status_code == 303
    another.sign_in(SUP_IACHR)
    assert seeded.services.verify_audit().findings == []


def test_the_address_book_page_filters_adds_edits_and_removes(seeded, admin):
    page = admin.get("/admin/recipients?country=HND").text
    assert "oea@hnd.test" in page and "sre@mex.test" not in page
    assert admin.post("/admin/recipients", {"country": "hnd", "kind": "oas-mission", "email": "new@hnd.test",
                                            "name": "Misión"}).status_code == 303
    assert admin.post("/admin/recipients/edit", {"country": "HND", "kind": "oas-mission", "email": "new@hnd.test",
                                                 "new_kind": "foreign-ministry", "new_email": "other@hnd.test",
                                                 "name": "Cancillería"}).status_code == 303
    assert admin.post("/admin/recipients/remove", {"country": "HND", "kind": "foreign-ministry",
                                                   "email": "other@hnd.test"}).status_code == 303
    page = admin.get("/admin/recipients?country=HND").text
    assert "Removed other@hnd.test" in page and "<td>other@hnd.test</td>" not in page
    assert "<td>oea@hnd.test</td>" in page
    assert [e[0] for e in _events(seeded, "RecipientChanged") + _events(seeded, "RecipientRemoved")] == [ADMIN, ADMIN]
    assert admin.get("/admin/recipients?country=XXX").status_code == 422
    assert seeded.services.verify_audit().findings == []


def test_the_signatories_page_lists_mandates_with_their_holders_and_adds_and_ends_terms(seeded, admin):
    page = admin.get("/admin/signatories").text
    assert "Special Rapporteur on the situation of human rights defenders" in page
    assert "Ana Example" in page and "Jorge Ejemplo" in page and "2026-04-30" in page  # both terms, one current
    assert admin.post("/admin/signatories/end", {"mandate": "judges", "on": "2026-11-30"}).status_code == 303
    response = admin.post("/admin/signatories", {"mandate": "judges", "name": "Nuevo Ejemplo", "gender": "m",
                                                 "starts_on": "2026-12-01", "ends_on": ""})
    assert response.status_code == 303
    page = admin.get("/admin/signatories").text
    assert "Nuevo Ejemplo holds judges from 2026-12-01." in page
    assert "Inés Modelo (f), 2025-01-01 – 2026-11-30" in page
    assert admin.post("/admin/signatories/mandate", {"code": "judges", "resolution": "53/12",
                                                     "verified": "yes"}).status_code == 303
    assert "✓ verified" in admin.get("/admin/signatories").text
    assert [e[:2] for e in _events(seeded, "HolderEnded")] == [(ADMIN, "judges")]
    assert _events(seeded, "HolderAdded")[-1][:2] == (ADMIN, "judges")
    assert _events(seeded, "MandateChanged")[-1][:2] == (ADMIN, "judges")
    assert seeded.services.verify_audit().findings == []


def test_the_signatories_page_in_spanish(seeded, admin):
    assert admin.post("/language", {"lang": "es"}).status_code == 303
    page = admin.get("/admin/signatories").text
    assert "sobre la situación de los defensores de derechos humanos" in page and "Añadir un período" in page


def test_a_password_link_sets_the_password_once_and_then_is_spent(seeded, admin, another):
    assert admin.post("/admin/users/password-link", {"email": OFFICER}).status_code == 303
    link = _link(seeded, OFFICER)
    page = another.get(link)
    assert page.status_code == 200 and OFFICER in page.text
    short = another.post(link, {"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "at least 12" in short.text
    response = another.post(link, {"new_password": "a brand new passphrase", "confirm_password": "a brand new passphrase"})
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    another.sign_in(OFFICER, "a brand new passphrase")
    spent = admin.get(link)
    assert spent.status_code == 410 and "already used" in spent.text
    assert another.post(link, {"new_password": "yet another passphrase",
                               "confirm_password": "yet another passphrase"}).status_code == 410
    assert admin.get("/password/not-a-token").status_code == 404
    assert _events(seeded, "PasswordLinkSent")[0][:2] == (ADMIN, OFFICER)
    assert seeded.services.verify_audit().findings == []


def test_a_password_link_expires_after_48_hours_and_a_newer_one_spends_it(seeded, admin, another, clock):
    admin.post("/admin/users/password-link", {"email": OFFICER})
    first = _link(seeded, OFFICER)
    admin.post("/admin/users/password-link", {"email": OFFICER})
    second = _link(seeded, OFFICER)
    assert another.get(first).status_code == 410  # the newer link spent it
    clock.advance(hours=47, minutes=59)
    assert another.get(second).status_code == 200
    clock.advance(minutes=1)
    expired = another.get(second)
    assert expired.status_code == 410 and "expired" in expired.text
    before = _rows(seeded)
    assert another.post(second, {"new_password": "a brand new passphrase",
                                 "confirm_password": "a brand new passphrase"}).status_code == 410
    assert _rows(seeded) == before


def test_the_password_page_refuses_a_form_without_its_csrf_token_and_writes_nothing(seeded, admin, another):
    admin.post("/admin/users/password-link", {"email": OFFICER})
    link = _link(seeded, OFFICER)
    before = _rows(seeded)
    response = another.post(link, {"new_password": "a brand new passphrase",
                                   "confirm_password": "a brand new passphrase"}, token=False)
    assert response.status_code == 403
    assert _rows(seeded) == before
    assert another.get(link).status_code == 200  # still unspent
