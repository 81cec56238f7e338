"""Errors a person can act on.

    CoordinationError
     ├── NotFound          an unknown user, action, letter or field
     ├── InvalidInput      a value that can never be accepted (bad country code, empty comment)
     ├── NotPermitted      the user may not do this (role, organisation, four eyes, decided twice)
     ├── InvalidState      not now: the action is not at a step where this is possible
     │    └── IncompleteLetters   required letter fields are still unset
     ├── Conflict          the thing already exists, or another change won the race
     │    └── StaleLetters     a decision on letters that changed since the decider saw them
     └── Unavailable       not possible in the time allowed (a PDF that takes too long), or no database

A refusal carries its facts as data, beside its message: `field` (the input refused, by the name
of the parameter that takes it: "language", "letter", "from_version"…), `value` (what was given),
`choices` (what would have been accepted), `reference`, `stage`, `letter`, `organisation`, and
`facts` for anything else. The message is the domain's own wording and names no command-line
option nor form field: each edge words the refusal for its audience from these facts — the
command line with its options (`coordination/cli.py`), the web with its forms' labels
(`coordination/web/errors.py`).
"""

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any


class CoordinationError(Exception):
    """Base of every refusal: a message, and the facts it is about."""

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        value: Any = None,
        choices: Iterable[str] = (),
        reference: str | None = None,
        stage: str | None = None,
        letter: str | None = None,
        organisation: str | None = None,
        facts: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value
        self.choices: tuple[str, ...] = tuple(str(c) for c in choices)
        self.reference = reference
        self.stage = stage
        self.letter = letter
        self.organisation = organisation
        self.facts: Mapping[str, Any] = MappingProxyType(dict(facts or {}))


class NotFound(CoordinationError):
    pass


class InvalidInput(CoordinationError):
    @classmethod
    def unknown(cls, what: str, value: object, choices: Iterable[str], *, field: str | None = None) -> "InvalidInput":
        """A value outside its vocabulary: "unknown language 'xx' (one of: en, es)"."""
        allowed = tuple(str(c) for c in choices)
        return cls(f"unknown {what} {value!r} (one of: {', '.join(allowed)})", field=field or what, value=value,
                   choices=allowed)


class NotPermitted(CoordinationError):
    pass


class InvalidState(CoordinationError):
    pass


class IncompleteLetters(InvalidState):
    def __init__(self, missing: dict[str, list[str]], *, action_type: str | None = None,
                 reference: str | None = None, stage: str | None = None):
        self.missing = missing  # letter → its required fields that are not set
        self.action_type = action_type  # whose definitions name the letters' titles and fields' labels
        parts = [f"{letter}: {', '.join(fields)}" for letter, fields in missing.items()]
        super().__init__("required letter fields are not set — " + "; ".join(parts), reference=reference,
                         stage=stage, facts={"missing": missing, "action_type": action_type})


class Conflict(CoordinationError):
    pass


class StaleLetters(Conflict):
    """A decision names letter versions that are no longer the gate's: the letters changed since."""

    def __init__(self, changed: dict[str, tuple[int | None, int, str]], *, reference: str | None = None,
                 stage: str | None = None):
        self.changed = changed  # letter → (version seen, current version, current sha256)
        parts = [f"{name} is now version {current}" + (f" (you saw version {seen})" if seen else "")
                 for name, (seen, current, _) in changed.items()]
        super().__init__("the letters changed since you saw them: " + "; ".join(parts), field="seen",
                         reference=reference, stage=stage, facts={"changed": changed})


class Unavailable(CoordinationError):
    pass
