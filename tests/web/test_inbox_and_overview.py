"""The inbox (supervisors' gates, officers' actions and deadlines), the actions list and the overview."""

import re
from pathlib import Path

from argon2 import PasswordHasher

from coordination.adapters.records import CredentialRecord
from coordination.web.charts import bar_chart
from tests.helpers import ADMIN, OFFICER, SUP_IACHR, SUP_OHCHR, dispatched, open_at_gate


def test_the_supervisor_inbox_lists_their_organisations_gates_oldest_deadline_first_overdue_marked(
        seeded, browser, clock):
    first = open_at_gate(seeded, "country-communication")  # 5 business days
    clock.advance(days=1)
    second = open_at_gate(seeded, "urgent-appeal")  # 2 business days: due before the first
    third = open_at_gate(seeded, "precautionary-measure")
    seeded.services.approve_stage(reference=third, supervisor=SUP_OHCHR)  # OHCHR's part is done
    browser.sign_in(SUP_OHCHR)
    page = browser.get("/").text
    listed = re.findall(r'<a href="/actions/(JAM-[0-9-]+)">', page)
    assert listed == [second, first]
    clock.advance(days=4)
    browser.sign_in(SUP_OHCHR)  # four days later: the session of before has idled out
    page = browser.get("/").text
    overdue = re.findall(r'<tr class="overdue">\s*<td[^>]*><a href="/actions/(JAM-[0-9-]+)"', page)
    assert overdue == [second]
    assert "overdue" in page
    browser.post("/sign-out")
    browser.sign_in(SUP_IACHR)
    assert re.findall(r'<a href="/actions/(JAM-[0-9-]+)">', browser.get("/").text) == [second, first, third]


def test_the_officer_inbox_shows_what_each_action_waits_on_and_deadlines_due_soon(seeded, browser):
    at_gate = open_at_gate(seeded, "urgent-appeal")
    seeded.services.approve_stage(reference=at_gate, supervisor=SUP_IACHR)
    sent = dispatched(seeded, "country-communication")
    drafting = seeded.services.open_action(type="urgent-appeal", country="MEX", title="T", officer=OFFICER).reference
    browser.sign_in(OFFICER)
    page = browser.get("/").text
    rows = {m[0]: m[1] for m in re.findall(r'href="/actions/(JAM-[0-9-]+)">.*?</td>\s*<td[^>]*>.*?</td>\s*<td[^>]*>(.*?)</td>',
                                           page, re.S)}
    assert rows[at_gate] == "approval by OHCHR"
    assert rows[sent] == "state reply"
    assert rows[drafting] == "the officer"
    assert "Deadlines due within 7 days" in page and "approval sla (OHCHR)" in page


def test_the_actions_list_filters_by_status(seeded, browser):
    at_gate = open_at_gate(seeded, "urgent-appeal")
    other = seeded.services.open_action(type="urgent-appeal", country="MEX", title="T", officer=OFFICER).reference
    browser.sign_in(ADMIN)
    page = browser.get("/actions?status=awaiting_approval").text
    assert at_gate in page and other not in page
    assert browser.get("/actions?status=nonsense").status_code == 422
    assert "Open actions" in browser.get("/").text  # an admin's inbox: all open actions


def test_the_overview_draws_open_actions_overdue_deadlines_replies_and_time_to_dispatch(seeded, browser, clock):
    replied = dispatched(seeded, "urgent-appeal")
    silent = dispatched(seeded, "country-communication")
    open_at_gate(seeded, "precautionary-measure")
    clock.advance(days=10)
    seeded.services.record_reply(reference=replied, officer=OFFICER, received_on=clock().date())
    clock.advance(days=60)  # the communication's State did not reply in 60 days
    browser.sign_in(SUP_OHCHR)
    page = browser.get("/overview").text
    assert page.count('<svg class="chart"') == 6
    assert re.search(r"<th scope=\"row\">HND</th><td>1</td>", page)  # open actions by State
    assert "1 of 1 replied" in page and "0 of 1 replied" in page  # HND replied, GTM did not
    assert re.search(r"<th scope=\"row\">HND</th><td>10.0 days</td>", page)
    assert "approval sla" in page  # the precautionary measure's gate is overdue by now
    assert silent


def test_bar_charts_escape_their_labels_and_scale_to_the_largest_value():
    svg = bar_chart("A <title>", [("<b>", 2), ("x", 4)])
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]
    assert widths[1] == 2 * widths[0]
    assert bar_chart("empty", []) == ""


def test_overview_and_inbox_are_in_spanish_when_chosen(seeded, browser):
    open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_OHCHR)
    browser.post("/language", {"lang": "es", "next": "/"})
    assert "En espera de la decisión de ACNUDH" in browser.get("/").text
    assert "Acciones abiertas por etapa" in browser.get("/overview").text


def test_every_interface_string_of_the_templates_has_a_spanish_translation():
    from coordination.web.i18n import ES

    templates = Path(__file__).resolve().parents[2] / "coordination" / "web" / "templates"
    used = set()
    for template in templates.glob("*.html"):
        used |= set(re.findall(r't\("([^"]+)"\)', template.read_text()))
        used |= set(re.findall(r"t\('([^']+)'\)", template.read_text()))
    assert used and sorted(used - set(ES)) == []


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(app, monkeypatch):
    from coordination.adapters import hashing

    monkeypatch.setattr(hashing, "_hasher", PasswordHasher())  # the production parameters
    app.services.add_user(email=OFFICER, name="O", organisation="ohchr", role="officer")
    app.services.set_password(email=OFFICER, password="a long enough password")
    with app.uow(read_only=True) as uow:
        stored = uow.session.exec(__import__("sqlmodel").select(CredentialRecord)).one().password_hash
    assert stored.startswith("$argon2id$") and "a long enough password" not in stored


def test_set_password_reads_one_line_from_standard_input_and_refuses_a_short_one(seeded, monkeypatch):
    from typer.testing import CliRunner

    import coordination.cli

    monkeypatch.setattr(coordination.cli, "_app", lambda: seeded)
    run = lambda *args, stdin: CliRunner().invoke(coordination.cli.app, list(args), input=stdin)  # noqa: E731
    short = run("user", "set-password", OFFICER, stdin="short\n")
    assert short.exit_code == 1 and short.stderr.strip() == "error: a password needs at least 12 characters"
    unknown = run("user", "set-password", "nobody@ohchr.test", stdin="a long enough password\n")
    assert unknown.exit_code == 1 and "unknown user" in unknown.stderr
    done = run("user", "set-password", OFFICER, stdin="a long enough password\nignored\n")
    assert done.exit_code == 0 and "Password set for olivia.officer@ohchr.test" in done.stdout
    assert seeded.services.sign_in(email=OFFICER, password="a long enough password").user.email == OFFICER


def test_each_person_can_subscribe_to_their_deadlines_at_a_secret_address(seeded, browser, another):
    from icalendar import Calendar

    ref = open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(SUP_IACHR)
    page = browser.get("/").text
    [address] = re.findall(r'href="(http://127\.0\.0\.1:8000/calendar/[0-9a-f]{40}\.ics)"', page)
    path = address.removeprefix("http://127.0.0.1:8000")

    feed = another.get(path)  # a calendar program: another client, never signed in

    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert [str(e["summary"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] == [
        f"{ref}: approval sla (IACHR) due"]
    assert "coordination_session" not in another.client.cookies
    assert another.get(path.replace(path[-44:-4], "0" * 40)).status_code == 404
    assert another.get("/calendar/not-a-token.ics").status_code == 404
