"""Letters rendered from Jinja2 templates, as text, HTML and PDF.

One template per letter and language (`<action_type>/<letter>.<lang>.j2`) serves both
formats: it extends the layout and imports the macros of the format being rendered
(`_layouts/letter.{txt,html}.j2`, `_layouts/macros.{txt,html}.j2`). Each format has its own
sandboxed environment with `StrictUndefined`; the HTML one autoescapes. Whatever a user
typed reaches the templates as data only: it is never compiled, so `{{ 7*7 }}` stays text.
"""

import multiprocessing
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import get_global
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from coordination.domain import InvalidInput, JointAction, Recipient, ReferenceKind, Unavailable
from coordination.domain.letters import Letter, sha256_hex
from coordination.domain.state_names import POSITIONS, state_name
from coordination.domain.vocabulary import LETTER_LANGUAGES, TEMPLATE_FORMATS, Language, LetterFormat

DATE_LOCALES = {Language.EN.value: "en_GB"}  # "2 November 2026", as the UN and the OAS write in English
_SPACE = re.compile(r"\s+")


def country_name(iso3: str, language: str) -> str:
    """The State's short name in the letter's language: the reviewed table's for the OAS member
    States (domain/state_names.py), Babel's (CLDR) for any other."""
    entry = state_name(iso3, language)
    if entry:
        return entry.short
    alpha2 = get_global("territory_aliases").get(iso3, [iso3])[0]
    return Locale.parse(language).territories.get(alpha2, iso3)


_BARE = {"of": {"en": "of", "es": "de", "fr": "de", "pt": "de"}, "in": {"en": "in", "es": "en", "fr": "en", "pt": "em"},
         "to": {"en": "to", "es": "a", "fr": "à", "pt": "a"}}


def state_phrases(iso3: str, language: str) -> dict[str, str]:
    """The State as letters name it: `name` (short, bare: a heading), `the` (with its article),
    and after a preposition, contracted: `of` ("del Brasil"), `in` ("en el Brasil"), `to` ("ao Brasil")."""
    entry = state_name(iso3, language)
    if entry:
        return {"name": entry.short, "the": entry.with_article, "formal": entry.formal,
                **{p: entry.phrase(p) for p in POSITIONS}}
    name = country_name(iso3, language)  # a State outside the table: the bare name, as before
    return {"name": name, "the": name, "formal": name, **{p: f"{_BARE[p][language]} {name}" for p in POSITIONS}}


def counted(number: int, language: str, words: dict[str, str]) -> str:
    """"1 día", "2 días": the number in the language's digits and the noun in the CLDR plural
    category Babel gives for it ("one", "few", "many", "other"); `words` names each category used."""
    category = Locale.parse(language).plural_form(number)
    return f"{format_decimal(number, locale=language)} {words.get(category, words['other'])}"


def single_line(value: str) -> str:
    """Collapse every run of white space, CR and LF included: safe for a header or a heading."""
    return _SPACE.sub(" ", value or "").strip()


def _squash(value: Any) -> Any:
    """Whitespace runs to one space, keeping Markup as Markup (already escaped)."""
    text = _SPACE.sub(" ", str(value)).strip()
    return Markup(text) if isinstance(value, Markup) else text


