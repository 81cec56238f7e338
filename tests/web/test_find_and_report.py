"""The actions page's search, filters and pages, and the annual report's download from the overview
(issue 12, part 4)."""

import csv
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.helpers import ADMIN, OFFICER, SUP_IACHR, SUP_OHCHR, open_at_gate

from .conftest import all_rows

LISTED = re.compile(r'<a href="/actions/(JAM-[0-9-]+)">')


def listed(page: str) -> list[str]:
    return LISTED.findall(page)


def links(page: str, rel: str) -> dict[str, list[str]] | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return None if found is None else parse_qs(urlsplit(html.unescape(found.group(1))).query)


def test_the_search_and_the_filters_find_actions_and_stay_in_the_form(seeded, browser):
    ua = open_at_gate(seeded, "urgent-appeal", beneficiaries=["José Pérez"])
    pm = seeded.services.open_action(type="precautionary-measure", country="MEX", title="Journalist 100% at_risk",
                                     officer=OFFICER).reference
    browser.sign_in(OFFICER)
    page = browser.get("/actions", params={"q": "josé"}).text
    assert listed(page) == [ua] and "1 action" in page
    assert 'value="josé"' in page  # the search stays in its box
    page = browser.get("/actions", params={"q": "honduras", "status": "awaiting_approval", "type": "urgent-appeal"}).text
    assert listed(page) == [ua]
    assert '<option value="awaiting_approval" selected>' in page and '<option value="urgent-appeal" selected>' in page
    page = browser.get("/actions", params={"country": "MEX", "stage": "registration"}).text
    assert listed(page) == [pm] and '<option value="MEX" selected>' in page
    assert listed(browser.get("/actions", params={"q": "%"}).text) == [pm]  # literally
    assert listed(browser.get("/actions", params={"q": "_"}).text) == [pm]
    empty = browser.get("/actions", params={"q": "nobody at all"}).text
    assert listed(empty) == [] and "0 actions" in empty and "No actions." in empty
    assert links(empty, "next") is None and links(empty, "prev") is None


def test_a_page_of_fifty_with_previous_and_next_links_that_keep_the_filters(seeded, browser):
    refs = [seeded.services.open_action(type="urgent-appeal", country="HND", title=f"Case {n}", officer=OFFICER,
                                        beneficiaries=["Same Person"]).reference for n in range(51)]
    other = seeded.services.open_action(type="urgent-appeal", country="MEX", title="Case x", officer=OFFICER,
                                        beneficiaries=["Same Person"]).reference
    browser.sign_in(OFFICER)
    first = browser.get("/actions", params={"q": "same person", "country": "HND"}).text
    assert listed(first) == refs[:50]
    assert "51 actions" in first and "page 1 of 2" in first
    assert links(first, "prev") is None
    assert links(first, "next") == {"q": ["same person"], "country": ["HND"], "page": ["2"]}
    second_url = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)  # type: ignore[union-attr]
    second = browser.get(html.unescape(second_url)).text
    assert listed(second) == refs[50:] and other not in second
    assert links(second, "prev") == {"q": ["same person"], "country": ["HND"], "page": ["1"]}
    assert links(second, "next") is None
    assert listed(browser.get("/actions?page=9").text) == []  # past the last page: nothing, no error
    assert listed(browser.get("/actions?page=%C2%B2").text) == refs[:50]  # not a page number: the first


def test_a_filter_outside_its_vocabulary_is_refused_naming_the_choices_and_writes_nothing(seeded, browser):
    browser.sign_in(OFFICER)
    before = all_rows(seeded)
    for query, choice in (({"status": "nonsense"}, "in_progress"), ({"stage": "nowhere"}, "joint_approval"),
                          ({"type": "petition"}, "urgent-appeal"), ({"country": "FRA"}, "HND")):
        response = browser.get("/actions", params=query)
        assert response.status_code == 422, query
        assert choice in response.text and "role=\"alert\"" in response.text
    assert browser.get("/actions", params={"q": "x" * 201}).status_code == 422
    after = all_rows(seeded)
    assert after == before


def test_the_actions_page_in_spanish(seeded, browser):
    open_at_gate(seeded, "urgent-appeal")
    browser.sign_in(OFFICER)
    browser.post("/language", {"lang": "es", "next": "/"})
    page = browser.get("/actions").text
    assert "Buscar" in page and "1 acción" in page


# ---------------------------------------------------------------- the annual report

def test_supervisors_and_administrators_download_the_report_from_the_overview(seeded, browser, clock):
    open_at_gate(seeded, "urgent-appeal", beneficiaries=["José Pérez"])  # opened 2026-11-02 (the clock's day)
    for person in (SUP_OHCHR, SUP_IACHR, ADMIN):
        browser.sign_in(person)
        overview = browser.get("/overview").text
        assert 'href="/overview/report?year=2026&amp;format=csv"' in overview
        assert 'href="/overview/report?year=2026&amp;format=json"' in overview
        response = browser.get("/overview/report?year=2026&format=csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == 'attachment; filename="coordination-report-2026.csv"'
        rows = list(csv.DictReader(io.StringIO(response.text)))
        # one urgent appeal for HND, opened in 2026, at its gate: nothing dispatched nor decided
        assert [(r["type"], r["country"], r["opened"], r["dispatched"], r["median_days_to_decision_ohchr"])
                for r in rows] == [("urgent-appeal", "HND", "1", "0", "")]
        document = browser.get("/overview/report?year=2026&format=json").json()
        assert document["year"] == 2026 and document["lines"][0]["opened"] == 1
        for text in (response.text, json.dumps(document, ensure_ascii=False)):
            assert "José" not in text and "Test action" not in text and "FACTS" not in text
        browser.post("/sign-out")


def test_officers_neither_see_the_link_nor_download_the_report(seeded, browser):
    browser.sign_in(OFFICER)
    assert "/overview/report" not in browser.get("/overview").text
    before = all_rows(seeded)
    assert browser.get("/overview/report?year=2026&format=csv").status_code == 403
    assert all_rows(seeded) == before


def test_a_bad_year_or_format_is_refused(seeded, browser):
    browser.sign_in(SUP_OHCHR)
    for query in ("year=1999&format=csv", "year=%C2%B2&format=csv", "year=&format=csv", "year=2026&format=xlsx"):
        assert browser.get(f"/overview/report?{query}").status_code == 422, query
