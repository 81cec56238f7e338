"""The directory of mandates and their holders (issue 13, part 1), on SQLite and PostgreSQL: the
admin's commands and their refusals, each change audited; a letter refused at its gate while a
mandate it names has no holder; the signers bound to the version that goes to the gate (a
version made by the system, its sha256 and the approvals' digest covering the names); a letter
approved and dispatched keeps its names when the holder changes later."""

import json

import pytest
import sqlalchemy as sa

from coordination.domain import InvalidState, NotPermitted
from coordination.domain.letters import canonical_json, content_sha256, sha256_hex
from coordination.domain.mandates import CODES

from ..conftest import count_rows
from ..helpers import OFFICER, RECIPIENTS, SUP_IACHR, SUP_OHCHR, USERS, fill, open_at_gate
from .test_cli import ok
from .test_cli_refusals import assert_refused


def _events(app, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [(r[0], r[1], json.loads(r[2]) if isinstance(r[2], str) else r[2]) for r in connection.exec_driver_sql(
            f"SELECT actor, subject, payload FROM audit_events WHERE event = '{name}' ORDER BY id")]


def _verified(cli) -> None:  # type: ignore[no-untyped-def]
    assert "Audit trail intact" in ok(cli("audit", "verify"))


@pytest.fixture
def bare(bare_app, monkeypatch):
    """The command line on an app with users and recipients but no holder of any mandate."""
    import coordination.cli

    from .test_cli import runner

    for email, name, org, role in USERS:
        bare_app.services.add_user(email=email, name=name, organisation=org, role=role)
    for country, kind, email in RECIPIENTS:
        bare_app.services.add_recipient(country=country, kind=kind, email=email)
    monkeypatch.setattr(coordination.cli, "_app", lambda: bare_app)
    return lambda *args: runner.invoke(coordination.cli.app, list(args))


# ---------------------------------------------------------------- mandates

def test_mandate_list_shows_the_seeded_catalogue(bare):
    listed = json.loads(ok(bare("mandate", "list", "--json")))
    assert [m["code"] for m in listed] == list(CODES)
    defenders = listed[0]
    assert defenders["resolution"] == "52/4" and defenders["verified"] is False
    assert defenders["titles"]["es"] == {"f": "Relatora Especial sobre la situación de los defensores de derechos humanos",
                                         "m": "Relator Especial sobre la situación de los defensores de derechos humanos"}
    table = ok(bare("mandate", "list"))
    assert table.splitlines()[0].split() == ["CODE", "ORG", "RESOLUTION", "VERIFIED", "TITLE"]


def test_mandate_set_corrects_titles_resolution_and_verified_audited_by_the_admin(bare_app, bare):
    out = ok(bare("mandate", "set", "assembly", "--resolution", "59/5", "--verified",
                  "--title", "es:f=Relatora Especial sobre los derechos a la libertad de reunión pacífica"))
    assert out.strip().startswith("assembly: resolution 59/5, verified")
    listed = {m["code"]: m for m in json.loads(ok(bare("mandate", "list", "--json")))}
    assert listed["assembly"]["resolution"] == "59/5" and listed["assembly"]["verified"] is True
    assert listed["assembly"]["titles"]["es"]["f"] == "Relatora Especial sobre los derechos a la libertad de reunión pacífica"
    assert listed["assembly"]["titles"]["es"]["m"].startswith("Relator Especial sobre los derechos")  # untouched
    (actor, subject, payload), = _events(bare_app, "MandateChanged")
    assert (actor, subject) == ("admin", "assembly")
    assert payload["resolution"] == "59/5" and payload["previous"]["resolution"] == "50/17"
    _verified(bare)


@pytest.mark.parametrize("args, words", [
    (("mandate", "set", "nosuch", "--verified"), ("unknown mandate", "defenders")),
    (("mandate", "set", "defenders", "--title", "xx:f=Title"), ("letter language", "es")),
    (("mandate", "set", "defenders", "--title", "es:x=Title"), ("gender", "f, m")),
    (("mandate", "set", "defenders", "--title", "just a title"), ("LANG:GENDER=TEXT",)),
    (("mandate", "set", "defenders", "--title", "es:f= "), ("title",)),
])
def test_mandate_set_refusals_write_nothing(bare_app, bare, args, words):
    assert_refused(bare_app, bare, args, *words)


def test_only_an_admin_changes_mandates_and_holders(bare_app):
    before = count_rows(bare_app)
    with pytest.raises(NotPermitted):
        bare_app.services.set_mandate(code="defenders", verified=True, actor=OFFICER)
    with pytest.raises(NotPermitted):
        bare_app.services.set_signatory(mandate="defenders", name="Ana Example", gender="f", starts_on="2026-05-01",
                                        actor=OFFICER)
    with pytest.raises(NotPermitted):
        bare_app.services.end_signatory(mandate="defenders", on="2026-05-01", actor=OFFICER)
    assert count_rows(bare_app) == before


# ---------------------------------------------------------------- holders

def test_signatory_set_end_and_list_by_mandate_and_date(bare_app, bare):
    assert json.loads(ok(bare("signatory", "list", "--json"))) == []
    out = ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Jorge Ejemplo", "--gender", "m",
                  "--from", "2020-05-01", "--until", "2026-04-30"))
    assert out.strip() == "Jorge Ejemplo holds defenders from 2020-05-01 to 2026-04-30."
    ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Ana Example", "--gender", "f",
            "--from", "2026-05-01"))
    ok(bare("signatory", "set", "--mandate", "iachr-executive-secretary", "--name", "Carmen Ejemplo",
            "--gender", "f", "--from", "2025-01-01"))
    listed = json.loads(ok(bare("signatory", "list", "--json", "--mandate", "defenders")))
    assert [(h["name"], h["gender"], h["from"], h["until"]) for h in listed] == [
        ("Jorge Ejemplo", "m", "2020-05-01", "2026-04-30"), ("Ana Example", "f", "2026-05-01", None)]
    on = json.loads(ok(bare("signatory", "list", "--json", "--on", "2026-04-30")))
    assert [h["name"] for h in on] == ["Jorge Ejemplo", "Carmen Ejemplo"] or \
        sorted(h["name"] for h in on) == ["Carmen Ejemplo", "Jorge Ejemplo"]
    assert ok(bare("signatory", "list")).splitlines()[0].split() == ["MANDATE", "NAME", "GENDER", "FROM", "UNTIL"]

    out = ok(bare("signatory", "end", "--mandate", "defenders", "--on", "2026-12-31"))
    assert out.strip() == "Ana Example's term of defenders ends on 2026-12-31."
    assert json.loads(ok(bare("signatory", "list", "--json", "--on", "2027-01-01", "--mandate", "defenders"))) == []

    added = _events(bare_app, "HolderAdded")
    assert [(a, s, p["name"], p["gender"]) for a, s, p in added][:2] == [
        ("admin", "defenders", "Jorge Ejemplo", "m"), ("admin", "defenders", "Ana Example", "f")]
    (actor, subject, payload), = _events(bare_app, "HolderEnded")
    assert (actor, subject, payload["until"], payload["previous"]) == ("admin", "defenders", "2026-12-31", None)
    _verified(bare)


