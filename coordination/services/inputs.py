"""Values as they enter a use case: text checked against the settings' bound
(COORDINATION_MAX_FIELD_CHARS) and names checked against their vocabulary, with the same rules
for the command line and the web, which both come through here."""

from enum import Enum
from typing import TypeVar

from coordination.config import Settings
from coordination.domain import InvalidInput
from coordination.domain.text import check_text

E = TypeVar("E", bound=Enum)


def text(settings: Settings, name: str, value: str | None, *, required: bool = True, lines: bool = True) -> str | None:
    """`value`, or InvalidInput naming the field (control characters, blank only, too long)."""
    return check_text(name, value, settings.max_field_chars, required=required, lines=lines)


def choice(enum: type[E], value: str, what: str, *, field: str | None = None) -> E:
    """The member of `enum` whose value is `value`, or InvalidInput listing the choices
    (`field`: the parameter that took the value, for the edges to word the refusal)."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput.unknown(what, value, [str(e.value) for e in enum], field=field) from None
