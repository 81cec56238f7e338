"""`coordination audit verify` against someone who can write the database but not read the audit key.

Each case tampers with the database the way the issue's probes did (or the same class:
another table, another column), then `audit verify` must exit 1 with a line naming it. On
SQLite and PostgreSQL.
"""

import hashlib
import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from coordination.domain.letters import canonical_json

from ..helpers import OFFICER, SUP_IACHR, SUP_OHCHR, dispatched, open_at_gate
from .test_cli import ok


@pytest.fixture
def office(app, cli):
    """One urgent appeal dispatched (outbox, frozen renditions, deadlines) and one at its gate, decided once."""
    sent = dispatched(app, "urgent-appeal")
    waiting = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=waiting, supervisor=SUP_OHCHR)
    out = ok(cli("audit", "verify"))
    assert "Audit trail intact" in out and "2 action(s) replayed" in out
    return sent, waiting


def _sql(app, statement: str, **params) -> None:  # type: ignore[no-untyped-def]
    with app.engine.begin() as connection:
        connection.execute(sa.text(statement), params)


def _scalar(app, statement: str, **params):  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return connection.execute(sa.text(statement), params).scalar()


def _refused(cli, *words: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), lines
    assert any(all(w in line for w in words) for line in lines), (words, lines)
    return lines


def _body(row) -> str:  # type: ignore[no-untyped-def]
    occurred = row.occurred_at if not isinstance(row.occurred_at, str) else row.occurred_at
    text = occurred.isoformat(timespec="microseconds") if hasattr(occurred, "isoformat") else str(occurred)
    payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
    return canonical_json({"id": row.id, "occurred_at": text.replace(" ", "T"), "actor": row.actor,
                           "organisation": row.organisation, "action_id": row.action_id, "subject": row.subject,
                           "event": row.event, "payload": payload})


def _rechain_without_the_key(app, start: int) -> None:  # type: ignore[no-untyped-def]
    """What an attacker without the key can do: recompute every hash from `start` on with plain sha256."""
    with app.engine.begin() as connection:
        prev = connection.execute(sa.text("SELECT hash FROM audit_events WHERE id = :id"), {"id": start - 1}).scalar()
        rows = connection.execute(sa.text("SELECT * FROM audit_events WHERE id >= :id ORDER BY id"),
                                  {"id": start}).all()
        for row in rows:
            digest = hashlib.sha256((prev + _body(row)).encode()).hexdigest()
            connection.execute(sa.text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id"),
                               {"p": prev, "h": digest, "id": row.id})
            prev = digest
        connection.execute(sa.text("UPDATE audit_head SET hash = :h"), {"h": prev})


# ---------------------------------------------------------------- the chain, its head and checkpoints

def test_deleting_the_last_events_and_rewinding_the_head_is_found_by_the_checkpoints(app, cli, office):
    total = _scalar(app, "SELECT MAX(id) FROM audit_events")
    keep = total - 3
    head = _scalar(app, "SELECT hash FROM audit_events WHERE id = :id", id=keep)
    _sql(app, "DELETE FROM audit_events WHERE id > :id", id=keep)
    _sql(app, "UPDATE audit_head SET seq = :seq, hash = :hash", seq=keep, hash=head)
    _refused(cli, f"records {total} events but the trail holds {keep}", f"#{keep + 1} to #{total} were deleted")


def test_deleting_the_last_event_and_rewinding_only_the_heads_count_names_the_head(app, cli, office):
    total = _scalar(app, "SELECT MAX(id) FROM audit_events")
    _sql(app, "DELETE FROM audit_events WHERE id = :id", id=total)
    _sql(app, "UPDATE audit_head SET seq = seq - 1")
    lines = _refused(cli, f"the audit head records event #{total - 1} with another hash than the chain's")
    assert any(f"events #{total} to #{total} were deleted" in line for line in lines)


def test_deleting_the_last_events_and_the_head_row_is_reported_not_a_traceback(app, cli, office):
    total = _scalar(app, "SELECT MAX(id) FROM audit_events")
    _sql(app, "DELETE FROM audit_events WHERE id > :id", id=total - 2)
    _sql(app, "DELETE FROM audit_head")
    lines = _refused(cli, "head row (audit_head) is missing")
    assert any("were deleted" in line for line in lines)


