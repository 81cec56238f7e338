"""Addresses that are what they read (issue 10, item 1), on SQLite and PostgreSQL.

Every input of an address — a letter field of email type (`letter set`, and the same
service the web form calls), the address book (`recipient add`) and users (`user add`) —
refuses, in one line and writing nothing, what would be delivered elsewhere than it reads
or would break the sender. On main most of these were stored (the issue's three first).
`coordination doctor` names the stored addresses that today's checks would refuse.
"""

import pytest
import sqlalchemy as sa

from coordination.adapters.records import LetterVersionRecord, OutboxRecord, RecipientRecord, UserRecord
from coordination.domain import InvalidInput

from ..conftest import count_rows
from ..helpers import OFFICER, seed
from .test_cli_refusals import _rows, assert_refused

REFUSED = {
    # the issue's
    "control character DEL": ("x\x7fy@evil.example", "U+007F"),
    "encoded word": ("=?utf-8?q?victim?=@evil.example", "encoded word"),
    "literal IP then a label": ("a@[127.0.0.1].x", "after the @-sign"),
    # the same classes, further
    "literal IP domain": ("a@[127.0.0.1]", "COORDINATION_ALLOW_IP_ADDRESSES"),
    "encoded word inside": ("victim=?utf-8?b?QQ==?=@evil.example", "encoded word"),
    "escape character": ("x\x1by@evil.example", "U+001B"),
    "NUL": ("x\x00y@evil.example", "U+0000"),
    "CRLF header injection": ("a@evil.example\r\nBcc: victim@evil.example", "control"),
    "LF inside": ("a@evil.example\nx", "U+000A"),
    "display name": ("Victim <victim@evil.example>", "space"),
    "angle brackets": ("<victim@evil.example>", "angle brackets"),
    "quoted local part": ('"victim@evil.example"@evil.example', "quoted"),
    "comment": ("victim(comment)@evil.example", "comments"),
    "two addresses": ("a@evil.example,b@evil.example", "exactly one @"),
    "two addresses, one @": ("a,b@evil.example", "invalid characters"),
    "homoglyph domain (Cyrillic e)": ("a@\u0435xample.org", "U+0435 CYRILLIC SMALL LETTER IE"),
    "homoglyph local part": ("\u0430dmin@example.org", "non-ASCII"),
    "Punycode of a homoglyph domain": ("a@xn--xample-2of.org", "internationalised name that reads as еxample.org"),
    "zero-width space": ("vic\u200btim@evil.example", "U+200B ZERO WIDTH SPACE"),
    "right-to-left override": ("moc.live\u202e@evil.example", "U+202E"),
    "localhost": ("root@localhost", "period"),
    "special-use .local": ("a@printer.local", "special-use"),
    "special-use .invalid": ("a@x.invalid", "special-use"),
    "special-use .onion": ("a@hidden.onion", "special-use"),
    "special-use .arpa": ("a@1.0.0.127.in-addr.arpa", "special-use"),
    "subdomain of localhost": ("a@evil.localhost", "special-use"),
    "no dot in the domain": ("a@intranet", "period"),
}

def _refusal(value: str) -> str:
    """How a refusal of the field begins: a control character is refused by the text check every field has,
    before the address is read; everything else by the address check."""
    if any(ord(c) < 32 and c not in "\r\n\t" or ord(c) == 127 for c in value):
        return "field 'requester_email' cannot contain a control character"
    return "field 'requester_email': invalid email address "


ACCEPTED = ["requester@ngo.test", "Jane.Doe+intake@Mail.Example.ORG", "a@example.com", "x_y-z@sub.domain.example"]


@pytest.fixture
def registration(app) -> str:
    """A precautionary measure at registration: its acknowledgement has the requester's email field."""
    seed(app)
    return app.services.open_action(type="precautionary-measure", country="MEX", title="Registration",
                                officer=OFFICER).reference


def _requester(app, ref: str) -> str | None:
    [letter] = [l for l in app.services.get_action(ref)["letters"] if l["name"] == "acknowledgement"]
    return letter["fields"]["requester_email"]


@pytest.mark.parametrize("value, words", list(REFUSED.values()), ids=list(REFUSED))
def test_a_letter_email_field_refuses_in_one_line_and_writes_nothing(app, registration, value, words):
    before, rows = count_rows(app), _rows(app)
    for edit in (
        lambda: app.services.edit_letter(reference=registration, field="requester_email", value=value,
                                     editor=OFFICER),
        lambda: app.services.edit_letter_fields(reference=registration, letter="acknowledgement",  # the web's
                                            values={"requester_email": value}, editor=OFFICER),
    ):
        with pytest.raises(InvalidInput) as refused:
            edit()
        message = str(refused.value)
        assert "\n" not in message and "\r" not in message
        assert message.startswith(_refusal(value)) and words in message
    assert count_rows(app) == before and _rows(app) == rows
    assert _requester(app, registration) is None


@pytest.mark.parametrize("value, words", [v for k, v in REFUSED.items() if k != "NUL"],
                         ids=[k for k in REFUSED if k != "NUL"])  # an argument cannot hold a NUL