@pytest.mark.parametrize("args, words", [
    (("--mandate", "defenders", "--name", "Someone", "--gender", "f", "--from", "2026-01-01"),
     ("Ana Example holds defenders", "end that term first")),  # overlaps the open term
    (("--mandate", "assembly", "--name", "Someone", "--gender", "f", "--from", "2026-05-01", "--until", "2026-04-01"),
     ("cannot end", "before it starts")),
    (("--mandate", "nosuch", "--name", "Someone", "--gender", "f", "--from", "2026-05-01"), ("unknown mandate",)),
    (("--mandate", "assembly", "--name", "Someone", "--gender", "x", "--from", "2026-05-01"), ("gender", "f, m")),
    (("--mandate", "assembly", "--name", " ", "--gender", "f", "--from", "2026-05-01"), ("name",)),
    (("--mandate", "assembly", "--name", "Someone", "--gender", "f", "--from", "1 May"), ("not a date",)),
])
def test_signatory_set_refusals_write_nothing(bare_app, bare, args, words):
    ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Ana Example", "--gender", "f",
            "--from", "2026-05-01"))
    assert_refused(bare_app, bare, ("signatory", "set", *args), *words)


def test_signatory_end_without_a_term_on_that_day_is_refused(bare_app, bare):
    ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Ana Example", "--gender", "f",
            "--from", "2026-05-01"))
    assert_refused(bare_app, bare, ("signatory", "end", "--mandate", "defenders", "--on", "2026-04-01"),
                   "no term of defenders holds on 2026-04-01")


