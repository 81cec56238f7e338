"""Reminder digests: one email per person per sweep, in text and HTML, from Jinja2 templates.

A digest names no defender, source or fact: only references, stages, deadline kinds and
due times, and letters that could not be delivered (letter, kind of recipient, the
server's error), each with a link to the action's page. Due times are shown in the recipient's
time zone (their organisation's seat). `render_digest` is the services' `DigestRenderer`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from coordination.services.ports import Digest, DigestFailure, DigestItem, DigestStopped

from .mail_i18n import mail_language, markup, translator, word

TEMPLATES = Path(__file__).resolve().parent / "mail_templates"

ZONE_NAMES = {"Europe/Zurich": "Geneva", "America/New_York": "Washington DC", "UTC": "UTC"}

KIND_LABELS = {
    "approval_sla": "decision on the gate",
    "state_reply": "State's reply",
    "publication": "publication",
    "review": "review of the measure",
}

# a failed letter's recipient, as the services name it (its kind, dashes as spaces)
RECIPIENT_KINDS = {"permanent mission geneva": "permanent mission in Geneva", "oas mission": "mission to the OAS",
                   "foreign ministry": "ministry of foreign affairs", "requester": "the requester"}


@dataclass(frozen=True)
class DigestLine:
    """One action and its deadlines that this person is reminded of."""

    reference: str
    action_type: str
    country: str
    stage: str
    link: str
    items: tuple[DigestItem, ...]

    @property
    def overdue(self) -> bool:
        return any(item.escalation for item in self.items)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        keep_trailing_newline=True,
    )


def _kind_label(t: Callable[[str], str], kind: str, organisation: str | None) -> str:
    """"decision on the gate by OHCHR" / "decisión sobre la aprobación de ACNUDH"."""
    text = t(KIND_LABELS.get(kind) or kind.replace("_", " "))
    return t("{kind} by {org}").format(kind=text, org=word(t, organisation)) if organisation else text


def _status(t: Callable[[str], str], item: DigestItem) -> str:
    """The reminder's status in the reader's language (English: the services' own words)."""
    key = item.threshold
    if not key:
        return item.status
    if key == "request":
        return t("your decision is requested")
    if key == "on-the-day":
        return t("due today")
    if key.startswith("before-"):
        days = int(key.removeprefix("before-").removesuffix("d"))
        return t("due in 1 day") if days == 1 else t("due in {n} days").format(n=days)
    escalation = key.removeprefix("escalation-")
    if item.late_days < 1:
        return t("overdue by less than a day (escalation {e})").format(e=escalation)
    if item.late_days == 1:
        return t("overdue by 1 day (escalation {e})").format(e=escalation)
    return t("overdue by {n} days (escalation {e})").format(n=item.late_days, e=escalation)


def _subject(t: Callable[[str], str], failures: int, requests: int, reminders: int, overdue: int,
             stopped: int = 0) -> str:
    parts = []
    if stopped:
        parts.append(f"{stopped} " + t("actions stopped" if stopped != 1 else "action stopped"))
    if failures:
        parts.append(f"{failures} " + t("letters not delivered" if failures != 1 else "letter not delivered"))
    if requests:
        parts.append(f"{requests} " + t("decisions requested" if requests != 1 else "decision requested"))
    if reminders:
        parts.append(f"{reminders} " + t("deadline reminders" if reminders != 1 else "deadline reminder"))
    if overdue:
        parts.append(t("1 overdue") if overdue == 1 else f"{overdue} " + t("overdue"))
    return t("[coordination] ") + ", ".join(parts)


def render_digest(*, name: str, zone: tzinfo, items: list[DigestItem], reason: str,
                  failures: list[DigestFailure] | None = None, language: str | None = None,
                  stopped: list[DigestStopped] | None = None) -> Digest:
    """The digest for one person, in their interface language (English if the mails do not have
    it): letters that could not be delivered, then a line per action, overdue ones first, then by
    due time. Stages, kinds, action types and organisations are the reader's words, never codes."""
    failures, stopped = failures or [], stopped or []
    language = mail_language(language)
    t = translator(language)
    lines: dict[str, list[DigestItem]] = {}
    for item in sorted(items, key=lambda i: (not i.escalation, i.due_at, i.reference)):
        lines.setdefault(item.reference, []).append(item)
    grouped = [DigestLine(its[0].reference, word(t, its[0].action_type), its[0].country, word(t, its[0].stage),
                          its[0].link, tuple(its)) for its in lines.values()]
    overdue = sum(1 for item in items if item.escalation)
    requests = sum(1 for item in items if item.request)
    count = len(items)
    subject = _subject(t, len(failures), requests, count - requests, overdue, len(stopped))
    env = _environment()

    @cache
    def when(moment: datetime) -> str:
        return format_datetime(moment, "EEE d MMM y, HH:mm", tzinfo=zone, locale=language)

    zone_name = t(ZONE_NAMES.get(str(zone), str(zone)))
    context = dict(name=name, lines=grouped, count=count, overdue=overdue, when=when, zone_name=zone_name,
                   reason=t(reason), subject=subject, failures=failures, stopped=stopped, t=t,
                   lang=language,
                   kind_label=lambda kind, organisation: _kind_label(t, kind, organisation),
                   status=lambda item: _status(t, item), word=lambda code: word(t, code or ""),
                   recipient=lambda kind: t(str(RECIPIENT_KINDS.get(kind, kind))))
    return Digest(subject, env.get_template("reminder_digest.txt.j2").render(context),
                  env.get_template("reminder_digest.html.j2").render(context, t=markup(t)))
