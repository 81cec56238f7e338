"""Email addresses that are what they read, checked with `email-validator` (no DNS lookups).

An address is accepted only as a bare addr-spec of printable ASCII (`local@domain`) whose
reading is the delivery: no display name, angle brackets, comments or quoted local part,
no control or invisible characters, no RFC 2047 encoded words (`=?utf-8?q?…?=`, which a
mail program decodes into another address), no internationalised characters (homoglyph
domains such as `аpple.com` in Cyrillic) and no Punycode label whose Unicode reading
differs (`xn--…`), no literal IP domain (`[127.0.0.1]`) unless
COORDINATION_ALLOW_IP_ADDRESSES=1, and no special-use domain (localhost, .local,
.invalid, .onion, .arpa). The reserved documentation and test names stay accepted
(`example.org`, `*.example`, `*.test`): mail to them goes nowhere, and the demo and the
tests use them.

The address is stored as typed; it is refused when the library's normalised form differs
from it beyond the case of the domain.
"""

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from coordination.domain import InvalidInput

REFUSED_DOMAINS = ("localhost", "local", "invalid", "onion", "arpa")


def _character(c: str) -> str:
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" {name}" if name else "")


def address_problem(value: str, *, allow_ip: bool = False) -> str | None:
    """Why `value` is not an address that delivers to what it reads, or None when it is one."""
    if not isinstance(value, str) or not value:
        return "it is empty"
    for c in value:
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in "\x7f":
            return f"it contains the control or invisible character {_character(c)}"
    if not value.isascii():
        c = next(c for c in value if not c.isascii())
        return (f"it contains the non-ASCII character {_character(c)}: only plain ASCII addresses are accepted, "
                "so that an address reads as it is delivered")
    if any(c.isspace() for c in value):
        return "it contains a space: give the address alone, without a name"
    if "=?" in value or "?=" in value:
        return "it contains an encoded word (=?…?=), which mail programs decode into another address"
    if "<" in value or ">" in value:
        return "it has a display name or angle brackets: give the address alone (name@domain)"
    if '"' in value or "(" in value or ")" in value:
        return "quoted parts and comments are not accepted: give the address alone (name@domain)"
    if value.count("@") != 1:
        return "it must have exactly one @"
    local, _, domain = value.rpartition("@")
    try:
        result = validate_email(
            value, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
            allow_display_name=False, allow_empty_local=False, allow_domain_literal=allow_ip,
            # `.test` is accepted (see the module's note); the refused special-use names are checked below
            test_environment=True, globally_deliverable=True, strict=True,
        )
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        if "bracketed IP address" in reason:
            reason += " (COORDINATION_ALLOW_IP_ADDRESSES=1 allows literal IP domains)"
        return reason[:1].lower() + reason[1:]
    labels = domain.lower().split(".")
    if any(label.startswith("xn--") for label in labels):
        return f"its domain is an internationalised name that reads as {result.domain}"
    if result.local_part != local or result.domain.lower() != domain.lower():
        return f"it does not read as it is delivered: it means {result.normalized}"
    if not domain.startswith("["):
        if "." not in domain:
            return "its domain has no dot"
        if labels[-1] in REFUSED_DOMAINS:
            return f"{domain} is a special-use domain (.{labels[-1]}) that mail cannot be delivered to"
    return None


@dataclass(frozen=True)
class AddressCheck:
    """The check given to the domain (`Ports.addresses`) and used by every service that stores an address."""

    allow_ip: bool = False

    def __call__(self, value: str, *, what: str = "") -> str:
        """The address as typed (surrounding blanks removed), or InvalidInput in one line (`what` before it)."""
        text = value.strip() if isinstance(value, str) else value
        problem = address_problem(text, allow_ip=self.allow_ip)
        if problem:
            raise InvalidInput(f"{what} invalid email address {_shown(text)}: {problem}".lstrip())
        return text

    def problem(self, value: str) -> str | None:
        return address_problem(value, allow_ip=self.allow_ip)


def _shown(value: object) -> str:
    """The refused value, quoted so that control characters show as escapes, and cut short."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "…'"