# ---------------------------------------------------------------- the gate

def test_a_letter_naming_a_vacant_mandate_cannot_reach_its_gate(bare_app, bare):
    action = bare_app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                           beneficiaries=["B"])
    ref = action.reference
    bare_app.services.submit_stage(reference=ref, officer=OFFICER)  # intake: no letter yet
    fill(bare_app, ref, "urgent_appeal")
    before = count_rows(bare_app)
    with pytest.raises(InvalidState) as refused:
        bare_app.services.submit_stage(reference=ref, officer=OFFICER)
    assert refused.value.facts == {"vacant": ["defenders", "iachr-executive-secretary"], "on": "2026-11-02"}
    assert count_rows(bare_app) == before
    line = assert_refused(bare_app, bare, ("action", "submit", ref, "--as", OFFICER),
                          "no holder of defenders, iachr-executive-secretary on 2026-11-02", "signatory set")
    assert "--mandate defenders" in line
    # a draft still renders, the vacancy marked
    assert bare_app.services.render_letter(reference=ref).content

    ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Jorge Ejemplo", "--gender", "m",
            "--from", "2020-05-01", "--until", "2026-04-30"))  # not on the day of the letter
    ok(bare("signatory", "set", "--mandate", "iachr-executive-secretary", "--name", "Carmen Ejemplo",
            "--gender", "f", "--from", "2025-01-01"))
    assert_refused(bare_app, bare, ("action", "submit", ref, "--as", OFFICER), "no holder of defenders on 2026-11-02")
    ok(bare("signatory", "set", "--mandate", "defenders", "--name", "Ana Example", "--gender", "f",
            "--from", "2026-05-01"))
    assert "awaiting approval" in ok(bare("action", "submit", ref, "--as", OFFICER)).lower() or \
        bare_app.services.get_action(ref)["status"] == "awaiting_approval"


def _versions(app, ref: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT v.version, v.fields, v.signers, v.sha256, v.edited_by FROM letter_versions v "
            "JOIN letters l ON l.id = v.letter_id JOIN action_references a ON a.action_id = l.action_id "
            "WHERE a.value = :ref AND l.name = 'urgent_appeal' ORDER BY v.version"), {"ref": ref}).all()
    load = lambda value: json.loads(value) if isinstance(value, str) else value  # noqa: E731
    return [{"version": r[0], "fields": load(r[1]), "signers": load(r[2]), "sha256": r[3], "edited_by": r[4]}
            for r in rows]