def test_with_the_head_row_deleted_every_write_is_refused_in_one_line(app, cli, office):
    _sql(app, "DELETE FROM audit_head")
    result = cli("action", "open", "urgent-appeal", "--country", "HND", "--title", "New", "--as", OFFICER)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: the audit trail's head row is missing, so nothing can be recorded: the database was changed "
        "outside the application; run `coordination audit verify`"]
    assert _scalar(app, "SELECT COUNT(*) FROM joint_actions") == 2


def test_deleting_every_event_is_found(app, cli, office):
    _sql(app, "DELETE FROM audit_events")
    _sql(app, "UPDATE audit_head SET seq = 0, hash = :genesis", genesis="0" * 64)
    lines = _refused(cli, "were deleted")
    assert any("has no ActionOpened in the audit trail" in line for line in lines)


def test_editing_an_event_and_recomputing_the_chain_after_it_without_the_key_is_found(app, cli, office):
    sent, _ = office
    approval = _scalar(app, "SELECT MIN(id) FROM audit_events WHERE event = 'ApprovalGranted'")
    _sql(app, "UPDATE audit_events SET actor = 'mallory@evil.test' WHERE id = :id", id=approval)
    _rechain_without_the_key(app, approval)
    _refused(cli, f"audit event #{approval} (ApprovalGranted", "keyed hash")


def test_appending_a_forged_approval_is_found(app, cli, office):
    _, waiting = office
    action_id = _scalar(app, "SELECT action_id FROM action_references WHERE value = :v", v=waiting)
    last = _scalar(app, "SELECT MAX(id) FROM audit_events")
    _sql(app, "INSERT INTO audit_events (id, occurred_at, actor, organisation, action_id, subject, event, payload, "
              "prev_hash, hash) SELECT :id, occurred_at, :actor, 'iachr', :action, :ref, 'ApprovalGranted', "
              "payload, hash, 'x' FROM audit_events WHERE id = :last",
         id=last + 1, actor=SUP_IACHR, action=action_id, ref=waiting, last=last)
    _rechain_without_the_key(app, last + 1)
    _sql(app, "UPDATE audit_head SET seq = :seq", seq=last + 1)
    _refused(cli, f"audit event #{last + 1} (ApprovalGranted on {waiting})", "keyed hash")


def test_a_checkpoint_line_not_signed_with_the_key_is_found(app, cli, office, tmp_path):
    path = app.settings.audit_checkpoints_file
    count = _scalar(app, "SELECT MAX(id) FROM audit_events")
    with open(path, "a") as file:
        file.write(f"{count + 5} {'a' * 64} 2026-11-02T09:00:00.000000Z {'b' * 64}\n")
    _refused(cli, "is not signed with this audit key")


@pytest.mark.parametrize("line", ["{n} {h} 2026-11-02T09:00:00.000000Z {h}é", "١٢ {h} 2026-11-02T09:00:00Z {h}",
                                  "{n} {h} \x00 {h}", "garbage"])
def test_a_checkpoint_line_of_any_other_characters_is_a_finding_not_an_error(app, cli, office, line):
    count = _scalar(app, "SELECT MAX(id) FROM audit_events")
    with open(app.settings.audit_checkpoints_file, "a", encoding="utf-8") as file:
        file.write(line.format(n=count, h="a" * 64) + "\n")
    _refused(cli, "checkpoint line")


def test_audit_checkpoint_prints_a_signed_line_that_verify_accepts(app, cli, office):
    line = ok(cli("audit", "checkpoint")).strip()
    count, digest, _, signature = line.split()
    assert int(count) == _scalar(app, "SELECT seq FROM audit_head")
    assert digest == _scalar(app, "SELECT hash FROM audit_head") and len(signature) == 64
    assert "intact" in ok(cli("audit", "verify"))


# ---------------------------------------------------------------- the replay against the tables

JAM = "JAM-2026-0001"  # dispatched
GATE = "JAM-2026-0002"  # at its gate, OHCHR approved

Tamper = Callable[[object], None]

