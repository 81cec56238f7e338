"""Refusals as the web pages show them: the domain's message, worded with the forms' labels.

A refusal carries its facts (`coordination/domain/errors.py`): the field it is about, the
letter, what was given and what would have been accepted. The command line words it with its
options (`--letter`, `--from`…, in `coordination/cli.py`); a page words it here, with what
the person sees: the label of the form's field (`FIELD_LABELS`), a letter field's label and a
letter's title as the action's definition declares them. Every page that shows a refusal
calls `describe`.
"""

from collections.abc import Callable

from coordination.domain import DEFINITIONS, ActionType, CoordinationError, IncompleteLetters
from coordination.domain.stages import LetterDefinition

from .i18n import FIELD_LABELS

Translate = Callable[[str], str]


def describe(error: CoordinationError, translate: Translate) -> str:
    """One line for the page: the label of the field refused, then what is wrong with it."""
    if isinstance(error, IncompleteLetters):
        return _incomplete(error, translate)
    message = str(error)
    if error.field == "recipients":  # dispatch found no address: not something the person can type
        message = f"{message} — {translate('an administrator adds it to the address book')}"
    label = _label(error, translate)
    return f"{label}: {message}" if label else message


def _label(error: CoordinationError, translate: Translate) -> str | None:
    """The label of the field the refusal is about, as the page shows it; None if it has none."""
    if error.field is None:
        return None
    if error.letter is not None:  # a letter's own field: labelled as the letter's form labels it
        spec = _letter(error.letter)
        field = spec.field(error.field) if spec is not None else None
        return field.label if field is not None else None
    label = FIELD_LABELS.get(error.field)
    return translate(label) if label else None


def _incomplete(error: IncompleteLetters, translate: Translate) -> str:
    """The required fields still unset, by their labels, under each letter's title."""
    parts = []
    for name, fields in error.missing.items():
        spec = _letter(name, error.action_type)
        if spec is None:
            parts.append(f"{name}: {', '.join(fields)}")
            continue
        labels = [f.label if (f := spec.field(field)) is not None else field for field in fields]
        parts.append(f"{spec.title}: {', '.join(labels)}")
    return f"{translate('required letter fields are not set')} — {'; '.join(parts)}"


def _letter(name: str, action_type: str | None = None) -> LetterDefinition | None:
    """A letter's definition by its name (each letter's name is its own, across action types)."""
    types = [ActionType(action_type)] if action_type in set(ActionType) else list(DEFINITIONS)
    for definition in (DEFINITIONS[t] for t in types):
        try:
            return definition.letter(name)
        except KeyError:
            continue
    return None
