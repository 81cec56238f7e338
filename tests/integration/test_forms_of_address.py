"""Forms of address from the address book (issue 13, part 3), on SQLite and PostgreSQL: a
recipient's office and grammatical gender added and edited through the use cases and the command
line, audited, refused with the choices when outside the vocabulary (writing nothing), and the
letters to the State addressed accordingly; a letter already dispatched keeps its text."""

import json

import pytest
import sqlalchemy as sa

from coordination.domain import InvalidInput

from ..conftest import count_rows
from ..helpers import dispatched, open_at_gate, seed
from .test_cli import ok
from .test_cli_refusals import _rows, assert_refused

GENEVA = {"country": "HND", "kind": "permanent-mission-geneva", "email": "mission@hnd-geneva.test"}


def _payloads(app, event: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT payload FROM audit_events WHERE event = :e ORDER BY id"), {"e": event})
        return [p if isinstance(p, dict) else json.loads(p) for (p,) in rows]


def _letter(app, reference: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.services.render_letter(reference=reference, letter="urgent_appeal").content)


def test_an_office_and_gender_added_and_edited_address_the_letters_and_are_audited(app):
    seed(app)
    added = app.services.add_recipient(country="bra", kind="oas-mission", email="delbrasoea@bra.test",
                                       office="ambassador", gender="M")
    assert (added.office.value, added.gender.value) == ("ambassador", "m")
    assert _payloads(app, "RecipientAdded")[-1] == {"country": "BRA", "kind": "oas-mission", "office": "ambassador",
                                                     "gender": "m"}
    assert [r.office for r in app.services.list_recipients(country="BRA")] == [added.office]

    reference = open_at_gate(app, "urgent-appeal")  # Honduras, in Spanish
    assert "Misión Permanente de Honduras ante la Oficina" in _letter(app, reference)
    assert "\nExcelencia:\n" in _letter(app, reference)  # no office yet: the mission itself

    app.services.edit_recipient(**GENEVA, office="ambassador", gender="f")
    text = _letter(app, reference)
    assert "Su Excelencia la señora Embajadora\nMisión Permanente de Honduras ante la Oficina de las Naciones Unidas" in text
    assert "Acepte, Excelencia, la expresión" in text

    saved = app.services.edit_recipient(**GENEVA, office="charge-d-affaires", name="Misión de Honduras en Ginebra")
    assert (saved.office.value, saved.gender.value, saved.name) == ("charge-d-affaires", "f", "Misión de Honduras en Ginebra")
    text = _letter(app, reference)
    assert "Señora Encargada de Negocios\nMisión de Honduras en Ginebra\n" in text
    assert "\nSeñora Encargada de Negocios:\n" in text and "Acepte, señora Encargada de Negocios, la expresión" in text
    changed = _payloads(app, "RecipientChanged")[-1]
    assert (changed["office"], changed["gender"]) == ("charge-d-affaires", "f")
    assert (changed["previous"]["office"], changed["previous"]["gender"]) == ("ambassador", "f")

    kept = app.services.edit_recipient(**GENEVA, gender="m")  # the office and the name stay
    assert (kept.office.value, kept.gender.value, kept.name) == ("charge-d-affaires", "m", "Misión de Honduras en Ginebra")
    cleared = app.services.edit_recipient(**GENEVA, office="")  # its gender goes with it
    assert (cleared.office, cleared.gender) == (None, None)
    assert "\nExcelencia:\n" in _letter(app, reference)
    assert app.services.verify_audit().findings == []


def test_a_dispatched_letter_keeps_the_form_of_address_it_was_sent_with(app):
    seed(app)
    app.services.edit_recipient(**GENEVA, office="permanent-representative", gender="m")
    reference = dispatched(app, "urgent-appeal")
    app.services.edit_recipient(**GENEVA, gender="f")
    with app.engine.connect() as connection:
        body = connection.execute(sa.text(
            "SELECT v.rendered_text FROM outbox o JOIN letter_versions v ON v.id = o.letter_version_id "
            "WHERE o.recipient = :r"), {"r": GENEVA["email"]}).scalar_one()
    assert "Su Excelencia el señor Representante Permanente\n" in body
    assert "Su Excelencia el señor Representante Permanente\n" in _letter(app, reference)  # as sent


@pytest.mark.parametrize("change, field, choices", [
    ({"gender": "f"}, "gender", ("ambassador", "permanent-representative", "charge-d-affaires")),
    ({"office": "minister", "gender": "f"}, "office", ("ambassador", "permanent-representative", "charge-d-affaires")),
    ({"office": "ambassador"}, "gender", ("f", "m")),
    ({"office": "ambassador", "gender": "x"}, "gender", ("f", "m")),
])
def test_refused_forms_of_address_carry_the_choices_and_write_nothing(app, change, field, choices):
    seed(app)
    counts, rows = count_rows(app), _rows(app)
    for use_case, key in ((app.services.add_recipient, {**GENEVA, "email": "new@hnd.test"}),
                          (app.services.edit_recipient, GENEVA)):
        with pytest.raises(InvalidInput) as refused:
            use_case(**key, **change)
        assert (refused.value.field, refused.value.choices) == (field, choices)
    with pytest.raises(InvalidInput) as wrong_kind:  # a ministry is headed by its minister only
        app.services.edit_recipient(**GENEVA, new_kind="foreign-ministry", office="ambassador", gender="m")
    assert wrong_kind.value.choices == ("minister",)
    assert count_rows(app) == counts and _rows(app) == rows


# ---------------------------------------------------------------- the command line

def test_recipient_add_edit_and_list_with_an_office_and_gender(app, cli):
    out = ok(cli("recipient", "add", "BRA", "--kind", "permanent-mission-geneva", "--email", "delbrasgen@bra.test",
                 "--office", "ambassador", "--gender", "m"))
    assert out.strip() == "Added permanent-mission-geneva of BRA: delbrasgen@bra.test, addressed as ambassador (m)."
    rows = json.loads(ok(cli("recipient", "list", "--country", "BRA", "--json")))
    assert rows == [{"country": "BRA", "kind": "permanent-mission-geneva", "email": "delbrasgen@bra.test", "name": None,
                     "office": "ambassador", "gender": "m"}]
    table = ok(cli("recipient", "list", "--country", "BRA")).splitlines()
    assert table[0].split() == ["COUNTRY", "KIND", "EMAIL", "NAME", "OFFICE", "GENDER"]
    assert table[1].split() == ["BRA", "permanent-mission-geneva", "delbrasgen@bra.test", "ambassador", "m"]

    out = ok(cli("recipient", "edit", "BRA", "--kind", "permanent-mission-geneva", "--email", "delbrasgen@bra.test",
                 "--gender", "f", "--name", "Missão do Brasil em Genebra"))
    assert out.strip() == "Saved permanent-mission-geneva of BRA: delbrasgen@bra.test, addressed as ambassador (f)."
    out = ok(cli("recipient", "edit", "BRA", "--kind", "permanent-mission-geneva", "--email", "delbrasgen@bra.test",
                 "--office", "none"))
    assert out.strip() == "Saved permanent-mission-geneva of BRA: delbrasgen@bra.test."
    rows = json.loads(ok(cli("recipient", "list", "--country", "BRA", "--json")))
    assert (rows[0]["name"], rows[0]["office"], rows[0]["gender"]) == ("Missão do Brasil em Genebra", None, None)
    assert "Audit trail intact" in ok(cli("audit", "verify"))


def test_the_command_line_refuses_a_form_of_address_outside_the_vocabulary(app, cli):
    line = assert_refused(app, cli, ("recipient", "add", "HND", "--kind", "oas-mission", "--email", "x@hnd.test",
                                     "--gender", "f"), "gender", "office")
    assert "ambassador" in line
    assert_refused(app, cli, ("recipient", "add", "HND", "--kind", "oas-mission", "--email", "x@hnd.test",
                              "--office", "minister", "--gender", "f"), "office", "ambassador, permanent-representative")
    assert_refused(app, cli, ("recipient", "edit", "HND", "--kind", "foreign-ministry", "--email", "cancilleria@hnd.test",
                              "--office", "minister", "--gender", "n"), "gender", "f, m")
    assert_refused(app, cli, ("recipient", "edit", "HND", "--kind", "foreign-ministry", "--email", "nobody@hnd.test",
                              "--office", "minister", "--gender", "f"), "recipient list --country HND")


def test_audit_verify_finds_a_form_of_address_changed_outside_the_application(app):
    seed(app)
    app.services.edit_recipient(**GENEVA, office="ambassador", gender="f")
    assert app.services.verify_audit().findings == []
    with app.engine.begin() as connection:
        connection.execute(sa.text("UPDATE recipients SET gender = 'm' WHERE email = :e"), {"e": GENEVA["email"]})
    findings = app.services.verify_audit().findings
    assert findings == [f"address book: {GENEVA['email']} as permanent-mission-geneva of HND is addressed as "
                        "ambassador (m) but the audit trail says ambassador (f)"]
