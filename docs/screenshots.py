"""Regenerate the web app's screenshots in docs/ from seeded demo data, in headless Chromium.

    .venv/bin/python docs/screenshots.py

Seeds a throw-away SQLite database (demo users, a few actions at different stages, a State's
reply, an edit after an approval, a withdrawn action, a link), serves the web app on a free
loopback port and takes, as the OHCHR demo supervisor, inbox.png, action.png, overview.png,
actions.png (a search), deadlines.png (extending a deadline), withdrawn.png; as the officer on a
390 px phone, phone-inbox.png; as the administrator, admin-users.png and admin-recipients.png.
"""

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from coordination.adapters.fakes import FixedClock  # noqa: E402
from coordination.demo import LETTERS, RECIPIENTS, USERS  # noqa: E402
from coordination.fictional import FICTIONAL_HOLDERS  # noqa: E402
from tests.web.live import launch, live_app, sign_in, start_server  # noqa: E402

OFFICER, OFFICER_2, OHCHR, IACHR = (u[0] for u in USERS)
PASSWORD = "demo password 2026"
MORE_RECIPIENTS = [("COL", "permanent-mission-geneva", "mision.ginebra@colombia.demo", None, None),
                   ("HND", "foreign-ministry", "cancilleria@honduras.demo", "minister", "f"),
                   ("HND", "oas-mission", "mision.oea@honduras.demo", None, None)]


def at_gate(app, clock, action_type: str, country: str, title: str) -> str:  # type: ignore[no-untyped-def]
    action = app.services.open_action(type=action_type, country=country, title=title, officer=OFFICER,
                                  beneficiaries=["Demo Defender"])
    ref = action.reference
    for letter, fields in LETTERS[action_type]:
        while action.status.value == "in_progress" and not any(l.name == letter for l in action.pending_letters):
            action = app.services.submit_stage(reference=ref, officer=OFFICER)
        clock.advance(hours=3)
        for field, value in fields.items():
            app.services.edit_letter(reference=ref, letter=letter, field=field, value=value, editor=OFFICER)
    clock.advance(hours=2)
    app.services.submit_stage(reference=ref, officer=OFFICER)
    return ref


def dispatch(app, clock, ref: str) -> None:  # type: ignore[no-untyped-def]
    clock.advance(hours=20)
    app.services.approve_stage(reference=ref, supervisor=IACHR, comment="Agreed.")
    clock.advance(hours=5)
    app.services.approve_stage(reference=ref, supervisor=OHCHR)
    app.services.advance_action(reference=ref)


def seed(app, clock) -> str:  # type: ignore[no-untyped-def]
    for email, name, org, role in USERS:
        app.services.add_user(email=email, name=name, organisation=org, role=role)
        app.services.set_password(email=email, password=PASSWORD)
    for country, kind, email, office, gender in RECIPIENTS + MORE_RECIPIENTS:
        app.services.add_recipient(country=country, kind=kind, email=email, office=office, gender=gender)
    for h in FICTIONAL_HOLDERS:  # letters reach their gates only with a holder of each mandate they name
        app.services.set_signatory(mandate=h.mandate, name=h.name, gender=h.gender.value, starts_on=h.starts_on,
                                   ends_on=h.ends_on)
    replied = at_gate(app, clock, "urgent-appeal", "HND", "Threats after a land-rights meeting")
    dispatch(app, clock, replied)
    sent = at_gate(app, clock, "country-communication", "GTM", "Attacks on environmental defenders")
    dispatch(app, clock, sent)
    clock.advance(days=9)
    app.services.record_reply(reference=replied, officer=OFFICER, received_on=clock().date())
    clock.advance(days=14)
    early = at_gate(app, clock, "urgent-appeal", "HND", "Surveillance of a journalist")
    dispatch(app, clock, early)
    clock.advance(days=10)
    at_gate(app, clock, "precautionary-measure", "MEX", "Journalist under threat in Guerrero")
    clock.advance(days=6)
    app.services.open_action(type="country-communication", country="HND", title="Criminalisation of defenders",
                         officer=OFFICER, beneficiaries=[])
    stray = app.services.open_action(type="urgent-appeal", country="HND", title="Opened by mistake",
                                     officer=OFFICER, beneficiaries=[])
    app.services.withdraw_action(reference=stray.reference, as_=OFFICER,
                                 reason="Opened twice by mistake; the appeal goes on in the other action.")
    app.services.link_actions(reference=stray.reference, other=early, relation="same_situation", as_=OFFICER)
    app.services.add_user(email="admin@ohchr.demo", name="Demo Administrator", organisation="ohchr", role="admin")
    app.services.set_password(email="admin@ohchr.demo", password=PASSWORD)
    edited = at_gate(app, clock, "urgent-appeal", "COL", "Threats against a community leader")
    return edited, sent, stray.reference


