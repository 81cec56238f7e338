"""Text as it enters a use case, checked against the settings' bound (COORDINATION_MAX_FIELD_CHARS):
the same rules for the command line and the web, which both come through here."""

from coordination.bootstrap import App
from coordination.domain.text import check_text


def text(app: App, name: str, value: str | None, *, required: bool = True, lines: bool = True) -> str | None:
    """`value`, or InvalidInput naming the field (control characters, blank only, too long)."""
    return check_text(name, value, app.settings.max_field_chars, required=required, lines=lines)
