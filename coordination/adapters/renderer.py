"""Letters rendered from Jinja2 templates: sandboxed, strict, user text always data."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.dates import format_date
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from coordination.domain import JointAction, ReferenceKind
from coordination.domain.letters import Letter


def country_name(iso3: str, language: str) -> str:
    """The State's name in the letter's language, from Babel (CLDR)."""
    alpha2 = get_global("territory_aliases").get(iso3, [iso3])[0]
    return Locale.parse(language).territories.get(alpha2, iso3)


@dataclass(frozen=True)
class RenderedLetter:
    template: str
    text: str


class LetterRenderer:
    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(templates_dir)),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def template_for(self, action: JointAction, letter: Letter, fmt: str = "txt") -> str:
        for language in (letter.language, "en"):
            name = f"{action.type.value}/{letter.name}.{language}.{fmt}.j2"
            if (self.templates_dir / name).is_file():
                return name
        raise TemplateNotFound(f"{action.type.value}/{letter.name}.{letter.language}.{fmt}.j2")

    def render(self, action: JointAction, letter: Letter, *, on: date, fmt: str = "txt") -> RenderedLetter:
        name = self.template_for(action, letter, fmt)
        language = name.rsplit(".", 3)[-3]  # the template's own language, when it fell back to English
        spec = action.definition.letter(letter.name)
        fields = letter.effective_fields(spec)
        context = {
            "action": {
                "reference": action.reference,
                "title": action.title,
                "type": action.definition.title,
                "country": action.country,
                "mc": action.reference_of(ReferenceKind.MC),
                "ua": action.reference_of(ReferenceKind.UA),
                "resolution": action.reference_of(ReferenceKind.RESOLUTION),
                "beneficiaries": list(action.beneficiaries),
            },
            "letter": {"name": letter.name, "title": spec.title, "version": letter.current.version},
            "fields": fields,
            "lines": {k: [line.strip() for line in (v or "").splitlines() if line.strip()] for k, v in fields.items()},
            "state": country_name(action.country, language),
            "date": format_date(on, format="long", locale=language),
            "place": "Geneva and Washington, D.C.",
        }
        return RenderedLetter(name, self.env.get_template(name).render(context))