def test_every_command_that_takes_an_address_refuses_it(app, invoke, registration, value, words):
    assert_refused(app, invoke, ("letter", "set", registration, "requester_email", "--text", value, "--as", OFFICER),
                   "requester_email", _refusal(value).removeprefix("field 'requester_email'").strip(": "), words)
    assert_refused(app, invoke, ("user", "add", value, "--name", "X", "--org", "ohchr", "--role", "officer"),
                   "invalid email address")
    assert_refused(app, invoke, ("recipient", "add", "HND", "--kind", "foreign-ministry", "--email", value),
                   "invalid email address")


def test_users_and_recipients_refuse_through_the_services_too(app):
    before = count_rows(app)
    for value, _ in REFUSED.values():
        with pytest.raises(InvalidInput, match="invalid email address"):
            app.services.add_user(email=value, name="X", organisation="ohchr", role="officer")
        with pytest.raises(InvalidInput, match="invalid email address"):
            app.services.add_recipient(country="HND", kind="foreign-ministry", email=value)
    assert count_rows(app) == before


@pytest.mark.parametrize("value", ACCEPTED)
def test_a_plain_address_is_accepted_and_stored_as_typed(app, registration, invoke, value):
    app.services.edit_letter(reference=registration, field="requester_email", value=f"  {value} ", editor=OFFICER)
    assert _requester(app, registration) == value  # as typed, blanks around removed
    result = invoke("recipient", "add", "COL", "--kind", "foreign-ministry", "--email", value)
    assert result.exit_code == 0, result.stderr
    assert app.services.add_user(email=value.replace("@", ".u@"), name="U", organisation="iachr",
                             role="officer").email == value.replace("@", ".u@").lower()  # users: lower case


def test_literal_ip_domains_only_when_the_setting_allows_them(app, registration):
    with pytest.raises(InvalidInput, match="COORDINATION_ALLOW_IP_ADDRESSES"):
        app.services.edit_letter(reference=registration, field="requester_email", value="a@[192.0.2.1]",
                             editor=OFFICER)
    app.settings = app.settings.model_copy(update={"allow_ip_addresses": True})
    app.services.edit_letter(reference=registration, field="requester_email", value="a@[192.0.2.1]", editor=OFFICER)
    assert _requester(app, registration) == "a@[192.0.2.1]"
    with pytest.raises(InvalidInput):  # still only an address: nothing after the literal
        app.services.edit_letter(reference=registration, field="requester_email", value="a@[127.0.0.1].x",
                             editor=OFFICER)


def test_the_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from coordination.config import Settings

    monkeypatch.setenv("COORDINATION_ALLOW_IP_ADDRESSES", "1")
    assert Settings(data_dir=tmp_path).allow_ip_addresses is True


# ---------------------------------------------------------------- coordination doctor


def _store_bad_addresses(app, ref: str) -> None:
    """Addresses written before the checks (or by hand): straight into the tables."""
    app.services.edit_letter(reference=ref, field="requester_email", value="requester@ngo.test", editor=OFFICER)
    with app.engine.begin() as connection:
        version = connection.execute(sa.select(LetterVersionRecord.id, LetterVersionRecord.fields)
                                     .order_by(LetterVersionRecord.id.desc()).limit(1)).one()
        connection.execute(sa.update(LetterVersionRecord.__table__).where(LetterVersionRecord.__table__.c.id ==
                                                                         version.id)
                           .values(fields={**version.fields, "requester_email": "x\x7fy@evil.example"}))
        connection.execute(sa.insert(RecipientRecord.__table__).values(
            country="HND", kind="oas-mission", email="=?utf-8?q?victim?=@evil.example", created_at=app.clock()))
        connection.execute(sa.insert(UserRecord.__table__).values(
            email="a@[127.0.0.1].x", name="Mallory", organisation="ohchr", role="officer", created_at=app.clock()))
        for status, recipient in (("pending", "Victim <victim@evil.example>"), ("sent", "old@[127.0.0.1]")):
            connection.execute(sa.insert(OutboxRecord.__table__).values(
                kind="digest", recipient=recipient, recipient_kind="staff", message_id=f"<{status}@x.test>",
                subject="s", body_text="t", body_html="h", status=status, attempts=0, created_at=app.clock()))


def test_doctor_names_each_stored_address_that_would_be_refused_and_exits_1(app, invoke, registration):
    assert invoke("doctor").stdout.startswith("No findings: ")
    _store_bad_addresses(app, registration)
    before = _rows(app)

    result = invoke("doctor")

    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    assert len(lines) == 4, lines  # the sent row is history: not a finding
    letter, recipient, user, outbox = lines
    assert letter.startswith(f"{registration} letter acknowledgement field requester_email: invalid email address "
                             "'x\\x7fy@evil.example': it contains the control")
    assert recipient.startswith("recipient #") and "(oas-mission of HND)" in recipient and "encoded word" in recipient
    assert user.startswith("user #") and "'a@[127.0.0.1].x'" in user and "after the @-sign" in user
    assert outbox.startswith("outbox #") and "(reminder digest, pending)" in outbox and "space" in outbox
    assert result.stderr == "4 finding(s) among 19 stored address(es).\n"
    assert _rows(app) == before  # the doctor changes nothing


def test_doctor_with_nothing_wrong_exits_0(app, invoke, registration):
    app.services.edit_letter(reference=registration, field="requester_email", value="requester@ngo.test",
                         editor=OFFICER)
    result = invoke("doctor")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == "No findings: 16 stored address(es) checked.\n"  # a letter field, 8 recipients, 7 users
