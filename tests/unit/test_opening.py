"""Opening a joint action: country, language, officer; reference formats; month arithmetic."""

from datetime import UTC, datetime

import pytest

from coordination.domain import (
    ActionType,
    InvalidInput,
    JointAction,
    NotPermitted,
    ReferenceKind,
    Status,
)
from coordination.domain.deadlines import add_months
from coordination.domain.model import format_reference, reference_series

from .support import ADMIN, NOW, OFFICER, SUP_OHCHR, open_action

UA, PM, CC = ActionType.URGENT_APPEAL, ActionType.PRECAUTIONARY_MEASURE, ActionType.COUNTRY_COMMUNICATION


# ---------------------------------------------------------------- opening


@pytest.mark.parametrize("type", list(ActionType))
def test_opening_assigns_the_first_jam_reference_of_the_year(ports, type):
    action = open_action(ports, type)
    assert action.reference == "JAM-2026-0001"
    assert [(r.kind, r.value, r.assigned_at) for r in action.references] == [
        (ReferenceKind.JAM, "JAM-2026-0001", NOW)
    ]
    assert action.opened_by == OFFICER.email and action.opened_at == NOW
    assert action.status is Status.IN_PROGRESS
    assert action.events[0].name == "ActionOpened" and action.events[0].reference == "JAM-2026-0001"


def test_jam_references_are_sequential_and_restart_each_year(ports):
    refs = [open_action(ports, t).reference for t in (UA, PM, CC)]
    refs.append(open_action(ports, UA, now=datetime(2027, 1, 4, 9, 0, tzinfo=UTC)).reference)
    assert refs == ["JAM-2026-0001", "JAM-2026-0002", "JAM-2026-0003", "JAM-2027-0001"]


@pytest.mark.parametrize("country", ["XYZ", "FRA", "", "HN", "HNDX"])
def test_opening_with_a_country_outside_the_oas_is_refused(ports, country):
    with pytest.raises(InvalidInput, match="country code"):
        open_action(ports, PM, country=country)


def test_a_refused_opening_uses_no_reference_number(ports):
    with pytest.raises(InvalidInput):
        open_action(ports, PM, country="FRA")
    assert open_action(ports, PM).reference == "JAM-2026-0001"


@pytest.mark.parametrize("code", ["hnd", " Hnd "])
def test_a_lower_case_country_code_is_accepted_and_normalised(ports, code):
    action = open_action(ports, UA, country=code)
    assert action.country == "HND"
    assert action.events[0].country == "HND"


@pytest.mark.parametrize(
    ("type", "country", "language"),
    [
        (PM, "HND", "es"),
        (PM, "JAM", "en"),
        (PM, "HTI", "fr"),
        (PM, "BRA", "pt"),
        (PM, "USA", "en"),
        (UA, "HND", "es"),
        (UA, "HTI", "fr"),
        (UA, "BRA", "en"),  # UN letters are written in en, es or fr
        (CC, "BRA", "pt"),
        (CC, "JAM", "en"),
    ],
)
def test_the_default_language_follows_the_state(ports, type, country, language):
    action = open_action(ports, type, country=country)
    assert action.language == language


def test_letters_are_started_in_the_actions_language(ports):
    action = open_action(ports, PM, country="BRA")
    assert [l.language for l in action.letters] == ["pt"]


def test_an_explicit_language_overrides_the_default(ports):
    assert open_action(ports, UA, country="HND", language="en").language == "en"
    assert open_action(ports, PM, country="HND", language="pt").language == "pt"


def test_portuguese_is_refused_for_an_urgent_appeal(ports):
    with pytest.raises(InvalidInput):
        open_action(ports, UA, country="BRA", language="pt")


@pytest.mark.parametrize("language", ["de", ""])
def test_a_language_outside_the_oas_languages_is_refused(ports, language):
    with pytest.raises(InvalidInput):
        open_action(ports, PM, language=language)


def test_an_admin_cannot_open_a_joint_action(ports):
    with pytest.raises(NotPermitted, match="open joint actions"):
        open_action(ports, CC, officer=ADMIN)


