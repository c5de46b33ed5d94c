"""In headless Chromium (Debian's): an agent opens the dashboard on the hand-built history
(tests/helpdesk/reporting/dataset.py), the charts are drawn, a filter changes them, and a
CSV export holds what the table shows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import Browser

from tests.helpdesk.console.test_browser import browser  # noqa: F401  (the fixture)
from tests.helpdesk.console.test_dashboard import PASSWORD, console  # noqa: F401

NOV = "from=2026-11-01&to=2026-11-04"


def _table(page, key: str) -> list[list[str]]:
    rows = page.locator(f"article[data-table='{key}'] table.figures tr")
    return [
        [cell.strip() for cell in rows.nth(n).locator("th, td").all_inner_texts()]
        for n in range(rows.count())
    ]


def test_dashboard_charts_filters_and_csv_in_chromium(
    console: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{console}/dashboard?{NOV}")
    assert "/login" in page.url  # not signed in: the sign-in page first
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard?*")

    # Drawn: the handoff-reason chart has four bars of equal, visible width.
    bars = page.locator("svg[data-chart='handoff_reasons'] rect.bar")
    assert bars.count() == 4
    widths = {round(bars.nth(n).bounding_box()["width"]) for n in range(4)}
    assert len(widths) == 1 and widths.pop() > 100
    containment = page.locator("svg[data-chart='outcomes'] rect.bar[data-label='bot containment']")
    assert containment.get_attribute("data-value") == "33.3"
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    # A filter changes the charts: the returns queue has no bot-solved cases.
    page.select_option("select[name=queue]", "returns")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url("**queue=returns**")
    assert containment.get_attribute("data-value") == "0"
    assert page.locator("svg[data-chart='handoff_reasons'] rect.bar").count() == 4

    # The CSV link exports exactly the table shown.
    shown = _table(page, "csat_by_agent")
    link = page.locator("article[data-table='csat_by_agent'] a.csv").get_attribute("href")
    assert "queue=returns" in link
    exported = list(csv.reader(io.StringIO(page.request.get(console + link).text())))
    assert exported == shown
    assert shown[1:] == [["alice", "1", "1", "100.0"], ["bob", "1", "0", "0.0"]]
    page.close()
