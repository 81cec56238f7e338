"""The 35 OAS member States' names with their grammar, in the four letter languages.

Babel gives bare names ("Brasil"), so a letter read "el Gobierno de Brasil" where a ministry
expects "del Brasil". This reviewed table gives, per State and language, the short name, its
article (empty when the name takes none), the formal name, and the source of the entry; the
phrases letters use — "of" (the Government of …, the Permanent Mission of …), "in" and "to" —
follow from the article by each language's contractions (es del/de la/de los/de las;
pt do/da/dos/das/de, no/na/nos/nas/em, ao/à/aos/às/a; fr du/de la/de l'/des/d',
au/aux/en/à la/à).

Sources: en, es and fr follow the UN terminology database's short and formal names (UNTERM,
https://unterm.un.org/, "Country names"), where the article is given in parentheses
("Argentina (la)", "Brésil (le)", "Bahamas (les)"). pt follows the Brazilian Ministry of
Foreign Affairs' usage (Itamaraty, https://www.gov.br/mre/), which UNTERM does not cover.
The OAS's member-State pages (https://www.oas.org/en/member_states/) list the 35 States.
"""

from dataclasses import dataclass

UNTERM = "https://unterm.un.org/unterm2/en/country"
ITAMARATY = "https://www.gov.br/mre/pt-br"
OAS = "https://www.oas.org/en/member_states/"

POSITIONS = ("of", "in", "to")  # the Government/Mission of …; in …; with regard to …
_VOWELS = "AEIOUÉÈÊÂÎÔH"


@dataclass(frozen=True)
class StateName:
    """One State's name in one language: short name (no article), its article, formal name."""

    iso3: str
    language: str
    short: str
    article: str
    formal: str
    source: str
    in_: str = ""  # French only, where the preposition is not the article's default ("à la Barbade")

    @property
    def with_article(self) -> str:
        """The name as a sentence names it: "the Bahamas", "el Brasil", "les États-Unis d'Amérique"."""
        if not self.article:
            return self.short
        return f"{self.article}{self.short}" if self.article.endswith("'") else f"{self.article} {self.short}"

    def phrase(self, position: str) -> str:
        """The name after "of", "in" or "to", with the language's contractions."""
        return _PHRASES[self.language](self, position)


def _en(s: StateName, position: str) -> str:
    return f"{position} {s.with_article}"


def _es(s: StateName, position: str) -> str:
    if position == "in":
        return f"en {s.with_article}"
    preposition = "de" if position == "of" else "a"
    if s.article == "el":  # del Brasil, al Perú; "de El Salvador" keeps the name's own article
        return f"{preposition}l {s.short}"
    return f"{preposition} {s.with_article}"


_PT = {"of": {"o": "do", "a": "da", "os": "dos", "as": "das", "": "de"},
       "in": {"o": "no", "a": "na", "os": "nos", "as": "nas", "": "em"},
       "to": {"o": "ao", "a": "à", "os": "aos", "as": "às", "": "a"}}


def _pt(s: StateName, position: str) -> str:
    return f"{_PT[position][s.article]} {s.short}"


def _fr(s: StateName, position: str) -> str:
    if position == "in":
        if s.in_:
            return f"{s.in_} {s.short}" if not s.in_.endswith("'") else f"{s.in_}{s.short}"
        default = {"le": "au ", "les": "aux ", "la": "en ", "l'": "en ", "": "à "}[s.article]
        return default + s.short
    if s.article == "le":
        return ("du " if position == "of" else "au ") + s.short
    if s.article == "les":
        return ("des " if position == "of" else "aux ") + s.short
    if s.article:  # la, l'
        return ("de " if position == "of" else "à ") + s.with_article
    if position == "of":
        return ("d'" if s.short[:1].upper() in _VOWELS else "de ") + s.short
    return "à " + s.short


_PHRASES = {"en": _en, "es": _es, "pt": _pt, "fr": _fr}

