"""Render every letter in every language as the PDF/A a State receives, into docs/letters/, for reviewers.

    .venv/bin/python docs/letters/render.py

One PDF per letter and language (`<action-type>/<letter>.<language>.pdf`), from the golden samples
(tests/golden/samples.<language>.json: each letter's fields written in its own language, on an action
with every reference its type can carry) on the fixed day of the golden files, 2 November 2026, signed
by the fictional holders of the mandates on that day (coordination/fictional.py), each letter's voice
deciding its blocks, and addressed through an address book whose missions are headed by an
ambassador (f) and whose ministry by a minister (m). The same input gives the same bytes,
so running it again changes nothing unless a template, the layout or WeasyPrint changed.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from coordination.adapters.renderer import LetterRenderer  # noqa: E402
from coordination.config import default_templates_dir  # noqa: E402
from coordination.domain import Recipient, RecipientKind  # noqa: E402
from coordination.domain.vocabulary import Gender, Office  # noqa: E402
from tests.golden.test_golden import LANGUAGES, LETTERS, NOW, ON, golden_action, golden_signers  # noqa: E402

HEADS = {RecipientKind.PERMANENT_MISSION_GENEVA: (Office.AMBASSADOR, Gender.F),
         RecipientKind.OAS_MISSION: (Office.AMBASSADOR, Gender.F),
         RecipientKind.FOREIGN_MINISTRY: (Office.MINISTER, Gender.M)}


def address_book(iso3: str) -> list[Recipient]:
    """The State's recipients, each headed by a fictional office holder (no names: titles only)."""
    return [Recipient(iso3, kind, f"{kind.value}@state.example", office=office, gender=gender)
            for kind, (office, gender) in HEADS.items()]


def main() -> None:
    renderer = LetterRenderer(default_templates_dir())
    total = 0
    for action_type, stage, letter_name in LETTERS:
        for language in LANGUAGES:
            action, letter = golden_action(action_type, letter_name, stage, language)
            html = renderer.render(action, letter, on=ON, fmt="html", created=NOW,
                                   recipients=address_book(action.country),
                                   signers=golden_signers(action, letter)).text
            path = HERE / action_type.value / f"{letter_name}.{language}.pdf"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(pdf := renderer.pdf(html))
            total += len(pdf)
            print(f"{path.relative_to(ROOT)}  {len(pdf):>7,} bytes")
    print(f"{total:,} bytes in all")


if __name__ == "__main__":
    main()