def _paragraphs(value: str | None) -> list[str]:
    """A field's text as paragraphs: split on blank lines, lines inside joined."""
    blocks = re.split(r"\n\s*\n", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return [single_line(b) for b in blocks if b.strip()]


@dataclass(frozen=True)
class RenderedLetter:
    template: str
    language: str
    format: str
    subject: str
    text: str


def _signatories(signers: Any, language: str) -> dict[str, dict[str, str] | None]:
    """STAND-IN (issue 13, helper B1) until helper B2's signature blocks: each organisation's
    signers (domain.mandates.Signer) in the shape the layouts show, names and titles joined."""
    shown: dict[str, dict[str, str] | None] = {"ohchr": None, "iachr": None}
    for org in shown:
        own = [s for s in signers or () if s.organisation == org]
        if own:
            shown[org] = {"name": ", ".join(s.name or "[…]" for s in own),
                          "title": "; ".join(s.title(language) for s in own)}
    return shown


class LetterRenderer:
    def __init__(self, templates_dir: Path, *, pdf_timeout: float = 60.0) -> None:
        self.templates_dir = templates_dir
        self.pdf_timeout = pdf_timeout  # seconds; a PDF taking longer is stopped (COORDINATION_PDF_TIMEOUT_SECONDS)
        self.envs = {fmt: self._environment(autoescape=fmt == LetterFormat.HTML) for fmt in TEMPLATE_FORMATS}
        self._words: dict[str, Any] = {}  # per language: the layout's words, evaluated once
        self._known: set[str] = set()  # template names already found on disk

    def _environment(self, *, autoescape: bool) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(self.templates_dir)),
            undefined=StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        env.filters["squash"] = _squash
        env.filters["paragraphs"] = _paragraphs
        return env

    def template_for(self, action: JointAction, letter_name: str, language: str) -> str:
        name = f"{action.type.value}/{letter_name}.{language}.j2"
        if name not in self._known:
            if not (self.templates_dir / name).is_file():
                raise InvalidInput(f"there is no template for letter {letter_name!r} in {language!r} ({name})",
                                   field="language", value=language, letter=letter_name)
            self._known.add(name)
        return name

    def words(self, language: str) -> Any:
        if language not in self._words:
            self._words[language] = self.envs[LetterFormat.TXT].get_template(f"_layouts/words.{language}.j2").module
        return self._words[language]

    def subject(self, action: JointAction, letter: Letter, language: str) -> str:
        """The email subject: references, the letter's title, and its own subject field if any."""
        title = self.words(language).titles[letter.name]
        own = single_line(letter.current.fields.get("subject") or "")
        return " — ".join(filter(None, [" · ".join(self.references(action, language)), title, own]))

    def references(self, action: JointAction, language: str) -> list[str]:
        """The action's references as a letter shows them, the resolution's label in its language."""
        refs = [action.reference, action.reference_of(ReferenceKind.MC), action.reference_of(ReferenceKind.UA),
                self._resolution(action, language)]
        return [r for r in refs if r]

    def _resolution(self, action: JointAction, language: str) -> str | None:
        value = action.reference_of(ReferenceKind.RESOLUTION)  # "Resolution n/yyyy"
        return value and f"{self.words(language).resolution_label} {value.split(' ', 1)[1]}"

    def render(
        self, action: JointAction, letter: Letter, *, on: date, fmt: str = LetterFormat.TXT.value, language: str | None = None,
        recipients: list[Recipient] | tuple[Recipient, ...] = (), created: datetime | None = None,
        signers: Any = (),
    ) -> RenderedLetter:
        """Render a letter version as text or HTML (`pdf()` turns the HTML into PDF). `signers`
        (domain.mandates.Signer): who signs, in the order of the blocks."""
        if fmt not in TEMPLATE_FORMATS:
            raise InvalidInput.unknown("format", fmt, TEMPLATE_FORMATS)
        language = language or letter.language
        if language not in LETTER_LANGUAGES:
            raise InvalidInput.unknown("language", language, LETTER_LANGUAGES)
        name = self.template_for(action, letter.name, language)
        spec = action.definition.letter(letter.name)
        fields = letter.effective_fields(spec)
        for field in spec.fields:  # a draft shows what is missing, never "None"
            if fields.get(field.name) is None and field.required:
                fields[field.name] = f"[{field.name}]"
        subject = self.subject(action, letter, language)
        days = fields.get("reply_within_days")
        mc = action.reference_of(ReferenceKind.MC)
        context = {
            "layout": f"_layouts/letter.{fmt}.j2",
            "macros": f"_layouts/macros.{fmt}.j2",
            "language": language,
            "action": {
                "reference": action.reference,
                "mc": mc,
                "mc_number": mc.removeprefix("MC-") if mc else None,  # "No. 1008-26", as resolutions write it
                "ua": action.reference_of(ReferenceKind.UA),
                "resolution": self._resolution(action, language),
                "beneficiaries": list(action.beneficiaries),
            },
            "references": self.references(action, language),
            "letter": {"name": letter.name, "version": letter.current.version},
            "fields": fields,
            "lines": {k: [single_line(x) for x in (v or "").splitlines() if x.strip()] for k, v in fields.items()},
            "state": country_name(action.country, language),
            "state_": state_phrases(action.country, language),
            "recipients": {r.kind.value: r.name for r in recipients if r.name and r.country == action.country},
            "reply_days": format_decimal(int(days), locale=language) if days and days.isdigit() else "",
            "reply_period": counted(int(days), language, self.words(language).days) if days and days.isdigit() else "",
            "date": format_date(on, format="long", locale=DATE_LOCALES.get(language, language)),
            "created": (created or datetime.combine(on, datetime.min.time())).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "subject": subject,
            "signatories": _signatories(signers, language),
        }
        try:
            text = self.envs[fmt].get_template(name).render(context)
        except TemplateNotFound as error:
            raise InvalidInput(f"template {error.name} is missing") from None
        if fmt == LetterFormat.TXT:  # blocks and macros leave blank lines; a letter has one between paragraphs
            text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
        return RenderedLetter(name, language, fmt, subject, text)

    def pdf(self, html: str) -> bytes:
        """The PDF of a rendered HTML letter: the same HTML gives the same bytes.

        WeasyPrint runs in a child process forked for this document, killed if it takes longer
        than `pdf_timeout` seconds (then Unavailable): no letter can hold a worker for long."""
        _load_weasyprint()
        return in_child(_write_pdf, html, timeout=self.pdf_timeout, what="rendering the letter as PDF",
                        setting="COORDINATION_PDF_TIMEOUT_SECONDS")