TAMPERING: list[tuple[str, str, tuple[str, ...]]] = [
    ("an action's status", "UPDATE joint_actions SET status = 'closed' WHERE id = 2",
     (GATE, "joint_actions.status is 'closed'", "'awaiting_approval'")),
    ("an action's stage and round", "UPDATE joint_actions SET stage = 'dispatch', round = 3 WHERE id = 2",
     (GATE, "joint_actions.stage")),
    ("who submitted (four eyes)", "UPDATE joint_actions SET submitted_by = NULL WHERE id = 2",
     (GATE, "joint_actions.submitted_by")),
    ("an action's beneficiaries", "UPDATE joint_actions SET title = 'Another title' WHERE id = 1",
     (JAM, "title or beneficiaries")),
    ("an approval's approver", f"UPDATE approvals SET approver = '{SUP_IACHR}' WHERE action_id = 2",
     (GATE, "approvals row 1 approver", SUP_IACHR)),
    ("an approval's void flag", "UPDATE approvals SET void = TRUE WHERE action_id = 2",
     (GATE, "approvals row 1 void")),
    ("an inserted approval", "INSERT INTO approvals (action_id, stage, round, organisation, approver, decision, "
                             "letters_sha256, decided_at, void) SELECT action_id, stage, round, 'iachr', "
                             f"'{SUP_IACHR}', decision, letters_sha256, decided_at, void FROM approvals "
                             "WHERE action_id = 2",
     (GATE, "approvals row(s) are not in the audit trail")),
    ("a deleted approval", "DELETE FROM approvals WHERE action_id = 2",
     (GATE, "approvals row(s) of the audit trail are missing")),
    ("a letter's fields", "UPDATE letter_versions SET fields = :fields WHERE id = "
                          "(SELECT MAX(v.id) FROM letter_versions v JOIN letters l ON l.id = v.letter_id "
                          "WHERE l.action_id = 2)",
     (GATE, "letter urgent_appeal v8", "letter_versions.fields changed")),
    ("a letter version's signers", "UPDATE letter_versions SET signers = :signers WHERE id = "
                                  "(SELECT MAX(v.id) FROM letter_versions v JOIN letters l ON l.id = v.letter_id "
                                  "WHERE l.action_id = 2)",
     (GATE, "letter urgent_appeal v8", "letter_versions.signers")),
    ("a letter version's hash and fields together",
     "UPDATE letter_versions SET fields = :fields, sha256 = :sha WHERE id = "
     "(SELECT MAX(v.id) FROM letter_versions v JOIN letters l ON l.id = v.letter_id WHERE l.action_id = 2)",
     (GATE, "letter urgent_appeal v8 sha256")),
    ("a frozen rendition", "UPDATE letter_versions SET rendered_text = 'Another text' WHERE rendered_text IS NOT NULL",
     (JAM, "the frozen text is not what was dispatched")),
    ("a dispatched PDF's sha256", "UPDATE letter_versions SET rendered_pdf_sha256 = '" + "0" * 64 + "' "
                                  "WHERE rendered_pdf_sha256 IS NOT NULL",
     (JAM, "the PDF's sha256 is not the one recorded at dispatch")),
    ("a kept PDF replaced", "UPDATE letter_versions SET rendered_pdf = :pdf WHERE rendered_pdf IS NOT NULL",
     (JAM, "the PDF kept is not the one dispatched")),
    ("a letter's status", "UPDATE letters SET status = 'draft' WHERE action_id = 1",
     (JAM, "letter urgent_appeal status is 'draft'", "'dispatched'")),
    ("a deadline moved", "UPDATE deadlines SET due_at = due_at + INTERVAL '30 days' WHERE action_id = 1 "
                         "AND kind = 'state_reply'",
     (JAM, "deadlines row", "due_at")),
    ("a deadline closed", "UPDATE deadlines SET status = 'met' WHERE action_id = 1 AND status = 'open'",
     (JAM, "deadlines row", "status is 'met'")),
    ("an outbox recipient redirected", "UPDATE outbox SET recipient = 'mallory@evil.test' WHERE action_id = 1",
     (JAM, "now goes to another recipient", "mallory@evil.test")),
    ("an outbox row marked sent", "UPDATE outbox SET status = 'sent' WHERE action_id = 1",
     (JAM, "is 'sent' but the audit trail says 'not yet delivered'")),
    ("a reference", "UPDATE action_references SET value = 'UA HND 9/2026' WHERE value = 'UA HND 1/2026'",
     (JAM, "reference UA HND 9/2026")),
    ("a user's role", f"UPDATE users SET role = 'supervisor' WHERE email = '{OFFICER}'",
     (f"user {OFFICER}", "role is 'supervisor'")),
    ("a user added outside the application",
     "INSERT INTO users (email, name, organisation, role, created_at) VALUES "
     "('mallory@evil.test', 'M', 'ohchr', 'supervisor', '2026-11-02 09:00:00')",
     ("user mallory@evil.test is not in the audit trail",)),
    ("an address book entry", "UPDATE recipients SET email = 'mallory@evil.test' WHERE country = 'HND' "
                              "AND kind = 'permanent-mission-geneva'",
     ("address book: mallory@evil.test as permanent-mission-geneva of HND",)),
]


