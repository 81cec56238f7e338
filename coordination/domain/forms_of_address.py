"""Forms of address: how a letter names and greets the State's minister or head of mission.

The address book says who heads a recipient (an `Office`) and the grammatical gender of their
title; from that, the letter's language and the State's phrases ("de la República Dominicana",
"do Brasil"), this module gives the addressee lines, the salutation and the vocative the closing
formula repeats. Without an office, the institution itself is addressed (the ministry, the
permanent mission), and the salutation and vocative are the ungendered "Excellency" of each
language: no letter ever reads "el/la Ministro/a" or "o(a) Senhor(a)".

Usage followed, per language:
- en (UN): "His/Her Excellency" for ministers and heads of mission, "Excellency," as salutation
  and vocative; a chargé d'affaires is not an Excellency: "Sir," / "Madam,".
- es (UN and OAS): "Su Excelencia el señor Ministro…", "Excelencia:"; "señor"/"señora" in lower
  case before a capitalised title; a chargé d'affaires: "Señora Encargada de Negocios:".
- fr (French protocol, UN French): "Son Excellence Madame la Ministre…", and the salutation is the
  title ("Monsieur l'Ambassadeur,"), repeated unchanged in the closing ("Veuillez agréer, Monsieur
  l'Ambassadeur, …"); feminine titles agree ("la Ministre", "l'Ambassadrice", "la Représentante
  permanente", "la Chargée d'affaires").
- pt (Brazilian official usage): "Excelentíssimo Senhor Embaixador" / "Excelentíssima Senhora
  Ministra" in the address, the title as vocative ("Senhor Embaixador,", "Senhora Ministra,");
  a chargé d'affaires is "Senhor Encarregado de Negócios", not an Excellency.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import InvalidInput
from .vocabulary import LETTER_LANGUAGES, Gender, Office, RecipientKind

# Which offices head which kind of recipient: the ministry has its minister; a permanent mission
# (to the OAS, in Geneva) its ambassador, permanent representative or chargé d'affaires.
MISSION_OFFICES = (Office.AMBASSADOR, Office.PERMANENT_REPRESENTATIVE, Office.CHARGE_D_AFFAIRES)
OFFICES: dict[RecipientKind, tuple[Office, ...]] = {
    RecipientKind.FOREIGN_MINISTRY: (Office.MINISTER,),
    RecipientKind.OAS_MISSION: MISSION_OFFICES,
    RecipientKind.PERMANENT_MISSION_GENEVA: MISSION_OFFICES,
}

# The institution, when the address book gives it no name: "{of}" is the State after "of",
# contracted as the language wants ("de la República Dominicana", "do Brasil", "d'Haïti").
INSTITUTIONS: dict[str, dict[RecipientKind, str]] = {
    "en": {
        RecipientKind.FOREIGN_MINISTRY: "Ministry of Foreign Affairs {of}",
        RecipientKind.OAS_MISSION: "Permanent Mission {of} to the Organization of American States",
        RecipientKind.PERMANENT_MISSION_GENEVA:
            "Permanent Mission {of} to the United Nations Office and other international organizations in Geneva",
    },
    "es": {
        RecipientKind.FOREIGN_MINISTRY: "Ministerio de Relaciones Exteriores {of}",
        RecipientKind.OAS_MISSION: "Misión Permanente {of} ante la Organización de los Estados Americanos",
        RecipientKind.PERMANENT_MISSION_GENEVA:
            "Misión Permanente {of} ante la Oficina de las Naciones Unidas y otros organismos internacionales en Ginebra",
    },
    "fr": {
        RecipientKind.FOREIGN_MINISTRY: "Ministère des Affaires étrangères {of}",
        RecipientKind.OAS_MISSION: "Mission permanente {of} auprès de l'Organisation des États américains",
        RecipientKind.PERMANENT_MISSION_GENEVA:
            "Mission permanente {of} auprès de l'Office des Nations Unies et des autres organisations internationales à Genève",
    },
    "pt": {
        RecipientKind.FOREIGN_MINISTRY: "Ministério das Relações Exteriores {of}",
        RecipientKind.OAS_MISSION: "Missão Permanente {of} junto à Organização dos Estados Americanos",
        RecipientKind.PERMANENT_MISSION_GENEVA:
            "Missão Permanente {of} junto ao Escritório das Nações Unidas e outras organizações internacionais em Genebra",
    },
}

# Salutation and vocative when the institution is addressed: ungendered in every language.
NEUTRAL: dict[str, tuple[str, str]] = {
    "en": ("Excellency,", "Excellency"),
    "es": ("Excelencia:", "Excelencia"),
    "fr": ("Excellence,", "Excellence"),
    "pt": ("Excelência,", "Excelência"),
}


@dataclass(frozen=True)
class Title:
    """One office holder in one language and gender: the address line (a minister's names the
    ministry and the State: "{of}"), the salutation that opens the letter and the vocative of the
    closing formula."""

    line: str
    salutation: str
    vocative: str


MINISTRY = {"en": " for Foreign Affairs {of}", "es": " de Relaciones Exteriores {of}",
            "fr": " des Affaires étrangères {of}", "pt": " das Relações Exteriores {of}"}


def _en(title: str, *, rest: str = "", excellency: bool = True) -> dict[Gender, Title]:
    """English titles do not agree: only "His/Her Excellency" and "Sir/Madam" follow the gender."""
    if not excellency:
        return {Gender.F: Title(f"The {title}{rest}", "Madam,", "Madam"),
                Gender.M: Title(f"The {title}{rest}", "Sir,", "Sir")}
    return {Gender.F: Title(f"Her Excellency the {title}{rest}", "Excellency,", "Excellency"),
            Gender.M: Title(f"His Excellency the {title}{rest}", "Excellency,", "Excellency")}


def _es(feminine: str, masculine: str, *, rest: str = "", excellency: bool = True) -> dict[Gender, Title]:
    """"Su Excelencia la señora Ministra…", greeted "Excelencia:"; a chargé d'affaires by the
    title ("Señora Encargada de Negocios:"), "señora" in lower case inside the closing sentence."""
    if not excellency:
        return {Gender.F: Title(f"Señora {feminine}{rest}", f"Señora {feminine}:", f"señora {feminine}"),
                Gender.M: Title(f"Señor {masculine}{rest}", f"Señor {masculine}:", f"señor {masculine}")}
    return {Gender.F: Title(f"Su Excelencia la señora {feminine}{rest}", "Excelencia:", "Excelencia"),
            Gender.M: Title(f"Su Excelencia el señor {masculine}{rest}", "Excelencia:", "Excelencia")}


def _fr(feminine: str, masculine: str, *, rest: str = "", excellency: bool = True) -> dict[Gender, Title]:
    """"Son Excellence Madame la Ministre…", greeted and taken leave of by the title itself
    ("Madame la Ministre,"). The titles carry their article: "la Ministre", "l'Ambassadeur"."""
    honour = "Son Excellence " if excellency else ""
    return {Gender.F: Title(f"{honour}Madame {feminine}{rest}", f"Madame {feminine},", f"Madame {feminine}"),
            Gender.M: Title(f"{honour}Monsieur {masculine}{rest}", f"Monsieur {masculine},", f"Monsieur {masculine}")}


def _pt(feminine: str, masculine: str, *, rest: str = "", excellency: bool = True) -> dict[Gender, Title]:
    """"Excelentíssima Senhora Ministra…", greeted "Senhora Ministra,"; a chargé d'affaires is
    "Senhor Encarregado de Negócios", without the Excellency."""
    f_honour, m_honour = ("Excelentíssima ", "Excelentíssimo ") if excellency else ("", "")
    return {Gender.F: Title(f"{f_honour}Senhora {feminine}{rest}", f"Senhora {feminine},", f"Senhora {feminine}"),
            Gender.M: Title(f"{m_honour}Senhor {masculine}{rest}", f"Senhor {masculine},", f"Senhor {masculine}")}


# Every office in every language, both genders spelled out (no rule guesses an agreement).
TITLES: dict[str, dict[Office, dict[Gender, Title]]] = {
    "en": {
        Office.MINISTER: _en("Minister", rest=MINISTRY["en"]),
        Office.AMBASSADOR: _en("Ambassador"),
        Office.PERMANENT_REPRESENTATIVE: _en("Permanent Representative"),
        Office.CHARGE_D_AFFAIRES: _en("Chargé d'affaires", excellency=False),
    },
    "es": {
        Office.MINISTER: _es("Ministra", "Ministro", rest=MINISTRY["es"]),
        Office.AMBASSADOR: _es("Embajadora", "Embajador"),
        Office.PERMANENT_REPRESENTATIVE: _es("Representante Permanente", "Representante Permanente"),
        Office.CHARGE_D_AFFAIRES: _es("Encargada de Negocios", "Encargado de Negocios", excellency=False),
    },
    "fr": {
        Office.MINISTER: _fr("la Ministre", "le Ministre", rest=MINISTRY["fr"]),
        Office.AMBASSADOR: _fr("l'Ambassadrice", "l'Ambassadeur"),
        Office.PERMANENT_REPRESENTATIVE: _fr("la Représentante permanente", "le Représentant permanent"),
        Office.CHARGE_D_AFFAIRES: _fr("la Chargée d'affaires", "le Chargé d'affaires", excellency=False),
    },
    "pt": {
        Office.MINISTER: _pt("Ministra", "Ministro", rest=MINISTRY["pt"]),
        Office.AMBASSADOR: _pt("Embaixadora", "Embaixador"),
        Office.PERMANENT_REPRESENTATIVE: _pt("Representante Permanente", "Representante Permanente"),
        Office.CHARGE_D_AFFAIRES: _pt("Encarregada de Negócios", "Encarregado de Negócios", excellency=False),
    },
}


@dataclass(frozen=True)
class FormOfAddress:
    """What a letter needs to address one recipient: `lines` (the addressee block), `salutation`
    (the paragraph that opens the letter), `vocative` (the closing formula's "Acepte, Excelencia,"),
    `institution` (the ministry's or mission's name alone, for a copy line) and whether the
    addressee is an Excellency (a chargé d'affaires is not)."""

    lines: tuple[str, ...]
    salutation: str
    vocative: str
    institution: str
    excellency: bool = True


def checked_office(kind: RecipientKind, office: str | None, gender: str | None) -> tuple[Office | None, Gender | None]:
    """The office and gender an address book entry may hold: both or neither; the office one of
    those that head its kind of recipient, the gender f or m. Anything else is refused with the choices."""
    office = (office or "").strip() or None
    gender = (gender or "").strip().lower() or None
    if office is None:
        if gender is not None:
            offices = tuple(o.value for o in OFFICES[kind])
            raise InvalidInput(f"a grammatical gender needs the office it agrees with (one of: {', '.join(offices)}): "
                               "give the office too, or neither", field="gender", value=gender, choices=offices)
        return None, None
    allowed = OFFICES[kind]
    if office not in {o.value for o in allowed}:
        raise InvalidInput.unknown(f"office for the {kind.value}", office, [o.value for o in allowed], field="office")
    if gender is None:
        raise InvalidInput(f"the office {office} needs the grammatical gender of its title (f or m)",
                           field="gender", value=None, choices=tuple(g.value for g in Gender))
    if gender not in {g.value for g in Gender}:
        raise InvalidInput.unknown("grammatical gender", gender, [g.value for g in Gender], field="gender")
    return Office(office), Gender(gender)


def form_of_address(
    language: str, kind: RecipientKind, office: Office | None, gender: Gender | None, state: Mapping[str, str],
    *, name: str | None = None,
) -> FormOfAddress:
    """The addressee lines, salutation and vocative of a letter in `language` to the recipient of
    `kind` headed by `office` (with the grammatical `gender` of its title), of the State whose
    phrases are `state` (its "of": "de la República Dominicana"). `name` is the address book's
    name of the institution, which replaces the default one. No office: the institution itself."""
    if language not in LETTER_LANGUAGES:
        raise InvalidInput.unknown("language", language, LETTER_LANGUAGES)
    of = state["of"]
    institution = name or INSTITUTIONS[language][kind].format(of=of)
    if office is None:
        salutation, vocative = NEUTRAL[language]
        return FormOfAddress((institution,), salutation, vocative, institution)
    if office not in OFFICES[kind]:
        raise InvalidInput.unknown(f"office for the {kind.value}", office.value, [o.value for o in OFFICES[kind]],
                                   field="office")
    if gender is None:
        raise InvalidInput(f"the office {office.value} needs the grammatical gender of its title",
                           field="gender", choices=tuple(g.value for g in Gender))
    title = TITLES[language][office][gender]
    person = title.line.format(of=of)
    # the minister's line names the ministry and the State; a head of mission's is followed by the mission
    if office is Office.MINISTER:
        lines: tuple[str, ...] = (person, name) if name else (person,)
    else:
        lines = (person, institution)
    return FormOfAddress(lines, title.salutation, title.vocative, institution,
                         excellency=office is not Office.CHARGE_D_AFFAIRES)
