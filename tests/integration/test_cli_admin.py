"""Administration on the command line (issue 12, part 2): the address book listed and trimmed
(a removed recipient keeps its row, so past dispatches read whole),
a user moved to the other organisation, and a password-set link sent by email. Each change is
audited, and `audit verify` replays it."""

import json
import re

import pytest
import sqlalchemy as sa

from coordination.adapters import hashing

from ..helpers import OFFICER, SUP_IACHR, dispatched
from .test_cli import ok
from .test_cli_refusals import assert_refused

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def _events(app, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(
            f"SELECT actor, subject, payload FROM audit_events WHERE event = '{name}' ORDER BY id")]


def _verified(cli) -> None:  # type: ignore[no-untyped-def]
    assert "Audit trail intact" in ok(cli("audit", "verify"))


# ---------------------------------------------------------------- the address book

def test_recipient_list_shows_the_address_book_by_state_as_a_table_or_json(app, cli):
    table = ok(cli("recipient", "list"))
    assert table.splitlines()[0].split() == ["COUNTRY", "KIND", "EMAIL", "NAME", "OFFICE", "GENDER"]
    rows = json.loads(ok(cli("recipient", "list", "--country", "hnd", "--json")))
    assert rows and {r["country"] for r in rows} == {"HND"}
    assert set(rows[0]) == {"country", "kind", "email", "name", "office", "gender"}
    assert_refused(app, cli, ("recipient", "list", "--country", "XXX"), "country")


def test_a_removed_recipient_leaves_the_address_book_but_past_dispatches_keep_its_address(app, cli):
    ref = dispatched(app, "urgent-appeal")  # outbox rows name the State's addresses
    sent_to = [e["recipient"] for e in app.services.list_outbox()]
    first = json.loads(ok(cli("recipient", "list", "--country", "HND", "--json")))[0]
    out = ok(cli("recipient", "remove", "HND", "--kind", first["kind"], "--email", first["email"].upper()))
    assert out.strip() == f"Removed {first['kind']} of HND: {first['email']}."
    left = json.loads(ok(cli("recipient", "list", "--country", "HND", "--json")))
    assert first["email"] not in [r["email"] for r in left]
    assert first["email"] in [e["recipient"] for e in app.services.list_outbox()]  # the outbox keeps it
    assert first["email"] in sent_to
    assert app.services.get_action(ref)["reference"] == ref
    assert _events(app, "RecipientRemoved")[-1][:2] == ("admin", first["email"])
    _verified(cli)
    # removed twice: refused, nothing written; added again: back
    line = assert_refused(app, cli, ("recipient", "remove", "HND", "--kind", first["kind"], "--email", first["email"]),
                          "no", "address book")
    assert "coordination recipient list --country HND" in line
    ok(cli("recipient", "add", "HND", "--kind", first["kind"], "--email", first["email"]))
    assert first["email"] in [r["email"] for r in json.loads(ok(cli("recipient", "list", "--json")))]
    _verified(cli)


# ---------------------------------------------------------------- users

def test_user_set_organisation_moves_a_user_and_ends_their_sessions(app, cli):
    app.services.set_password(email=OFFICER, password=PASSWORD)
    token = app.services.sign_in(email=OFFICER, password=PASSWORD).token
    out = ok(cli("user", "set-organisation", OFFICER, "iachr"))
    assert out.strip() == f"{OFFICER} (IACHR officer) now; their sessions are ended."
    assert app.services.current_user(token) is None
    assert "nothing changed" in ok(cli("user", "set-organisation", OFFICER, "iachr"))
    assert _events(app, "OrganisationChanged")[0][1] == OFFICER
    _verified(cli)


def _queued_link(app, email: str) -> str:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        body = connection.execute(sa.text("SELECT body_text FROM outbox WHERE recipient = :r ORDER BY id DESC"),
                                  {"r": email}).scalars().first()
    found = re.search(r"http://\S+/password/(\S+)", body)
    assert found, body
    return found.group(1)


def test_send_password_link_queues_a_mail_whose_link_sets_the_password_once(app, cli):
    out = ok(cli("user", "send-password-link", SUP_IACHR))
    assert out.startswith(f"Queued a password-set link for {SUP_IACHR}, valid until 2026-11-04 09:00 UTC")
    token = _queued_link(app, SUP_IACHR)
    listed = [line for line in ok(cli("outbox", "list")).splitlines() if SUP_IACHR in line]
    assert len(listed) == 1 and "password-set link" in listed[0]  # not called a reminder digest
    with app.engine.connect() as connection:  # only its hash is kept
        stored = connection.exec_driver_sql("SELECT token_sha256 FROM password_links").scalars().all()
    assert token not in stored and len(stored) == 1
    assert app.services.password_link_user(token).email == SUP_IACHR
    app.services.set_password_by_link(token=token, password=PASSWORD)
    assert app.services.sign_in(email=SUP_IACHR, password=PASSWORD).user.email == SUP_IACHR
    with pytest.raises(Exception, match="already used"):
        app.services.set_password_by_link(token=token, password="another long passphrase")
    assert _events(app, "PasswordLinkSent")[0][:2] == ("admin", SUP_IACHR)
    _verified(cli)
    assert_refused(app, cli, ("user", "send-password-link", "nobody@example.org"), "unknown user")
