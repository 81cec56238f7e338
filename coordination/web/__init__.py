"""The web app for supervisors and officers: server-rendered pages over the same services as the CLI.

    app.py         create_app(App): middleware, error handlers, the routes mounted
    middleware.py  security headers, the request body limit, the guard
    deps.py        FastAPI dependencies: the App, the signed-in user, the CSRF check, the language
    pages.py       templates, error pages, the status of a refusal, the action page
    routes/        the pages and forms, one module per resource
    charts.py      inline SVG bar charts
    i18n.py        English and Spanish

app.py imports routes/, the routes import deps.py and pages.py, and those import neither.
Each handler parses its form, makes one call into `app.services`, and renders: what the pages
read and write is in coordination/services (action_page.py: the action page and the letter
versions it showed; inbox.py; overview.py; accounts.py and sessions.py: passwords, sign-in,
sessions, language, calendar addresses).
"""

from .app import create_app

__all__ = ["create_app"]
