"""The `coordination` command line, driven in-process against SQLite and PostgreSQL.

Every test runs the real Typer app through click's CliRunner. The CLI's `_app()` is
replaced by the test's app (tests/conftest.py: a migrated database, SQLite and PostgreSQL
in turn, and a clock fixed at Monday 2026-11-02 09:00 UTC), except for the `init` tests,
which select a fresh database through COORDINATION_DATABASE_URL as a user would.
Refusals are in test_cli_refusals.py.
"""

import json
import re
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

import coordination.cli
from coordination.adapters.database import sqlite_path

from ..conftest import count_rows, unavailable
from ..helpers import LETTERS, OFFICER, SUP_IACHR, SUP_IACHR_2, SUP_OHCHR, USERS, fill, open_at_gate, seed

runner = CliRunner()


# ---------------------------------------------------------------- driving the CLI


@pytest.fixture
def invoke(app, monkeypatch):
    """Run a `coordination` command against the test's app (no data seeded)."""
    monkeypatch.setattr(coordination.cli, "_app", lambda: app)

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(coordination.cli.app, list(args), input=input)

    return run


@pytest.fixture
def cli(app, invoke):
    """Like `invoke`, with the users and State recipients of tests/helpers.py."""
    seed(app)
    return invoke


def ok(result: Result) -> str:
    """The command succeeded quietly on stderr; returns its stdout."""
    assert result.exit_code == 0, (
        f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
    )
    assert result.stderr == ""
    return result.stdout


def show(cli, ref: str) -> dict:
    return json.loads(ok(cli("action", "show", ref, "--json")))


def cli_open(cli, action_type: str, country: str, *extra: str) -> str:
    out = ok(cli("action", "open", action_type, "--country", country, "--title", f"Test {action_type}",
                 "--as", OFFICER, *extra))
    return out.splitlines()[-1]


def at_waiting(app, action_type: str) -> str:
    """An action past its first dispatch, set up through the services."""
    ref = open_at_gate(app, action_type)
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    app.services.advance_action(reference=ref)
    return ref


# ---------------------------------------------------------------- action open


def test_action_open_prints_the_new_jam_reference_as_its_last_line(cli):
    first = ok(cli("action", "open", "urgent-appeal", "--country", "HND", "--title", "Threats", "--as", OFFICER))
    second = ok(cli("action", "open", "country-communication", "--country", "gtm", "--title", "Pattern",
                    "--as", OFFICER))

    assert first.splitlines()[-1] == "JAM-2026-0001"
    assert second.splitlines()[-1] == "JAM-2026-0002"
    view = show(cli, "JAM-2026-0002")
    assert (view["type"], view["country"], view["stage"], view["status"]) == (
        "country-communication", "GTM", "drafting", "in_progress")


def test_action_open_records_every_repeated_beneficiary(cli):
    ref = cli_open(cli, "precautionary-measure", "MEX", "--beneficiary", "Ana Pérez", "--beneficiary", "Luis Gómez")

    assert show(cli, ref)["beneficiaries"] == ["Ana Pérez", "Luis Gómez"]
    assert "Beneficiaries: Ana Pérez, Luis Gómez" in ok(cli("action", "show", ref))


def test_action_open_writes_letters_in_the_language_given_or_else_in_the_states(cli, subtests):
    for action_type, country, option, language in [
        ("urgent-appeal", "HND", None, "es"),  # the State's language
        ("urgent-appeal", "HND", "fr", "fr"),
        ("urgent-appeal", "BRA", None, "en"),  # Portuguese is not a UN working language: English
        ("country-communication", "BRA", None, "pt"),
        ("precautionary-measure", "MEX", "en", "en"),
    ]:
        with subtests.test(msg=f"{action_type} for {country} with --language {option}"):
            ref = cli_open(cli, action_type, country, *(("--language", option) if option else ()))
            view = show(cli, ref)
            assert view["language"] == language
            assert all(letter["language"] == language for letter in view["letters"])
            assert f"{country} ({language})" in ok(cli("action", "show", ref)).splitlines()[0]