# iso3: {language: (short, article, formal[, French "in" preposition])}
_TABLE: dict[str, dict[str, tuple[str, ...]]] = {
    "ATG": {"en": ("Antigua and Barbuda", "", "Antigua and Barbuda"),
            "es": ("Antigua y Barbuda", "", "Antigua y Barbuda"),
            "fr": ("Antigua-et-Barbuda", "", "Antigua-et-Barbuda"),
            "pt": ("Antígua e Barbuda", "", "Antígua e Barbuda")},
    "ARG": {"en": ("Argentina", "", "the Argentine Republic"),
            "es": ("Argentina", "la", "la República Argentina"),
            "fr": ("Argentine", "l'", "la République argentine"),
            "pt": ("Argentina", "a", "a República Argentina")},
    "BHS": {"en": ("Bahamas", "the", "the Commonwealth of the Bahamas"),
            "es": ("Bahamas", "las", "el Commonwealth de las Bahamas"),
            "fr": ("Bahamas", "les", "le Commonwealth des Bahamas"),
            "pt": ("Bahamas", "as", "a Comunidade das Bahamas")},
    "BRB": {"en": ("Barbados", "", "Barbados"),
            "es": ("Barbados", "", "Barbados"),
            "fr": ("Barbade", "la", "la Barbade", "à la"),
            "pt": ("Barbados", "", "Barbados")},
    "BLZ": {"en": ("Belize", "", "Belize"),
            "es": ("Belice", "", "Belice"),
            "fr": ("Belize", "le", "le Belize"),
            "pt": ("Belize", "", "Belize")},
    "BOL": {"en": ("Plurinational State of Bolivia", "the", "the Plurinational State of Bolivia"),
            "es": ("Estado Plurinacional de Bolivia", "el", "el Estado Plurinacional de Bolivia"),
            "fr": ("État plurinational de Bolivie", "l'", "l'État plurinational de Bolivie", "dans l'"),
            "pt": ("Bolívia", "a", "o Estado Plurinacional da Bolívia")},
    "BRA": {"en": ("Brazil", "", "the Federative Republic of Brazil"),
            "es": ("Brasil", "el", "la República Federativa del Brasil"),
            "fr": ("Brésil", "le", "la République fédérative du Brésil"),
            "pt": ("Brasil", "o", "a República Federativa do Brasil")},
    "CAN": {"en": ("Canada", "", "Canada"),
            "es": ("Canadá", "el", "el Canadá"),
            "fr": ("Canada", "le", "le Canada"),
            "pt": ("Canadá", "o", "o Canadá")},
    "CHL": {"en": ("Chile", "", "the Republic of Chile"),
            "es": ("Chile", "", "la República de Chile"),
            "fr": ("Chili", "le", "la République du Chili"),
            "pt": ("Chile", "o", "a República do Chile")},
    "COL": {"en": ("Colombia", "", "the Republic of Colombia"),
            "es": ("Colombia", "", "la República de Colombia"),
            "fr": ("Colombie", "la", "la République de Colombie"),
            "pt": ("Colômbia", "a", "a República da Colômbia")},
    "CRI": {"en": ("Costa Rica", "", "the Republic of Costa Rica"),
            "es": ("Costa Rica", "", "la República de Costa Rica"),
            "fr": ("Costa Rica", "le", "la République du Costa Rica"),
            "pt": ("Costa Rica", "a", "a República da Costa Rica")},
    "CUB": {"en": ("Cuba", "", "the Republic of Cuba"),
            "es": ("Cuba", "", "la República de Cuba"),
            "fr": ("Cuba", "", "la République de Cuba"),
            "pt": ("Cuba", "", "a República de Cuba")},
    "DMA": {"en": ("Dominica", "", "the Commonwealth of Dominica"),
            "es": ("Dominica", "", "el Commonwealth de Dominica"),
            "fr": ("Dominique", "la", "le Commonwealth de Dominique", "à la"),
            "pt": ("Dominica", "a", "a Comunidade da Dominica")},
    "DOM": {"en": ("Dominican Republic", "the", "the Dominican Republic"),
            "es": ("República Dominicana", "la", "la República Dominicana"),
            "fr": ("République dominicaine", "la", "la République dominicaine"),
            "pt": ("República Dominicana", "a", "a República Dominicana")},
    "ECU": {"en": ("Ecuador", "", "the Republic of Ecuador"),
            "es": ("Ecuador", "el", "la República del Ecuador"),
            "fr": ("Équateur", "l'", "la République de l'Équateur"),
            "pt": ("Equador", "o", "a República do Equador")},
    "SLV": {"en": ("El Salvador", "", "the Republic of El Salvador"),
            "es": ("El Salvador", "", "la República de El Salvador"),
            "fr": ("El Salvador", "", "la République d'El Salvador", "en"),
            "pt": ("El Salvador", "", "a República de El Salvador")},
    "GRD": {"en": ("Grenada", "", "Grenada"),
            "es": ("Granada", "", "Granada"),
            "fr": ("Grenade", "la", "la Grenade", "à la"),
            "pt": ("Granada", "", "Granada")},
    "GTM": {"en": ("Guatemala", "", "the Republic of Guatemala"),
            "es": ("Guatemala", "", "la República de Guatemala"),
            "fr": ("Guatemala", "le", "la République du Guatemala"),
            "pt": ("Guatemala", "a", "a República da Guatemala")},
    "GUY": {"en": ("Guyana", "", "the Co-operative Republic of Guyana"),
            "es": ("Guyana", "", "la República Cooperativa de Guyana"),
            "fr": ("Guyana", "le", "la République coopérative du Guyana"),
            "pt": ("Guiana", "a", "a República Cooperativa da Guiana")},
    "HTI": {"en": ("Haiti", "", "the Republic of Haiti"),
            "es": ("Haití", "", "la República de Haití"),
            "fr": ("Haïti", "", "la République d'Haïti", "en"),
            "pt": ("Haiti", "o", "a República do Haiti")},
    "HND": {"en": ("Honduras", "", "the Republic of Honduras"),
            "es": ("Honduras", "", "la República de Honduras"),
            "fr": ("Honduras", "le", "la République du Honduras"),
            "pt": ("Honduras", "", "a República de Honduras")},
    "JAM": {"en": ("Jamaica", "", "Jamaica"),
            "es": ("Jamaica", "", "Jamaica"),
            "fr": ("Jamaïque", "la", "la Jamaïque"),
            "pt": ("Jamaica", "a", "a Jamaica")},
    "MEX": {"en": ("Mexico", "", "the United Mexican States"),
            "es": ("México", "", "los Estados Unidos Mexicanos"),
            "fr": ("Mexique", "le", "les États-Unis du Mexique"),
            "pt": ("México", "o", "os Estados Unidos Mexicanos")},
    "NIC": {"en": ("Nicaragua", "", "the Republic of Nicaragua"),
            "es": ("Nicaragua", "", "la República de Nicaragua"),
            "fr": ("Nicaragua", "le", "la République du Nicaragua"),
            "pt": ("Nicarágua", "a", "a República da Nicarágua")},
    "PAN": {"en": ("Panama", "", "the Republic of Panama"),
            "es": ("Panamá", "", "la República de Panamá"),
            "fr": ("Panama", "le", "la République du Panama"),
            "pt": ("Panamá", "o", "a República do Panamá")},
    "PRY": {"en": ("Paraguay", "", "the Republic of Paraguay"),
            "es": ("Paraguay", "el", "la República del Paraguay"),
            "fr": ("Paraguay", "le", "la République du Paraguay"),
            "pt": ("Paraguai", "o", "a República do Paraguai")},
    "PER": {"en": ("Peru", "", "the Republic of Peru"),
            "es": ("Perú", "el", "la República del Perú"),
            "fr": ("Pérou", "le", "la République du Pérou"),
            "pt": ("Peru", "o", "a República do Peru")},
    "KNA": {"en": ("Saint Kitts and Nevis", "", "Saint Kitts and Nevis"),
            "es": ("Saint Kitts y Nevis", "", "Saint Kitts y Nevis"),
            "fr": ("Saint-Kitts-et-Nevis", "", "Saint-Kitts-et-Nevis"),
            "pt": ("São Cristóvão e Névis", "", "a Federação de São Cristóvão e Névis")},
    "LCA": {"en": ("Saint Lucia", "", "Saint Lucia"),
            "es": ("Santa Lucía", "", "Santa Lucía"),
            "fr": ("Sainte-Lucie", "", "Sainte-Lucie"),
            "pt": ("Santa Lúcia", "", "Santa Lúcia")},
    "VCT": {"en": ("Saint Vincent and the Grenadines", "", "Saint Vincent and the Grenadines"),
            "es": ("San Vicente y las Granadinas", "", "San Vicente y las Granadinas"),
            "fr": ("Saint-Vincent-et-les Grenadines", "", "Saint-Vincent-et-les Grenadines"),
            "pt": ("São Vicente e Granadinas", "", "São Vicente e Granadinas")},
    "SUR": {"en": ("Suriname", "", "the Republic of Suriname"),
            "es": ("Suriname", "", "la República de Suriname"),
            "fr": ("Suriname", "le", "la République du Suriname"),
            "pt": ("Suriname", "o", "a República do Suriname")},
    "TTO": {"en": ("Trinidad and Tobago", "", "the Republic of Trinidad and Tobago"),
            "es": ("Trinidad y Tabago", "", "la República de Trinidad y Tabago"),
            "fr": ("Trinité-et-Tobago", "la", "la République de Trinité-et-Tobago", "à la"),
            "pt": ("Trinidad e Tobago", "", "a República de Trinidad e Tobago")},
    "USA": {"en": ("United States of America", "the", "the United States of America"),
            "es": ("Estados Unidos de América", "los", "los Estados Unidos de América"),
            "fr": ("États-Unis d'Amérique", "les", "les États-Unis d'Amérique"),
            "pt": ("Estados Unidos", "os", "os Estados Unidos da América")},
    "URY": {"en": ("Uruguay", "", "the Eastern Republic of Uruguay"),
            "es": ("Uruguay", "el", "la República Oriental del Uruguay"),
            "fr": ("Uruguay", "l'", "la République orientale de l'Uruguay"),
            "pt": ("Uruguai", "o", "a República Oriental do Uruguai")},
    "VEN": {"en": ("Bolivarian Republic of Venezuela", "the", "the Bolivarian Republic of Venezuela"),
            "es": ("República Bolivariana de Venezuela", "la", "la República Bolivariana de Venezuela"),
            "fr": ("République bolivarienne du Venezuela", "la", "la République bolivarienne du Venezuela"),
            "pt": ("Venezuela", "a", "a República Bolivariana da Venezuela")},
}

STATE_NAMES: dict[tuple[str, str], StateName] = {
    (iso3, language): StateName(iso3, language, entry[0], entry[1], entry[2],
                                ITAMARATY if language == "pt" else UNTERM,
                                entry[3] if len(entry) > 3 else "")
    for iso3, languages in _TABLE.items()
    for language, entry in languages.items()
}


def state_name(iso3: str, language: str) -> StateName | None:
    """The reviewed entry for an OAS member State in a letter language, or None."""
    return STATE_NAMES.get((iso3, language))
