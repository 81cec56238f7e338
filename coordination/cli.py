"""The `coordination` command line: thin, every command calls a service.

Refusals exit 1 with one line on stderr and write nothing; usage errors exit 2. An
unexpected error is one line too ("internal error … details in <data dir>/errors.log"),
its traceback appended to that file (0600), exit 1. Every command but `init`, `serve` and
`demo` refuses to run on a SQLite database that does not exist.
"""

import contextvars
import json
import math
import os
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pydantic
import sqlalchemy as sa
import typer
import typer.core
from typer.exceptions import TyperException

from .domain import (
    ActionType,
    CoordinationError,
    InvalidInput,
    LinkRelation,
    NotFound,
    Organisation,
    Outcome,
    Recipient,
    RecipientKind,
    Role,
)
from .domain.bounds import MAX_DAYS, MAX_PER_PAGE, PER_PAGE, parse_date, parse_time
from .domain.vocabulary import Language, LetterFormat

if TYPE_CHECKING:  # the composition root, the settings and the adapters are imported when a command
    from .bootstrap import App  # runs, not for `--help` or a usage error
    from .services.actions import Edited

CREATES_THE_DATABASE = ("init", "serve", "demo")
LIST_FLAGS = ("status", "type", "stage", "country", "format")  # `action list` and `report` take these as they are
_invoked: contextvars.ContextVar = contextvars.ContextVar("invoked", default=None)  # the root command's context


def _database_error(error: sa.exc.DBAPIError) -> str:
    text = str(error.orig).lower()
    if "no such table" in text or "does not exist" in text:
        return "the database is not initialised: run `coordination init` first"
    if isinstance(error, sa.exc.IntegrityError):
        return "another change to the same record won the race; nothing was written — try again"
    return f"database error: {str(error.orig).splitlines()[0]}"


class _RefusingGroup(typer.core.TyperGroup):
    """Every refusal becomes one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        _invoked.set(ctx)  # `_app()` reads which command runs
        try:
            return super().invoke(ctx)
        except CoordinationError as error:
            message = worded(error)
        except sa.exc.DBAPIError as error:
            message = _database_error(error)
        except pydantic.ValidationError as error:  # the settings, read from COORDINATION_* variables
            first = error.errors()[0]
            where = "COORDINATION_" + "_".join(str(part) for part in first["loc"][:1]).upper()
            message = f"{where} is not valid: {first['msg']}"
        except (TyperException, typer.Exit, typer.Abort):
            raise  # usage errors (exit 2), exits asked for, Ctrl-C
        except BrokenPipeError:
            _reader_gone()
        except Exception as error:  # a bug, or something the code did not foresee: never a traceback here
            message = _internal_error(error, ctx)
        typer.echo(f"error: {message}", err=True)
        ctx.exit(1)


def worded(error: CoordinationError) -> str:
    """A refusal in the command line's words, from the facts it carries: the option that names
    the input refused, the command that helps (the web words the same refusals with its forms'
    labels, coordination/web/errors.py)."""
    if isinstance(error, InvalidInput) and error.field == "letter" and error.choices:
        return f"name the letter with --letter (one of: {', '.join(error.choices)})"
    if error.field == "from_version" and "to_version" in error.facts:
        return f"--from ({error.value}) must not be after --to ({error.facts['to_version']})"
    if error.field == "user" and isinstance(error, NotFound):
        return f"{error} (add it with `coordination user add`)"
    if error.field == "user" and error.facts.get("disabled"):
        return f"{error} (`coordination user enable` lets them act again)"
    if error.field == "due_within":
        return f"--due-within takes a number of days from 0 to {error.facts['max_days']}, not {error.value!r}"
    if isinstance(error, InvalidInput) and error.choices and error.field in LIST_FLAGS:
        return f"--{error.field} {error.value!r} is not one of: {', '.join(error.choices)}"
    if error.field == "mandates" and "vacant" in error.facts:
        return (f"no holder of {', '.join(error.facts['vacant'])} on {error.facts['on']}: the letter cannot go to its "
                f"gate until an admin enters one (`coordination signatory set --mandate {error.facts['vacant'][0]} "
                f"--name … --gender f|m --from …`)")
    if error.field == "audit_head":
        return f"{error}: run `coordination audit verify`"
    if error.field == "recipient" and isinstance(error, NotFound):
        return f"{error} (see `coordination recipient list --country {error.facts.get('country', '')}`)"
    if error.field == "recipients" and "country" in error.facts:
        return f"{error} (add one with `coordination recipient add {error.facts['country']} --kind ... --email ...`)"
    return str(error)


def _data_dir() -> Path:
    from .config import Settings, default_data_dir

    for settings in (lambda: _app().settings, Settings):
        try:
            return settings().data_dir
        except Exception:  # no app (no database, say), or the settings themselves are broken
            continue
    return default_data_dir()


def _internal_error(error: BaseException, ctx: typer.Context | None = None) -> str:
    """One line for the terminal; the traceback goes to the data directory's errors.log."""
    command = (ctx.find_root().invoked_subcommand or "") if ctx is not None else ""
    try:
        from .adapters.keys import log_error

        path = log_error(_data_dir(), error, f"coordination {command}".strip())
    except OSError as log_failure:
        return f"internal error ({type(error).__name__}); it could not be logged: {log_failure.strerror}"
    return f"internal error ({type(error).__name__}); details in {path}"