# ---------------------------------------------------------------- walking each type to its first dispatch


@dataclass(frozen=True)
class Walk:
    country: str
    steps: tuple[tuple[str, ...], ...]  # ("submit",) | ("fill", letter) | ("set", field, value)
    file_field: str  # set with --file PATH instead of --text
    gate: str
    own_reference: str | None
    messages: int
    recipients: frozenset[str]
    wait_stage: str
    open_deadlines: dict[str, str]  # kind -> due_at after the dispatch
    letters: dict[str, str]  # letter -> the stage it belongs to
    extra_fields: dict[str, dict[str, str | None]]  # values beyond LETTERS: set or still unset


WALKS = {
    "urgent-appeal": Walk(
        country="HND",
        steps=(("submit",), ("fill", "urgent_appeal"), ("submit",)),
        file_field="questions",
        gate="joint_approval",
        own_reference="UA HND 1/2026",
        messages=1,
        recipients=frozenset({"mission@hnd-geneva.test"}),
        wait_stage="awaiting_reply",
        open_deadlines={"state_reply": "2027-01-01T09:00:00Z", "publication": "2027-01-01T09:00:00Z"},
        letters={"urgent_appeal": "drafting"},
        extra_fields={"urgent_appeal": {"legal_annex": None}},
    ),
    "precautionary-measure": Walk(
        country="MEX",
        steps=(("fill", "acknowledgement"), ("submit",), ("fill", "request_for_information"),
               ("set", "reply_within_days", "7"), ("submit",)),
        file_field="request_summary",
        gate="information_request",
        own_reference="MC-1-26",
        messages=3,
        recipients=frozenset({"requester@ngo.test", "sre@mex.test", "oea@mex.test"}),
        wait_stage="awaiting_state_reply",
        open_deadlines={"state_reply": "2026-11-09T09:00:00Z"},  # reply_within_days=7, calendar days
        letters={"acknowledgement": "registration", "request_for_information": "information_request"},
        extra_fields={"request_for_information": {"reply_within_days": "7"}},
    ),
    "country-communication": Walk(
        country="GTM",
        steps=(("fill", "communication"), ("submit",)),
        file_field="requests",
        gate="joint_approval",
        own_reference=None,
        messages=3,
        recipients=frozenset({"minex@gtm.test", "oea@gtm.test", "ginebra@gtm.test"}),
        wait_stage="awaiting_reply",
        open_deadlines={"state_reply": "2027-01-01T09:00:00Z"},
        letters={"communication": "drafting"},
        extra_fields={},
    ),
}