_WEASYPRINT_READY = False


def _load_weasyprint() -> None:
    """Import WeasyPrint (slow) and load its fonts once, here: each forked child starts with them."""
    global _WEASYPRINT_READY
    if not _WEASYPRINT_READY:
        # Embedded font subsets carry a timestamp (fontTools reads SOURCE_DATE_EPOCH, the
        # reproducible-builds convention); fixing it makes the PDF depend on the HTML alone.
        os.environ.setdefault("SOURCE_DATE_EPOCH", "1508889600")  # the mechanism's launch, 25 Oct 2017
        import weasyprint

        weasyprint.HTML(string="<p>.</p>").write_pdf()
        _WEASYPRINT_READY = True


PDF_VARIANT = "pdf/a-3b"  # archival (ISO 19005-3, level B); tagged below for screen readers


def _write_pdf(html: str) -> bytes:
    """PDF/A-3b, tagged, its fonts embedded (WeasyPrint embeds subsets of the DejaVu the layout
    names). Title, language, authors, subject and keywords come from the HTML's head (the layout);
    the identifier and the dcterms dates come from the HTML too, so the bytes depend on it alone."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(pdf_identifier=sha256_hex(html)[:32].encode(),
                                                  pdf_variant=PDF_VARIANT, pdf_tags=True)


def _child(connection, work, argument) -> None:  # type: ignore[no-untyped-def]
    try:
        result = work(argument)
    except BaseException as error:  # reported to the parent, which raises
        connection.send((False, f"{type(error).__name__}: {error}"))
    else:
        connection.send((True, result))
    finally:
        connection.close()


def in_child(work, argument, *, timeout: float, what: str, setting: str):  # type: ignore[no-untyped-def]
    """`work(argument)` in a forked child process, its result sent back; killed after `timeout` s."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, work, argument), name="coordination-pdf", daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise Unavailable(f"{what} took longer than {timeout:g} s and was stopped "
                              f"(shorten the text, or raise {setting})")
        try:
            ok, result = receiver.recv()
        except EOFError:
            raise RuntimeError(f"{what} failed: its process ended with code {process.exitcode}") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if not ok:
        raise RuntimeError(f"{what} failed: {result}")
    return result
