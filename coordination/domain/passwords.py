"""The password rule, the same wherever a password is chosen: `user set-password`, the account
page and the demo accounts.

At least 12 characters, not only blanks or invisible characters (spaces, zero-width and
format characters, controls), and not the person's own email address. Long passphrases
are welcome; the upper bound only keeps a pasted file out of the hasher.
"""

import unicodedata

from .errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1000


def _visible(character: str) -> bool:
    """A character that shows: not a space, separator, control, format or unassigned code point."""
    return not character.isspace() and unicodedata.category(character)[0] not in "ZC"


def check_password(password: str | None, *, email: str | None = None) -> str:
    """The password if it follows the rule; otherwise InvalidInput with one line saying why."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_LENGTH} characters", field="password")
    if not any(_visible(c) for c in password):
        raise InvalidInput("a password cannot be only spaces or invisible characters", field="password")
    if email and unicodedata.normalize("NFKC", password).strip().casefold() == email.strip().casefold():
        raise InvalidInput("a password cannot be the email address", field="password")
    return password
