"""Letters: immutable versions with their sha256, field validation, completeness, freezing on dispatch."""

from datetime import timedelta

import pytest

from coordination.domain import (
    ActionType,
    IncompleteLetters,
    InvalidInput,
    InvalidState,
    LetterStatus,
    NotFound,
    NotPermitted,
    Status,
)
from coordination.domain.letters import content_sha256

from .support import (
    ADDRESS_BOOK,
    ADMIN,
    LETTERS,
    NOW,
    OFFICER,
    SUP_OHCHR,
    approve_both,
    at_first_gate,
    fill,
    open_action,
)

UA, PM, CC = ActionType.URGENT_APPEAL, ActionType.PRECAUTIONARY_MEASURE, ActionType.COUNTRY_COMMUNICATION
REQUIRED_UA_FIELDS = ["mandates", "subject", "facts", "concerns", "questions", "interim_measures"]


@pytest.fixture
def communication(ports):
    """A country communication at drafting, its letter still empty."""
    return open_action(ports, CC)


def edit(action, ports, field: str, value: str, letter: str | None = None, user=OFFICER):
    return action.edit_letter(user, field=field, value=value, now=NOW, ports=ports, letter=letter)


def unchanged(action, letter: str):
    """Guard: the letter's versions and the action's events stay as they are."""
    versions, events = list(action.letter(letter).versions), len(action.events)
    return lambda: (action.letter(letter).versions == versions and len(action.events) == events)


# ---------------------------------------------------------------- versions


def test_each_edit_makes_a_new_version_with_a_new_sha256(communication, ports):
    letter = communication.letter("communication")
    assert [v.version for v in letter.versions] == [1]
    edit(communication, ports, "subject", "attacks on defenders")
    edit(communication, ports, "situation", "A pattern of attacks.")
    assert [v.version for v in letter.versions] == [1, 2, 3]
    assert len({v.sha256 for v in letter.versions}) == 3
    assert letter.current.fields["situation"] == "A pattern of attacks."
    assert (letter.current.edited_by, letter.versions[0].edited_by) == (OFFICER.email, None)
    assert letter.current.sha256 == content_sha256("communication", "es", letter.current.fields)


def test_earlier_versions_are_unchanged_by_later_edits(communication, ports):
    letter = communication.letter("communication")
    edit(communication, ports, "subject", "first subject")
    first, second = letter.versions
    first_fields, second_fields = dict(first.fields), dict(second.fields)
    edit(communication, ports, "subject", "second subject")
    edit(communication, ports, "concerns", "Impunity.")
    assert letter.versions[0] is first and letter.versions[1] is second
    assert (first.fields, second.fields) == (first_fields, second_fields)
    assert second.fields["subject"] == "first subject" and second.fields["concerns"] is None
    assert first.sha256 == content_sha256("communication", "es", first_fields)
    assert second.sha256 == content_sha256("communication", "es", second_fields)


def test_equal_content_gives_an_equal_sha256(communication, ports):
    letter = communication.letter("communication")
    edit(communication, ports, "subject", "A")
    edit(communication, ports, "subject", "B")
    edit(communication, ports, "subject", "A")
    assert [v.version for v in letter.versions] == [1, 2, 3, 4]
    assert letter.versions[3].sha256 == letter.versions[1].sha256 != letter.versions[2].sha256

    other = open_action(ports, CC)
    edit(other, ports, "subject", "A")
    assert other.letter("communication").current.sha256 == letter.current.sha256


def test_the_same_fields_in_another_language_hash_differently(ports):
    spanish, english = open_action(ports, CC), open_action(ports, CC, language="en")
    for action in (spanish, english):
        fill(action, ports, "communication")
    assert spanish.letter("communication").current.fields == english.letter("communication").current.fields
    assert spanish.letter("communication").current.sha256 != english.letter("communication").current.sha256


# ---------------------------------------------------------------- validation


def test_an_unknown_field_raises_not_found(communication, ports):
    same = unchanged(communication, "communication")
    with pytest.raises(NotFound, match="no field 'salutation'"):
        edit(communication, ports, "salutation", "Excellency")
    assert same()


@pytest.mark.parametrize("value", ["", "   ", "\n\t"])
def test_an_empty_value_raises_invalid_input(communication, ports, value):
    same = unchanged(communication, "communication")
    with pytest.raises(InvalidInput, match="cannot be empty"):
        edit(communication, ports, "subject", value)
    assert same()


@pytest.mark.parametrize("value", ["requester", "requester@ngo", "requester at ngo.test", "a@b@ngo.test",
                                   "Requester <requester@ngo.test>", "a@ngo.test, b@ngo.test"])
def test_an_email_field_rejects_a_non_address(ports, value):
    action = open_action(ports, PM)
    same = unchanged(action, "acknowledgement")
    with pytest.raises(InvalidInput, match="email address"):
        edit(action, ports, "requester_email", value)
    assert same()


def test_an_email_field_accepts_an_address_and_trims_it(ports):
    action = open_action(ports, PM)
    edit(action, ports, "requester_email", "  requester@ngo.test ")
    assert action.letter("acknowledgement").current.fields["requester_email"] == "requester@ngo.test"


def evaluating(ports):
    action = at_first_gate(ports, PM)
    action.skip(OFFICER, reason="Immediate harm.", now=NOW, ports=ports)
    assert action.stage == "evaluation"
    return action


