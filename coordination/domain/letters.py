"""Letters as versioned drafts: every change is a new immutable version with its sha256."""

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import InvalidInput, InvalidState, NotFound
from .mandates import selected_mandates
from .stages import FieldKind, LetterDefinition
from .text import is_blank
from .vocabulary import LetterStatus

# the pure fallback of `Ports.addresses`: printable ASCII atoms, a dotted domain of letters, digits and hyphens
_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+")


def canonical_json(value: object) -> str:
    """One spelling of a value, so that equal content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


Signers = tuple[dict[str, Any], ...]
"""Who signs a version, as records (`mandates.Signer.as_record`), in the order of the blocks."""


def content_sha256(name: str, language: str, fields: dict[str, str | None], signers: Signers | None = None) -> str:
    """The sha256 of a version's content: its fields, and who signs it once bound. A version
    without signers hashes as versions always have, so existing data and the audit trail verify."""
    content: dict[str, Any] = {"letter": name, "language": language, "fields": fields}
    if signers is not None:
        content["signers"] = list(signers)
    return sha256_hex(canonical_json(content))


@dataclass(frozen=True)
class LetterVersion:
    version: int
    fields: dict[str, str | None]
    sha256: str
    edited_by: str | None  # None: created by the system (when the stage opened, or binding its signers)
    created_at: datetime
    id: int | None = None
    signers: Signers | None = None  # bound when the version went to its gate; None: a draft's, resolved live


@dataclass
class Letter:
    name: str
    stage: str
    cycle: int
    language: str
    status: LetterStatus
    versions: list[LetterVersion] = field(default_factory=list)
    dispatched_at: datetime | None = None
    id: int | None = None

    @property
    def current(self) -> LetterVersion:
        return self.versions[-1]

    @property
    def last_editor(self) -> str | None:
        return next((v.edited_by for v in reversed(self.versions) if v.edited_by), None)

    def missing_fields(self, definition: LetterDefinition) -> list[str]:
        values = self.current.fields
        return [f.name for f in definition.fields if f.required and is_blank(values.get(f.name))]

    def effective_fields(self, definition: LetterDefinition) -> dict[str, str | None]:
        """Field values with declared defaults filled in, for rendering and deadlines."""
        values = dict(self.current.fields)
        for f in definition.fields:
            if values.get(f.name) is None and f.default is not None:
                values[f.name] = f.default
        return values

    @classmethod
    def start(cls, definition: LetterDefinition, *, stage: str, cycle: int, language: str, now: datetime) -> "Letter":
        fields: dict[str, str | None] = {f.name: None for f in definition.fields}
        first = LetterVersion(1, fields, content_sha256(definition.name, language, fields), None, now)
        return cls(definition.name, stage, cycle, language, LetterStatus.DRAFT, [first])

    def set_field(self, definition: LetterDefinition, name: str, value: str, *, editor: str, now: datetime,
                  check_address: Callable[..., str] | None = None) -> LetterVersion:
        """Set one field: `set_fields` with one value."""
        return self.set_fields(definition, {name: value}, editor=editor, now=now, check_address=check_address)

    def set_fields(self, definition: LetterDefinition, values: Mapping[str, str], *, editor: str, now: datetime,
                   check_address: Callable[..., str] | None = None,
                   bind: Callable[[dict[str, str | None]], Signers | None] | None = None) -> LetterVersion:
        """Set several fields at once: one new version with every changed value (a form saved once is
        one version), or the current version when nothing changed. A refused value sets none.
        `bind(fields)`: the signers of the new version, for a letter edited at its gate."""
        if self.status is not LetterStatus.DRAFT:
            raise InvalidState(f"letter {self.name!r} is {self.status.value} and can no longer be edited",
                               letter=self.name, stage=self.stage, facts={"status": self.status.value})
        fields = dict(self.current.fields)
        for name, value in values.items():
            spec = definition.field(name)
            if spec is None:
                known = [f.name for f in definition.fields]
                raise NotFound(f"letter {self.name!r} has no field {name!r} (fields: {', '.join(known)})",
                               field=name, letter=self.name, choices=known)
            try:
                fields[name] = _validate(spec.kind, spec.choices, name, value, check_address or plain_address)
            except InvalidInput as error:  # the field's refusal, with the letter it belongs to
                error.letter = self.name
                raise
        if fields == self.current.fields:
            return self.current  # nothing changed: no new version
        signers = bind(fields) if bind is not None else None
        version = LetterVersion(
            self.current.version + 1, fields, content_sha256(self.name, self.language, fields, signers), editor, now,
            signers=signers,
        )
        self.versions.append(version)
        return version

    def bind_signers(self, signers: Signers | None, *, now: datetime) -> LetterVersion | None:
        """Keep who signs with the version that goes to the gate: when they differ from the current
        version's, a new version made by the system carries them (its hash covers them), so the
        approvals bind the names the approvers saw. Returns it, or None when nothing changed."""
        if signers == self.current.signers:
            return None
        fields = dict(self.current.fields)
        version = LetterVersion(self.current.version + 1, fields,
                                content_sha256(self.name, self.language, fields, signers), None, now, signers=signers)
        self.versions.append(version)
        return version

def changed_fields(older: LetterVersion, newer: LetterVersion) -> list[str]:
    """The names of the fields that differ between two versions, in their declared order."""
    return [name for name in newer.fields if older.fields.get(name) != newer.fields.get(name)]


def _validate(kind: FieldKind, choices: tuple[str, ...], name: str, value: str, check_address) -> str:  # type: ignore[no-untyped-def]
    if value is None or is_blank(value):
        raise InvalidInput(f"field {name!r} cannot be empty or made only of blank or invisible characters",
                           field=name)
    if kind is FieldKind.EMAIL:
        try:
            value = check_address(value, what=f"field {name!r}:")
        except InvalidInput as error:
            error.field = name
            raise
    elif kind is FieldKind.CHOICE:
        value = value.strip().lower()
        if value not in choices:
            raise InvalidInput(f"field {name!r} must be one of {', '.join(choices)}, not {value!r}", field=name,
                               value=value, choices=choices)
    elif kind is FieldKind.MANDATES:
        value = ",".join(selected_mandates(value, field=name))
    elif kind is FieldKind.INTEGER:
        value = value.strip()
        if not re.fullmatch(r"[0-9]{1,3}", value) or not 0 < int(value) <= 366:
            raise InvalidInput(f"field {name!r} must be a whole number of days between 1 and 366", field=name,
                               value=value)
    return value


def is_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value or "")) and "=?" not in value and "?=" not in value


def plain_address(value: str, *, what: str = "") -> str:
    """The domain's own address check, used when no `Ports.addresses` is given: plain ASCII only."""
    text = (value or "").strip()
    if not is_email(text):
        raise InvalidInput(f"{what} invalid email address {text!r}: it is not a plain address (name@domain)".lstrip())
    return text


def letters_digest(letters: list[Letter]) -> str:
    """The sha256 an approval binds to: every letter in the gate, by name and version hash."""
    return sha256_hex(canonical_json(sorted([letter.name, letter.current.sha256] for letter in letters)))