def test_a_supervisor_may_do_casework_and_open_a_joint_action(ports):
    # Supervisors may do an officer's work; four eyes then keeps them from deciding on it.
    action = open_action(ports, CC, officer=SUP_OHCHR)
    assert (action.opened_by, action.reference) == (SUP_OHCHR.email, "JAM-2026-0001")


@pytest.mark.parametrize("title", ["", "   "])
def test_a_joint_action_needs_a_title(ports, title):
    with pytest.raises(InvalidInput):
        JointAction.open(type=CC, country="HND", title=title, officer=OFFICER, now=NOW, ports=ports)


def test_beneficiary_names_are_trimmed_and_cannot_be_empty(ports):
    action = JointAction.open(type=PM, country="HND", title=" Title ", officer=OFFICER, now=NOW, ports=ports,
                              beneficiaries=[" Ana ", "Luis"])
    assert (action.title, action.beneficiaries) == ("Title", ["Ana", "Luis"])
    with pytest.raises(InvalidInput):
        JointAction.open(type=PM, country="HND", title="Title", officer=OFFICER, now=NOW, ports=ports,
                         beneficiaries=["Ana", "  "])


# ---------------------------------------------------------------- reference formats


@pytest.mark.parametrize(
    ("kind", "number", "year", "expected"),
    [
        (ReferenceKind.JAM, 1, 2026, "JAM-2026-0001"),
        (ReferenceKind.JAM, 123, 2026, "JAM-2026-0123"),
        (ReferenceKind.JAM, 12345, 2026, "JAM-2026-12345"),
        (ReferenceKind.MC, 1, 2026, "MC-1-26"),
        (ReferenceKind.MC, 452, 2030, "MC-452-30"),
        (ReferenceKind.MC, 7, 2105, "MC-7-05"),  # two-digit year keeps its leading zero
        (ReferenceKind.UA, 1, 2026, "UA HND 1/2026"),
        (ReferenceKind.UA, 17, 2027, "UA HND 17/2027"),
        (ReferenceKind.RESOLUTION, 1, 2026, "Resolution 1/2026"),
        (ReferenceKind.RESOLUTION, 98, 2027, "Resolution 98/2027"),
    ],
)
def test_format_reference_spells_each_kind(kind, number, year, expected):
    assert format_reference(kind, number, year=year, country="HND") == expected


def test_urgent_appeals_are_numbered_per_country_and_year_and_the_rest_per_year():
    assert reference_series(ReferenceKind.UA, year=2026, country="HND") != reference_series(
        ReferenceKind.UA, year=2026, country="GTM")
    assert reference_series(ReferenceKind.UA, year=2026, country="HND") != reference_series(
        ReferenceKind.UA, year=2027, country="HND")
    for kind in (ReferenceKind.JAM, ReferenceKind.MC, ReferenceKind.RESOLUTION):
        assert reference_series(kind, year=2026, country="HND") == reference_series(kind, year=2026, country="GTM")
        assert reference_series(kind, year=2026, country="HND") != reference_series(kind, year=2027, country="HND")


# ---------------------------------------------------------------- month arithmetic


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 8, 31, 9, 0, tzinfo=UTC), 6, datetime(2027, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2027, 8, 31, 9, 0, tzinfo=UTC), 6, datetime(2028, 2, 29, 9, 0, tzinfo=UTC)),  # leap year
        (datetime(2026, 1, 31, 9, 0, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), 1, datetime(2026, 4, 30, 9, 0, tzinfo=UTC)),
        (datetime(2026, 11, 6, 9, 0, tzinfo=UTC), 6, datetime(2027, 5, 6, 9, 0, tzinfo=UTC)),
        (datetime(2026, 12, 15, 9, 0, tzinfo=UTC), 12, datetime(2027, 12, 15, 9, 0, tzinfo=UTC)),
        (datetime(2026, 6, 30, 9, 0, tzinfo=UTC), 18, datetime(2027, 12, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_add_months_keeps_the_day_and_clamps_it_to_the_months_end(start, months, expected):
    result = add_months(start, months)
    assert result == expected
    assert result.tzinfo is start.tzinfo