@pytest.mark.parametrize("action_type", list(WALKS))
def test_each_action_type_walks_from_open_to_its_first_dispatch_through_the_cli(cli, app, tmp_path, action_type):
    walk = WALKS[action_type]
    ref = cli_open(cli, action_type, walk.country, "--beneficiary", "Beneficiary One")
    for step in walk.steps:
        if step[0] == "submit":
            assert "is now at stage" in ok(cli("action", "submit", ref, "--as", OFFICER))
        elif step[0] == "set":
            ok(cli("letter", "set", ref, step[1], "--text", step[2], "--as", OFFICER))
        else:
            for field, value in LETTERS[step[1]].items():
                if field == walk.file_field:
                    path = tmp_path / f"{field}.txt"
                    path.write_text(value, encoding="utf-8")
                    out = ok(cli("letter", "set", ref, field, "--file", str(path), "--as", OFFICER,
                                 "--letter", step[1]))
                else:
                    out = ok(cli("letter", "set", ref, field, "--text", value, "--as", OFFICER))
                assert out.startswith(f"{step[1]} is now version ")
    assert show(cli, ref)["status"] == "awaiting_approval"

    assert "still awaits" in ok(cli("action", "approve", ref, "--as", SUP_OHCHR, "--comment", "Fine for OHCHR."))
    assert show(cli, ref)["status"] == "awaiting_approval"
    assert ok(cli("action", "approve", ref, "--as", SUP_IACHR)).startswith("Gate met.")
    assert show(cli, ref)["status"] == "ready"
    assert count_rows(app)["outbox"] == 0

    out = ok(cli("action", "advance", ref))
    assert f"{walk.messages} message(s) queued in the outbox" in out

    view = show(cli, walk.own_reference or ref)  # the type's own reference finds the action too
    if walk.own_reference:  # in any case and spacing
        assert show(cli, "  " + walk.own_reference.lower().replace(" ", "  "))["reference"] == ref
        assert walk.own_reference in ok(cli("action", "show", ref)).splitlines()[1]
    assert set(view) >= {"reference", "type", "status", "stage", "country", "language", "references", "approvals",
                         "letters", "deadlines", "history"}
    assert (view["reference"], view["type"], view["country"], view["language"]) == (
        ref, action_type, walk.country, "es")
    assert (view["stage"], view["status"]) == (walk.wait_stage, "waiting")
    assert view["references"] == [ref] + ([walk.own_reference] if walk.own_reference else [])

    assert [(a["stage"], a["round"], a["organisation"], a["approver"], a["decision"], a["comment"], a["decided_at"])
            for a in view["approvals"]] == [
        (walk.gate, 1, "ohchr", SUP_OHCHR, "approved", "Fine for OHCHR.", "2026-11-02T09:00:00Z"),
        (walk.gate, 1, "iachr", SUP_IACHR, "approved", None, "2026-11-02T09:00:00Z"),
    ]

    assert {l["name"]: l["stage"] for l in view["letters"]} == walk.letters
    for letter in view["letters"]:
        assert set(letter) >= {"name", "stage", "language", "version", "sha256", "status", "fields"}
        expected = {**LETTERS[letter["name"]], **walk.extra_fields.get(letter["name"], {})}
        assert letter["fields"] == expected
        # the empty first version, one per field set, and the version the system made binding its signers
        assert letter["version"] == 1 + sum(v is not None for v in expected.values()) + 1
        assert re.fullmatch(r"[0-9a-f]{64}", letter["sha256"])
        assert (letter["language"], letter["status"]) == ("es", "dispatched")

    deadlines = [(d["kind"], d["due_at"], d["status"]) for d in view["deadlines"]]
    assert all(set(d) >= {"kind", "due_at", "status"} for d in view["deadlines"])
    assert sorted((k, s) for k, _, s in deadlines if k == "approval_sla") == [("approval_sla", "met")] * 2
    assert {k: due for k, due, s in deadlines if s == "open"} == walk.open_deadlines

    events = [e["event"] for e in view["history"]]
    for event in ("ActionOpened", "LetterEdited", "StageSubmitted", "ApprovalGranted", "GateMet", "LettersDispatched"):
        assert event in events
    assert all(e["at"] == "2026-11-02T09:00:00Z" for e in view["history"])

    assert count_rows(app)["outbox"] == walk.messages
    assert {o["recipient"] for o in view["outbox"]} == walk.recipients

    # `letter show` prints, for each dispatched letter, the text that was sent
    for name in walk.letters:
        text = ok(cli("letter", "show", ref, "--letter", name))
        assert all(line in text for field, value in LETTERS[name].items() if field != "mandates"  # codes: titles shown
                   for line in value.splitlines())

    # advancing again is safe: nothing more to do until the State replies
    before = count_rows(app)
    assert "queued" not in ok(cli("action", "advance", ref))
    assert count_rows(app) == before

    assert "intact" in ok(cli("audit", "verify"))