@pytest.mark.parametrize("value", ["approve", "granted", "grant or dismiss"])
def test_a_choice_field_rejects_values_outside_its_choices(ports, value):
    action = evaluating(ports)
    same = unchanged(action, "resolution")
    with pytest.raises(InvalidInput, match="grant, dismiss"):
        edit(action, ports, "decision", value, letter="resolution")
    assert same()


def test_a_choice_field_accepts_a_choice_in_any_case(ports):
    action = evaluating(ports)
    edit(action, ports, "decision", " Dismiss ", letter="resolution")
    assert action.letter("resolution").current.fields["decision"] == "dismiss"


@pytest.mark.parametrize("value", ["0", "367", "ten", "-3", "5.5"])
def test_a_days_field_rejects_anything_but_a_whole_number_from_1_to_366(ports, value):
    action = open_action(ports, PM)
    fill(action, ports, "acknowledgement")
    action.submit(OFFICER, now=NOW, ports=ports)
    same = unchanged(action, "request_for_information")
    with pytest.raises(InvalidInput, match="whole number"):
        edit(action, ports, "reply_within_days", value)
    assert same()


def test_a_days_field_refuses_a_superscript_digit_as_invalid_input(ports):
    action = open_action(ports, PM)
    fill(action, ports, "acknowledgement")
    action.submit(OFFICER, now=NOW, ports=ports)
    with pytest.raises(InvalidInput):
        edit(action, ports, "reply_within_days", "²")


# ---------------------------------------------------------------- completeness


def test_submitting_with_unset_required_fields_raises_incomplete_letters(ports):
    action = open_action(ports, UA)
    action.submit(OFFICER, now=NOW, ports=ports)
    events = len(action.events)
    with pytest.raises(IncompleteLetters) as raised:
        action.submit(OFFICER, now=NOW, ports=ports)
    assert isinstance(raised.value, InvalidState)
    assert raised.value.missing == {"urgent_appeal": REQUIRED_UA_FIELDS}
    message = str(raised.value)
    assert "urgent_appeal" in message
    assert all(name in message for name in REQUIRED_UA_FIELDS)
    assert "legal_annex" not in message  # optional
    assert (action.stage, action.status, len(action.events)) == ("drafting", Status.IN_PROGRESS, events)


def test_incomplete_letters_names_only_the_fields_still_unset(ports):
    action = open_action(ports, UA)
    action.submit(OFFICER, now=NOW, ports=ports)
    for name in REQUIRED_UA_FIELDS[:-2]:
        edit(action, ports, name, LETTERS["urgent_appeal"][name])
    with pytest.raises(IncompleteLetters) as raised:
        action.submit(OFFICER, now=NOW, ports=ports)
    assert raised.value.missing == {"urgent_appeal": ["questions", "interim_measures"]}
    assert "urgent_appeal: questions, interim_measures" in str(raised.value)


# ---------------------------------------------------------------- who and when


def test_a_dispatched_letter_cannot_be_edited(ports):
    action = at_first_gate(ports, PM)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    action.advance(now=NOW + timedelta(days=6), ports=ports, address_book=ADDRESS_BOOK)  # reply lapses
    assert (action.stage, action.status) == ("evaluation", Status.IN_PROGRESS)
    assert action.letter("request_for_information").status is LetterStatus.DISPATCHED
    same = unchanged(action, "request_for_information")
    with pytest.raises(InvalidState, match="dispatched"):
        edit(action, ports, "facts", "Rewritten after the fact.", letter="request_for_information")
    assert same()


def test_letters_cannot_be_edited_while_the_action_waits_for_the_state(ports):
    action = at_first_gate(ports, UA)
    approve_both(action, ports)
    action.advance(now=NOW, ports=ports, address_book=ADDRESS_BOOK)
    assert action.status is Status.WAITING
    same = unchanged(action, "urgent_appeal")
    with pytest.raises(InvalidState):
        edit(action, ports, "facts", "Rewritten.")
    assert same()


def test_a_letter_of_a_stage_not_yet_reached_cannot_be_edited(ports):
    action = open_action(ports, PM)
    with pytest.raises(InvalidState, match="not been reached"):
        edit(action, ports, "decision", "grant", letter="resolution")
    with pytest.raises(NotFound):
        edit(action, ports, "subject", "x", letter="urgent_appeal")  # a letter of another action type


def test_without_a_letter_name_an_edit_goes_to_the_current_stages_draft(ports):
    action = open_action(ports, PM)
    fill(action, ports, "acknowledgement")
    action.submit(OFFICER, now=NOW, ports=ports)
    edited = edit(action, ports, "facts", "Surveillance.")
    assert edited.name == "request_for_information"
    assert action.letter("acknowledgement").current.version == 4


def test_an_admin_cannot_edit_letters(communication, ports):
    same = unchanged(communication, "communication")
    with pytest.raises(NotPermitted):
        edit(communication, ports, "subject", "x", user=ADMIN)
    assert same()


def test_a_supervisor_may_draft_and_becomes_the_letters_last_editor(communication, ports):
    edit(communication, ports, "subject", "x", user=SUP_OHCHR)
    assert communication.letter("communication").last_editor == SUP_OHCHR.email
