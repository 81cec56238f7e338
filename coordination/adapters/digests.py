"""Reminder digests: one email per person per sweep, in text and HTML, from Jinja2 templates.

A digest names no defender, source or fact: only references, stages, deadline kinds and
due times, and letters that could not be delivered (letter, kind of recipient, the
server's error), each with a link to the action's page. Due times are shown in the recipient's
time zone (their organisation's seat). `render_digest` is the services' `DigestRenderer`.
"""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from coordination.services.ports import Digest, DigestFailure, DigestItem

TEMPLATES = Path(__file__).resolve().parent / "mail_templates"

ZONE_NAMES = {"Europe/Zurich": "Geneva", "America/New_York": "Washington DC", "UTC": "UTC"}

KIND_LABELS = {
    "approval_sla": "decision on the gate",
    "state_reply": "State's reply",
    "publication": "publication",
    "review": "review of the measure",
}


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
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        keep_trailing_newline=True,
    )
    env.globals["kind_label"] = lambda kind, organisation: (
        (KIND_LABELS.get(kind) or kind) + (f" by {organisation.upper()}" if organisation else ""))
    return env


def render_digest(*, name: str, zone: tzinfo, items: list[DigestItem], reason: str,
                  failures: list[DigestFailure] | None = None) -> Digest:
    """The digest for one person: letters that could not be delivered, then a line per action,
    overdue ones first, then by due time."""
    failures = failures or []
    lines: dict[str, list[DigestItem]] = {}
    for item in sorted(items, key=lambda i: (not i.escalation, i.due_at, i.reference)):
        lines.setdefault(item.reference, []).append(item)
    grouped = [DigestLine(its[0].reference, its[0].action_type, its[0].country, its[0].stage, its[0].link,
                          tuple(its)) for its in lines.values()]
    overdue = sum(1 for item in items if item.escalation)
    requests = sum(1 for item in items if item.request)
    count = len(items)
    reminders = count - requests
    parts = []
    if failures:
        parts.append(f"{len(failures)} letter{'s' if len(failures) != 1 else ''} not delivered")
    if requests:
        parts.append(f"{requests} decision{'s' if requests != 1 else ''} requested")
    if reminders:
        parts.append(f"{reminders} deadline reminder{'s' if reminders != 1 else ''}")
    if overdue:
        parts.append(f"{overdue} overdue")
    subject = "[coordination] " + ", ".join(parts)
    env = _environment()

    @cache
    def when(moment: datetime) -> str:
        return format_datetime(moment, "EEE d MMM y, HH:mm", tzinfo=zone, locale="en")

    zone_name = ZONE_NAMES.get(str(zone), str(zone))
    context = dict(name=name, lines=grouped, count=count, overdue=overdue, when=when, zone_name=zone_name,
                   reason=reason, subject=subject, failures=failures)
    return Digest(subject, env.get_template("reminder_digest.txt.j2").render(context),
                  env.get_template("reminder_digest.html.j2").render(context))