def test_letter_set_reads_the_value_from_stdin_when_the_file_is_a_dash(cli):
    ref = cli_open(cli, "country-communication", "GTM")

    ok(cli("letter", "set", ref, "situation", "--file", "-", "--as", OFFICER, input="Line one.\nLine two.\n"))

    assert show(cli, ref)["letters"][0]["fields"]["situation"] == "Line one.\nLine two.\n"


# ---------------------------------------------------------------- reading: lists, letters, users, audit


def test_action_list_shows_every_action_and_filters_by_status_and_type(cli, app):
    ua = open_at_gate(app, "urgent-appeal")
    pm = open_at_gate(app, "precautionary-measure")
    cc = cli_open(cli, "country-communication", "GTM")

    everything = json.loads(ok(cli("action", "list", "--json")))
    assert [(r["reference"], r["type"], r["status"]) for r in everything] == [
        (ua, "urgent-appeal", "awaiting_approval"),
        (pm, "precautionary-measure", "awaiting_approval"),
        (cc, "country-communication", "in_progress"),
    ]
    assert everything[1]["references"] == [pm, "MC-1-26"]
    assert all(set(r) >= {"reference", "references", "type", "country", "stage", "status"} for r in everything)

    awaiting = json.loads(ok(cli("action", "list", "--status", "awaiting_approval", "--json")))
    assert [r["reference"] for r in awaiting] == [ua, pm]
    by_type = json.loads(ok(cli("action", "list", "--type", "country-communication", "--json")))
    assert [r["reference"] for r in by_type] == [cc]
    both = json.loads(ok(cli("action", "list", "--status", "in_progress", "--type", "urgent-appeal", "--json")))
    assert both == []

    table = ok(cli("action", "list"))
    assert table.splitlines()[0].split()[:2] == ["REFERENCE", "OTHER"]
    assert all(ref in table for ref in (ua, pm, cc, "MC-1-26"))


def test_user_list_prints_every_user_as_json_and_as_a_table(cli):
    users = json.loads(ok(cli("user", "list", "--json")))

    assert sorted((u["email"], u["name"], u["organisation"], u["role"]) for u in users) == sorted(USERS)
    table = ok(cli("user", "list"))
    assert all(email in table for email, *_ in USERS)


def test_user_add_and_recipient_add_write_to_the_directory(cli):
    out = ok(cli("user", "add", "New.Officer@IACHR.test", "--name", "New Officer", "--org", "iachr", "--role",
                 "officer"))
    assert "new.officer@iachr.test" in out
    ok(cli("recipient", "add", "col", "--kind", "foreign-ministry", "--email", "cancilleria@col.test"))

    users = json.loads(ok(cli("user", "list", "--json")))
    assert {"email": "new.officer@iachr.test", "name": "New Officer", "organisation": "iachr", "role": "officer",
            "disabled": False} in users
    # the new officer can act, for the State just added to the address book
    ref = ok(cli("action", "open", "country-communication", "--country", "COL", "--title", "T",
                 "--as", "new.officer@iachr.test")).splitlines()[-1]
    assert show(cli, ref)["country"] == "COL"


def test_letter_show_prints_the_rendered_letter_with_its_field_values(cli, app):
    ref = open_at_gate(app, "urgent-appeal")

    text = ok(cli("letter", "show", ref))
    for field, value in LETTERS["urgent_appeal"].items():
        for line in value.splitlines():
            assert line in text or field == "mandates"  # codes, which the letter names by their titles
    assert "Especial sobre la situación de los defensores de derechos humanos" in text
    assert "1. First question?" in text and "2. Second question?" in text

    pm = cli_open(cli, "precautionary-measure", "MEX")
    assert "[" in ok(cli("letter", "show", pm))  # placeholders while fields are unset
    fill(app, pm, "acknowledgement")
    acknowledgement = ok(cli("letter", "show", pm, "--letter", "acknowledgement"))
    assert all(value in acknowledgement for value in LETTERS["acknowledgement"].values())


