"""Use cases, each in one unit of work: the only writers of the system of record."""

from .accounts import (
    calendar_address,
    calendar_owner,
    calendar_token,
    change_password,
    renew_calendar,
    set_language,
    set_password,
    sign_in,
)
from .action_page import mark_letters_seen, read_action_page
from .actions import (
    advance_action,
    approve_stage,
    diff_letter,
    edit_letter,
    edit_letter_fields,
    get_action,
    list_actions,
    open_action,
    record_reply,
    reject_stage,
    render_letter,
    resolve,
    run_automatic_steps,
    skip_stage,
    submit_stage,
)
from .calendar import calendar_feed
from .deadlines import cancel_deadline, extend_deadline, list_deadlines
from .delivery import list_outbox, send_outbox
from .directory import (
    add_recipient,
    add_user,
    disable_user,
    edit_recipient,
    enable_user,
    end_signatory,
    is_admin,
    last_sign_ins,
    list_mandates,
    list_recipients,
    list_signatories,
    list_users,
    remove_recipient,
    set_mandate,
    set_organisation,
    set_role,
    set_signatory,
)
from .doctor import check_addresses
from .inbox import read_inbox
from .lifecycle import close_action, link_actions, reopen_action, withdraw_action
from .maintenance import checkpoint_audit, initialise_database, verify_audit
from .orchestration import automatic_steps_failed, due_runs
from .overview import get_overview
from .password_links import password_link_user, send_password_link, set_password_by_link
from .reminders import send_reminders
from .report import annual_report, may_read_report, report_document
from .sessions import current_user, end_session, sign_out_everywhere

__all__ = [
    "add_recipient", "add_user", "disable_user", "enable_user", "set_role", "advance_action", "approve_stage", "diff_letter", "edit_letter", "edit_letter_fields", "get_action",
    "list_outbox", "send_outbox",
    "initialise_database", "list_actions", "list_users", "open_action", "record_reply", "reject_stage",
    "render_letter", "resolve", "run_automatic_steps", "skip_stage", "submit_stage", "verify_audit", "checkpoint_audit",
    "due_runs", "automatic_steps_failed", "calendar_feed", "cancel_deadline", "extend_deadline", "list_deadlines", "send_reminders",
    "calendar_address", "calendar_owner", "calendar_token", "change_password",
    "renew_calendar", "set_language", "set_password", "sign_in", "current_user", "end_session", "sign_out_everywhere",
    "mark_letters_seen", "read_action_page", "read_inbox",
    "check_addresses", "get_overview",
    "annual_report", "may_read_report", "report_document",
    "close_action", "link_actions", "reopen_action", "withdraw_action",
    # part: administration
    "edit_recipient", "is_admin", "last_sign_ins", "list_recipients", "list_signatories", "remove_recipient",
    "set_organisation", "set_signatory", "end_signatory", "list_mandates", "set_mandate", "password_link_user", "send_password_link", "set_password_by_link",
]
