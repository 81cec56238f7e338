"""Refusals as the web pages show them: the domain's message, worded with the forms' labels.

A refusal carries its facts (`coordination/domain/errors.py`): the field it is about, the
letter, what was given and what would have been accepted. The command line words it with its
options (`--letter`, `--from`…, in `coordination/cli.py`); a page words it here, with what
the person sees: the label of the form's field (`FIELD_LABELS`), a letter field's label and a
letter's title as the action's definition declares them, in the interface's language. The
domain's message itself stays English: in a page of another language it is marked `lang="en"`
(screen readers read it as English). Every page that shows a refusal calls `describe`.
"""

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from coordination.domain import DEFINITIONS, ActionType, CoordinationError, IncompleteLetters
from coordination.domain.stages import LetterDefinition
from coordination.domain.vocabulary import DEFAULT_INTERFACE_LANGUAGE

from .i18n import FIELD_LABELS

Translate = Callable[[str], str]


def describe(error: CoordinationError, translate: Translate) -> str:
    """One line for the page: the label of the field refused, then what is wrong with it."""
    if isinstance(error, IncompleteLetters):
        return _incomplete(error, translate)
    if error.field == "mandates" and "vacant" in error.facts:  # the gate refused: nobody holds a mandate named
        return translate("No holder of {mandates} on {day}: the letter cannot go to its gate until an "
                         "administrator enters one (Administration, Signatories).").format(
            mandates=", ".join(error.facts["vacant"]), day=error.facts["on"])
    message = str(error)
    marked = getattr(translate, "language", DEFAULT_INTERFACE_LANGUAGE) != DEFAULT_INTERFACE_LANGUAGE
    if marked:  # the message stays English in a page of another language, and says so
        message = Markup('<span lang="{}">{}</span>').format(DEFAULT_INTERFACE_LANGUAGE, message)
    if error.field == "recipients":  # dispatch found no address: not something the person can type
        message = message + " — " + translate("an administrator adds it to the address book")
    label = _label(error, translate)
    worded = (escape(label) if marked else label) + ": " + message if label else message
    return worded


def _label(error: CoordinationError, translate: Translate) -> str | None:
    """The label of the field the refusal is about, as the page shows it; None if it has none."""
    if error.field is None:
        return None
    if error.letter is not None:  # a letter's own field: labelled as the letter's form labels it
        spec = letter_definition(error.letter)
        field = spec.field(error.field) if spec is not None else None
        return translate(field.label) if field is not None else None
    label = FIELD_LABELS.get(error.field)
    return translate(label) if label else None


def _incomplete(error: IncompleteLetters, translate: Translate) -> str:
    """The required fields still unset, by their labels, under each letter's title."""
    parts = []
    for name, fields in error.missing.items():
        spec = letter_definition(name, error.action_type)
        if spec is None:
            parts.append(f"{name}: {', '.join(fields)}")
            continue
        labels = [translate(f.label) if (f := spec.field(field)) is not None else field for field in fields]
        parts.append(f"{translate(spec.title)}: {', '.join(labels)}")
    return f"{translate('required letter fields are not set')} — {'; '.join(parts)}"


def letter_definition(name: str, action_type: str | None = None) -> LetterDefinition | None:
    """A letter's definition by its name (each letter's name is its own, across action types)."""
    types = [ActionType(action_type)] if action_type in set(ActionType) else list(DEFINITIONS)
    for definition in (DEFINITIONS[t] for t in types):
        try:
            return definition.letter(name)
        except KeyError:
            continue
    return None


def letter_title(name: str, translate: Translate) -> str:
    """A letter's title in the interface's language, for a page that names a letter (the name if unknown)."""
    spec = letter_definition(name)
    return translate(spec.title) if spec is not None else name


def field_label(letter: str | None, field: str, translate: Translate) -> str:
    """A letter field's label in the interface's language (the field's name if unknown)."""
    spec = letter_definition(letter) if letter else None
    found = spec.field(field) if spec is not None else None
    return translate(found.label) if found is not None else field


def void_reason(reason: str, translate: Translate) -> str:
    """Why approvals were voided (the domain's words: "rejected", "stage skipped", "letter 'x' changed"),
    in the interface's language."""
    if reason == "rejected":
        return translate("the stage was rejected")
    if reason == "stage skipped":
        return translate("the stage was skipped")
    changed = re.fullmatch(r"letter '(\w+)' changed", reason)
    if changed:
        return translate("{letter} changed").format(letter=letter_title(changed.group(1), translate))
    return reason
