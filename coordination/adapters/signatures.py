"""What a letter says of its signers, in each letter language, agreeing with each holder's gender.

Three things follow from the signers of a letter version (domain `Signer`s, in block order):

- the heading, as UN letters head them, naming the UN mandates with the article each title takes
  ("Mandatos de la Relatora Especial sobre … y del Relator Especial sobre …");
- the capacity in which the letter speaks, for its opening sentence ("en nuestra calidad de
  Relatora Especial sobre … y Relator Especial sobre …, de conformidad con las resoluciones 52/4
  y 50/17 del Consejo de Derechos Humanos"), and the Commission it speaks jointly with, naming
  the IACHR rapporteurs selected ("y su Relator sobre …");
- the signature blocks: name, title, and for the IACHR's signers the Commission's name.

Lists follow the UN's practice: two items joined by "and", three or more separated by
semicolons, since the titles themselves hold commas ("on extrajudicial, summary or arbitrary
executions"); Spanish "y" becomes "e" before a word sounding /i/ ("e Hidalgo", not "e hielo").
A signer without a name is a vacancy (a draft whose mandate has no holder yet on its date): its
title is shown, and its name is a visible marker in brackets, as a draft shows a missing field.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coordination.domain.errors import InvalidInput
from coordination.domain.mandates import BY_CODE, Signer, signing_codes
from coordination.domain.vocabulary import Gender, Organisation

FEMININE = Gender.FEMININE.value
AND = {"en": "and", "es": "y", "fr": "et", "pt": "e"}
SEMICOLON = {"fr": " ; "}  # French sets a space before the semicolon
IACHR_NAME = {"en": "Inter-American Commission on Human Rights", "es": "Comisión Interamericana de Derechos Humanos",
              "fr": "Commission interaméricaine des droits de l'homme", "pt": "Comissão Interamericana de Direitos Humanos"}
VACANT = {"en": "vacant", "es": "vacante", "fr": "vacant", "pt": "vago"}
MISSING = "[mandates]"  # no UN mandate selected yet: the draft shows the missing field, as for any other

_MANDATES_OF = {"en": "Mandates of", "es": "Mandatos", "fr": "Mandats", "pt": "Mandatos"}
# "in our capacity as" one title, "in our capacities as" several (the UN's English); French repeats
# its "de" before each title ("en notre qualité de X et de Y")
_CAPACITY = {"en": ("in our capacity as", "in our capacities as"), "es": ("en nuestra calidad de",) * 2,
             "fr": ("en notre qualité de",) * 2, "pt": ("na qualidade de",) * 2}
# "pursuant to Human Rights Council resolution(s) …": (one, several) with {} for the numbers
_PURSUANT = {
    "en": ("pursuant to Human Rights Council resolution {}", "pursuant to Human Rights Council resolutions {}"),
    "es": ("de conformidad con la resolución {} del Consejo de Derechos Humanos",
           "de conformidad con las resoluciones {} del Consejo de Derechos Humanos"),
    "fr": ("conformément à la résolution {} du Conseil des droits de l'homme",
           "conformément aux résolutions {} du Conseil des droits de l'homme"),
    "pt": ("em conformidade com a resolução {} do Conselho de Direitos Humanos",
           "em conformidade com as resoluções {} do Conselho de Direitos Humanos"),
}
_JOINTLY = {"en": "jointly with the", "es": "conjuntamente con la", "fr": "conjointement avec la",
            "pt": "conjuntamente com a"}
# the Commission's own (possessive) before a rapporteur's title, by gender: "its", "su", "son/sa", "seu/sua"
_ITS = {"en": ("its", "its"), "es": ("su", "su"), "fr": ("sa", "son"), "pt": ("sua", "seu")}
_VOWELS = "aeiouhàâäéèêëîïôöùûüœæ"


def join(items: Sequence[str], language: str, *, separator: str = ", ") -> str:
    """"A", "A and B", "A, B and C" (or "A; B and C" with `separator="; "`), with the language's
    "and"; Spanish "y" turns "e" before /i/."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    if language == "fr" and separator.strip() == ";":
        separator = SEMICOLON["fr"]
    return f"{separator.join(items[:-1])} {conjunction(language, items[-1])} {items[-1]}"


def conjunction(language: str, following: str) -> str:
    """The language's "and" before `following`: es "e" before i-, hi- (not before hia-, hie-, hio-,
    hiu-, where the i is a semivowel: "agua y hielo")."""
    word = following.lower()
    if language == "es" and (word[:1] in ("i", "í") or (word[:2] in ("hi", "hí") and word[2:3] not in tuple("aeiou"))):
        return "e"
    return AND[language]


def _of_the(title: str, gender: str, language: str) -> str:
    """"the Special Rapporteur", "de la Relatora", "del Relator", "du Rapporteur", "de l'…", "da Relatora"."""
    feminine = gender == FEMININE
    if language == "es":
        return f"{'de la' if feminine else 'del'} {title}"
    if language == "fr":
        if title[:1].lower() in _VOWELS:
            return f"de l'{title}"
        return f"{'de la' if feminine else 'du'} {title}"
    if language == "pt":
        return f"{'da' if feminine else 'do'} {title}"
    return f"the {title}"


