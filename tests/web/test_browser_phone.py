"""The pages on a phone and on a wide screen, in headless Chromium: at 390 × 844 the inbox and an
action page fit the width (no horizontal cut) and every column of the inbox shows, its tables
stacked as cards, each cell led by its column's header; on a wide screen the decision panel sits
beside the letters, and stays in view."""

import pytest

from tests.helpers import OFFICER, SUP_IACHR, dispatched, open_at_gate

from .conftest import PASSWORD
from .live import PHONE, served

WIDE = {"width": 1280, "height": 900}

# every column of every table on the page: its header, and each cell's box and the label it shows
COLUMNS = """() => [...document.querySelectorAll('main table')].map(table => {
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const cells = [...table.querySelectorAll('tbody tr')].flatMap(tr => [...tr.children].map((td, i) => {
    const box = td.getBoundingClientRect();
    return {column: i, left: box.left, right: box.right, width: box.width, text: td.innerText.trim(),
            label: getComputedStyle(td, '::before').content, visible: td.checkVisibility()};
  }));
  return {headers, cells};
})"""


def two_actions(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"gate": open_at_gate(app, "urgent-appeal"), "waiting": dispatched(app, "precautionary-measure")}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One app and server for this file: an action at its gate and one awaiting the State's reply."""
    with served(tmp_path_factory.mktemp("web-phone"), PASSWORD, two_actions) as (app, url, refs):
        yield app, url, refs


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(width) <= PHONE["width"], (page.url, width)


@pytest.mark.parametrize("person", [OFFICER, SUP_IACHR])
def test_a_phone_width_inbox_shows_every_column(live, as_user, person):
    page = as_user(person, viewport=PHONE)
    page.goto("/")
    _fits(page)
    tables = page.evaluate(COLUMNS)
    assert tables, "the inbox shows a table"
    for table in tables:
        assert table["cells"] and len(table["headers"]) >= 4
        shown = {cell["column"] for cell in table["cells"]}
        assert shown == set(range(len(table["headers"])))  # every column has its cells
        for cell in table["cells"]:
            assert cell["visible"] and cell["width"] > 0
            assert 0 <= cell["left"] and cell["right"] <= PHONE["width"], cell  # nothing cut at the right
            assert cell["label"] == f'"{table["headers"][cell["column"]]}"', cell  # led by its column's header


@pytest.mark.parametrize(("person", "which"), [(SUP_IACHR, "gate"), (OFFICER, "waiting")])
def test_an_action_page_fits_a_phone(live, as_user, person, which):
    page = as_user(person, viewport=PHONE)
    page.goto(f"/actions/{live[2][which]}")
    _fits(page)
    for table in page.evaluate(COLUMNS):
        for cell in table["cells"]:
            if table["headers"] and cell["label"] not in ("none", "normal"):  # a stacked table
                assert cell["right"] <= PHONE["width"], cell
    if which == "gate":  # stacked: the decision after the letters it is taken on
        letters = page.locator("section.review-letters").bounding_box()
        panel = page.locator("#decision-panel").bounding_box()
        assert panel["y"] >= letters["y"] + letters["height"] - 1
        assert panel["x"] + panel["width"] <= PHONE["width"]


def test_on_a_wide_screen_the_decision_panel_sits_beside_the_letters_and_stays_in_view(live, as_user):
    page = as_user(SUP_IACHR, viewport=WIDE)
    page.goto(f"/actions/{live[2]['gate']}")
    letters = page.locator("section.review-letters").bounding_box()
    panel = page.locator("#decision-panel").bounding_box()
    assert panel["x"] >= letters["x"] + letters["width"]  # on the right
    assert abs(panel["y"] - letters["y"]) < 100  # side by side, not below
    assert page.locator("#decision-panel").evaluate("e => getComputedStyle(e).position") == "sticky"
    page.evaluate("() => document.querySelectorAll('.review-letters details').forEach(d => { d.open = true })")
    letters = page.locator("section.review-letters").bounding_box()  # the letter's form and versions shown
    assert letters["height"] > panel["height"] + 200  # the letters are longer than the panel: room to scroll
    page.evaluate(f"() => window.scrollTo(0, {letters['y'] + (letters['height'] - panel['height']) / 2})")
    page.wait_for_function("() => window.scrollY > 0")
    top = page.locator("#decision-panel").bounding_box()["y"]
    assert 0 <= top <= 32  # still in view, at the top, as the letters scroll
    assert page.get_by_role("button", name="Approve").is_visible()