def test_audit_verify_says_intact_and_after_a_row_is_modified_exits_1_naming_it(cli, app):
    at_waiting(app, "urgent-appeal")
    out = ok(cli("audit", "verify"))
    assert "intact" in out
    assert f"{count_rows(app)['audit_events']} event(s)" in out

    with app.engine.begin() as connection:
        edited = connection.execute(sa.text(
            "SELECT MIN(id) FROM audit_events WHERE event = 'LetterEdited'")).scalar_one()
        connection.execute(sa.text("UPDATE audit_events SET actor = 'mallory@evil.test' WHERE id = :id"), {"id": edited})

    result = cli("audit", "verify")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"error: audit event #{edited} (LetterEdited on JAM-2026-0001) does not match its keyed hash: it was changed, "
        "inserted or re-hashed without the audit key")


# ---------------------------------------------------------------- gates, rejection, voiding


def test_a_gate_stays_open_after_one_organisation_approves_and_is_met_after_the_other(cli, app):
    ref = open_at_gate(app, "urgent-appeal")

    out = ok(cli("action", "approve", ref, "--as", SUP_IACHR))
    assert "still awaits the other organisation" in out
    view = show(cli, ref)
    assert (view["stage"], view["status"]) == ("joint_approval", "awaiting_approval")
    assert [(a["organisation"], a["decision"]) for a in view["approvals"]] == [("iachr", "approved")]
    assert "UA HND 1/2026" not in view["references"]
    assert sorted((d["organisation"], d["status"]) for d in view["deadlines"] if d["kind"] == "approval_sla") == [
        ("iachr", "met"), ("ohchr", "open")]

    out = ok(cli("action", "approve", ref, "--as", SUP_OHCHR))
    assert out.startswith("Gate met.")
    view = show(cli, ref)
    assert (view["stage"], view["status"]) == ("dispatch", "ready")
    assert view["references"] == [ref, "UA HND 1/2026"]
    assert all(d["status"] == "met" for d in view["deadlines"] if d["kind"] == "approval_sla")


def test_a_rejection_returns_to_the_work_step_for_round_2_and_resubmission_meets_the_gate(cli, app):
    ref = open_at_gate(app, "country-communication")
    ok(cli("action", "approve", ref, "--as", SUP_IACHR))

    out = ok(cli("action", "reject", ref, "--as", SUP_OHCHR, "--comment", "Name the region concerned."))
    assert "back at stage drafting (round 2)" in out
    view = show(cli, ref)
    assert (view["stage"], view["status"], view["round"]) == ("drafting", "in_progress", 2)
    assert [(a["round"], a["organisation"], a["decision"], a["comment"], a["void"]) for a in view["approvals"]] == [
        (1, "iachr", "approved", None, True),
        (1, "ohchr", "rejected", "Name the region concerned.", False),
    ]
    assert "Name the region concerned." in ok(cli("action", "show", ref))

    ok(cli("letter", "set", ref, "situation", "--text", "A pattern of attacks in the western highlands.",
           "--as", OFFICER))
    assert "awaiting_approval" in ok(cli("action", "submit", ref, "--as", OFFICER))
    assert "still awaits" in ok(cli("action", "approve", ref, "--as", SUP_OHCHR))  # may decide again in round 2
    assert ok(cli("action", "approve", ref, "--as", SUP_IACHR)).startswith("Gate met.")

    view = show(cli, ref)
    assert (view["stage"], view["status"]) == ("dispatch", "ready")
    assert [(a["round"], a["organisation"], a["decision"]) for a in view["approvals"] if a["round"] == 2] == [
        (2, "ohchr", "approved"), (2, "iachr", "approved")]
    assert "western highlands" in ok(cli("letter", "show", ref))


