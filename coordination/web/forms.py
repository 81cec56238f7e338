"""What the forms offer, read from the domain: a form never lists a choice the domain refuses."""

from typing import Any

from coordination.domain import DEFINITIONS, ActionType
from coordination.domain.vocabulary import LETTER_LANGUAGES


def new_action_choices(chosen_type: str | None = None) -> dict[str, Any]:
    """The new-action form's choices: the action types, every letter language, and the languages
    of each type (the page offers only those of the type chosen; the domain refuses the others)."""
    types = [t.value for t in ActionType]
    by_type = {t.value: list(DEFINITIONS[t].languages) for t in ActionType}
    chosen = chosen_type if chosen_type in by_type else types[0]
    return {"types": types, "languages": list(LETTER_LANGUAGES), "languages_by_type": by_type,
            "offered": by_type[chosen]}
