"""The web app for supervisors and officers: server-rendered pages over the same services as the CLI.

    app.py        create_app(App): FastAPI, sessions, CSRF, error pages, language
    accounts.py   passwords (argon2), sign-in lock-out, language preference, letters seen
    casework.py   the pages' reads (inbox, action page) and the letter form's one-transaction edit
    overview.py   figures for the overview page; charts.py draws them as inline SVG
    routes.py     the pages and forms
"""

from .app import create_app

__all__ = ["create_app"]
