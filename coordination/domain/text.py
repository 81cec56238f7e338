"""Text as people type it, checked once where it enters (command line and web alike).

    check_text(name, value, limit)   the value, or InvalidInput naming the field:
                                     - no NUL or other control character (tab, CR and LF allowed
                                       where the text may have lines), no lone surrogate
                                     - not made only of blanks, invisible or format characters
                                       (U+200B, U+FEFF, U+200E, U+2060, Hangul fillers …)
                                     - at most `limit` characters
"""

import unicodedata

from .errors import InvalidInput

# Categories that show nothing: formats (U+200B, U+200E, U+FEFF, U+2060 …), separators, controls.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})
# Characters of other categories that render as nothing, or as a blank.
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, 0x1D159, *range(0x180B, 0x1810),
     *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x1D173, 0x1D17B)]
)
LINE_BREAKS = frozenset("\n\r\t")


def is_invisible(char: str) -> bool:
    return ord(char) in _INVISIBLE or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def is_blank(text: str | None) -> bool:
    """True for None, "" and text made only of white space, invisible or format characters."""
    return not text or all(is_invisible(c) for c in text)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def check_text(name: str, value: str | None, limit: int, *, required: bool = True, lines: bool = True) -> str | None:
    """`value` if it can be stored as the text of field `name`, else InvalidInput naming the field.

    An optional field (`required=False`) may be None or empty, and blank is taken as None;
    `lines=False` refuses line breaks and tabs too (titles, names: one line)."""
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} cannot be empty")
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    if len(value) > limit:
        raise InvalidInput(f"{name} is too long: {len(value):,} characters, at most {limit:,}")
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc" and not (lines and char in LINE_BREAKS):
            what = "a line break" if char in LINE_BREAKS else f"a control character ({_describe(char)})"
            raise InvalidInput(f"{name} cannot contain {what}")
        if category == "Cs":
            raise InvalidInput(f"{name} contains a character that is not valid text ({_describe(char)})")
    if is_blank(value):
        if required:
            raise InvalidInput(f"{name} cannot be empty or made only of blank or invisible characters")
        return None  # an optional text that shows nothing is no text
    return value
