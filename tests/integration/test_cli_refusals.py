"""Every refusal of the command line: exit 1, one line on stderr naming the reason, nothing written.

Each test seeds one database and makes, through the services and on first use, the
actions in the states its refusals need; each refusal then runs as a subtest against them.
Because a refusal writes nothing, the states stay as they were for the next one — and each
subtest checks exactly that, comparing every row of every table (audit trail and its head
included) before and after the command.
"""

import pytest
from typer.testing import Result

import coordination.cli

from ..conftest import TABLES, count_rows
from ..helpers import (
    ADMIN,
    LETTERS,
    OFFICER,
    OFFICER_IACHR,
    SUP_IACHR,
    SUP_IACHR_2,
    SUP_OHCHR,
    SUP_OHCHR_2,
    fill,
    open_at_gate,
    seed,
)
from .test_cli import at_waiting, runner

NOBODY = "nobody@x.test"


def _rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: any insert, update or delete changes it."""
    with app.engine.connect() as connection:
        return {t: [tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1")]
                for t in (*TABLES, "audit_head")}


def assert_refused(app, run, args: tuple[str, ...], *keywords: str, **kwargs) -> str:
    """Run a command that must be refused; returns its one stderr line."""
    counts, rows = count_rows(app), _rows(app)
    result: Result = run(*args, **kwargs)
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), f"not a refusal but a crash: {result.exception!r}"
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: ") and line.removeprefix("error: ").strip()
    assert "Traceback" not in line
    for keyword in keywords:
        assert keyword.lower() in line.lower(), f"{keyword!r} not in {line!r}"
    assert count_rows(app) == counts
    assert _rows(app) == rows, "a refused command wrote to the database"
    return line


@pytest.fixture
def invoke(app, monkeypatch):
    monkeypatch.setattr(coordination.cli, "_app", lambda: app)

    def run(*args: str) -> Result:
        return runner.invoke(coordination.cli.app, list(args))

    return run


def _ua_drafting(app) -> str:
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="Drafting", officer=OFFICER).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)  # intake -> drafting
    for field in ("mandates", "subject", "facts"):
        app.services.edit_letter(reference=ref, field=field, value=LETTERS["urgent_appeal"][field], editor=OFFICER)
    return ref


def _ua_sup_submitted(app) -> str:
    """Supervisors may do casework: here a supervisor submits the stage an officer drafted."""
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="Supervisor submits",
                               officer=OFFICER).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)
    fill(app, ref, "urgent_appeal")
    app.services.submit_stage(reference=ref, officer=SUP_OHCHR_2)
    return ref


def _ua_sup_edited(app) -> str:
    """A supervisor edits a letter of the gate (before anyone decided): its last editor."""
    ref = open_at_gate(app, "urgent-appeal")
    app.services.edit_letter(reference=ref, field="concerns", value="Graver concerns.", editor=SUP_IACHR_2)
    return ref


def _ua_ohchr_approved(app) -> str:
    ref = open_at_gate(app, "urgent-appeal")
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    return ref


def _pm_registration(app) -> str:
    return app.services.open_action(type="precautionary-measure", country="MEX", title="Registration",
                                officer=OFFICER).reference


def _pm_info(app) -> str:
    ref = _pm_registration(app)
    fill(app, ref, "acknowledgement")
    app.services.submit_stage(reference=ref, officer=OFFICER)
    return ref


def _cc_unaddressed(app) -> str:
    """Approved and ready to dispatch to Colombia, which has no recipient in the address book."""
    ref = app.services.open_action(type="country-communication", country="COL", title="No recipients",
                               officer=OFFICER).reference
    fill(app, ref, "communication")
    app.services.submit_stage(reference=ref, officer=OFFICER)
    app.services.approve_stage(reference=ref, supervisor=SUP_OHCHR)
    app.services.approve_stage(reference=ref, supervisor=SUP_IACHR)
    return ref


# name -> (how to get there, the (stage, status) it must be in)
STATES = {
    "ua_drafting": (_ua_drafting, ("drafting", "in_progress")),
    "ua_gate": (lambda app: open_at_gate(app, "urgent-appeal"), ("joint_approval", "awaiting_approval")),
    "ua_sup_submitted": (_ua_sup_submitted, ("joint_approval", "awaiting_approval")),
    "ua_sup_edited": (_ua_sup_edited, ("joint_approval", "awaiting_approval")),
    "ua_ohchr_approved": (_ua_ohchr_approved, ("joint_approval", "awaiting_approval")),
    "ua_waiting": (lambda app: at_waiting(app, "urgent-appeal"), ("awaiting_reply", "waiting")),
    "pm_registration": (_pm_registration, ("registration", "in_progress")),
    "pm_info": (_pm_info, ("information_request", "in_progress")),
    "cc_unaddressed": (_cc_unaddressed, ("dispatch", "ready")),
}


class States(dict):
    """The reference of an action in a named state, set up (through the services) when first asked for."""

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app

    def __missing__(self, name: str) -> str:
        build, (stage, status) = STATES[name]
        ref = build(self.app)
        view = self.app.services.get_action(ref)
        assert (view["stage"], view["status"]) == (stage, status), f"{name} was not set up as intended"
        self[name] = ref
        return ref


@pytest.fixture
def refs(app) -> States:
    """Seeded users and recipients; actions in the states the refusals need, made on demand."""
    seed(app)
    return States(app)


def run_cases(subtests, app, invoke, refs: States, cases, **placeholders: str) -> None:
    """Each case is refused and writes nothing; afterwards the audit trail still verifies."""
    for sentence, args, keywords in cases:
        with subtests.test(msg=sentence):
            built = tuple(a.format_map({**placeholders, **{k: refs[k] for k in STATES if "{" + k + "}" in a}})
                          for a in args)
            assert_refused(app, invoke, built, *keywords)
    verification = app.services.verify_audit()
    assert verification.findings == []
    assert verification.events == count_rows(app)["audit_events"]


# ---------------------------------------------------------------- who may act


def test_four_eyes_and_wrong_roles_are_refused_and_write_nothing(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("a supervisor who submitted the stage cannot approve it (four eyes)",
         ("action", "approve", "{ua_sup_submitted}", "--as", SUP_OHCHR_2), ("four eyes", "submitted")),
        ("a supervisor who submitted the stage cannot reject it (four eyes)",
         ("action", "reject", "{ua_sup_submitted}", "--as", SUP_OHCHR_2, "--comment", "no"), ("four eyes",)),
        ("a supervisor who last edited a letter of the gate cannot approve it (four eyes)",
         ("action", "approve", "{ua_sup_edited}", "--as", SUP_IACHR_2), ("four eyes", "last edited")),
        ("a supervisor who last edited a letter of the gate cannot reject it (four eyes)",
         ("action", "reject", "{ua_sup_edited}", "--as", SUP_IACHR_2, "--comment", "no"), ("four eyes",)),
        ("the officer who submitted the stage cannot approve it",
         ("action", "approve", "{ua_gate}", "--as", OFFICER), ("cannot decide", "only supervisors")),
        ("an officer who did not submit cannot approve: only supervisors decide",
         ("action", "approve", "{ua_gate}", "--as", OFFICER_IACHR), ("only supervisors",)),
        ("an officer cannot reject",
         ("action", "reject", "{ua_gate}", "--as", OFFICER_IACHR, "--comment", "no"), ("only supervisors",)),
        ("an admin cannot approve",
         ("action", "approve", "{ua_gate}", "--as", ADMIN), ("only supervisors",)),
        ("an admin cannot open an action",
         ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--as", ADMIN),
         ("cannot open", "only officers")),
        ("an admin cannot set a letter field",
         ("letter", "set", "{ua_drafting}", "concerns", "--text", "x", "--as", ADMIN), ("cannot edit letters",)),
        ("an admin cannot submit a stage",
         ("action", "submit", "{pm_registration}", "--as", ADMIN), ("cannot submit",)),
        ("an admin cannot record a State's reply",
         ("action", "record-reply", "{ua_waiting}", "--as", ADMIN, "--received-on", "2026-11-02"),
         ("cannot record",)),
        ("an admin cannot skip a stage",
         ("action", "skip", "{pm_info}", "--as", ADMIN, "--reason", "urgent"), ("cannot skip",)),
    ])


def test_a_second_decision_for_the_same_organisation_or_round_is_refused(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("a second OHCHR supervisor cannot approve once OHCHR has approved",
         ("action", "approve", "{ua_ohchr_approved}", "--as", SUP_OHCHR_2), ("OHCHR has already approved",)),
        ("a second OHCHR supervisor cannot reject once OHCHR has approved",
         ("action", "reject", "{ua_ohchr_approved}", "--as", SUP_OHCHR_2, "--comment", "no"),
         ("already approved",)),
        ("a supervisor cannot approve twice in one round",
         ("action", "approve", "{ua_ohchr_approved}", "--as", SUP_OHCHR), ("already decided",)),
        ("a supervisor who approved cannot reject the same round",
         ("action", "reject", "{ua_ohchr_approved}", "--as", SUP_OHCHR, "--comment", "second thoughts"),
         ("already decided",)),
    ])
    # the other organisation still can: the refusals left the gate as it was
    _, met = app.services.approve_stage(reference=refs["ua_ohchr_approved"], supervisor=SUP_IACHR)
    assert met


# ---------------------------------------------------------------- not now


def test_commands_at_the_wrong_stage_are_refused_and_write_nothing(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("approving a stage still in progress",
         ("action", "approve", "{ua_drafting}", "--as", SUP_OHCHR), ("not awaiting approval",)),
        ("rejecting a stage still in progress",
         ("action", "reject", "{ua_drafting}", "--as", SUP_OHCHR, "--comment", "no"), ("not awaiting approval",)),
        ("approving an action that waits for the State",
         ("action", "approve", "{ua_waiting}", "--as", SUP_OHCHR), ("not awaiting approval",)),
        ("recording a reply while the action awaits approval",
         ("action", "record-reply", "{ua_gate}", "--as", OFFICER, "--received-on", "2026-11-02"),
         ("not awaiting a reply",)),
        ("recording a reply while the action is drafted",
         ("action", "record-reply", "{ua_drafting}", "--as", OFFICER, "--received-on", "2026-11-02"),
         ("not awaiting a reply",)),
        ("submitting while the action awaits approval",
         ("action", "submit", "{ua_gate}", "--as", OFFICER), ("awaiting_approval", "only a work step")),
        ("submitting while the action waits for the State",
         ("action", "submit", "{ua_waiting}", "--as", OFFICER), ("only a work step",)),
        ("editing a letter after it was dispatched",
         ("letter", "set", "{ua_waiting}", "facts", "--text", "x", "--as", OFFICER), ("can be edited only",)),
        ("skipping a stage that is not skippable",
         ("action", "skip", "{ua_drafting}", "--as", OFFICER, "--reason", "urgent"), ("cannot be skipped",)),
        ("skipping a stage that is not skippable, at a gate",
         ("action", "skip", "{ua_gate}", "--as", OFFICER, "--reason", "urgent"), ("cannot be skipped",)),
        ("dispatching when the address book has no recipient of the State",
         ("action", "advance", "{cc_unaddressed}"), ("address book has no", "COL")),
    ])


# ---------------------------------------------------------------- who and what


def test_unknown_users_and_references_are_refused_and_write_nothing(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("opening as an unknown user",
         ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--as", NOBODY),
         ("unknown user", NOBODY)),
        ("approving as an unknown user",
         ("action", "approve", "{ua_gate}", "--as", NOBODY), ("unknown user",)),
        ("setting a letter field as an unknown user",
         ("letter", "set", "{ua_drafting}", "concerns", "--text", "x", "--as", NOBODY), ("unknown user",)),
        ("showing an unknown reference",
         ("action", "show", "JAM-2026-9999"), ("unknown joint action", "JAM-2026-9999")),
        ("showing an unknown reference as JSON",
         ("action", "show", "JAM-2026-9999", "--json"), ("unknown joint action",)),
        ("showing an urgent appeal number never assigned",
         ("action", "show", "UA HND 7/2026"), ("unknown joint action",)),
        ("approving an unknown reference",
         ("action", "approve", "JAM-2026-9999", "--as", SUP_OHCHR), ("unknown joint action",)),
        ("submitting an unknown reference",
         ("action", "submit", "JAM-2026-9999", "--as", OFFICER), ("unknown joint action",)),
        ("setting a letter field of an unknown reference",
         ("letter", "set", "JAM-2026-9999", "facts", "--text", "x", "--as", OFFICER), ("unknown joint action",)),
        ("showing a letter of an unknown reference",
         ("letter", "show", "JAM-2026-9999"), ("unknown joint action",)),
        ("advancing an unknown reference",
         ("action", "advance", "JAM-2026-9999"), ("unknown joint action",)),
        ("adding a user who already exists",
         ("user", "add", OFFICER, "--name", "Again", "--org", "ohchr", "--role", "officer"), ("already exists",)),
        ("adding a recipient who already exists",
         ("recipient", "add", "MEX", "--kind", "oas-mission", "--email", "oea@mex.test"), ("already",)),
    ])


# ---------------------------------------------------------------- values that can never be accepted


def test_invalid_values_are_refused_and_write_nothing(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("opening for an invalid country code",
         ("action", "open", "urgent-appeal", "--country", "XYZ", "--title", "T", "--as", OFFICER),
         ("invalid country code", "XYZ")),
        ("opening for a State outside the OAS",
         ("action", "open", "urgent-appeal", "--country", "FRA", "--title", "T", "--as", OFFICER),
         ("invalid country code",)),
        ("adding a recipient for an invalid country code",
         ("recipient", "add", "XYZ", "--kind", "foreign-ministry", "--email", "a@b.test"), ("invalid country code",)),
        ("opening an urgent appeal in Portuguese",
         ("action", "open", "urgent-appeal", "--country", "BRA", "--title", "T", "--as", OFFICER,
          "--language", "pt"), ("written in",)),
        ("opening with an empty title",
         ("action", "open", "urgent-appeal", "--country", "HND", "--title", " ", "--as", OFFICER), ("title",)),
        ("opening with an empty beneficiary",
         ("action", "open", "urgent-appeal", "--country", "HND", "--title", "T", "--as", OFFICER,
          "--beneficiary", "Ana", "--beneficiary", " "), ("beneficiary",)),
        ("rejecting with an empty comment",
         ("action", "reject", "{ua_gate}", "--as", SUP_OHCHR, "--comment", ""), ("comment",)),
        ("rejecting with a blank comment",
         ("action", "reject", "{ua_gate}", "--as", SUP_IACHR, "--comment", "   "), ("comment",)),
        ("skipping without a reason",
         ("action", "skip", "{pm_info}", "--as", OFFICER, "--reason", " "), ("reason",)),
        ("setting a field the letter does not have",
         ("letter", "set", "{ua_drafting}", "colour", "--text", "x", "--as", OFFICER), ("no field", "colour")),
        ("setting a field of a letter the action does not have",
         ("letter", "set", "{ua_drafting}", "facts", "--text", "x", "--as", OFFICER, "--letter", "memo"),
         ("no letter", "memo")),
        ("setting a field to an empty value",
         ("letter", "set", "{ua_drafting}", "concerns", "--text", "  ", "--as", OFFICER), ("cannot be empty",)),
        ("setting an email field to something that is not an email address",
         ("letter", "set", "{pm_registration}", "requester_email", "--text", "not-an-email", "--as", OFFICER),
         ("email",)),
        ("setting a number of days to a word",
         ("letter", "set", "{pm_info}", "reply_within_days", "--text", "five", "--as", OFFICER), ("whole number",)),
        ("setting a number of days to a superscript digit, which str.isdigit() would accept",
         ("letter", "set", "{pm_info}", "reply_within_days", "--text", "²", "--as", OFFICER), ("whole number",)),
        ("setting a number of days to zero",
         ("letter", "set", "{pm_info}", "reply_within_days", "--text", "0", "--as", OFFICER), ("whole number",)),
        ("adding a user with an invalid email address",
         ("user", "add", "not-an-email", "--name", "X", "--org", "ohchr", "--role", "officer"), ("invalid email",)),
        ("adding a user without a name",
         ("user", "add", "new@ohchr.test", "--name", " ", "--org", "ohchr", "--role", "officer"), ("name",)),
    ])


def test_submitting_with_unset_required_fields_is_refused_naming_them(app, invoke, refs):
    line = assert_refused(app, invoke, ("action", "submit", refs["ua_drafting"], "--as", OFFICER), "required")

    assert "urgent_appeal" in line
    missing = line.split("urgent_appeal:", 1)[1]
    assert [f.strip() for f in missing.split(",")] == ["concerns", "questions", "interim_measures"]
    assert "legal_annex" not in line  # optional

    line = assert_refused(app, invoke, ("action", "submit", refs["pm_registration"], "--as", OFFICER), "required")
    assert all(f in line for f in ("requester_name", "requester_email", "request_summary"))


def test_letter_set_needs_exactly_one_of_text_or_file(subtests, app, invoke, refs, tmp_path):
    path = tmp_path / "concerns.txt"
    path.write_text("We are concerned.", encoding="utf-8")
    not_utf8 = tmp_path / "latin1.txt"
    not_utf8.write_bytes("Preocupación".encode("latin-1"))
    run_cases(subtests, app, invoke, refs, [
        ("both --text and --file",
         ("letter", "set", "{ua_drafting}", "concerns", "--text", "x", "--file", "{file}", "--as", OFFICER),
         ("exactly one of --text or --file",)),
        ("neither --text nor --file",
         ("letter", "set", "{ua_drafting}", "concerns", "--as", OFFICER), ("exactly one of --text or --file",)),
        ("a file that does not exist",
         ("letter", "set", "{ua_drafting}", "concerns", "--file", "{missing}", "--as", OFFICER), ("cannot read",)),
        ("a file that is not UTF-8",
         ("letter", "set", "{ua_drafting}", "concerns", "--file", "{latin1}", "--as", OFFICER), ("cannot read",)),
    ], file=str(path), missing=str(tmp_path / "missing.txt"), latin1=str(not_utf8))


def test_record_reply_refuses_a_bad_date(subtests, app, invoke, refs):
    run_cases(subtests, app, invoke, refs, [
        ("a date that does not exist",
         ("action", "record-reply", "{ua_waiting}", "--as", OFFICER, "--received-on", "2026-13-45"),
         ("--received-on", "YYYY-MM-DD")),
        ("a date in another format",
         ("action", "record-reply", "{ua_waiting}", "--as", OFFICER, "--received-on", "02/11/2026"),
         ("YYYY-MM-DD",)),
        ("a date in the future",
         ("action", "record-reply", "{ua_waiting}", "--as", OFFICER, "--received-on", "2026-11-03"), ("future",)),
        ("a date before the letter was sent",
         ("action", "record-reply", "{ua_waiting}", "--as", OFFICER, "--received-on", "2026-11-01"), ("predates",)),
    ])


# ---------------------------------------------------------------- references that are not ids


def test_a_superscript_digit_reference_is_an_unknown_reference_not_a_crash(app, invoke):
    assert_refused(app, invoke, ("action", "show", "²"), "unknown joint action")


def test_a_numeric_reference_too_large_for_an_id_is_an_unknown_reference(app, invoke):
    assert_refused(app, invoke, ("action", "show", "99999999999999999999"), "unknown joint action")