def main() -> None:
    clock = FixedClock(datetime(2026, 10, 5, 8, 30, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        app = live_app(Path(folder), clock=clock)
        edited, sent, stray = seed(app, clock)
        server = start_server(app)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                supervisor = sign_in(browser, server.url, OHCHR, PASSWORD, viewport={"width": 1200, "height": 860})
                supervisor.goto(f"/actions/{edited}")  # sees version 7; then the IACHR approves, the officer edits
                clock.advance(hours=4)
                app.services.approve_stage(reference=edited, supervisor=IACHR, comment="Agreed for the IACHR.")
                clock.advance(hours=1)
                app.services.edit_letter(reference=edited, letter="urgent_appeal", field="concerns", editor=OFFICER,
                                     value="We are gravely concerned that the threats are linked to the leader's "
                                           "work defending the community's land.")
                app.services.approve_stage(reference=edited, supervisor=IACHR, comment="Agreed after the edit.")
                clock.advance(days=2)  # the precautionary measure's approval is overdue by now
                at_gate(app, clock, "urgent-appeal", "GTM", "Arbitrary detention of a defender")
                supervisor.context.close()  # two days on, that session has ended: a new one
                supervisor = sign_in(browser, server.url, OHCHR, PASSWORD, viewport={"width": 1200, "height": 860})
                supervisor.goto("/")
                supervisor.screenshot(path=ROOT / "docs" / "inbox.png", full_page=True)
                supervisor.goto(f"/actions/{edited}")
                supervisor.wait_for_load_state("load")  # the letters' frames included
                # a sandboxed frame paints in a process of its own, which full-page capture leaves out:
                # grow the viewport to the whole page instead
                height = supervisor.evaluate("document.documentElement.scrollHeight")
                supervisor.set_viewport_size({"width": 1200, "height": height})
                supervisor.wait_for_timeout(500)
                supervisor.screenshot(path=ROOT / "docs" / "action.png")
                supervisor.set_viewport_size({"width": 1200, "height": 860})
                supervisor.goto("/overview")
                supervisor.screenshot(path=ROOT / "docs" / "overview.png", full_page=True)
                supervisor.goto("/actions?q=HND&type=urgent-appeal")
                supervisor.screenshot(path=ROOT / "docs" / "actions.png", full_page=True)
                supervisor.goto(f"/actions/{stray}")
                supervisor.screenshot(path=ROOT / "docs" / "withdrawn.png", full_page=True)
                supervisor.goto(f"/actions/{sent}#deadlines")
                deadlines = supervisor.locator("section[aria-labelledby=deadlines]")
                deadlines.evaluate("s => s.querySelectorAll('details').forEach(d => { d.open = true; })")
                deadlines.screenshot(path=ROOT / "docs" / "deadlines.png")
                phone = sign_in(browser, server.url, OFFICER, PASSWORD, viewport={"width": 390, "height": 844})
                phone.goto("/")
                phone.screenshot(path=ROOT / "docs" / "phone-inbox.png", full_page=True)
                admin = sign_in(browser, server.url, "admin@ohchr.demo", PASSWORD,
                                viewport={"width": 1200, "height": 860})
                admin.goto("/admin/users")
                admin.screenshot(path=ROOT / "docs" / "admin-users.png", full_page=True)
                admin.goto("/admin/recipients?country=HND")
                admin.screenshot(path=ROOT / "docs" / "admin-recipients.png", full_page=True)
                browser.close()
        finally:
            server.stop()
            app.engine.dispose()
    print("Wrote docs/: inbox.png, action.png, overview.png, actions.png, withdrawn.png, deadlines.png, "
          "phone-inbox.png, admin-users.png, admin-recipients.png.")


if __name__ == "__main__":
    main()
