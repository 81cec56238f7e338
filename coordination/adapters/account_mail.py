"""The mail that carries a password-set link (`services/password_links.py`), in text and HTML,
from the Jinja2 templates beside the reminder digests'."""

from datetime import datetime

from babel.dates import format_datetime

from coordination.services.ports import Mail

from .digests import _environment
from .mail_i18n import mail_language, markup, translator


def render_password_link(*, name: str, link: str, expires_at: datetime, by: str, language: str | None = None) -> Mail:
    """The mail, in the person's interface language (English if the mails do not have it); it names
    the person and when the link lapses (UTC), and says nothing else of the system."""
    env = _environment()
    language = mail_language(language)
    t = translator(language)
    expires = format_datetime(expires_at, "EEE d MMM y, HH:mm", tzinfo=None, locale=language) + " UTC"
    context = dict(name=name, link=link, expires=expires, t=t, lang=language)
    subject = t("[coordination] Set your password")
    return Mail(subject, env.get_template("password_link.txt.j2").render(context),
                env.get_template("password_link.html.j2").render(context, t=markup(t)))