def _list_separator(titles: Sequence[str]) -> str:
    return "; " if len(titles) > 2 else ", "


def united_nations(signers: Iterable[Signer]) -> list[Signer]:
    return [s for s in signers if s.organisation == Organisation.OHCHR.value]


def heading(signers: Sequence[Signer], language: str) -> str:
    """"Mandates of the Special Rapporteur on X and the Special Rapporteur on Y", from the UN signers."""
    un = united_nations(signers)
    if not un:
        return f"{_MANDATES_OF[language]} {MISSING}"
    items = [_of_the(s.title(language), s.gender, language) for s in un]
    return f"{_MANDATES_OF[language]} {join(items, language, separator=_list_separator(items))}"


def capacity(signers: Sequence[Signer], language: str) -> str:
    """"in our capacity as Special Rapporteur on X and Special Rapporteur on Y, pursuant to Human Rights
    Council resolutions 52/4 and 50/17": the UN signers' titles and their mandates' resolutions."""
    un = united_nations(signers)
    if not un:
        return f"{_CAPACITY[language][0]} {MISSING}"
    titles = [s.title(language) for s in un]
    if language == "fr":
        titles = titles[:1] + [f"de {t}" for t in titles[1:]]
    phrase = f"{_CAPACITY[language][len(un) > 1]} {join(titles, language, separator=_list_separator(titles))}"
    resolutions = list(dict.fromkeys(s.resolution for s in un if s.resolution))
    if resolutions:
        one, several = _PURSUANT[language]
        phrase += ", " + (one if len(resolutions) == 1 else several).format(join(resolutions, language))
    return phrase


def rapporteurship(signer: Signer, language: str) -> str:
    """An IACHR rapporteur's office as the opening sentence names it: the title without the
    "Commissioner," the catalogue puts first ("Comisionada, Relatora sobre …" → "Relatora sobre …")."""
    return signer.title(language).split(", ", 1)[-1]


def jointly(signers: Sequence[Signer], language: str) -> str:
    """"jointly with the Inter-American Commission on Human Rights", naming the IACHR rapporteurs
    selected, each with the possessive agreeing with its holder: "…, son Rapporteur sur … et sa
    Rapporteuse spéciale pour …". The Executive Secretary signs every joint letter and is not named."""
    rapporteurs = [s for s in signers if s.organisation == Organisation.IACHR.value
                   and not (s.mandate in BY_CODE and BY_CODE[s.mandate].signs_for_iachr)]
    feminine, masculine = _ITS[language]
    parts = [f"{_JOINTLY[language]} {IACHR_NAME[language]}"] + [
        f"{feminine if s.gender == FEMININE else masculine} {rapporteurship(s, language)}" for s in rapporteurs]
    return join(parts, language)


@dataclass(frozen=True)
class Block:
    """One signature block: the holder's name (or the vacancy's marker), title and organisation line."""

    mandate: str
    organisation: str  # "ohchr" or "iachr"
    name: str
    title: str
    body: str  # the organisation's name under the title ("" for a UN mandate holder, who signs by title)
    vacant: bool

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.name, self.title, self.body) if line]


def blocks(signers: Sequence[Signer], language: str) -> list[Block]:
    """The signature blocks in the signers' order: one per UN holder (name, title), then the IACHR's
    (name, title, the Commission)."""
    return [Block(s.mandate, s.organisation, s.name or f"[{VACANT[language]}]", s.title(language),
                  IACHR_NAME[language] if s.organisation == Organisation.IACHR.value else "", not s.name)
            for s in signers]


def plural_gender(signers: Sequence[Signer]) -> str:
    """The gender a plural of the signers takes: feminine only when every one is (a mixed plural
    takes the masculine in Spanish, French and Portuguese); masculine when there is none."""
    return FEMININE if signers and all(s.gender == FEMININE for s in signers) else Gender.MASCULINE.value


def for_voice(signers: Sequence[Signer], voice: str) -> list[Signer]:
    """The signers whose blocks a letter of this voice carries: all for a joint letter, the IACHR's
    for an IACHR letter, none for a press release."""
    if voice == "press":
        return []
    if voice == "iachr":
        return [s for s in signers if s.organisation == Organisation.IACHR.value]
    return list(signers)


def vacancies(voice: str, selection: str | None) -> list[Signer]:
    """Every block of a letter vacant: what a renderer shows when no signers were resolved for it
    (a selection that does not parse yet gives the IACHR's signer alone)."""
    try:
        codes = signing_codes(voice, selection)
    except InvalidInput:
        codes = signing_codes(voice, None)
    masculine = Gender.MASCULINE.value
    return [Signer(code, BY_CODE[code].organisation.value, "", masculine,
                   {lang: BY_CODE[code].title(lang, masculine) for lang in IACHR_NAME}, BY_CODE[code].resolution)
            for code in codes]


def phrases(signers: Sequence[Signer], language: str) -> dict[str, str]:
    """The heading, capacity and joint phrases of a letter, as the templates use them (`mandates.*`)."""
    return {"heading": heading(signers, language), "capacity": capacity(signers, language),
            "jointly": jointly(signers, language)}
