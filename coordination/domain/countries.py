"""The States a joint action can address: the OAS member States, with their letter language.

The default language follows the State (DESIGN.md, "Letters"): Spanish for most of the
Americas, English for the Caribbean, the United States and Canada, French for Haiti,
Portuguese for Brazil. Country *names*, with their articles, are in state_names.py.
"""

from .errors import InvalidInput
from .vocabulary import Language

DEFAULT_LANGUAGE: dict[str, str] = {
    **dict.fromkeys(
        "ARG BOL CHL COL CRI CUB DOM ECU SLV GTM HND MEX NIC PAN PRY PER URY VEN".split(), Language.ES.value
    ),
    **dict.fromkeys(
        "ATG BHS BRB BLZ CAN DMA GRD GUY JAM KNA LCA VCT SUR TTO USA".split(), Language.EN.value
    ),
    "HTI": Language.FR.value,
    "BRA": Language.PT.value,
}


def normalise_country(code: str) -> str:
    """Return the upper-case ISO 3166-1 alpha-3 code, or refuse a code outside the OAS."""
    iso3 = (code or "").strip().upper()
    if iso3 not in DEFAULT_LANGUAGE:
        raise InvalidInput(
            f"invalid country code {code!r}: expected the ISO 3166-1 alpha-3 code of an "
            "OAS member State (e.g. HND, MEX, BRA)",
            field="country", value=code,
        )
    return iso3
