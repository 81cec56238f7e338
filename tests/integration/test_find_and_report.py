"""Finding actions (search and filters, in SQL, a page at a time) and the annual report, through
the services and the command line, on SQLite and PostgreSQL (issue 12, part 4)."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from coordination.domain import InvalidInput, NotPermitted, Status, User
from coordination.domain.vocabulary import Organisation, Role
from tests.conftest import count_rows
from tests.helpers import OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate, seed

from .test_cli import ok


@pytest.fixture
def three(app):
    """An urgent appeal for Honduras at its gate (a beneficiary with accents, the facts in its letter),
    a precautionary measure for Mexico whose title holds % and _, a communication for Guatemala."""
    seed(app)
    ua = open_at_gate(app, "urgent-appeal", beneficiaries=["José Pérez", "ÑANDÚ ÇELİK"])
    pm = app.services.open_action(type="precautionary-measure", country="MEX", title="Journalist 100% at_risk",
                                  officer=OFFICER, beneficiaries=["Ana Gomez"]).reference
    cc = app.services.open_action(type="country-communication", country="GTM", title="Attacks on defenders",
                                  officer=OFFICER, beneficiaries=["Collective of defenders"]).reference
    return ua, pm, cc


def found(app, **filters) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["reference"] for row in app.services.list_actions(**filters).rows]


def test_the_search_matches_references_states_beneficiaries_titles_and_letter_values_in_any_case(app, three):
    ua, pm, cc = three
    assert found(app, search=pm.lower()) == [pm]  # its JAM reference, in another case
    assert found(app, search="hnd") == [ua]  # the State's code
    assert found(app, search="Hondur") == [ua]  # its name, in part
    assert found(app, search="guatemala") == [cc]
    assert found(app, search="méxico") == [pm]  # its name in Spanish
    assert found(app, search="josé") == found(app, search="JOSÉ") == found(app, search="pérez") == [ua]
    assert found(app, search="ñandú") == found(app, search="Ñandú") == [ua]  # case beyond ASCII, both ways
    assert found(app, search="ana gomez") == [pm]
    assert found(app, search="ATTACKS on") == [cc]  # words of the title
    assert found(app, search="facts-secret-7731") == [ua]  # a value of its letter's current fields
    assert found(app, search="  threatened.  ") == [ua]  # spaces around are not part of it
    assert found(app, search="interim_measures") == []  # a field's name is not its value
    assert found(app, search="nothing is called this") == []


def test_the_search_finds_the_current_letter_version_not_an_earlier_one(app, three):
    ua, _, _ = three
    app.services.edit_letter(reference=ua, letter="urgent_appeal", field="facts", value="A new account.",
                             editor=OFFICER)
    assert found(app, search="FACTS-SECRET") == []
    assert found(app, search="a new account") == [ua]


def test_percent_and_underscore_are_taken_literally(app, three):
    _, pm, _ = three
    assert found(app, search="100%") == [pm]
    assert found(app, search="%") == [pm]
    assert found(app, search="_") == [pm]  # not "any one character"
    assert found(app, search="0%_") == []  # "100% at_risk" has no "%_"
    assert found(app, search="\\") == []


def test_filters_combine_and_a_page_is_a_slice_with_the_total(app, three):
    ua, pm, cc = three
    assert found(app, type="urgent-appeal") == [ua]
    assert found(app, status="awaiting_approval") == [ua]
    assert found(app, status="in_progress") == [pm, cc]
    assert found(app, stage="registration") == [pm]
    assert found(app, country="gtm") == [cc]
    assert found(app, status="in_progress", country="MEX", search="journalist") == [pm]
    assert found(app, status="in_progress", type="urgent-appeal") == []
    first = app.services.list_actions(per_page=2)
    second = app.services.list_actions(per_page=2, page=2)
    assert ([r["reference"] for r in first.rows], first.total, first.pages) == ([ua, pm], 3, 2)
    assert ([r["reference"] for r in second.rows], second.total, second.page) == ([cc], 3, 2)
    assert app.services.list_actions(per_page=2, page=3).rows == []


@pytest.mark.parametrize(("filters", "field", "choice"), [
    ({"status": "nonsense"}, "status", "in_progress"),
    ({"type": "petition"}, "type", "urgent-appeal"),
    ({"stage": "nowhere"}, "stage", "joint_approval"),
    ({"type": "urgent-appeal", "stage": "registration"}, "stage", "awaiting_reply"),  # a stage of another type
    ({"country": "FRA"}, "country", "HND"),
])
def test_a_value_outside_its_vocabulary_is_refused_with_the_choices(app, three, filters, field, choice):
    with pytest.raises(InvalidInput) as refused:
        app.services.list_actions(**filters)
    assert refused.value.field == field
    assert choice in refused.value.choices
    if field == "stage" and "type" in filters:
        assert "registration" not in refused.value.choices


def test_every_status_is_a_choice_so_new_ones_appear_without_a_change(app, three):
    with pytest.raises(InvalidInput) as refused:
        app.services.list_actions(status="nonsense")
    assert refused.value.choices == tuple(s.value for s in Status)


# ---------------------------------------------------------------- the command line

def test_action_list_takes_the_same_filters_and_prints_json_rows(app, three, invoke):
    ua, pm, cc = three
    rows = json.loads(ok(invoke("action", "list", "--search", "josé", "--json")))
    assert [r["reference"] for r in rows] == [ua]
    assert set(rows[0]) == {"id", "reference", "references", "type", "country", "title", "stage", "status",
                            "outcome", "shown_status", "updated_at"}
    assert (rows[0]["country"], rows[0]["status"], rows[0]["stage"]) == ("HND", "awaiting_approval", "joint_approval")
    by_country = json.loads(ok(invoke("action", "list", "--country", "gtm", "--type", "country-communication",
                                      "--stage", "drafting", "--status", "in_progress", "--json")))
    assert [r["reference"] for r in by_country] == [cc]
    page = json.loads(ok(invoke("action", "list", "--limit", "2", "--page", "2", "--json")))
    assert [r["reference"] for r in page] == [cc]
    table = ok(invoke("action", "list", "--limit", "2"))
    assert pm in table and cc not in table
    assert table.splitlines()[-1] == "1-2 of 3 actions (page 1 of 2); --page 2 for more"
    assert ok(invoke("action", "list", "--search", "no such thing")).splitlines()[-1] == \
        "none of 0 actions (page 1 of 1)"


@pytest.mark.parametrize(("args", "message"), [
    (["--status", "nonsense"], "--status 'nonsense' is not one of: in_progress, awaiting_approval, ready, waiting"),
    (["--type", "petition"], "--type 'petition' is not one of: "),
    (["--stage", "nowhere"], "--stage 'nowhere' is not one of: "),
    (["--country", "FRA"], "--country 'FRA' is not one of: ARG, "),
])
def test_action_list_refuses_an_unknown_value_naming_the_choices(app, three, invoke, args, message):
    before = count_rows(app)
    result = invoke("action", "list", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert count_rows(app) == before


# ---------------------------------------------------------------- the annual report

def at(clock, *when: int) -> None:  # type: ignore[no-untyped-def]
    clock.now = datetime(*when, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def year_of_actions(app, clock):
    """Five actions whose dates are known (times UTC):

    A  urgent appeal, HND: opened and at the gate 2026-03-02 09:00; OHCHR approves 03-03 09:00,
       IACHR 03-04 09:00; dispatched 03-04 21:00; the reply received 03-14; closed on 11-02.
    B  urgent appeal, HND: opened and at the gate 2026-05-04 09:00; IACHR approves 05-05 09:00,
       OHCHR 05-08 09:00; dispatched 05-08 09:00; the reply received 05-28; closed by hand 06-01,
       the State having replied (outcome state_replied).
    C  urgent appeal, HND: opened 2025-12-31 22:00 (last year), approved by OHCHR 2026-01-02 09:00.
    D  country communication, GTM: opened and at the gate 2026-07-01 09:00; OHCHR rejects 07-01 21:00;
       submitted again 07-06 09:00 (a new round: the gate opens again); IACHR approves 07-08 09:00,
       OHCHR 07-09 09:00; not dispatched; withdrawn 07-10.
    E  precautionary measure, MEX: opened 2026-12-31 23:00 (the year's last hour), nothing since.
    """
    seed(app)
    facts = {"urgent_appeal": {"facts": "FACTS-SECRET-7731 the defender was threatened."}}
    at(clock, 2025, 12, 31, 22)
    c = open_at_gate(app, "urgent-appeal", beneficiaries=["Carla Secret-Name"], letters=facts)
    at(clock, 2026, 1, 2, 9)
    app.services.approve_stage(reference=c, supervisor=SUP_OHCHR)

    at(clock, 2026, 3, 2, 9)
    a = open_at_gate(app, "urgent-appeal", beneficiaries=["José Pérez"], letters=facts)
    at(clock, 2026, 3, 3, 9)
    app.services.approve_stage(reference=a, supervisor=SUP_OHCHR)
    at(clock, 2026, 3, 4, 9)
    app.services.approve_stage(reference=a, supervisor=SUP_IACHR)
    at(clock, 2026, 3, 4, 21)
    app.services.advance_action(reference=a)
    at(clock, 2026, 3, 15, 9)
    app.services.record_reply(reference=a, officer=OFFICER, received_on=date(2026, 3, 14))

    at(clock, 2026, 5, 4, 9)
    b = open_at_gate(app, "urgent-appeal", beneficiaries=["Beatriz Secret-Name"], letters=facts)
    at(clock, 2026, 5, 5, 9)
    app.services.approve_stage(reference=b, supervisor=SUP_IACHR)
    at(clock, 2026, 5, 8, 9)
    app.services.approve_stage(reference=b, supervisor=SUP_OHCHR)
    app.services.advance_action(reference=b)
    at(clock, 2026, 5, 29, 9)
    app.services.record_reply(reference=b, officer=OFFICER, received_on=date(2026, 5, 28))
    at(clock, 2026, 6, 1, 9)
    app.services.close_action(reference=b, as_=SUP_IACHR, outcome="state_replied", reason="The State answered.")

    at(clock, 2026, 7, 1, 9)
    d = open_at_gate(app, "country-communication", beneficiaries=["Dario Secret-Name"])
    at(clock, 2026, 7, 1, 21)
    app.services.reject_stage(reference=d, supervisor=SUP_OHCHR, comment="the facts need a date")
    at(clock, 2026, 7, 6, 9)
    app.services.submit_stage(reference=d, officer=OFFICER)
    at(clock, 2026, 7, 8, 9)
    app.services.approve_stage(reference=d, supervisor=SUP_IACHR)
    at(clock, 2026, 7, 9, 9)
    app.services.approve_stage(reference=d, supervisor=SUP_OHCHR)
    at(clock, 2026, 7, 10, 9)
    app.services.withdraw_action(reference=d, as_=SUP_OHCHR, reason="The defender asked us not to act.")

    at(clock, 2026, 12, 31, 23)
    app.services.open_action(type="precautionary-measure", country="MEX", title="Elena Secret-Title",
                             officer=OFFICER, beneficiaries=["Elena Secret-Name"])
    at(clock, 2027, 1, 5, 9)
    app.services.advance_action(reference=a)  # its publication deadline has passed: A is closed
    assert app.services.get_action(a)["status"] == "closed"
    assert (app.services.get_action(b)["status"], app.services.get_action(b)["outcome"]) == ("closed", "state_replied")
    return a, b, c, d


# The figures of 2026, by hand (C is 2025's, so neither it nor its 2026 decision counts):
EXPECTED_2026 = [
    {"type": "country-communication", "country": "GTM",
     "opened": 1, "dispatched": 0, "replied": 0, "median_days_to_reply": None,
     "withdrawn": 1, "closed": 0, "closed_by_outcome": {},  # D, withdrawn
     "median_days_to_dispatch": None,
     # OHCHR: round 1 gate 07-01 09:00 → rejected 07-01 21:00 = 0.5 days; round 2 gate 07-06 09:00 →
     # approved 07-09 09:00 = 3 days; median (0.5 + 3) / 2 = 1.75. IACHR: 07-06 09:00 → 07-08 09:00 = 2 days.
     "median_days_to_decision": {"ohchr": 1.75, "iachr": 2.0}},
    {"type": "precautionary-measure", "country": "MEX",  # E, opened in the year's last hour
     "opened": 1, "dispatched": 0, "replied": 0, "median_days_to_reply": None,
     "withdrawn": 0, "closed": 0, "closed_by_outcome": {},
     "median_days_to_dispatch": None, "median_days_to_decision": {"ohchr": None, "iachr": None}},
    {"type": "urgent-appeal", "country": "HND",
     "opened": 2, "dispatched": 2, "replied": 2,
     # A: dispatched 03-04, reply 03-14 = 10 days; B: dispatched 05-08, reply 05-28 = 20 days; median 15
     "median_days_to_reply": 15.0,
     # A closed at its last stage (completed), B closed by hand after the State's reply
     "withdrawn": 0, "closed": 2, "closed_by_outcome": {"completed": 1, "state_replied": 1},
     # A: 03-02 09:00 → 03-04 21:00 = 2.5 days; B: 05-04 09:00 → 05-08 09:00 = 4 days; median 3.25
     "median_days_to_dispatch": 3.25,
     # OHCHR: A 1 day, B 4 days → 2.5; IACHR: A 2 days, B 1 day → 1.5
     "median_days_to_decision": {"ohchr": 2.5, "iachr": 1.5}},
]


def test_the_report_of_a_year_counts_its_opened_actions_with_the_figures_worked_out_by_hand(app, year_of_actions):
    report = app.services.annual_report(2026)
    document = json.loads(app.services.report_document(report, "json"))
    assert document == {"year": 2026, "lines": EXPECTED_2026}
    last_year = json.loads(app.services.report_document(app.services.annual_report(2025), "json"))
    # C: opened 2025-12-31 22:00, approved by OHCHR 2026-01-02 09:00: 1 day 11 h = 1.458… → 1.46
    assert last_year["lines"] == [{
        "type": "urgent-appeal", "country": "HND", "opened": 1, "dispatched": 0, "replied": 0,
        "median_days_to_reply": None, "withdrawn": 0, "closed": 0, "closed_by_outcome": {},
        "median_days_to_dispatch": None,
        "median_days_to_decision": {"ohchr": 1.46, "iachr": None}}]
    assert app.services.annual_report(2027).lines == []


def test_the_report_as_csv_has_one_line_per_type_and_state(app, year_of_actions):
    text = app.services.report_document(app.services.annual_report(2026), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["type"], r["country"]) for r in rows] == [
        ("country-communication", "GTM"), ("precautionary-measure", "MEX"), ("urgent-appeal", "HND")]
    ua = rows[2]
    assert ua == {"type": "urgent-appeal", "country": "HND", "opened": "2", "dispatched": "2", "replied": "2",
                  "median_days_to_reply": "15", "withdrawn": "0", "closed": "2",
                  "closed_by_outcome": "completed=1; state_replied=1",
                  "median_days_to_dispatch": "3.25", "median_days_to_decision_ohchr": "2.5",
                  "median_days_to_decision_iachr": "1.5"}
    assert rows[1]["median_days_to_dispatch"] == "" and rows[0]["median_days_to_decision_ohchr"] == "1.75"


def test_the_report_names_no_one_and_tells_no_fact(app, year_of_actions, invoke, tmp_path):
    secrets = ["Secret-Name", "José", "Pérez", "Secret-Title", "Test action", "FACTS-SECRET", "threatened", "@",
               *(ref for ref in year_of_actions)]
    for fmt in ("csv", "json"):
        text = ok(invoke("report", "--year", "2026", "--format", fmt))
        assert "urgent-appeal" in text
        for secret in secrets:
            assert secret not in text, (fmt, secret)


def test_the_report_command_writes_a_file_and_refuses_a_bad_year_or_format(app, year_of_actions, invoke, tmp_path):
    target = tmp_path / "report.json"
    assert ok(invoke("report", "--year", "2026", "--format", "json", "--output", str(target))) == \
        f"Wrote the 2026 report as json to {target}.\n"
    assert json.loads(target.read_text())["lines"] == EXPECTED_2026
    assert invoke("report", "--year", "2026", "--output", str(target)).exit_code == 1  # exists: --force
    bad_year = invoke("report", "--year", "1999")
    assert (bad_year.exit_code, bad_year.stderr) == (1, "error: the year must be from 2000 to 2100, not '1999'\n")
    bad_format = invoke("report", "--year", "2026", "--format", "xlsx")
    assert (bad_format.exit_code, bad_format.stderr) == (1, "error: --format 'xlsx' is not one of: csv, json\n")


def test_only_supervisors_and_administrators_may_read_the_report(app):
    officer = User("o@ohchr.test", "O", Organisation.OHCHR, Role.OFFICER)
    with pytest.raises(NotPermitted):
        app.services.annual_report(2026, reader=officer)
    for role in (Role.SUPERVISOR, Role.ADMIN):
        assert app.services.annual_report("2026", reader=User("s@ohchr.test", "S", Organisation.OHCHR, role)).year == 2026