def test_the_signers_go_to_the_gate_in_a_version_made_by_the_system_and_the_approval_binds_them(app):
    from ..helpers import seed

    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    *_, filled, bound = _versions(app, ref)
    assert filled["signers"] is None and filled["edited_by"] == OFFICER
    assert bound["edited_by"] is None and bound["fields"] == filled["fields"]
    assert [(s["mandate"], s["name"], s["gender"]) for s in bound["signers"]] == [
        ("defenders", "Ana Example", "f"), ("iachr-executive-secretary", "Carmen Ejemplo", "f")]
    assert bound["signers"][0]["titles"]["es"] == \
        "Relatora Especial sobre la situación de los defensores de derechos humanos"
    assert bound["sha256"] == content_sha256("urgent_appeal", "es", bound["fields"], tuple(bound["signers"]))
    assert bound["sha256"] != filled["sha256"] == content_sha256("urgent_appeal", "es", filled["fields"])
    (actor, subject, payload), = _events(app, "SignersBound")
    assert actor == OFFICER and payload["version"] == bound["version"] and payload["sha256"] == bound["sha256"]
    assert payload["signers"] == ["defenders: Ana Example", "iachr-executive-secretary: Carmen Ejemplo"]

    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    approvals = [e for e in app.services.get_action(ref)["history"] if e["event"] == "ApprovalGranted"]
    assert approvals[-1]["details"]["letters"] == {"urgent_appeal": bound["sha256"]}
    (_, _, granted), = _events(app, "ApprovalGranted")
    assert granted["letters_sha256"] == sha256_hex(canonical_json([["urgent_appeal", bound["sha256"]]]))

    # an edit at the gate carries the signers itself; a resubmission with the same names adds no version
    app.services.edit_letter(reference=ref, field="concerns", value="Graver concerns.", editor=OFFICER)
    edited = _versions(app, ref)[-1]
    assert edited["edited_by"] == OFFICER and edited["signers"] == bound["signers"]
    assert app.services.verify_audit().findings == []


def test_a_holder_changed_after_approval_does_not_change_the_letter_dispatched(app, clock):
    from ..helpers import seed

    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    approved = app.services.render_letter(reference=ref).content
    app.services.advance_action(reference=ref)  # dispatched: the rendition is frozen
    sent = app.services.render_letter(reference=ref)
    bound = _versions(app, ref)[-1]

    app.services.end_signatory(mandate="iachr-executive-secretary", on="2026-11-02")
    app.services.set_signatory(mandate="iachr-executive-secretary", name="Laura Nueva", gender="f",
                               starts_on="2026-11-03")
    clock.advance(days=2)

    again = app.services.render_letter(reference=ref)
    assert again.frozen and again.content == sent.content
    assert "Carmen Ejemplo" in again.content and "Laura Nueva" not in again.content
    assert "Carmen Ejemplo" in approved
    assert _versions(app, ref)[-1] == bound  # the version, its names and its hash unchanged
    in_english = app.services.render_letter(reference=ref, language="en").content  # not frozen: still its version's
    assert "Carmen Ejemplo" in in_english and "Laura Nueva" not in in_english
    # a draft shows the holders on the day it is shown
    draft = app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                     beneficiaries=["B"])
    app.services.submit_stage(reference=draft.reference, officer=OFFICER)
    fill(app, draft.reference, "urgent_appeal")
    assert "Laura Nueva" in app.services.render_letter(reference=draft.reference).content
    assert app.services.verify_audit().findings == []


def _unbind(app, ref: str) -> None:  # type: ignore[no-untyped-def]
    """A letter approved before names were bound (data older than migration 0009): no signers."""
    with app.engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE letter_versions SET signers = NULL WHERE letter_id IN (SELECT l.id FROM letters l "
            "JOIN joint_actions a ON a.id = l.action_id JOIN action_references r ON r.action_id = a.id "
            "WHERE r.value = :ref)"), {"ref": ref})


def test_a_letter_approved_without_bound_names_is_sent_with_the_holders_of_its_dispatch_day(app):
    from ..helpers import seed

    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    _unbind(app, ref)

    app.services.advance_action(reference=ref)

    sent = app.services.render_letter(reference=ref)
    assert sent.frozen and "Ana Example" in sent.content and "Carmen Ejemplo" in sent.content
    assert "[" not in sent.content  # no vacant block was frozen


def test_a_letter_approved_without_bound_names_is_not_sent_with_an_empty_block(app):
    from ..helpers import seed

    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    _unbind(app, ref)
    app.services.end_signatory(mandate="iachr-executive-secretary", on="2026-10-01")
    before = count_rows(app)

    with pytest.raises(InvalidState, match="no holder of iachr-executive-secretary"):
        app.services.advance_action(reference=ref)

    assert count_rows(app) == before  # nothing frozen, nothing queued
    assert app.services.get_action(ref)["status"] == "ready"
