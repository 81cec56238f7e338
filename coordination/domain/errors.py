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
"""


class CoordinationError(Exception):
    """Base of every refusal; the message is shown to the user as is."""


class NotFound(CoordinationError):
    pass


class InvalidInput(CoordinationError):
    pass


class NotPermitted(CoordinationError):
    pass


class InvalidState(CoordinationError):
    pass


class IncompleteLetters(InvalidState):
    def __init__(self, missing: dict[str, list[str]]):
        self.missing = missing
        parts = [f"{letter}: {', '.join(fields)}" for letter, fields in missing.items()]
        super().__init__("required letter fields are not set — " + "; ".join(parts))


class Conflict(CoordinationError):
    pass


class StaleLetters(Conflict):
    """A decision names letter versions that are no longer the gate's: the letters changed since."""

    def __init__(self, changed: dict[str, tuple[int | None, int, str]]):
        self.changed = changed  # letter → (version seen, current version, current sha256)
        parts = [f"{name} is now version {current}" + (f" (you saw version {seen})" if seen else "")
                 for name, (seen, current, _) in changed.items()]
        super().__init__("the letters changed since you saw them: " + "; ".join(parts))


class Unavailable(CoordinationError):
    pass
