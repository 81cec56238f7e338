"""The web app for supervisors and officers: server-rendered pages over the same services as the CLI.

    app.py        create_app(App): FastAPI, sessions, CSRF, error pages, language
    routes.py     the pages and forms
    charts.py     inline SVG bar charts
    i18n.py       English and Spanish

What the pages read and write is in coordination/services: accounts.py (passwords, sign-in
lock-out, language, letters seen, calendar addresses), inbox.py (inbox, action page) and
overview.py (the overview's figures).
"""

from .app import create_app

__all__ = ["create_app"]
