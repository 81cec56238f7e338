"""Stages of each action type: walks to the first dispatch, deadlines, skipping, replies, lapses."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.domain import (
    ActionType,
    DeadlineKind,
    DeadlineStatus,
    InvalidInput,
    InvalidState,
    LetterStatus,
    NotPermitted,
    Organisation,
    OutboxEntry,
    ReferenceKind,
    Status,
)

from .support import (
    ADDRESS_BOOK,
    ADMIN,
    FOREIGN_MINISTRY,
    FRIDAY,
    MISSION_GENEVA,
    NOW,
    OAS_MISSION,
    OFFICER,
    REQUESTER,
    SUP_IACHR,
    SUP_OHCHR,
    approve_both,
    at_first_gate,
    deadlines_of,
    fill,
    open_action,
)

UA, PM, CC = ActionType.URGENT_APPEAL, ActionType.PRECAUTIONARY_MEASURE, ActionType.COUNTRY_COMMUNICATION


def where(action) -> tuple[str, Status]:
    return action.stage, action.status


# ---------------------------------------------------------------- urgent appeal


def test_urgent_appeal_walks_from_intake_to_dispatch_and_then_awaits_the_reply(ports):
    action = open_action(ports, UA)
    assert where(action) == ("intake", Status.IN_PROGRESS)
    assert action.reference == "JAM-2026-0001"
    assert action.letters == [] and action.deadlines == []

    action.submit(OFFICER, now=NOW, ports=ports)
    assert where(action) == ("drafting", Status.IN_PROGRESS)
    assert [(l.name, l.status) for l in action.letters] == [("urgent_appeal", LetterStatus.DRAFT)]

    fill(action, ports, "urgent_appeal")
    action.submit(OFFICER, now=NOW, ports=ports)
    assert where(action) == ("joint_approval", Status.AWAITING_APPROVAL)
    assert action.reference_of(ReferenceKind.UA) is None
    # 2 business days for urgent appeals: Monday 2 Nov 09:00 -> Wednesday 4 Nov 09:00, per organisation.
    slas = deadlines_of(action, DeadlineKind.APPROVAL_SLA)
    assert {d.organisation: d.due_at for d in slas} == {
        Organisation.OHCHR: datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
        Organisation.IACHR: datetime(2026, 11, 4, 9, 0, tzinfo=UTC),
    }
    assert all(d.is_open and d.round == 1 and d.stage == "joint_approval" for d in slas)

    assert action.approve(SUP_OHCHR, now=NOW, ports=ports) is False
    assert where(action) == ("joint_approval", Status.AWAITING_APPROVAL)
    assert action.reference_of(ReferenceKind.UA) is None

    assert action.approve(SUP_IACHR, now=NOW, ports=ports) is True
    assert action.reference_of(ReferenceKind.UA) == "UA HND 1/2026"
    assert where(action) == ("dispatch", Status.READY)
    assert action.letter("urgent_appeal").status is LetterStatus.APPROVED
    assert [d.status for d in slas] == [DeadlineStatus.MET, DeadlineStatus.MET]

    sent_at = NOW + timedelta(days=1)  # Tuesday 3 Nov 2026 09:00 UTC
    outbox = action.advance(now=sent_at, ports=ports, address_book=ADDRESS_BOOK)
    # version 7: the empty draft and one version per field filled
    assert outbox == [OutboxEntry("urgent_appeal", 1, 7, MISSION_GENEVA, "permanent-mission-geneva")]
    letter = action.letter("urgent_appeal")
    assert (letter.status, letter.dispatched_at) == (LetterStatus.DISPATCHED, sent_at)
    assert where(action) == ("awaiting_reply", Status.WAITING)
    # 60 calendar days from 3 Nov: 27 to the end of November, 31 in December, 2 in January -> 2 Jan 2027.
    due = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    assert action.open_deadline(DeadlineKind.STATE_REPLY).due_at == due
    assert action.open_deadline(DeadlineKind.PUBLICATION).due_at == due
    assert action.advance(now=sent_at, ports=ports, address_book=ADDRESS_BOOK) == []


def test_urgent_appeal_numbers_run_per_country_and_year(ports):
    def approved(country: str, when: datetime) -> str:
        action = open_action(ports, UA, country=country, now=when)
        action.submit(OFFICER, now=when, ports=ports)
        fill(action, ports, "urgent_appeal", now=when)
        action.submit(OFFICER, now=when, ports=ports)
        approve_both(action, ports, now=when)
        return action.reference_of(ReferenceKind.UA)

    next_year = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert [approved("HND", NOW), approved("GTM", NOW), approved("HND", NOW), approved("HND", next_year)] == [
        "UA HND 1/2026", "UA GTM 1/2026", "UA HND 2/2026", "UA HND 1/2027",
    ]


# ---------------------------------------------------------------- precautionary measure


def test_precautionary_measure_walks_from_registration_to_the_request_for_information(ports):
    action = open_action(ports, PM)
    assert where(action) == ("registration", Status.IN_PROGRESS)
    assert action.reference == "JAM-2026-0001"
    assert action.reference_of(ReferenceKind.MC) is None
    assert [l.name for l in action.letters] == ["acknowledgement"]

    fill(action, ports, "acknowledgement")
    action.submit(OFFICER, now=NOW, ports=ports)
    assert action.reference_of(ReferenceKind.MC) == "MC-1-26"
    assert where(action) == ("information_request", Status.IN_PROGRESS)
    assert [l.name for l in action.pending_letters] == ["acknowledgement", "request_for_information"]

    fill(action, ports, "request_for_information")
    action.submit(OFFICER, now=NOW, ports=ports)
    assert where(action) == ("information_request", Status.AWAITING_APPROVAL)
    # 5 business days: Monday 2 Nov -> Monday 9 Nov, for each organisation.
    slas = deadlines_of(action, DeadlineKind.APPROVAL_SLA)
    assert sorted((d.organisation, d.due_at) for d in slas) == [
        (Organisation.IACHR, datetime(2026, 11, 9, 9, 0, tzinfo=UTC)),
        (Organisation.OHCHR, datetime(2026, 11, 9, 9, 0, tzinfo=UTC)),
    ]

    approve_both(action, ports)
    assert where(action) == ("information_request", Status.READY)  # the gate dispatches its own letter
    assert action.reference_of(ReferenceKind.RESOLUTION) is None
    assert {l.status for l in action.current_letters} == {LetterStatus.APPROVED}

    sent_at = NOW + timedelta(days=1)
    outbox = action.advance(now=sent_at, ports=ports, address_book=ADDRESS_BOOK)
    assert len(outbox) == 3
    assert set(outbox) == {
        OutboxEntry("acknowledgement", 1, 4, REQUESTER, "requester"),
        OutboxEntry("request_for_information", 1, 3, FOREIGN_MINISTRY, "foreign-ministry"),
        OutboxEntry("request_for_information", 1, 3, OAS_MISSION, "oas-mission"),
    }
    assert {l.status for l in action.current_letters} == {LetterStatus.DISPATCHED}
    assert where(action) == ("awaiting_state_reply", Status.WAITING)
    # 5 calendar days by default: Tuesday 3 Nov -> Sunday 8 Nov (a weekend counts).
    assert action.open_deadline(DeadlineKind.STATE_REPLY).due_at == datetime(2026, 11, 8, 9, 0, tzinfo=UTC)


def waiting_for_the_state(ports, **overrides: str):
    action = at_first_gate(ports, PM, **overrides)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert where(action) == ("awaiting_state_reply", Status.WAITING)
    return action


def test_the_states_reply_deadline_follows_the_letters_reply_within_days(ports):
    action = waiting_for_the_state(ports, reply_within_days="10")
    assert action.open_deadline(DeadlineKind.STATE_REPLY).due_at == NOW + timedelta(days=10)


def test_precautionary_measure_walks_from_the_states_reply_through_evaluation_to_notification(ports):
    action = waiting_for_the_state(ports)
    replied_at = NOW + timedelta(days=3)
    action.record_reply(OFFICER, received_on=date(2026, 11, 4), acknowledgement_only=False, now=replied_at,
                        ports=ports)
    assert action.open_deadline(DeadlineKind.STATE_REPLY) is None
    assert deadlines_of(action, DeadlineKind.STATE_REPLY)[0].status is DeadlineStatus.MET
    assert [(r.stage, r.received_on) for r in action.replies] == [("awaiting_state_reply", date(2026, 11, 4))]
    assert where(action) == ("evaluation", Status.IN_PROGRESS)
    assert [l.name for l in action.pending_letters] == ["resolution"]

    fill(action, ports, "resolution", now=replied_at)
    action.submit(OFFICER, now=replied_at, ports=ports)
    assert where(action) == ("evaluation", Status.AWAITING_APPROVAL)
    assert action.reference_of(ReferenceKind.RESOLUTION) is None
    approve_both(action, ports, now=replied_at)
    assert action.reference_of(ReferenceKind.RESOLUTION) == "Resolution 1/2026"
    assert action.reference_of(ReferenceKind.MC) == "MC-1-26"
    assert where(action) == ("notification", Status.READY)

    sent_at = replied_at + timedelta(days=1)  # Friday 6 Nov 2026
    outbox = action.advance(now=sent_at, ports=ports, address_book=ADDRESS_BOOK)
    assert set(outbox) == {
        OutboxEntry("resolution", 1, 6, FOREIGN_MINISTRY, "foreign-ministry"),
        OutboxEntry("resolution", 1, 6, OAS_MISSION, "oas-mission"),
        OutboxEntry("resolution", 1, 6, REQUESTER, "requester"),
    }
    assert len(outbox) == 3
    assert action.letter("resolution").status is LetterStatus.DISPATCHED
    # granted: periodic review, every 6 months from the notification
    assert where(action) == ("follow_up", Status.IN_PROGRESS)
    assert action.open_deadline(DeadlineKind.REVIEW).due_at == datetime(2027, 5, 6, 9, 0, tzinfo=UTC)


def test_a_dismissed_precautionary_measure_closes_after_notification(ports):
    action = waiting_for_the_state(ports)
    action.record_reply(OFFICER, received_on=NOW.date(), acknowledgement_only=True, now=NOW, ports=ports)
    fill(action, ports, "resolution", decision="dismiss")
    action.submit(OFFICER, now=NOW, ports=ports)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert where(action) == ("closed", Status.CLOSED)
    assert [d for d in action.deadlines if d.is_open] == []


# ---------------------------------------------------------------- country communication


def test_country_communication_walks_from_drafting_to_dispatch_to_all_three_state_addresses(ports):
    action = open_action(ports, CC)
    assert where(action) == ("drafting", Status.IN_PROGRESS)
    assert action.reference == "JAM-2026-0001"

    fill(action, ports, "communication")
    action.submit(OFFICER, now=NOW, ports=ports)
    assert where(action) == ("joint_approval", Status.AWAITING_APPROVAL)
    assert {d.due_at for d in deadlines_of(action, DeadlineKind.APPROVAL_SLA)} == {
        datetime(2026, 11, 9, 9, 0, tzinfo=UTC)  # 5 business days
    }

    approve_both(action, ports)
    assert where(action) == ("dispatch", Status.READY)
    assert [r.kind for r in action.references] == [ReferenceKind.JAM]  # no further reference

    outbox = action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert len(outbox) == 3
    assert set(outbox) == {
        OutboxEntry("communication", 1, 6, FOREIGN_MINISTRY, "foreign-ministry"),
        OutboxEntry("communication", 1, 6, OAS_MISSION, "oas-mission"),
        OutboxEntry("communication", 1, 6, MISSION_GENEVA, "permanent-mission-geneva"),
    }
    assert action.letter("communication").status is LetterStatus.DISPATCHED
    assert where(action) == ("awaiting_reply", Status.WAITING)
    assert action.open_deadline(DeadlineKind.STATE_REPLY).due_at == NOW + timedelta(days=60)
    assert deadlines_of(action, DeadlineKind.PUBLICATION) == []


# ---------------------------------------------------------------- deadlines and dispatch


@pytest.mark.parametrize(
    ("type", "due"),
    [
        # Friday 6 Nov + 2 business days: the weekend does not count -> Tuesday 10 Nov
        (UA, datetime(2026, 11, 10, 9, 0, tzinfo=UTC)),
        # Friday 6 Nov + 5 business days -> Friday 13 Nov
        (PM, datetime(2026, 11, 13, 9, 0, tzinfo=UTC)),
        (CC, datetime(2026, 11, 13, 9, 0, tzinfo=UTC)),
    ],
)
def test_approval_sla_counts_business_days_for_each_organisation(ports, type, due):
    action = at_first_gate(ports, type, now=FRIDAY)
    slas = deadlines_of(action, DeadlineKind.APPROVAL_SLA)
    assert sorted(d.organisation for d in slas) == sorted(Organisation)
    assert {d.due_at for d in slas} == {due}


def test_dispatch_without_a_state_address_is_refused_and_changes_nothing(ports):
    action = at_first_gate(ports, CC)
    approve_both(action, ports)
    events = len(action.events)
    book = [r for r in ADDRESS_BOOK if not (r.country == "HND" and r.kind.value == "oas-mission")]
    with pytest.raises(InvalidState, match="oas-mission for HND"):
        action.advance(now=NOW, ports=ports, address_book=book)
    assert where(action) == ("dispatch", Status.READY)
    assert action.letter("communication").status is LetterStatus.APPROVED
    assert len(action.events) == events


# ---------------------------------------------------------------- skipping


def test_the_request_for_information_can_be_skipped_with_a_reason(ports):
    action = at_first_gate(ports, PM)
    action.skip(OFFICER, reason="The harm is immediate.", now=NOW, ports=ports)
    assert where(action) == ("evaluation", Status.IN_PROGRESS)
    assert action.letter("request_for_information").status is LetterStatus.WITHDRAWN
    assert action.letter("acknowledgement").status is LetterStatus.DRAFT  # goes with the resolution
    assert {d.status for d in deadlines_of(action, DeadlineKind.APPROVAL_SLA)} == {DeadlineStatus.CANCELLED}
    assert deadlines_of(action, DeadlineKind.STATE_REPLY) == []
    skipped = [e for e in action.events if e.name == "StageSkipped"]
    assert [(e.stage, e.reason) for e in skipped] == [("information_request", "The harm is immediate.")]


def test_skipping_after_one_approval_voids_that_approval(ports):
    action = at_first_gate(ports, PM)
    action.approve(SUP_OHCHR, now=NOW, ports=ports)
    action.skip(OFFICER, reason="Immediate harm.", now=NOW, ports=ports)
    assert [a.void for a in action.approvals] == [True]
    assert action.stage == "evaluation"


@pytest.mark.parametrize("reason", ["", "   "])
def test_skipping_without_a_reason_is_refused(ports, reason):
    action = at_first_gate(ports, PM)
    with pytest.raises(InvalidInput):
        action.skip(OFFICER, reason=reason, now=NOW, ports=ports)
    assert where(action) == ("information_request", Status.AWAITING_APPROVAL)
    assert action.letter("request_for_information").status is LetterStatus.DRAFT


def test_a_stage_without_skip_to_cannot_be_skipped(ports):
    action = open_action(ports, UA)
    action.submit(OFFICER, now=NOW, ports=ports)
    with pytest.raises(InvalidState):
        action.skip(OFFICER, reason="No time.", now=NOW, ports=ports)
    assert where(action) == ("drafting", Status.IN_PROGRESS)


def test_an_admin_cannot_skip_stages(ports):
    action = at_first_gate(ports, PM)
    with pytest.raises(NotPermitted):
        action.skip(ADMIN, reason="Immediate harm.", now=NOW, ports=ports)
    assert action.stage == "information_request"


def test_the_optional_press_release_can_be_skipped_to_close_the_communication(ports):
    action = at_first_gate(ports, CC)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    action.record_reply(OFFICER, received_on=NOW.date(), acknowledgement_only=False, now=NOW, ports=ports)
    assert where(action) == ("press_release", Status.IN_PROGRESS)
    action.skip(OFFICER, reason="No press release this time.", now=NOW, ports=ports)
    assert where(action) == ("closed", Status.CLOSED)
    assert action.letter("press_release").status is LetterStatus.WITHDRAWN


# ---------------------------------------------------------------- replies and lapses


def dispatched_urgent_appeal(ports):
    action = at_first_gate(ports, UA)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert where(action) == ("awaiting_reply", Status.WAITING)
    return action


def test_a_reply_is_refused_before_the_letter_is_sent(ports):
    action = at_first_gate(ports, UA)
    with pytest.raises(InvalidState):
        action.record_reply(OFFICER, received_on=NOW.date(), acknowledgement_only=False, now=NOW, ports=ports)
    assert action.replies == []


def test_a_reply_marks_the_state_reply_deadline_met_and_the_appeal_awaits_publication(ports):
    action = dispatched_urgent_appeal(ports)
    later = NOW + timedelta(days=10)
    action.record_reply(OFFICER, received_on=later.date(), acknowledgement_only=True, now=later, ports=ports)
    assert deadlines_of(action, DeadlineKind.STATE_REPLY)[0].status is DeadlineStatus.MET
    assert action.replies[0].acknowledgement_only is True
    assert where(action) == ("publication", Status.WAITING)
    assert action.open_deadline(DeadlineKind.PUBLICATION).due_at == NOW + timedelta(days=60)


def test_a_waiting_stage_that_takes_no_reply_refuses_one(ports):
    action = dispatched_urgent_appeal(ports)
    action.record_reply(OFFICER, received_on=NOW.date(), acknowledgement_only=False, now=NOW, ports=ports)
    assert action.stage == "publication"
    with pytest.raises(InvalidState):
        action.record_reply(OFFICER, received_on=NOW.date(), acknowledgement_only=False, now=NOW, ports=ports)
    assert len(action.replies) == 1


def test_a_reply_dated_in_the_future_is_refused(ports):
    action = dispatched_urgent_appeal(ports)
    with pytest.raises(InvalidInput, match="future"):
        action.record_reply(OFFICER, received_on=date(2026, 11, 3), acknowledgement_only=False, now=NOW,
                            ports=ports)
    assert action.replies == []
    assert action.open_deadline(DeadlineKind.STATE_REPLY) is not None


def test_a_reply_dated_before_the_letter_was_sent_is_refused(ports):
    action = dispatched_urgent_appeal(ports)
    with pytest.raises(InvalidInput):
        action.record_reply(OFFICER, received_on=date(2026, 11, 1), acknowledgement_only=False,
                            now=NOW + timedelta(days=1), ports=ports)
    assert action.replies == []


def test_an_admin_cannot_record_replies(ports):
    action = dispatched_urgent_appeal(ports)
    with pytest.raises(NotPermitted):
        action.record_reply(ADMIN, received_on=NOW.date(), acknowledgement_only=False, now=NOW, ports=ports)
    assert action.replies == []


def test_advance_before_the_reply_deadline_changes_nothing(ports):
    action = waiting_for_the_state(ports)
    events = len(action.events)
    assert action.advance(now=NOW + timedelta(days=4, hours=23), ports=ports, address_book=ADDRESS_BOOK) == []
    assert where(action) == ("awaiting_state_reply", Status.WAITING)
    assert len(action.events) == events


def test_advance_after_the_state_reply_deadline_marks_it_lapsed_and_moves_on(ports):
    action = waiting_for_the_state(ports)
    assert action.advance(now=NOW + timedelta(days=6), ports=ports, address_book=ADDRESS_BOOK) == []
    assert deadlines_of(action, DeadlineKind.STATE_REPLY)[0].status is DeadlineStatus.LAPSED
    assert where(action) == ("evaluation", Status.IN_PROGRESS)
    assert action.replies == []


def test_an_unanswered_urgent_appeal_lapses_is_published_and_closes_at_day_sixty(ports):
    action = dispatched_urgent_appeal(ports)
    action.advance(now=NOW + timedelta(days=61), ports=ports, address_book=ADDRESS_BOOK)
    assert deadlines_of(action, DeadlineKind.STATE_REPLY)[0].status is DeadlineStatus.LAPSED
    assert deadlines_of(action, DeadlineKind.PUBLICATION)[0].status is DeadlineStatus.MET
    assert where(action) == ("closed", Status.CLOSED)