def test_editing_a_letter_after_an_approval_voids_it_and_the_gate_must_be_met_again(cli, app):
    ref = open_at_gate(app, "urgent-appeal")
    ok(cli("action", "approve", ref, "--as", SUP_OHCHR))

    ok(cli("letter", "set", ref, "concerns", "--text", "We are gravely concerned.", "--as", OFFICER))

    view = show(cli, ref)
    assert (view["status"], view["round"]) == ("awaiting_approval", 2)
    assert [(a["round"], a["approver"], a["void"]) for a in view["approvals"]] == [(1, SUP_OHCHR, True)]
    assert "still awaits" in ok(cli("action", "approve", ref, "--as", SUP_IACHR))
    assert ok(cli("action", "approve", ref, "--as", SUP_OHCHR)).startswith("Gate met.")


def test_a_supervisor_may_edit_a_letter_and_the_gate_is_then_met_by_other_supervisors(cli, app):
    ref = open_at_gate(app, "urgent-appeal")

    ok(cli("letter", "set", ref, "concerns", "--text", "We are gravely concerned.", "--as", SUP_IACHR_2))

    assert show(cli, ref)["letters"][0]["last_editor"] == SUP_IACHR_2
    assert cli("action", "approve", ref, "--as", SUP_IACHR_2).exit_code == 1  # four eyes (see test_cli_refusals)
    assert "still awaits" in ok(cli("action", "approve", ref, "--as", SUP_IACHR))
    assert ok(cli("action", "approve", ref, "--as", SUP_OHCHR)).startswith("Gate met.")


def test_a_skippable_stage_is_skipped_with_its_reason_recorded(cli):
    ref = cli_open(cli, "precautionary-measure", "MEX")
    for field, value in LETTERS["acknowledgement"].items():
        ok(cli("letter", "set", ref, field, "--text", value, "--as", OFFICER))
    ok(cli("action", "submit", ref, "--as", OFFICER))

    out = ok(cli("action", "skip", ref, "--as", OFFICER, "--reason", "The harm is immediate."))

    assert "now at stage evaluation (in_progress)" in out
    view = show(cli, ref)
    assert {l["name"]: l["status"] for l in view["letters"]}["request_for_information"] == "withdrawn"
    skipped = [e for e in view["history"] if e["event"] == "StageSkipped"]
    assert len(skipped) == 1 and "The harm is immediate." in json.dumps(skipped[0]["details"])


def test_record_reply_moves_an_urgent_appeal_on_and_keeps_the_acknowledgement_flag(cli, app):
    ref = at_waiting(app, "urgent-appeal")

    out = ok(cli("action", "record-reply", "UA HND 1/2026", "--as", OFFICER, "--received-on", "2026-11-02",
                 "--acknowledgement-only"))

    assert "now at stage publication (waiting)" in out
    view = show(cli, ref)
    assert [(r["received_on"], r["acknowledgement_only"]) for r in view["replies"]] == [("2026-11-02", True)]
    assert {d["kind"]: d["status"] for d in view["deadlines"]}["state_reply"] == "met"


def test_action_advance_on_an_action_with_nothing_automatic_to_do_writes_nothing(cli, app):
    ref = open_at_gate(app, "urgent-appeal")
    before = count_rows(app)

    out = ok(cli("action", "advance", ref))

    assert "joint_approval (awaiting_approval)" in out
    assert count_rows(app) == before


# ---------------------------------------------------------------- demo


