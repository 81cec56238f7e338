"""The pages and forms, one module per resource. Every POST checks the session, then the CSRF
token, then makes one call into `app.services`.

    sessions.py   signing in and out, the interface language
    account.py    the account page: password, calendar address, signing out everywhere
    inbox.py      the inbox
    calendar.py   the calendar feed (its address is its key)
    overview.py   the overview's figures
    actions.py    the list, opening an action, the action page and the letter versions it showed
    letters.py    a letter as HTML, text or PDF, and its form
    decisions.py  submit, approve, reject, skip, record a reply
    lifecycle.py  withdraw, close by hand, reopen, link to another action
    admin.py      the administration (users, address book, signatories) and the password-set link
    deadlines.py  extending or cancelling an open deadline by hand
"""

from fastapi import APIRouter

from . import account, actions, admin, calendar, deadlines, decisions, inbox, letters, lifecycle, overview, sessions

router = APIRouter()
for module in (sessions, account, inbox, calendar, actions, overview, letters, decisions, deadlines, lifecycle,
               admin):
    router.routes.extend(module.router.routes)  # one flat list: the app and the access tests read every route

__all__ = ["router"]