app = typer.Typer(cls=_RefusingGroup, help="Joint actions of OHCHR and the IACHR to protect human rights defenders.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
user_app = typer.Typer(help="People who act in the system.", no_args_is_help=True)
recipient_app = typer.Typer(help="The address book of State recipients.", no_args_is_help=True)
action_app = typer.Typer(help="Joint actions and their stages.", no_args_is_help=True)
letter_app = typer.Typer(help="Letters drafted for a joint action.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
outbox_app = typer.Typer(help="Outgoing mail and its delivery.", no_args_is_help=True)
deadline_app = typer.Typer(help="Deadlines: what is due, extensions and cancellations.", no_args_is_help=True)
reminders_app = typer.Typer(help="Reminders of deadlines, by email.", no_args_is_help=True)
calendar_app = typer.Typer(help="Deadlines as a calendar to subscribe to.", no_args_is_help=True)
signatory_app = typer.Typer(help="Who holds each mandate, and so signs letters: terms by date.", no_args_is_help=True)
mandate_app = typer.Typer(help="The mandates whose holders sign letters.", no_args_is_help=True)
for sub, name in ((user_app, "user"), (recipient_app, "recipient"), (mandate_app, "mandate"),
                  (signatory_app, "signatory"),
                  (action_app, "action"),
                  (letter_app, "letter"), (outbox_app, "outbox"), (deadline_app, "deadline"),
                  (reminders_app, "reminders"), (calendar_app, "calendar"), (audit_app, "audit")):
    app.add_typer(sub, name=name)


As = Annotated[str, typer.Option("--as", help="Email of the user acting.")]
Seen = Annotated[list[str] | None, typer.Option(
    "--seen", metavar="SHA",
    help="The sha256 (or its first 12 characters, as `action show` and `letter show` print it) of each letter "
         "as you read it; repeat it for each letter. Refused if a letter changed since.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@cache
def _app() -> "App":
    from .bootstrap import bootstrap, require_database
    from .config import Settings

    settings = Settings()
    context = _invoked.get()
    command = context.invoked_subcommand if context is not None else None
    if command not in CREATES_THE_DATABASE:
        require_database(settings)
    return bootstrap(settings, announce=typer.echo)


def _finite_days(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_DAYS):
        raise typer.BadParameter(f"{value} is not a number of days from 0 to {MAX_DAYS}")
    return value


def _port(low: int = 1):  # type: ignore[no-untyped-def]
    return {"min": low, "max": 65535}


Force = Annotated[bool, typer.Option("--force", help="Overwrite the --output file if it exists.")]


def _write_output(output: Path, data: bytes, *, force: bool) -> None:
    """Write a command's output to a file of the user's: never over an existing one without
    --force, and never into the data directory (the database, its keys), --force or not."""
    settings = _app().settings
    target = Path(os.path.realpath(output))
    protected = [Path(os.path.realpath(settings.data_dir))]
    from .adapters.database import sqlite_path

    database = sqlite_path(settings.effective_database_url)
    if database is not None:
        real = Path(os.path.realpath(database))
        protected += [real.with_name(real.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    for place in protected:
        if target == place or place in target.parents:
            raise InvalidInput(f"will not write {output}: it is in the data directory or the database "
                               f"({place}); choose a file elsewhere")
    if output.exists() and not force:
        raise InvalidInput(f"{output} exists: give --force to overwrite it")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(output, flags, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except FileExistsError:
        raise InvalidInput(f"{output} exists: give --force to overwrite it") from None
    except OSError as error:
        raise InvalidInput(f"cannot write {output}: {error.strerror}") from None


def _print_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    for row in [headers, *rows]:
        typer.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# ---------------------------------------------------------------- init, users, recipients

@app.command()
def init() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    before, after = _app().services.initialise_database()
    url = _app().engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"Database {url} is up to date (revision {after}).")
    else:
        typer.echo(f"Database {url} migrated from {before or 'empty'} to revision {after}.")


@user_app.command("add")
def user_add(
    email: str,
    name: Annotated[str, typer.Option(help="Full name.")],
    org: Annotated[Organisation, typer.Option(help="Organisation.")],
    role: Annotated[Role, typer.Option(help="Role.")],
) -> None:
    """Add a user."""
    user = _app().services.add_user(email=email, name=name, organisation=org.value, role=role.value)
    typer.echo(f"Added {user.describe()}.")


@user_app.command("list")
def user_list(as_json: Json = False) -> None:
    """List users."""
    users = _app().services.list_users()
    if as_json:
        _print_json([{"email": u.email, "name": u.name, "organisation": u.organisation.value, "role": u.role.value,
                      "disabled": u.disabled} for u in users])
        return
    _table([[u.email, u.name, u.organisation.label, u.role.value, "disabled" if u.disabled else "active"]
            for u in users], ["EMAIL", "NAME", "ORG", "ROLE", "STATUS"])


@user_app.command("disable")
def user_disable(email: str) -> None:
    """Disable a user: no sign-in, no action, no reminders; their sessions end."""
    user, changed = _app().services.disable_user(email=email)
    typer.echo(f"Disabled {user.email}; their sessions are ended." if changed
               else f"{user.email} is already disabled; nothing changed.")


@user_app.command("enable")
def user_enable(email: str) -> None:
    """Let a disabled user sign in and act again."""
    user, changed = _app().services.enable_user(email=email)
    typer.echo(f"Enabled {user.describe()}." if changed else f"{user.email} is not disabled; nothing changed.")


@user_app.command("set-role")
def user_set_role(
    email: str, role: Annotated[Role, typer.Argument(metavar="ROLE", help="officer, supervisor or admin.")],
) -> None:
    """Give a user another role; their sessions end."""
    user, changed = _app().services.set_role(email=email, role=role.value)
    typer.echo(f"{user.describe()} now; their sessions are ended." if changed
               else f"{user.email} is already {role.value}; nothing changed.")


@user_app.command("sign-out-everywhere")
def user_sign_out_everywhere(email: str) -> None:
    """End every web session of a user (a lost laptop, a shared computer)."""
    ended = _app().services.sign_out_everywhere(email=email)
    typer.echo(f"Ended {ended} session(s) of {email.strip().lower()}.")


@user_app.command("renew-calendar")
def user_renew_calendar(email: str) -> None:
    """Give a user a new calendar address; the old one answers 404 from now on. Prints the new one."""
    address = _app().services.renew_calendar(email=email)
    typer.echo(f"New calendar address of {email.strip().lower()} (give it to them only): {address}")


OFFICE_HELP = ("Who heads it, for the letters' form of address: minister (a ministry), ambassador, "
               "permanent-representative or charge-d-affaires (a mission); none: the institution is addressed.")
GENDER_HELP = "The grammatical gender of the office's title: f or m (with --office)."


def _office(value: str | None) -> str | None:
    """`--office none` clears the office (the letters then address the institution itself)."""
    return "" if value is not None and value.strip().lower() == "none" else value


def _addressed(r: Recipient) -> str:
    return f", addressed as {r.office.value} ({r.gender.value})" if r.office and r.gender else ""


@recipient_app.command("add")
def recipient_add(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code.")],
    kind: Annotated[RecipientKind, typer.Option(help="Which office of the State.")],
    email: Annotated[str, typer.Option(help="Its email address.")],
    name: Annotated[str | None, typer.Option(help="Its name, for the address line.")] = None,
    office: Annotated[str | None, typer.Option(help=OFFICE_HELP)] = None,
    gender: Annotated[str | None, typer.Option(help=GENDER_HELP)] = None,
) -> None:
    """Add a State recipient to the address book."""
    r = _app().services.add_recipient(country=iso3, kind=kind.value, email=email, name=name, office=_office(office),
                                      gender=gender)
    typer.echo(f"Added {r.kind.value} of {r.country}: {r.email}{_addressed(r)}.")


@recipient_app.command("edit")
def recipient_edit(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code.")],
    kind: Annotated[RecipientKind, typer.Option(help="Which office of the State, as it is now.")],
    email: Annotated[str, typer.Option(help="Its email address, as it is now.")],
    new_kind: Annotated[RecipientKind | None, typer.Option(help="Its new kind.")] = None,
    new_email: Annotated[str | None, typer.Option(help="Its new email address.")] = None,
    name: Annotated[str | None, typer.Option(help='Its new name ("" clears it).')] = None,
    office: Annotated[str | None, typer.Option(help=OFFICE_HELP)] = None,
    gender: Annotated[str | None, typer.Option(help=GENDER_HELP)] = None,
) -> None:
    """Change a recipient of the address book; what is not given stays. Letters already sent keep
    the address and the form of address they went with."""
    r = _app().services.edit_recipient(country=iso3, kind=kind.value, email=email,
                                       new_kind=new_kind.value if new_kind else None, new_email=new_email,
                                       name=name, office=_office(office), gender=gender)
    typer.echo(f"Saved {r.kind.value} of {r.country}: {r.email}{_addressed(r)}.")


@user_app.command("set-organisation")
def user_set_organisation(
    email: str, org: Annotated[Organisation, typer.Argument(metavar="ORG", help="ohchr or iachr.")],
) -> None:
    """Move a user to the other organisation; their sessions end."""
    user, changed = _app().services.set_organisation(email=email, organisation=org.value)
    typer.echo(f"{user.describe()} now; their sessions are ended." if changed
               else f"{user.email} is already of {org.label}; nothing changed.")


@user_app.command("send-password-link")
def user_send_password_link(email: str) -> None:
    """Email a user a one-time link to set their password (valid 48 hours; a newer link spends older ones).
    The mail is queued in the outbox; `coordination outbox send` (or `serve`) sends it."""
    sent = _app().services.send_password_link(email=email)
    typer.echo(f"Queued a password-set link for {sent.user.email}, valid until "
               f"{sent.expires_at.strftime('%Y-%m-%d %H:%M')} UTC ({sent.message_id}).")


@recipient_app.command("list")
def recipient_list(
    country: Annotated[str | None, typer.Option(metavar="ISO3", help="Only this State's recipients.")] = None,
    as_json: Json = False,
) -> None:
    """List the address book (recipients removed are not in it)."""
    found = _app().services.list_recipients(country=country)
    if as_json:
        _print_json([{"country": r.country, "kind": r.kind.value, "email": r.email, "name": r.name,
                      "office": r.office.value if r.office else None, "gender": r.gender.value if r.gender else None}
                     for r in found])
        return
    _table([[r.country, r.kind.value, r.email, r.name or "", r.office.value if r.office else "",
             r.gender.value if r.gender else ""] for r in found],
           ["COUNTRY", "KIND", "EMAIL", "NAME", "OFFICE", "GENDER"])


@recipient_app.command("remove")
def recipient_remove(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code.")],
    kind: Annotated[RecipientKind, typer.Option(help="Which office of the State.")],
    email: Annotated[str, typer.Option(help="Its email address.")],
) -> None:
    """Remove a State recipient from the address book: later dispatches leave it out; letters sent
    before keep the address they went to."""
    r = _app().services.remove_recipient(country=iso3, kind=kind.value, email=email)
    typer.echo(f"Removed {r.kind.value} of {r.country}: {r.email}.")


def _mandate_json(m: Any) -> dict[str, Any]:
    return {"code": m.code, "organisation": m.organisation.value, "resolution": m.resolution, "source": m.source,
            "verified": m.verified, "titles": {lang: dict(by_gender) for lang, by_gender in m.titles.items()}}


@mandate_app.command("list")
def mandate_list(as_json: Json = False) -> None:
    """List the mandates whose holders sign letters, with their resolutions and sources."""
    found = _app().services.list_mandates()
    if as_json:
        _print_json([_mandate_json(m) for m in found])
        return
    _table([[m.code, m.organisation.label, m.resolution or "", "yes" if m.verified else "no", m.title("en", "m")]
            for m in found], ["CODE", "ORG", "RESOLUTION", "VERIFIED", "TITLE"])


@mandate_app.command("set")
def mandate_set(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The mandate (see `mandate list`).")],
    resolution: Annotated[str | None, typer.Option(help="The resolution of its last renewal, e.g. 52/4 (\"\" clears it).")] = None,
    source: Annotated[str | None, typer.Option(help="Where its title and resolution come from (a URL).")] = None,
    verified: Annotated[bool | None, typer.Option("--verified/--unverified",
                                                  help="Checked against its source (or not).")] = None,
    title: Annotated[list[str] | None, typer.Option(
        "--title", metavar="LANG:GENDER=TEXT",
        help="A title in a letter language (en, es, fr, pt) for a holder's gender (f, m); repeat for more.")] = None,
) -> None:
    """Correct a mandate: titles, resolution, source, verified. Letters already bound keep theirs."""
    titles: dict[str, str] = {}
    for item in title or []:
        key, sep, value = item.partition("=")
        if not sep or ":" not in key:
            raise InvalidInput(f"--title {item!r}: write LANG:GENDER=TEXT, e.g. es:f=Relatora Especial sobre …",
                               field="title", value=item)
        titles[key.strip().lower()] = value
    m = _app().services.set_mandate(code=code, resolution=resolution, source=source, verified=verified,
                                    titles=titles)
    typer.echo(f"{m.code}: resolution {m.resolution or '-'}, {'verified' if m.verified else 'not verified'}, "
               f"{m.source}.")


def _holder_json(h: Any) -> dict[str, Any]:
    return {"id": h.id, "mandate": h.mandate, "name": h.name, "gender": h.gender.value,
            "from": h.starts_on.isoformat(), "until": h.ends_on.isoformat() if h.ends_on else None}


@signatory_app.command("set")
def signatory_set(
    mandate: Annotated[str, typer.Option(help="The mandate (see `mandate list`).")],
    name: Annotated[str, typer.Option(help="The holder's full name, as letters print it.")],
    gender: Annotated[str, typer.Option(help="Grammatical gender of their title: f or m.")],
    starts_on: Annotated[str, typer.Option("--from", metavar="DATE", help="First day of the term (YYYY-MM-DD).")],
    ends_on: Annotated[str | None, typer.Option("--until", metavar="DATE",
                                                help="Last day of the term (YYYY-MM-DD); open if not given.")] = None,
) -> None:
    """Add a term: who holds a mandate, from and until when. Overlapping another term is refused."""
    h = _app().services.set_signatory(mandate=mandate, name=name, gender=gender, starts_on=starts_on,
                                      ends_on=ends_on)
    typer.echo(f"{h.name} holds {h.mandate} from {h.starts_on}" + (f" to {h.ends_on}." if h.ends_on else "."))


@signatory_app.command("end")
def signatory_end(
    mandate: Annotated[str, typer.Option(help="The mandate (see `mandate list`).")],
    on: Annotated[str, typer.Option(metavar="DATE", help="The last day of the term (YYYY-MM-DD).")],
) -> None:
    """End the term holding a mandate on a day: its holder signs letters until that day."""
    h = _app().services.end_signatory(mandate=mandate, on=on)
    typer.echo(f"{h.name}'s term of {h.mandate} ends on {h.ends_on}.")


@signatory_app.command("list")
def signatory_list(
    mandate: Annotated[str | None, typer.Option(help="Only this mandate's terms.")] = None,
    on: Annotated[str | None, typer.Option(metavar="DATE", help="Only the terms holding on this day.")] = None,
    as_json: Json = False,
) -> None:
    """List the holders' terms of the mandates."""
    found = _app().services.list_signatories(mandate=mandate, on=on)
    if as_json:
        _print_json([_holder_json(h) for h in found])
        return
    _table([[h.mandate, h.name, h.gender.value, h.starts_on.isoformat(), h.ends_on.isoformat() if h.ends_on else ""]
            for h in found], ["MANDATE", "NAME", "GENDER", "FROM", "UNTIL"])


# ---------------------------------------------------------------- actions

@action_app.command("open")
def action_open(
    type: Annotated[ActionType, typer.Argument(help="The kind of joint action.")],
    country: Annotated[str, typer.Option(help="The State's ISO 3166-1 alpha-3 code.")],
    title: Annotated[str, typer.Option(help="A short internal title.")],
    as_: As,
    language: Annotated[Language | None, typer.Option(help="Letter language (default: the State's).")] = None,
    beneficiary: Annotated[list[str] | None, typer.Option(help="A beneficiary's name (repeat for several).")] = None,
) -> None:
    """Open a joint action; prints its JAM reference last."""
    action = _app().services.open_action(type=type.value, country=country, title=title, officer=as_,
                                  language=language.value if language else None, beneficiaries=beneficiary or [])
    typer.echo(f"Opened {action.definition.title.lower()} for {action.country} in {action.language}, "
               f"at stage {action.stage} ({action.status.value}).")
    typer.echo(action.reference)


@action_app.command("list")
def action_list(
    status: Annotated[str | None, typer.Option(help="Only actions with this status.")] = None,
    type: Annotated[str | None, typer.Option(help="Only actions of this type.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only actions at this stage.")] = None,
    country: Annotated[str | None, typer.Option(help="Only actions addressed to this State (ISO alpha-3 code).")] = None,
    search: Annotated[str | None, typer.Option(
        help="Text found in a reference, the State's code or name, a beneficiary, the title or a letter's "
             "current fields (any case).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PER_PAGE, help="Actions per page.")] = PER_PAGE,
    page: Annotated[int, typer.Option(min=1, max=10**6, help="Which page of --limit actions.")] = 1,
    as_json: Json = False,
) -> None:
    """List joint actions, oldest first, a page at a time; the filters combine."""
    found = _app().services.list_actions(status=status, type=type, stage=stage, country=country, search=search,
                                         page=page, per_page=limit)
    if as_json:
        _print_json(found.rows)
        return
    _table([[r["reference"], " / ".join(r["references"][1:]) or "-", r["type"], r["country"], r["stage"],
             r["shown_status"]]
            for r in found.rows], ["REFERENCE", "OTHER REFERENCES", "TYPE", "STATE", "STAGE", "STATUS"])
    first = (found.page - 1) * found.per_page
    shown = f"{first + 1}-{first + len(found.rows)} of " if found.rows else "none of "
    more = f"; --page {found.page + 1} for more" if found.page < found.pages else ""
    typer.echo(f"{shown}{found.total} action{'s' if found.total != 1 else ''} (page {found.page} of {found.pages}){more}")


@action_app.command("show")
def action_show(ref: Annotated[str, typer.Argument(metavar="REF")], as_json: Json = False) -> None:
    """Show a joint action: stage, letters, approvals, deadlines, history."""
    view = _app().services.get_action(ref)
    if as_json:
        _print_json(view)
        return
    typer.echo(f"{view['reference']}  {view['type']}  {view['country']} ({view['language']})  — {view['title']}")
    typer.echo(f"References: {', '.join(view['references'])}")
    typer.echo(f"Stage: {view['stage']}  Status: {view['shown_status']}  Round: {view['round']}")
    if view["closure_reason"]:
        typer.echo(f"{'Withdrawn' if view['status'] == 'withdrawn' else 'Closed'}: {view['closure_reason']}")
    steps = view["automatic_steps"]
    if steps["stopped"]:
        typer.echo(f"Automatic steps STOPPED since {steps['stopped_at']} after {steps['reruns']} rerun(s): "
                   f"{steps['failure']}\n  What to do: {steps['what_to_do']}")
    elif steps["retry_at"]:
        typer.echo(f"Automatic steps failed: {steps['failure']}\n  Rerun {steps['reruns'] + 1} at {steps['retry_at']}")
    if view["beneficiaries"]:
        typer.echo(f"Beneficiaries: {', '.join(view['beneficiaries'])}")
    typer.echo("\nLetters:")
    for l in view["letters"]:
        unset = [k for k, v in l["fields"].items() if v is None]
        typer.echo(f"  {l['name']} v{l['version']} {l['status']} sha256:{l['sha256'][:12]}"
                   + (f"  unset: {', '.join(unset)}" if unset else ""))
    typer.echo("\nApprovals:")
    for a in view["approvals"] or []:
        typer.echo(f"  {a['stage']} round {a['round']}: {a['organisation'].upper()} {a['approver']} {a['decision']}"
                   + (" (void)" if a["void"] else "") + (f" — {a['comment']}" if a["comment"] else ""))
    typer.echo("\nDeadlines:")
    for d in view["deadlines"]:
        org = f" {d['organisation'].upper()}" if d["organisation"] else ""
        typer.echo(f"  {d['kind']}{org} due {d['due_at']} {d['status']}")
    if view["links"]:
        typer.echo("\nLinks:")
        for k in view["links"]:
            relation = "followed up by" if k["inverse"] and k["relation"] == "follows_up" else \
                k["relation"].replace("_", " ")
            typer.echo(f"  {relation} {k['other']}" + (f" — {k['note']}" if k["note"] else ""))
    if view["outbox"]:
        typer.echo("\nOutbox:")
        for o in view["outbox"]:
            error = f" — {o['last_error']}" if o["last_error"] else ""
            typer.echo(f"  {o['letter']} v{o['version']} → {o['recipient']} ({o['recipient_kind']}) "
                       f"{o['status'].upper() if o['status'] == 'failed' else o['status']}{error}")
    typer.echo("\nHistory:")
    for e in view["history"]:
        typer.echo(f"  #{e['id']} {e['at']} {e['actor']} {e['event']}")


@action_app.command("submit")
def action_submit(ref: Annotated[str, typer.Argument(metavar="REF")], as_: As) -> None:
    """Submit the current work step."""
    action = _app().services.submit_stage(reference=ref, officer=as_)
    typer.echo(f"{action.reference} is now at stage {action.stage} ({action.status.value}).")


@action_app.command("approve")
def action_approve(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    comment: Annotated[str | None, typer.Option(help="An optional comment.")] = None,
    seen: Seen = None,
) -> None:
    """Approve the gate for your organisation (on the letters you saw, with --seen)."""
    decided = _app().services.approve_stage(reference=ref, supervisor=as_, comment=comment, seen=seen or None)
    action, met = decided.action, decided.gate_met
    if met:
        assigned = f" Its reference: {', '.join(decided.assigned)}." if decided.assigned else ""
        typer.echo(f"Gate met. {action.reference} is now at stage {action.stage} ({action.status.value}).{assigned}")
    else:
        typer.echo(f"Approval recorded; {action.reference} still awaits the other organisation's approval.")


@action_app.command("reject")
def action_reject(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    comment: Annotated[str, typer.Option(help="What must change (required).")],
    seen: Seen = None,
) -> None:
    """Reject the gate: the action returns to its work step with your comment."""
    action = _app().services.reject_stage(reference=ref, supervisor=as_, comment=comment, seen=seen or None)
    typer.echo(f"Rejected. {action.reference} is back at stage {action.stage} (round {action.round}).")


@action_app.command("skip")
def action_skip(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    reason: Annotated[str, typer.Option(help="Why the stage is skipped (recorded).")],
) -> None:
    """Skip an optional stage, with a recorded justification."""
    action = _app().services.skip_stage(reference=ref, officer=as_, reason=reason)
    typer.echo(f"Skipped. {action.reference} is now at stage {action.stage} ({action.status.value}).")


@action_app.command("record-reply")
def action_record_reply(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    received_on: Annotated[str, typer.Option(help="Date the reply was received (YYYY-MM-DD).")],
    acknowledgement_only: Annotated[bool, typer.Option(help="The reply only acknowledges receipt ((A)).")] = False,
) -> None:
    """Record the State's reply."""
    received = parse_date("--received-on", received_on)
    action = _app().services.record_reply(reference=ref, officer=as_, received_on=received,
                                   acknowledgement_only=acknowledgement_only)
    typer.echo(f"Reply recorded. {action.reference} is now at stage {action.stage} ({action.status.value}).")


@action_app.command("withdraw")
def action_withdraw(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    reason: Annotated[str, typer.Option(help="Why the action is withdrawn (recorded).")],
) -> None:
    """Withdraw an action before any letter went out: its deadlines are cancelled, nothing is sent."""
    action = _app().services.withdraw_action(reference=ref, as_=as_, reason=reason)
    typer.echo(f"Withdrawn. {action.reference} stays at stage {action.stage} ({action.status.value}).")


@action_app.command("close")
def action_close(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    outcome: Annotated[Outcome, typer.Option(help="How it ended.")],
    reason: Annotated[str, typer.Option(help="Why it is closed (recorded).")],
) -> None:
    """Close an action by hand after dispatch (supervisors): deadlines and unsent letters are cancelled."""
    action = _app().services.close_action(reference=ref, as_=as_, outcome=outcome.value, reason=reason)
    typer.echo(f"Closed ({outcome.value}). {action.reference} stays at stage {action.stage}.")


@action_app.command("reopen")
def action_reopen(
    ref: Annotated[str, typer.Argument(metavar="REF")], as_: As,
    reason: Annotated[str, typer.Option(help="Why it is reopened (recorded).")],
) -> None:
    """Reopen an action withdrawn or closed by hand (supervisors), at the stage it was."""
    action = _app().services.reopen_action(reference=ref, as_=as_, reason=reason)
    typer.echo(f"Reopened. {action.reference} is at stage {action.stage} ({action.status.value}).")


@action_app.command("link")
def action_link(
    ref: Annotated[str, typer.Argument(metavar="REF")],
    other: Annotated[str, typer.Argument(metavar="OTHER", help="The other action's reference.")], as_: As,
    relation: Annotated[LinkRelation, typer.Option(help="How they are related (follows_up: REF follows OTHER up).")],
    note: Annotated[str | None, typer.Option(help="An optional note.")] = None,
) -> None:
    """Link two actions; the link shows on both."""
    action = _app().services.link_actions(reference=ref, other=other, relation=relation.value, as_=as_, note=note)
    typer.echo(f"Linked {action.reference} and {action.links[-1].other} ({relation.value}).")


@action_app.command("advance")
def action_advance(ref: Annotated[str, typer.Argument(metavar="REF")]) -> None:
    """Run the automatic steps (dispatch, deadlines) up to the next wait."""
    result = _app().services.advance_action(reference=ref)
    action = result.action
    sent = f", {result.messages} message(s) queued in the outbox" if result.messages else ""
    typer.echo(f"{action.reference} is at stage {action.stage} ({action.status.value}){sent}.")


# ---------------------------------------------------------------- letters

@letter_app.command("set")
def letter_set(
    ref: Annotated[str, typer.Argument(metavar="REF")],
    as_: As,
    field: Annotated[str | None, typer.Argument(metavar="[FIELD]")] = None,
    text: Annotated[str | None, typer.Option(help="The field's text.")] = None,
    file: Annotated[list[str] | None, typer.Option(
        "--file", metavar="PATH|NAME=PATH",
        help="Read the FIELD's text from a file ('-': stdin); without FIELD, NAME=PATH reads field NAME's text "
             "(repeatable, with --field: one version; '-' once).")] = None,
    fields: Annotated[list[str] | None, typer.Option(
        "--field", metavar="NAME=VALUE", help="Set several fields at once, in one version (repeatable).")] = None,
    letter: Annotated[str | None, typer.Option(help="Which letter (when the stage has several).")] = None,
) -> None:
    """Set a letter field (FIELD with --text or --file), or several with --field NAME=VALUE and
    --file NAME=PATH: one new version of the letter, so that a draft is one command."""
    if fields or (file and field is None):
        if field is not None or text is not None:
            raise InvalidInput("give either FIELD with --text or --file, or --field NAME=VALUE, not both")
        _set_fields(ref, fields or [], file or [], as_, letter)
        return
    if field is None:
        raise InvalidInput("name the field (FIELD with --text or --file), or give --field NAME=VALUE")
    if (text is None) == (not file) or len(file or []) > 1:
        raise InvalidInput("give the field's value with exactly one of --text or --file")
    if file:
        text = _read_text(file[0])
    _said(_app().services.edit_letter(reference=ref, field=field, value=text, editor=as_, letter=letter))


def _read_text(path: str) -> str:
    """A field's text from a file or ('-') standard input; a little more than the longest text
    allowed is read, enough for the service to refuse one that is too long."""
    limit = _app().settings.max_field_chars + 1
    try:
        if path == "-":
            return sys.stdin.read(limit)
        with open(path, encoding="utf-8") as stream:
            return stream.read(limit)
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _set_fields(ref: str, fields: list[str], files: list[str], editor: str, letter: str | None) -> None:
    """`letter set --field NAME=VALUE … --file NAME=PATH …`: every field in one version, as the
    web's letter form. Every file is read before anything is written: a refusal writes nothing."""
    given: list[tuple[str, str, str]] = [("--field", *_named(option, "--field", "NAME=VALUE")) for option in fields]
    given += [("--file", *_named(option, "--file", "NAME=PATH")) for option in files]
    if sum(1 for option, _, value in given if option == "--file" and value == "-") > 1:
        raise InvalidInput("--file reads standard input ('-') once: give it to one field only")
    values: dict[str, str] = {}
    for option, name, value in given:
        if name in values:
            raise InvalidInput(f"{option} {name} is given twice")
        values[name] = _read_text(value) if option == "--file" else value
    edited = _app().services.edit_letter_fields(reference=ref, letter=letter, values=values, editor=editor)
    if edited is None:
        typer.echo("Nothing changed: no new version.")
    else:
        _said(edited)


def _named(given: str, option: str, form: str) -> tuple[str, str]:
    """NAME and the rest of NAME=…, split at the first '=' (a NAME holding a '/' is a path given alone)."""
    name, equals, value = given.partition("=")
    if not equals or not name.strip() or "/" in name:
        raise InvalidInput(f"{option} takes {form}, not {given!r}")
    return name.strip(), value


def _said(edited: "Edited") -> None:
    typer.echo(f"{edited.letter.name} is now version {edited.letter.current.version} "
               f"(sha256 {edited.letter.current.sha256[:12]}).")
    if edited.voided:
        typer.echo(f"This edit voided the approval of {', '.join(edited.voided)}: the stage must be approved again.")


@letter_app.command("show")
def letter_show(
    ref: Annotated[str, typer.Argument(metavar="REF")],
    letter: Annotated[str | None, typer.Option(help="Which letter (default: the current stage's).")] = None,
    language: Annotated[Language | None, typer.Option(help="Preview in another language.")] = None,
    format: Annotated[LetterFormat, typer.Option("--format", help="Output format.")] = LetterFormat.TXT,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
    force: Force = False,
) -> None:
    """Render a letter: a draft as it stands, a dispatched letter exactly as it was sent."""
    if format is LetterFormat.PDF and output is None and sys.stdout.isatty():
        raise InvalidInput("a PDF is binary: give --output FILE (or redirect standard output)")
    document = _app().services.render_letter(reference=ref, letter=letter, fmt=format.value,
                                      language=language.value if language else None)
    data = document.content.encode("utf-8") if isinstance(document.content, str) else document.content
    current = document.letter.current
    state = "as dispatched" if document.frozen else f"{document.letter.status.value} v{current.version}"
    version = f"{document.letter.name} ({state}, sha256 {current.sha256[:12]})"
    if output is not None:
        _write_output(output, data, force=force)
        typer.echo(f"Wrote {version} in {document.language} as {format.value} to {output}.")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        if sys.stdout.isatty():  # for the reader: the version to name with `action approve --seen`
            typer.echo(version, err=True)


@letter_app.command("diff")
def letter_diff(
    ref: Annotated[str, typer.Argument(metavar="REF")],
    letter: Annotated[str, typer.Option(help="Which letter.")],
    from_: Annotated[int | None, typer.Option("--from", help="Older version (default: the one before --to).")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Newer version (default: the current one).")] = None,
) -> None:
    """Show what changed in a letter between two versions, field by field."""
    chosen, old, new, changes = _app().services.diff_letter(reference=ref, letter=letter,
                                                     from_version=from_, to_version=to)
    if not changes:
        typer.echo(f"{chosen.name}: no change between v{old} and v{new}.")
    for change in changes:
        typer.echo("\n".join(change.diff))


# ---------------------------------------------------------------- outbox

@outbox_app.command("send")
def outbox_send(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many messages in this run.")] = 200,
    deferred: Annotated[bool, typer.Option(
        "--deferred", help="Also the deferred messages, now, without waiting out their retry delay "
                           "(after a mail server outage).")] = False,
) -> None:
    """Deliver the messages that are due over SMTP, each on its own: one that fails does not stop the others.

    Prints how many were sent, deferred (tried again later) and failed (for good, shown on the
    action and reported to its officer), then one line per message not sent; exit 1 if any
    was deferred or failed."""
    import asyncio  # imported by the commands that send mail alone

    report = asyncio.run(_app().services.send_outbox(limit=limit, deferred=deferred))
    typer.echo(f"Sent {report.sent}, deferred {report.deferred}, failed {report.failed}.")
    for error in report.errors:
        typer.echo(f"  {error}", err=True)
    if report.deferred or report.failed:
        raise typer.Exit(1)


@outbox_app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(help="Only rows in this state (pending, sending, sent, failed, cancelled).")] = None,
    as_json: Json = False,
) -> None:
    """List outbox rows and their states."""
    rows = _app().services.list_outbox(status=status)
    if as_json:
        _print_json(rows)
        return
    _table([[r["reference"] or "-", f"{r['letter']} v{r['version']}" if r["version"] else r["letter"], r["recipient"],
             r["status"], str(r["attempts"]), r["last_error"] or ""] for r in rows],
           ["REFERENCE", "MESSAGE", "RECIPIENT", "STATUS", "TRIES", "LAST ERROR"])


# ---------------------------------------------------------------- deadlines, reminders, calendar

def _deliver_now() -> None:
    """Send what the outbox holds, if an SMTP server is configured; exit 1 if some had to wait or failed."""
    if not _app().settings.smtp_host:
        from .adapters.scheduling import PrefectScheduler

        if isinstance(_app().scheduler, PrefectScheduler):
            typer.echo("The outbox-sender flow delivers them (every minute under `coordination serve`).")
        else:
            typer.echo("No SMTP server is configured: `coordination outbox send` delivers them once one is.")
        return
    import asyncio

    report = asyncio.run(_app().services.send_outbox())
    typer.echo(f"Outbox: sent {report.sent}, deferred {report.deferred}, failed {report.failed}.")
    for error in report.errors:
        typer.echo(f"  {error}", err=True)
    if report.deferred or report.failed:
        raise typer.Exit(1)  # the reminders are queued all the same: the outbox sender retries them


def _when(value: str) -> datetime:
    return parse_time("--now", value)


def _in_words(seconds: int) -> str:
    hours = abs(seconds) // 3600
    span = f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h {abs(seconds) % 3600 // 60}m"
    return f"overdue {span}" if seconds <= 0 else f"in {span}"


@deadline_app.command("list")
def deadline_list(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only deadlines already past.")] = False,
    due_within: Annotated[float | None, typer.Option(
        callback=_finite_days, help=f"Only deadlines due within this many days (0 to {MAX_DAYS}).")] = None,
    as_json: Json = False,
) -> None:
    """Open deadlines, most urgent first."""
    rows = _app().services.list_deadlines(overdue=overdue, due_within=due_within)
    if as_json:
        _print_json(rows)
        return
    if not rows:
        typer.echo("No open deadlines" + (" overdue." if overdue else " in that window." if due_within else "."))
        return
    _table([[r["reference"], r["kind"], (r["organisation"] or "").upper(), r["stage"], r["due_at"],
             _in_words(r["seconds_left"])] for r in rows],
           ["REFERENCE", "KIND", "OWED BY", "STAGE", "DUE (UTC)", "WHEN"])


Kind = Annotated[str, typer.Argument(metavar="KIND", help="approval_sla, state_reply, publication or review.")]
Reason = Annotated[str, typer.Option(help="Why (kept in the audit trail).")]
Org = Annotated[str | None, typer.Option("--org", help="Only the deadline owed by this organisation (approval_sla).")]


@deadline_app.command("extend")
def deadline_extend(
    ref: Annotated[str, typer.Argument(metavar="REF")], kind: Kind,
    to: Annotated[str, typer.Option(help="New due date (YYYY-MM-DD, at the same local time) or ISO time.")],
    reason: Reason, actor: As, org: Org = None,
) -> None:
    """Move an open deadline later, with the reason; reminders start again for the new date."""
    for d in _app().services.extend_deadline(reference=ref, kind=kind, to=to, reason=reason, actor=actor,
                                      organisation=org):
        owed = f" ({d['organisation'].upper()})" if d["organisation"] else ""
        typer.echo(f"{d['reference']}: {d['kind']}{owed} now due {d['due_at']}.")


@deadline_app.command("cancel")
def deadline_cancel(
    ref: Annotated[str, typer.Argument(metavar="REF")], kind: Kind, reason: Reason, actor: As, org: Org = None,
) -> None:
    """Cancel an open deadline, with the reason: no more reminders for it."""
    for d in _app().services.cancel_deadline(reference=ref, kind=kind, reason=reason, actor=actor,
                                      organisation=org):
        owed = f" ({d['organisation'].upper()})" if d["organisation"] else ""
        typer.echo(f"{d['reference']}: {d['kind']}{owed} cancelled.")


@reminders_app.command("send")
def reminders_send(
    now: Annotated[str | None, typer.Option(help="Sweep as of this ISO 8601 time (default: now).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be sent; write and send nothing.")] = False,
) -> None:
    """Queue the reminders that are due, one digest per person, and deliver them."""
    report = _app().services.send_reminders(now=_when(now) if now else None, dry_run=dry_run)
    verb = "Would send" if dry_run else "Queued"
    typer.echo(f"{verb} {report.reminders} reminder(s) of {report.deadlines} deadline(s) in {report.digests} "
               f"digest(s).")
    if report.failures:
        typer.echo(f"{'Would report' if dry_run else 'Reported'} {report.failures} undelivered letter(s) to the "
                   "officers of their actions.")
    if dry_run:
        for line in report.lines:
            d = line.as_dict(report.now)
            owed = f" ({d['organisation'].upper()})" if d["organisation"] else ""
            typer.echo(f"  {d['recipient']}: {d['reference']} {d['kind']}{owed} due {d['due_at']}, {d['status']}")
    elif report.digests:
        _deliver_now()


@calendar_app.command("export")
def calendar_export(
    user: Annotated[str | None, typer.Option(help="Only the deadlines this person is reminded of.")] = None,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
    force: Force = False,
) -> None:
    """Open deadlines as an iCalendar (.ics) feed."""
    data = _app().services.calendar_feed(user=user)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_output(output, data, force=force)
    typer.echo(f"Wrote {data.count(b'BEGIN:VEVENT')} deadline(s) to {output}.")


# ---------------------------------------------------------------- the annual report

@app.command()
def report(
    year: Annotated[int, typer.Option(help="The year whose opened actions are reported.")],
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
    force: Force = False,
) -> None:
    """Per action type and State, what became of the actions opened in a year: dispatched, replied,
    closed (by outcome), and the median days to dispatch, to reply and to each organisation's
    decision. Figures only: no names, titles, beneficiaries or facts."""
    services = _app().services
    data = services.report_document(services.annual_report(year), format).encode()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_output(output, data, force=force)
    typer.echo(f"Wrote the {year} report as {format} to {output}.")


# ---------------------------------------------------------------- audit, demo

@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the keyed chain, check its head and checkpoints; exit 1 naming every finding."""
    report = _app().services.verify_audit()
    if report.findings:
        for finding in report.findings:
            typer.echo(f"error: {finding}", err=True)
        raise typer.Exit(1)
    legacy = f" ({report.legacy} opened before replays were recorded: chain only)" if report.legacy else ""
    typer.echo(f"Audit trail intact: {report.events} event(s) verified against {report.checkpoints} checkpoint(s); "
               f"{report.actions} action(s) replayed and matching their records{legacy}.")


@app.command()
def doctor() -> None:
    """Report stored email addresses that today's checks would refuse (letters, address book, users, outbox).

    One line per finding, saying where and why; exit 1 if there is any. Changes nothing."""
    report = _app().services.check_addresses()
    for finding in report.findings:
        typer.echo(str(finding))
    if report.findings:
        typer.echo(f"{len(report.findings)} finding(s) among {report.checked} stored address(es).", err=True)
        raise typer.Exit(1)
    typer.echo(f"No findings: {report.checked} stored address(es) checked.")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head now and append it to the checkpoints file; print it to keep elsewhere too."""
    typer.echo(_app().services.checkpoint_audit())


@app.command()
def demo() -> None:
    """Create sample users and walk one action of each type through its first gate."""
    from .demo import run_demo

    run_demo(_app(), typer.echo)


@app.command()
def serve(
    prefect_port: Annotated[int, typer.Option(**_port(), help="Port of the local Prefect server and UI.")] = 4200,
    web_port: Annotated[int, typer.Option(**_port(0), help="Port of the web app (0: do not serve it).")] = 8000,
    demo: Annotated[bool, typer.Option(help="Seed demo users and actions on the first start.")] = True,
) -> None:
    """The main job: database, local Prefect server, flows and schedules, mail sink, web app — until Ctrl-C."""
    from .config import Settings
    from .serve import serve as run

    run(settings=Settings(), prefect_port=prefect_port, web_port=web_port or None, demo=demo, say=typer.echo)


# ---------------------------------------------------------------- web app (issue 6)

@app.command()
def web(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(**_port(), help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app (sign-in, inbox, action pages, overview) until Ctrl-C."""
    import uvicorn

    from .web import create_app

    typer.echo(f"Web app on http://{host}:{port} (links in emails use {_app().settings.base_url})")
    uvicorn.run(create_app(_app()), host=host, port=port, log_level="warning", access_log=False)


@user_app.command("set-password")
def user_set_password(email: str) -> None:
    """Set a user's web password (at least 12 characters, not only blanks, not the email): prompted twice,
    or one line read from standard input. Their sessions end."""
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user = _app().services.set_password(email=email, password=password)
    typer.echo(f"Password set for {user.describe()}.")


def _reader_gone() -> None:
    """Standard output was closed by its reader (`… | head`): stop quietly, as Unix tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail again
    sys.exit(141)  # 128 + SIGPIPE


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        _reader_gone()
    except Exception as error:  # raised outside a command (the command line's own parsing): one line too
        typer.echo(f"error: {_internal_error(error)}", err=True)
        sys.exit(1)