def test_demo_walks_each_action_type_through_its_first_gate_and_can_run_again(invoke, app):
    out = ok(invoke("demo"))

    for action_type in ("urgent-appeal", "precautionary-measure", "country-communication"):
        opened = re.search(rf"^(JAM-2026-\d{{4}}): opened a {action_type} ", out, re.MULTILINE)
        assert opened, f"no {action_type} opened in:\n{out}"
        assert re.search(rf"^{opened[1]}: \S+ approved; gate met\.$", out, re.MULTILINE)
    assert len(re.findall(r"gate met\.", out)) == 3
    assert "UA HND 1/2026" in out and "MC-1-26" in out
    listed = json.loads(ok(invoke("action", "list", "--json")))
    assert [r["status"] for r in listed] == ["waiting"] * 3 + ["awaiting_approval"]
    assert count_rows(app)["outbox"] > 0
    kept = (app.settings.data_dir / "demo-passwords.txt")
    assert oct(kept.stat().st_mode & 0o777) == "0o600" and len(kept.read_text().splitlines()) == 4
    email, password = kept.read_text().splitlines()[2].split()
    assert email in out and password not in out  # the console names the file, never a password
    assert f"their passwords are in {kept} (readable by you only)" in out
    from coordination.domain.passwords import check_password

    for line in kept.read_text().splitlines():  # the demo's passwords follow the password rule
        check_password(line.split()[1], email=line.split()[0])

    assert app.services.sign_in(email=email, password=password).user.email == email

    again = ok(invoke("demo"))
    assert "already exists (its password is unchanged)" in again and len(re.findall(r"gate met\.", again)) == 3
    assert len(json.loads(ok(invoke("action", "list", "--json")))) == 8
    assert "intact" in ok(invoke("audit", "verify"))


# ---------------------------------------------------------------- init, and a database that was never initialised


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path):
    """A database with no schema at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh' / 'x.db'}"
        return
    server = request.getfixturevalue("postgresql_server_url")
    name = f"coordination_cli_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL at {server} is not reachable: {error.orig}")
    yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def env_cli(empty_database_url, tmp_path):
    """Run commands as a user would: the database chosen by COORDINATION_DATABASE_URL, `_app()` not replaced."""
    env = {"COORDINATION_DATABASE_URL": empty_database_url, "COORDINATION_DATA_DIR": str(tmp_path / "data")}
    coordination.cli._app.cache_clear()

    def run(*args: str) -> Result:
        return runner.invoke(coordination.cli.app, list(args), env=env)

    yield run
    if coordination.cli._app.cache_info().currsize:
        coordination.cli._app().engine.dispose()
    coordination.cli._app.cache_clear()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_init_creates_the_schema_and_running_it_again_says_it_is_up_to_date(env_cli, empty_database_url):
    first = ok(env_cli("init"))
    second = ok(env_cli("init"))

    assert "migrated from empty to revision" in first
    assert "is up to date" in second
    revision = re.search(r"revision (\w+)", first)[1]
    assert f"(revision {revision})" in second
    assert {"joint_actions", "audit_events", "letters", "outbox"} <= _tables(empty_database_url)
    password = sa.engine.make_url(empty_database_url).password
    if password:
        assert f":{password}@" not in first + second
    # the schema works: the CLI can write and read through it
    ok(env_cli("user", "add", "o@ohchr.test", "--name", "O", "--org", "ohchr", "--role", "officer"))
    assert [u["email"] for u in json.loads(ok(env_cli("user", "list", "--json")))] == ["o@ohchr.test"]
    assert "1 event(s)" in ok(env_cli("audit", "verify"))


def test_a_command_on_an_uninitialised_database_exits_1_telling_to_run_init(env_cli, empty_database_url, subtests):
    for command in [
        ("user", "list"),
        ("action", "list", "--json"),
        ("action", "show", "JAM-2026-0001"),
        ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--as", OFFICER),
        ("user", "add", "o@ohchr.test", "--name", "O", "--org", "ohchr", "--role", "officer"),
        ("audit", "verify"),
    ]:
        with subtests.test(msg=" ".join(command[:2])):
            result = env_cli(*command)
            assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
            assert isinstance(result.exception, SystemExit)
            assert result.stdout == ""
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and "coordination init" in lines[0]
    path = sqlite_path(empty_database_url)
    if path is not None:  # a SQLite database that does not exist is not created, nor its directory
        assert not path.exists() and not path.parent.exists()
    else:
        assert _tables(empty_database_url) == set()  # nothing was created
