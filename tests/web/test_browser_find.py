"""The actions' search and the report's download in headless Chromium (issue 12, part 4): the
filters go into the address, survive the next page, and fit a phone."""

import re

import pytest

from tests.helpers import OFFICER, SUP_OHCHR

from .conftest import PASSWORD
from .live import PHONE, fits, served, sign_in


def open_52_actions(app) -> None:  # type: ignore[no-untyped-def]
    """Two pages of urgent appeals whose titles hold a %, in Honduras and Mexico by turns."""
    for n in range(52):
        app.services.open_action(type="urgent-appeal", country="HND" if n % 2 else "MEX", title=f"Case {n} 100%",
                                 officer=OFFICER, beneficiaries=["A Defender"])


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with served(tmp_path_factory.mktemp("web-live-find"), PASSWORD, open_52_actions) as (app, url, _):
        yield app, url


def test_the_search_form_puts_its_filters_in_the_address_and_the_next_page_keeps_them(live, chromium):
    page = sign_in(chromium, live[1], OFFICER, PASSWORD, viewport=PHONE)
    try:
        page.goto("/actions")
        fits(page)
        page.get_by_label("Search").fill("100%")
        page.get_by_label("Status").select_option("in_progress")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"q=100%25.*status=in_progress"))
        assert "52 actions" in page.text_content("#count")
        fits(page)
        page.get_by_role("link", name="Next page").click()
        page.wait_for_url(re.compile(r"page=2"))
        assert "q=100%25" in page.url and "status=in_progress" in page.url
        assert page.locator("tbody tr").count() == 2
        assert page.input_value("#q") == "100%"
    finally:
        page.context.close()


def test_a_supervisor_downloads_the_report_from_the_overview_on_a_phone(live, chromium):
    page = sign_in(chromium, live[1], SUP_OHCHR, PASSWORD, viewport=PHONE)
    try:
        page.goto("/overview")
        fits(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").click()
        assert download.value.suggested_filename.startswith("coordination-report-")
        text = open(download.value.path(), encoding="utf-8").read()
        assert text.splitlines()[0].startswith("type,country,opened")
        assert "A Defender" not in text and "Case" not in text
    finally:
        page.context.close()
