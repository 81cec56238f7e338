"""The action page says that the automatic steps stopped after failing, why, since when and
what to do (in English and Spanish), and while a rerun waits, when it comes (issue 14, part 5)."""

from tests.helpers import OFFICER, SUP_OHCHR
from tests.integration.test_automatic_steps_stopped import fail_until_stopped, ready_without_its_recipient


def test_the_page_says_the_automatic_steps_stopped_why_and_what_to_do(seeded, browser):
    app = seeded
    ref, run, reason = ready_without_its_recipient(app)
    browser.sign_in(OFFICER)
    assert app.services.automatic_steps_failed(run, reason=reason) == "waiting"
    page = browser.get(f"/actions/{ref}").text
    assert 'id="steps-failing"' in page and "The automatic steps failed; they are tried again at" in page

    fail_until_stopped(app, run, reason)
    page = browser.get(f"/actions/{ref}").text
    assert 'id="steps-stopped"' in page and "Automatic steps stopped" in page
    assert "after 6 reruns, because:" in page and "the address book has no permanent-mission-geneva for HND" in page
    assert f"<code>coordination action advance {ref}</code>" in page
    assert "Automatic steps stopped" in browser.get(f"/actions/{ref}", headers={"Accept-Language": "en"}).text

    browser.sign_in(SUP_OHCHR)
    spanish = browser.get(f"/actions/{ref}", headers={"Accept-Language": "es"}).text
    assert 'lang="es"' in spanish  # the supervisor has not chosen a language: the browser's
    assert "Pasos automáticos detenidos" in spanish and "tras 6 reintentos, porque:" in spanish
    assert "Corrija la causa" in spanish
