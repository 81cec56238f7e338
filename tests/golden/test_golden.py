"""Golden files: each letter in each language, rendered from fixed data, compared to reviewed files.

Regenerate after a deliberate change with COORDINATION_UPDATE_GOLDEN=1, then read the diff.
"""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from coordination.adapters.fakes import FakeNumbers, WeekdayCalendar
from coordination.adapters.renderer import LetterRenderer
from coordination.config import default_templates_dir
from coordination.domain import ActionType, JointAction, Organisation, Ports, Reference, ReferenceKind, Role, User
from coordination.domain.letters import Letter
from coordination.domain.mandates import Signer, resolve_signers, signing_codes
from coordination.domain.stages import DEFINITIONS
from coordination.fictional import FICTIONAL_HOLDERS

HERE = Path(__file__).parent
LANGUAGES = ("en", "es", "fr", "pt")
STATES = {"en": "JAM", "es": "HND", "fr": "HTI", "pt": "BRA"}
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ON = date(2026, 11, 2)
UPDATE = os.environ.get("COORDINATION_UPDATE_GOLDEN") == "1"
LETTERS = [(d.type, s.name, l.name) for d in DEFINITIONS.values() for s in d.stages for l in s.letters]


def samples(language: str) -> dict:
    return json.loads((HERE / f"samples.{language}.json").read_text(encoding="utf-8"))


def golden_action(action_type: ActionType, letter_name: str, stage: str, language: str) -> tuple[JointAction, Letter]:
    """An action with every reference its type can carry, and one letter filled from the samples."""
    officer = User("officer@example.org", "Officer", Organisation.OHCHR, Role.OFFICER)
    action = JointAction.open(type=action_type, country=STATES[language], title="golden", officer=officer,
                              now=NOW, ports=Ports(WeekdayCalendar(), FakeNumbers()),
                              beneficiaries=["María Example"])
    action.language = language
    extra = {ActionType.PRECAUTIONARY_MEASURE: [(ReferenceKind.MC, "MC-1008-26"), (ReferenceKind.RESOLUTION, "Resolution 8/2026")],
             ActionType.URGENT_APPEAL: [(ReferenceKind.UA, f"UA {STATES[language]} 2/2026")]}.get(action_type, [])
    action.references += [Reference(kind, value, NOW) for kind, value in extra]
    spec = action.definition.letter(letter_name)
    letter = Letter.start(spec, stage=stage, cycle=1, language=language, now=NOW)
    for field, value in samples(language)[letter_name].items():
        letter.set_field(spec, field, value, editor=officer.email, now=NOW)
    return action, letter


def golden_signers(action: JointAction, letter: Letter) -> list[Signer]:
    """Who signs the letter on the golden day: the fictional holders of the mandates its voice and
    selection name (the defenders' mandate is Ana Example's since May 2026)."""
    spec = action.definition.letter(letter.name)
    return resolve_signers(signing_codes(spec.voice, letter.effective_fields(spec).get("mandates")),
                           FICTIONAL_HOLDERS, ON)


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(default_templates_dir())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("action_type,stage,letter_name", LETTERS, ids=[f"{t.value}/{l}" for t, _, l in LETTERS])
@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_letter_matches_its_reviewed_golden_file(renderer, action_type, stage, letter_name, language, fmt):
    action, letter = golden_action(action_type, letter_name, stage, language)
    rendered = renderer.render(action, letter, on=ON, fmt=fmt, created=NOW, signers=golden_signers(action, letter))
    path = HERE / "expected" / action_type.value / f"{letter_name}.{language}.{fmt}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered.text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with COORDINATION_UPDATE_GOLDEN=1 and review it"
    assert rendered.text == path.read_text(encoding="utf-8")
    assert "[" + "]" not in rendered.text and "None" not in rendered.text
