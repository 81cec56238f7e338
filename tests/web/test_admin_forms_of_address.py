"""The address book page with forms of address (issue 13, part 3): an admin gives a recipient the
office that heads it and the grammatical gender of its title, changes or clears them; a gender
without an office is refused with the choices and writes nothing; the page reads in Spanish."""

from tests.helpers import ADMIN

from .test_admin import _events, _rows, admin  # noqa: F401  (the module's fixture)


def _recipient(app, email: str) -> tuple:  # type: ignore[no-untyped-def]
    return next((r.office and r.office.value, r.gender and r.gender.value, r.name)
                for r in app.services.list_recipients() if r.email == email)


def test_an_admin_adds_changes_and_clears_a_form_of_address(seeded, admin):  # noqa: F811
    page = admin.get("/admin/recipients?country=HND").text
    assert 'name="office"' in page and 'name="gender"' in page and "the institution" in page
    assert admin.post("/admin/recipients", {"country": "HND", "kind": "permanent-mission-geneva",
                                            "email": "ginebra2@hnd.test", "name": "", "office": "ambassador",
                                            "gender": "f"}).status_code == 303
    assert _recipient(seeded, "ginebra2@hnd.test") == ("ambassador", "f", None)
    page = admin.get("/admin/recipients?country=HND").text
    assert "ambassador (feminine)" in page
    assert '<option value="ambassador" selected>' in page and '<option value="f" selected>' in page

    edit = {"country": "HND", "kind": "permanent-mission-geneva", "email": "ginebra2@hnd.test",
            "new_kind": "permanent-mission-geneva", "new_email": "ginebra2@hnd.test", "name": "Misión en Ginebra"}
    assert admin.post("/admin/recipients/edit", {**edit, "office": "charge-d-affaires", "gender": "m"}).status_code == 303
    assert _recipient(seeded, "ginebra2@hnd.test") == ("charge-d-affaires", "m", "Misión en Ginebra")
    assert "chargé d&#39;affaires (masculine)" in admin.get("/admin/recipients?country=HND").text
    assert admin.post("/admin/recipients/edit", {**edit, "office": "none", "gender": "none"}).status_code == 303
    assert _recipient(seeded, "ginebra2@hnd.test") == (None, None, "Misión en Ginebra")
    added, changed = _events(seeded, "RecipientAdded")[-1], _events(seeded, "RecipientChanged")[-1]
    assert added[:2] == (ADMIN, "ginebra2@hnd.test") and changed[0] == ADMIN
    assert seeded.services.verify_audit().findings == []


def test_a_gender_without_an_office_is_refused_with_the_choices_and_nothing_is_written(seeded, admin):  # noqa: F811
    before = _rows(seeded)
    refused = admin.post("/admin/recipients", {"country": "HND", "kind": "oas-mission", "email": "x@hnd.test",
                                               "office": "none", "gender": "f"})
    assert refused.status_code == 422
    assert "Grammatical gender of the title" in refused.text and "ambassador, permanent-representative" in refused.text
    assert 'value="x@hnd.test"' in refused.text  # the form comes back as typed
    wrong = admin.post("/admin/recipients/edit", {"country": "HND", "kind": "foreign-ministry",
                                                  "email": "cancilleria@hnd.test", "name": "",
                                                  "office": "ambassador", "gender": "m"})
    assert wrong.status_code == 422 and "Office (who heads it)" in wrong.text and "minister" in wrong.text
    assert _rows(seeded) == before


def test_the_address_book_page_reads_in_spanish(seeded, admin):  # noqa: F811
    assert admin.post("/language", {"lang": "es", "next": "/admin/recipients"}).status_code == 303
    page = admin.get("/admin/recipients?country=HND").text
    for words in ("Tratamiento", "la institución", "Cargo (quién la encabeza)", "Género gramatical del cargo",
                  "embajador o embajadora", "encargado o encargada de negocios", "femenino", "masculino"):
        assert words in page, words