@pytest.mark.parametrize("what, statement, words", TAMPERING, ids=[t[0] for t in TAMPERING])
def test_a_direct_edit_of_the_tables_is_named_by_the_replay(app, cli, office, what, statement, words):
    params = {}
    if ":fields" in statement:
        params["fields"] = json.dumps({"concerns": "Something the supervisors never saw."})
        params["sha"] = "f" * 64
    if ":signers" in statement:  # the approved letter named someone else
        params["signers"] = json.dumps([{"mandate": "defenders", "organisation": "ohchr", "name": "Someone Else",
                                         "gender": "m", "titles": {}, "resolution": None}])
    if ":pdf" in statement:  # another document in the place of the one sent
        params["pdf"] = b"%PDF-1.7 another document"
    if "INTERVAL" in statement and app.engine.dialect.name == "sqlite":
        statement = statement.replace("due_at + INTERVAL '30 days'", "datetime(due_at, '+30 days')")
    if "TRUE" in statement and app.engine.dialect.name == "sqlite":
        statement = statement.replace("TRUE", "1")
    _sql(app, statement, **params)
    _refused(cli, *words)


def test_a_password_hash_replaced_in_the_database_is_named(app, cli, office):
    app.services.set_password(email=SUP_IACHR, password="a long enough password")
    assert "intact" in ok(cli("audit", "verify"))
    _sql(app, "UPDATE credentials SET password_hash = 'argon2-of-a-password-the-attacker-knows'")
    _refused(cli, f"user {SUP_IACHR}", "password hash is not the one last set")


def test_an_interface_language_changed_in_the_database_is_named(app, cli, office):
    """The language a person chose decides the language of their mail: the choice is audited
    once (choosing it again records nothing), and an edit behind the application is found."""
    user = next(u for u in app.services.list_users() if u.email == SUP_IACHR)
    app.services.set_language(user=user, language="es")
    app.services.set_language(user=user, language="es")
    assert _scalar(app, "SELECT count(*) FROM audit_events WHERE event = 'LanguageChosen' AND subject = :who",
                   who=SUP_IACHR) == 1
    assert "intact" in ok(cli("audit", "verify"))
    _sql(app, "UPDATE credentials SET language = 'en' WHERE user_id = (SELECT id FROM users WHERE email = :who)",
         who=SUP_IACHR)
    _refused(cli, f"user {SUP_IACHR}", "interface language is 'en' but the audit trail says 'es'")


def test_the_replay_passes_after_every_kind_of_step(app, cli):
    """Open, edit, submit, reject, approve, void, skip, dispatch, extend, cancel, reply: all replayed."""
    ref = open_at_gate(app, "precautionary-measure")
    app.services.reject_stage(reference=ref, supervisor=SUP_IACHR, comment="Be precise.")
    app.services.submit_stage(reference=ref, officer=OFFICER)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    app.services.edit_letter(reference=ref, letter="request_for_information", field="facts", value="More facts.",
                         editor="ivo.officer@iachr.test")  # voids the approval: a new round
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.advance_action(reference=ref)
    app.services.extend_deadline(reference=ref, kind="state_reply", to="2026-11-20", reason="Asked for time",
                             actor=OFFICER)
    app.services.record_reply(reference=ref, officer=OFFICER, received_on=app.clock().date())
    skipped = open_at_gate(app, "precautionary-measure")
    app.services.skip_stage(reference=skipped, officer=OFFICER, reason="The harm is immediate.")
    cc = open_at_gate(app, "country-communication")
    app.services.cancel_deadline(reference=cc, kind="approval_sla", organisation="ohchr", reason="Leave",
                             actor=OFFICER)
    out = ok(cli("audit", "verify"))
    assert "3 action(s) replayed" in out
