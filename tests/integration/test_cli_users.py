"""People on the command line (issue 10, items 4 and 5): disable and enable a user, change a role,
end every session of a person, renew a calendar address, and the password rule of `set-password`.
Each change is an audit event that `audit verify` replays: a table changed behind its back is named."""

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import coordination.cli
from coordination.adapters import hashing
from coordination.services import accounts

from ..helpers import OFFICER, SUP_IACHR, SUP_IACHR_2, SUP_OHCHR, USERS, open_at_gate
from .test_cli import ok
from .test_cli_refusals import _rows, assert_refused

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(hashing, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


def _credentials(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(
            "SELECT user_id, password_hash, calendar_generation FROM credentials ORDER BY user_id")]


def _events(app, name: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(
            f"SELECT actor, subject, payload FROM audit_events WHERE event = '{name}' ORDER BY id")]


def _signed_in(app, email: str) -> str:  # type: ignore[no-untyped-def]
    app.services.set_password(email=email, password=PASSWORD)
    return app.services.sign_in(email=email, password=PASSWORD).token


def _verify_fails_naming(cli, *words: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.stdout
    assert any(all(w in line for w in words) for line in result.stderr.splitlines()), result.stderr


# ---------------------------------------------------------------- disable, enable

def test_a_disabled_user_can_neither_sign_in_nor_act_and_their_sessions_end(app, cli):
    ref = open_at_gate(app, "urgent-appeal")
    token = _signed_in(app, SUP_IACHR)
    assert app.services.current_user(token).email == SUP_IACHR

    out = ok(cli("user", "disable", SUP_IACHR))
    assert out.strip() == f"Disabled {SUP_IACHR}; their sessions are ended."

    assert app.services.current_user(token) is None
    with pytest.raises(accounts.SignInRefused, match="^wrong email or password$"):
        app.services.sign_in(email=SUP_IACHR, password=PASSWORD)
    assert_refused(app, cli, ("action", "approve", ref, "--as", SUP_IACHR), f"user {SUP_IACHR} is disabled")
    assert_refused(app, cli, ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T",
                              "--as", SUP_IACHR), "is disabled")
    assert_refused(app, cli, ("deadline", "extend", ref, "approval_sla", "--to", "2026-11-20", "--reason", "r",
                              "--as", SUP_IACHR, "--org", "iachr"), "is disabled")

    table = ok(cli("user", "list")).splitlines()
    assert table[0].split()[-1] == "STATUS"
    assert [line.split()[-1] for line in table[1:] if line.startswith(SUP_IACHR)] == ["disabled"]
    assert {line.split()[-1] for line in table[1:] if not line.startswith(SUP_IACHR)} == {"active"}
    listed = {u["email"]: u["disabled"] for u in json.loads(ok(cli("user", "list", "--json")))}
    assert listed == {email: email == SUP_IACHR for email, *_ in USERS}

    rows = _rows(app)
    assert ok(cli("user", "disable", SUP_IACHR.upper())).strip() == f"{SUP_IACHR} is already disabled; nothing changed."
    assert _rows(app) == rows
    assert "intact" in ok(cli("audit", "verify"))

    assert ok(cli("user", "enable", SUP_IACHR)).strip() == f"Enabled {SUP_IACHR} (IACHR supervisor)."
    assert "Approval recorded" in ok(cli("action", "approve", ref, "--as", SUP_IACHR))
    assert app.services.sign_in(email=SUP_IACHR, password=PASSWORD).user.email == SUP_IACHR
    assert app.services.current_user(token) is None  # the ended session stays ended
    assert [e[1] for e in _events(app, "UserDisabled") + _events(app, "UserEnabled")] == [SUP_IACHR] * 2
    assert "intact" in ok(cli("audit", "verify"))


def test_audit_verify_names_a_user_enabled_or_disabled_behind_its_back(app, cli):
    ok(cli("user", "disable", OFFICER))
    with app.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET disabled_at = NULL WHERE email = :e"), {"e": OFFICER})
    _verify_fails_naming(cli, f"user {OFFICER}", "disabled")


def test_a_disabled_person_is_sent_no_reminder(app, cli, clock):
    ref = open_at_gate(app, "urgent-appeal")
    clock.advance(days=6)  # the approval deadlines are overdue: escalations to every supervisor and the officer
    before = {line.recipient for line in app.services.send_reminders(dry_run=True).lines}
    assert {SUP_IACHR, SUP_IACHR_2, SUP_OHCHR, OFFICER} <= before

    ok(cli("user", "disable", SUP_IACHR))
    ok(cli("user", "disable", OFFICER))
    out = ok(cli("reminders", "send", "--dry-run"))
    assert SUP_IACHR not in out and OFFICER not in out and SUP_IACHR_2 in out

    ok(cli("reminders", "send"))
    with app.engine.connect() as connection:
        sent_to = {r[0] for r in connection.exec_driver_sql("SELECT recipient FROM outbox WHERE kind = 'digest'")}
    assert sent_to and SUP_IACHR not in sent_to and OFFICER not in sent_to
    assert ref and "intact" in ok(cli("audit", "verify"))


# ---------------------------------------------------------------- roles

def test_a_new_role_ends_the_sessions_and_is_replayed_by_audit_verify(app, cli):
    token = _signed_in(app, OFFICER)
    out = ok(cli("user", "set-role", OFFICER, "supervisor"))
    assert out.strip() == f"{OFFICER} (OHCHR supervisor) now; their sessions are ended."
    assert app.services.current_user(token) is None
    [(actor, subject, payload)] = _events(app, "RoleChanged")
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert (actor, subject) == ("admin", OFFICER)
    assert payload == {"role": "supervisor", "previous": "officer", "sessions_ended": 1}
    assert "intact" in ok(cli("audit", "verify"))

    rows = _rows(app)
    assert ok(cli("user", "set-role", OFFICER, "supervisor")).strip() == \
        f"{OFFICER} is already supervisor; nothing changed."
    assert _rows(app) == rows
    wrong = cli("user", "set-role", OFFICER, "president")
    assert wrong.exit_code == 2 and _rows(app) == rows
    assert_refused(app, cli, ("user", "set-role", "nobody@ohchr.test", "officer"), "unknown user")

    with app.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET role = 'admin' WHERE email = :e"), {"e": OFFICER})
    _verify_fails_naming(cli, f"user {OFFICER}", "role")


# ---------------------------------------------------------------- sessions and calendar addresses

def test_sign_out_everywhere_ends_every_session_of_the_person(app, cli):
    first = _signed_in(app, OFFICER)
    second = app.services.sign_in(email=OFFICER, password=PASSWORD).token
    other = _signed_in(app, SUP_OHCHR)
    assert ok(cli("user", "sign-out-everywhere", OFFICER.upper())).strip() == f"Ended 2 session(s) of {OFFICER}."
    assert app.services.current_user(first) is None and app.services.current_user(second) is None
    assert app.services.current_user(other).email == SUP_OHCHR
    assert ok(cli("user", "sign-out-everywhere", OFFICER)).strip() == f"Ended 0 session(s) of {OFFICER}."
    assert len(_events(app, "SessionsEnded")) == 2
    assert_refused(app, cli, ("user", "sign-out-everywhere", "nobody@ohchr.test"), "unknown user")
    assert "intact" in ok(cli("audit", "verify"))


def test_renew_calendar_gives_a_new_address_and_the_old_one_stops_working(app, cli):
    old = app.services.calendar_token(OFFICER)
    assert app.services.calendar_owner(old) == OFFICER
    out = ok(cli("user", "renew-calendar", OFFICER))
    new = out.strip().rsplit("/", 1)[1].removesuffix(".ics")
    assert out.startswith(f"New calendar address of {OFFICER}") and len(new) == 40 and new != old
    assert app.services.calendar_owner(old) is None
    assert app.services.calendar_owner(new) == OFFICER
    [(actor, subject, payload)] = _events(app, "CalendarAddressRenewed")
    assert (actor, subject) == ("admin", OFFICER) and new not in str(payload)
    assert "intact" in ok(cli("audit", "verify"))
    ok(cli("user", "disable", OFFICER))
    assert app.services.calendar_owner(new) is None  # a disabled person's feed answers 404
    ok(cli("user", "enable", OFFICER))

    with app.engine.begin() as connection:  # someone puts the old address back in service
        connection.execute(sa.text("UPDATE credentials SET calendar_generation = 0"))
    assert app.services.calendar_owner(old) == OFFICER
    _verify_fails_naming(cli, f"user {OFFICER}", "calendar address is generation 0", "says 1")


# ---------------------------------------------------------------- the password rule

@pytest.mark.parametrize("password, reason", [
    (" " * 10, "a password needs at least 12 characters"),  # the finding: ten spaces were accepted
    ("short", "a password needs at least 12 characters"),
    (" " * 12, "a password cannot be only spaces or invisible characters"),
    ("\u200b\ufeff\u200e" * 5, "a password cannot be only spaces or invisible characters"),
    ("\u00a0" * 14, "a password cannot be only spaces or invisible characters"),
    (OFFICER, "a password cannot be the email address"),
])
def test_set_password_refuses_what_is_no_password_and_writes_nothing(app, cli, password, reason):
    credentials = _credentials(app)
    line = assert_refused(app, cli, ("user", "set-password", OFFICER), input=password + "\n")
    assert line == f"error: {reason}"
    assert _credentials(app) == credentials


def test_set_password_ends_the_sessions_of_the_person(app, cli):
    token = _signed_in(app, OFFICER)
    assert "Password set for" in ok(cli("user", "set-password", OFFICER, input="another good passphrase\n"))
    assert app.services.current_user(token) is None
    assert "intact" in ok(cli("audit", "verify"))


def test_the_idle_time_out_setting_is_checked_when_a_command_starts(tmp_path):
    coordination.cli._app.cache_clear()
    try:
        for wrong in ("4", "481", "two hours"):
            result = CliRunner().invoke(coordination.cli.app, ["user", "list"], env={
                "COORDINATION_SESSION_IDLE_MINUTES": wrong, "COORDINATION_DATA_DIR": str(tmp_path / "data")})
            assert result.exit_code == 1 and result.stdout == ""
            [line] = result.stderr.splitlines()
            assert line.startswith("error: COORDINATION_SESSION_IDLE_MINUTES is not valid: ")
        assert not (tmp_path / "data").exists()
    finally:
        coordination.cli._app.cache_clear()
