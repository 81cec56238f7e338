"""Who signs: the mandates and offices whose holders sign joint letters, and their holders.

A joint letter is signed by people, each by name and title: the UN Human Rights Council's
thematic mandate holders an officer selects (a Special Rapporteur on …) and the IACHR's
signer (its Executive Secretary, and the Commission's rapporteurs where selected). The
mandates are data seeded from `CATALOGUE` (an admin may correct a title or a resolution
later); their holders change (terms of three to six years, the defenders' mandate changed
hands in 2026) and are always entered by an admin — name, grammatical gender and dates —
never guessed. A letter names the holders on its date; the names are resolved once, when
its version goes to the gate, and kept with the version (its sha256 covers them), so a
later change of holder never changes a letter already approved or dispatched.

Titles are the mandates' official ones, in the wording of the Human Rights Council's
resolutions and of OHCHR's and the OAS's pages in each language, with the office agreeing
with the holder's gender ("Relatora Especial" / "Relator Especial"; "Rapporteuse spéciale" /
"Rapporteur spécial"). Resolution numbers are the latest renewals known when this table was
written, from memory and NOT checked online here (`verified=False`): an admin checks each
against its source page and corrects it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from .errors import InvalidInput, InvalidState
from .vocabulary import Gender, Organisation

LANGUAGES = ("en", "es", "fr", "pt")


@dataclass(frozen=True)
class Mandate:
    """A mandate or office whose holder signs letters. `titles[language][gender]` is the full
    title ("Relatora Especial sobre la situación de los defensores de derechos humanos")."""

    code: str
    organisation: Organisation
    titles: Mapping[str, Mapping[str, str]]
    resolution: str | None  # the Human Rights Council resolution of the mandate's last renewal ("52/4")
    source: str  # where the title and resolution come from
    verified: bool = False  # True once an admin checked the entry against its source
    signs_for_iachr: bool = False  # the IACHR's signer on every letter with its block

    def title(self, language: str, gender: str) -> str:
        by_gender = self.titles.get(language) or self.titles["en"]
        return by_gender.get(gender) or by_gender[Gender.MASCULINE.value]

    def label(self, language: str) -> str:
        """The mandate named without a holder's gender, for forms and lists: the title when both
        genders read alike (English), else the scope both share ("sobre la situación de los
        defensores de derechos humanos"), else both titles."""
        by_gender = self.titles.get(language) or self.titles["en"]
        f, m = by_gender.get("f", ""), by_gender.get("m", "")
        if f == m:
            return f
        fw, mw = f.split(), m.split()
        common = 0
        while common < min(len(fw), len(mw)) and fw[-1 - common] == mw[-1 - common]:
            common += 1
        scope = fw[len(fw) - common:]
        while scope and not scope[0][:1].islower():  # the office's last word ("Especial"), not its scope
            scope = scope[1:]
        return " ".join(scope) or f"{f} · {m}"


def _office(f: dict[str, str], m: dict[str, str], scope: dict[str, str]) -> dict[str, dict[str, str]]:
    """Titles per language and gender: the office in each gender, followed by its scope."""
    return {lang: {"f": f"{f[lang]} {scope[lang]}".strip(), "m": f"{m[lang]} {scope[lang]}".strip()}
            for lang in LANGUAGES}


_SR_F = {"en": "Special Rapporteur", "es": "Relatora Especial", "fr": "Rapporteuse spéciale", "pt": "Relatora Especial"}
_SR_M = {"en": "Special Rapporteur", "es": "Relator Especial", "fr": "Rapporteur spécial", "pt": "Relator Especial"}
_OHCHR_PAGE = "https://www.ohchr.org/en/special-procedures/"


def _un(code: str, page: str, resolution: str, scope: dict[str, str]) -> Mandate:
    return Mandate(code, Organisation.OHCHR, _office(_SR_F, _SR_M, scope), resolution, _OHCHR_PAGE + page)


CATALOGUE: tuple[Mandate, ...] = (
    _un("defenders", "sr-human-rights-defenders", "52/4", {
        "en": "on the situation of human rights defenders",
        "es": "sobre la situación de los defensores de derechos humanos",
        "fr": "sur la situation des défenseurs des droits de l'homme",
        "pt": "sobre a situação dos defensores de direitos humanos"}),
    _un("expression", "sr-freedom-of-opinion-and-expression", "52/9", {
        "en": "on the promotion and protection of the right to freedom of opinion and expression",
        "es": "sobre la promoción y protección del derecho a la libertad de opinión y de expresión",
        "fr": "sur la promotion et la protection du droit à la liberté d'opinion et d'expression",
        "pt": "sobre a promoção e proteção do direito à liberdade de opinião e de expressão"}),
    _un("assembly", "sr-freedom-of-assembly-and-association", "50/17", {
        "en": "on the rights to freedom of peaceful assembly and of association",
        "es": "sobre los derechos a la libertad de reunión pacífica y de asociación",
        "fr": "sur le droit de réunion pacifique et la liberté d'association",
        "pt": "sobre os direitos à liberdade de reunião pacífica e de associação"}),
    _un("executions", "sr-executions", "53/4", {
        "en": "on extrajudicial, summary or arbitrary executions",
        "es": "sobre las ejecuciones extrajudiciales, sumarias o arbitrarias",
        "fr": "sur les exécutions extrajudiciaires, sommaires ou arbitraires",
        "pt": "sobre execuções extrajudiciais, sumárias ou arbitrárias"}),
    _un("torture", "sr-torture", "52/7", {
        "en": "on torture and other cruel, inhuman or degrading treatment or punishment",
        "es": "sobre la tortura y otros tratos o penas crueles, inhumanos o degradantes",
        "fr": "sur la torture et autres peines ou traitements cruels, inhumains ou dégradants",
        "pt": "sobre a tortura e outros tratamentos ou penas cruéis, desumanos ou degradantes"}),
    _un("indigenous", "sr-indigenous-peoples", "51/16", {
        "en": "on the rights of Indigenous Peoples",
        "es": "sobre los derechos de los pueblos indígenas",
        "fr": "sur les droits des peuples autochtones",
        "pt": "sobre os direitos dos povos indígenas"}),
    _un("environment", "sr-environment", "55/2", {
        "en": "on the issue of human rights obligations relating to the enjoyment of a safe, clean, healthy "
              "and sustainable environment",
        "es": "sobre la cuestión de las obligaciones de derechos humanos relacionadas con el disfrute de un medio "
              "ambiente sin riesgos, limpio, saludable y sostenible",
        "fr": "sur la question des obligations relatives aux droits de l'homme se rapportant aux moyens de "
              "bénéficier d'un environnement sûr, propre, sain et durable",
        "pt": "sobre a questão das obrigações de direitos humanos relacionadas com o desfrute de um meio "
              "ambiente seguro, limpo, saudável e sustentável"}),
    _un("judges", "sr-independence-of-judges-and-lawyers", "53/12", {
        "en": "on the independence of judges and lawyers",
        "es": "sobre la independencia de los magistrados y abogados",
        "fr": "sur l'indépendance des juges et des avocats",
        "pt": "sobre a independência dos juízes e advogados"}),
    Mandate("iachr-executive-secretary", Organisation.IACHR, _office(
        {"en": "Executive Secretary", "es": "Secretaria Ejecutiva", "fr": "Secrétaire exécutive",
         "pt": "Secretária Executiva"},
        {"en": "Executive Secretary", "es": "Secretario Ejecutivo", "fr": "Secrétaire exécutif",
         "pt": "Secretário Executivo"},
        dict.fromkeys(LANGUAGES, "")),
        None, "https://www.oas.org/en/iachr/mandate/composition.asp", signs_for_iachr=True),
    Mandate("iachr-defenders", Organisation.IACHR, _office(
        {"en": "Commissioner, Rapporteur", "es": "Comisionada, Relatora", "fr": "Commissaire, Rapporteuse",
         "pt": "Comissária, Relatora"},
        {"en": "Commissioner, Rapporteur", "es": "Comisionado, Relator", "fr": "Commissaire, Rapporteur",
         "pt": "Comissário, Relator"},
        {"en": "on Human Rights Defenders and Justice Operators",
         "es": "sobre Defensoras y Defensores de Derechos Humanos y Operadores de Justicia",
         "fr": "sur les défenseurs des droits humains et les opérateurs de justice",
         "pt": "sobre Defensoras e Defensores de Direitos Humanos e Operadores de Justiça"}),
        None, "https://www.oas.org/en/iachr/jsForm/?File=/en/iachr/r/dddh/default.asp"),
    Mandate("iachr-expression", Organisation.IACHR, _office(
        {"en": "Special Rapporteur", "es": "Relatora Especial", "fr": "Rapporteuse spéciale", "pt": "Relatora Especial"},
        {"en": "Special Rapporteur", "es": "Relator Especial", "fr": "Rapporteur spécial", "pt": "Relator Especial"},
        {"en": "for Freedom of Expression", "es": "para la Libertad de Expresión",
         "fr": "pour la liberté d'expression", "pt": "para a Liberdade de Expressão"}),
        None, "https://www.oas.org/en/iachr/expression/"),
)

BY_CODE: Mapping[str, Mandate] = MappingProxyType({m.code: m for m in CATALOGUE})
CODES: tuple[str, ...] = tuple(BY_CODE)
IACHR_SIGNER = next(m.code for m in CATALOGUE if m.signs_for_iachr)


@dataclass(frozen=True)
class Holder:
    """One person's term in a mandate: from `starts_on` to `ends_on` (inclusive; None: open)."""

    mandate: str
    name: str
    gender: Gender
    starts_on: date
    ends_on: date | None = None
    id: int | None = None

    def holds_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class Signer:
    """A holder as resolved for one letter version: what its signature block and opening show.
    Kept with the version (`as_record`), so the names approved are the names sent."""

    mandate: str
    organisation: str
    name: str
    gender: str
    titles: Mapping[str, str] = field(default_factory=dict)  # language -> title, in the holder's gender
    resolution: str | None = None

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en", "")

    def as_record(self) -> dict[str, Any]:
        return {"mandate": self.mandate, "organisation": self.organisation, "name": self.name,
                "gender": self.gender, "titles": dict(self.titles), "resolution": self.resolution}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Signer":
        return cls(record["mandate"], record["organisation"], record["name"], record["gender"],
                   dict(record.get("titles") or {}), record.get("resolution"))


def parse_codes(value: str | Iterable[str] | None) -> list[str]:
    """A selection of mandates ("defenders, assembly") as codes in the order given, each once;
    an unknown code is refused with the choices."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or ())
    codes = list(dict.fromkeys(c.strip().lower() for c in items if c and c.strip()))
    for code in codes:
        if code not in BY_CODE:
            raise InvalidInput.unknown("mandate", code, CODES)
    return codes


SELECTABLE: tuple[str, ...] = tuple(m.code for m in CATALOGUE if not m.signs_for_iachr)


def selected_mandates(value: str | Iterable[str] | None, *, field: str = "mandates") -> list[str]:
    """The mandates an officer selects for a joint letter: known codes, each once, at least one of
    them a UN mandate (the letter speaks "in our capacity as …"). The IACHR's signer is not
    selected: it signs every joint letter."""
    try:
        codes = parse_codes(value)
    except InvalidInput as error:
        raise InvalidInput.unknown("mandate", error.value, SELECTABLE, field=field) from None
    if IACHR_SIGNER in codes:
        raise InvalidInput(f"{IACHR_SIGNER} signs every joint letter and is not selected", field=field,
                           value=IACHR_SIGNER, choices=SELECTABLE)
    if not any(BY_CODE[c].organisation is Organisation.OHCHR for c in codes):
        un = [c for c in SELECTABLE if BY_CODE[c].organisation is Organisation.OHCHR]
        raise InvalidInput(f"select at least one UN mandate ({', '.join(un)})", field=field,
                           value=",".join(codes), choices=SELECTABLE)
    return codes


def signing_codes(voice: str, selection: str | None) -> list[str]:
    """Who signs a letter of this voice, in the order of the blocks: for a joint letter the
    selected UN mandates, then the selected IACHR rapporteurs, then the IACHR's signer; for an
    IACHR letter its signer alone; a press release is not signed."""
    if voice == "press":
        return []
    if voice == "iachr":
        return [IACHR_SIGNER]
    codes = parse_codes(selection) if selection else []
    un = [c for c in codes if BY_CODE[c].organisation is Organisation.OHCHR]
    iachr = [c for c in codes if BY_CODE[c].organisation is Organisation.IACHR and c != IACHR_SIGNER]
    return un + iachr + [IACHR_SIGNER]


def holder_on(holders: Iterable[Holder], code: str, day: date) -> Holder | None:
    """The holder of a mandate on a day (the latest term to start, should terms touch)."""
    found = [h for h in holders if h.mandate == code and h.holds_on(day)]
    return max(found, key=lambda h: h.starts_on) if found else None


def _signer(mandate: Mandate, holder: Holder | None) -> Signer:
    gender = holder.gender.value if holder else Gender.MASCULINE.value  # a vacancy: the title as `title()` defaults
    return Signer(mandate.code, mandate.organisation.value, holder.name if holder else "", gender,
                  {lang: mandate.title(lang, gender) for lang in LANGUAGES}, mandate.resolution)


def signers_on(codes: Iterable[str], holders: Iterable[Holder], day: date, *,
               mandates: Mapping[str, Mandate] = BY_CODE) -> list[Signer]:
    """What a draft shows on `day`: `resolve_signers` without refusing, a vacant mandate as a
    signer without a name (the draft marks the gap the gate will refuse)."""
    holders = list(holders)
    return [_signer(mandates[c], holder_on(holders, c, day)) for c in codes if c in mandates]


def resolve_signers(codes: Iterable[str], holders: Iterable[Holder], day: date, *,
                    mandates: Mapping[str, Mandate] = BY_CODE, letter: str | None = None) -> list[Signer]:
    """The signers of a letter on `day`: a holder for each code, in the order given. A mandate
    without a holder that day is refused, naming every such mandate: a letter is never signed
    by an empty block."""
    holders = list(holders)
    signers, vacant = [], []
    for code in codes:
        mandate = mandates[code]
        holder = holder_on(holders, code, day)
        if holder is None:
            vacant.append(code)
            continue
        signers.append(_signer(mandate, holder))
    if vacant:
        raise InvalidState(
            f"no holder of {', '.join(vacant)} on {day.isoformat()}: an admin enters who holds "
            f"{'it' if len(vacant) == 1 else 'them'} before the letter can go to its gate",
            field="mandates", value=", ".join(vacant), letter=letter, facts={"vacant": vacant, "on": day.isoformat()})
    return signers


def check_term(holder: Holder, others: Iterable[Holder]) -> None:
    """A new term is refused when its dates are inverted or overlap another term of the mandate."""
    if holder.mandate not in BY_CODE:
        raise InvalidInput.unknown("mandate", holder.mandate, CODES)
    if not holder.name.strip():
        raise InvalidInput("a holder needs a name", field="name")
    if holder.ends_on is not None and holder.ends_on < holder.starts_on:
        raise InvalidInput(f"a term cannot end ({holder.ends_on}) before it starts ({holder.starts_on})",
                           field="until", value=holder.ends_on.isoformat())
    for other in others:
        if other.mandate != holder.mandate or other.id == holder.id and holder.id is not None:
            continue
        if (other.ends_on is None or holder.starts_on <= other.ends_on) and \
                (holder.ends_on is None or other.starts_on <= holder.ends_on):
            raise InvalidInput(
                f"{other.name} holds {holder.mandate} from {other.starts_on}"
                f"{f' to {other.ends_on}' if other.ends_on else ''}: end that term first",
                field="from", value=holder.starts_on.isoformat())
