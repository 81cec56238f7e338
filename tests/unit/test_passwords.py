"""The password rule (coordination/domain/passwords.py): at least 12 characters, not only blanks or
invisible characters, not the email address. Where it applies (the command line, the account page,
the demo) is tested in tests/integration/test_cli_users.py and tests/web/test_sessions.py."""

import pytest

from coordination.domain import InvalidInput
from coordination.domain.passwords import MIN_LENGTH, check_password

EMAIL = "olivia.officer@ohchr.test"


def test_ten_spaces_are_not_a_password():
    # the finding: `user set-password` accepted "          " (checked then by length only, at least 10)
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        check_password(" " * 10)
    with pytest.raises(InvalidInput, match="only spaces or invisible characters"):
        check_password(" " * 12)


@pytest.mark.parametrize("blank", [
    " " * 20, "\t" * 12, "\n" * 12, "\u00a0" * 12, "\u3000" * 12,  # spaces of every kind
    "\u200b" * 12, "\ufeff" * 12, "\u200e" * 12, "\u2060" * 12, "\u00ad" * 12,  # zero-width and format characters
    "\x00" * 12, "\x7f" * 12, " \u200b\u200e\ufeff" * 3,
])
def test_a_password_only_of_blank_or_invisible_characters_is_refused(blank):
    with pytest.raises(InvalidInput, match="^a password cannot be only spaces or invisible characters$"):
        check_password(blank)


@pytest.mark.parametrize("short", ["", "a", "elevenchars", "\u00e9" * 11])
def test_fewer_than_12_characters_are_refused(short):
    assert MIN_LENGTH == 12
    with pytest.raises(InvalidInput, match="^a password needs at least 12 characters$"):
        check_password(short)


@pytest.mark.parametrize("same", [EMAIL, EMAIL.upper(), f"  {EMAIL} "])
def test_the_email_address_is_not_a_password(same):
    with pytest.raises(InvalidInput, match="^a password cannot be the email address$"):
        check_password(same, email=EMAIL)


@pytest.mark.parametrize("good", ["twelve chars", "correct horse battery staple", "contraseña segura 2026",
                                  "\u5bc6\u7801" * 6, "  padded but real  ", "x" * 1000])
def test_passphrases_of_12_characters_or_more_are_accepted(good):
    assert check_password(good, email=EMAIL) == good


def test_a_pasted_file_is_not_a_password():
    with pytest.raises(InvalidInput, match="at most 1000 characters"):
        check_password("x" * 1001)
