"""In headless Chromium: a username-only customer's case whose 24-hour window has closed —
the queue shows the username, the ticket says the window is closed and offers only the
approved templates, the template reaches the customer; an admin filters the audit trail
and downloads the same rows as CSV."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from playwright.sync_api import Browser

from tests.helpdesk.console.conftest import PASSWORD, TEMPLATE, Stack, hand_off
from tests.helpdesk.console.test_browser import browser  # noqa: F401 (the fixture)

BSUID = "US.99887766554433221100"
# Set TEST_SCREENSHOTS=folder to keep the pages as PNG files to look at.
SHOTS = os.environ.get("TEST_SCREENSHOTS")


def _sign_in(page, stack: Stack, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(stack.url + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_closed_window_template_and_the_audit_trail_in_the_browser(
    stack: Stack,
    browser: Browser,  # noqa: F811
    wait_for,
) -> None:
    stack.agent("alice")
    stack.agent("root", role="admin")
    stack.say(BSUID, "the app crashes", hours_ago=30, username="@ana.b")
    ticket = hand_off(stack.database_url, BSUID)

    page = browser.new_page()
    _sign_in(page, stack, "alice")
    row = page.locator(f"tr[data-ticket='{ticket}']")
    row.wait_for()
    assert "@ana.b" in row.inner_text()
    row.click()
    page.wait_for_url(f"**/tickets/{ticket}")

    assert page.locator("#customer").inner_text() == "@ana.b"
    assert "WhatsApp window closed" in page.locator("#window").inner_text()
    assert page.locator("#reply-text").count() == 0  # no free text box
    choices = page.locator("#template-form input[name=template]")
    assert TEMPLATE in [choices.nth(i).get_attribute("value") for i in range(choices.count())]
    _shot(page, "ticket-window-closed.png")
    page.check(f"#template-form input[value='{TEMPLATE}']")
    page.click("#template-form button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket}?msg=*")
    assert "Approved template sent." in page.locator(".flash.ok").inner_text()
    got = wait_for(lambda: stack.received(BSUID))
    assert got[-1]["payload"]["template"]["name"] == TEMPLATE
    assert got[-1]["payload"]["recipient"] == BSUID
    page.close()

    admin = browser.new_page()
    _sign_in(admin, stack, "root")
    admin.click("text=Audit")
    admin.wait_for_url("**/audit")
    admin.select_option("#audit-filters select[name=action]", "ticket_view")
    admin.click("#audit-filters button[type=submit]")
    admin.wait_for_url("**/audit?*action=ticket_view*")
    cells = [
        admin.locator("#audit tr.audit-row").nth(i).locator("td").all_inner_texts()
        for i in range(admin.locator("#audit tr.audit-row").count())
    ]
    assert [(c[1], c[2], c[3]) for c in cells] == [("alice", "ticket_view", f"ticket {ticket}")]
    _shot(admin, "audit-filtered.png")
    with admin.expect_download() as download:
        admin.click("#audit-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = [list(r.values()) for r in csv.DictReader(io.StringIO(text))]
    assert exported == cells
    admin.close()
