"""Fixtures for the browser journeys: the app with a writer and an admin, served in-process
with its training worker, and a real headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs
it), not one downloaded by ``playwright install``. Without it the journeys fail at set-up
(an error with that hint), they do not skip. ``open_tab(journey)`` gives a test a page in a
fresh browser context (no cookies shared between users), with the dialogs it opened and
``shoot(step)``, which saves ``test-output/screenshots/<journey>-<step>.png``.
"""

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from tests.support import ADMIN, WRITER, served_with_users

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_HINT = (
    f"{CHROMIUM} not found: the browser journeys drive Debian's Chromium. Install it with "
    "`apt-get install chromium` (Debian/Ubuntu; `.ci/run` does this)."
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
# Generous: the first revision on a busy 2-core machine, and the page's first load.
SLOW_MS = 120_000
# Every action and every expect(): Gradio answers within seconds, but the CPU is shared.
TIMEOUT_MS = 30_000


@dataclass
class Served:
    """The running app: its address, its SQLite file (read directly by the tests) and the
    (name, password) of its admin and of a writer."""

    url: str
    db: Path
    admin: tuple[str, str] = ADMIN
    writer: tuple[str, str] = WRITER

    def rows(self, sql: str, *args) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, args).fetchall()


@pytest.fixture(scope="session")
def served(browser, itune_home, tmp_path_factory) -> Iterator[Served]:
    """The app with users (so Gradio shows its login page) and a training worker.
    ``browser`` first: without Chromium the journeys fail before the model loads."""
    with served_with_users(itune_home, tmp_path_factory, "browser") as (url, db):
        yield Served(url, db)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(CHROMIUM_HINT, pytrace=False)
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """One journey's page, the dialogs it opened, and its screenshots."""

    page: Page
    journey: str
    dialogs: list[str] = field(default_factory=list)

    def log_in(self, url: str, user: tuple[str, str]) -> None:
        """Log in on Gradio's login page and wait for the app to name the user."""
        self.page.goto(url)
        self.page.get_by_label("username").fill(user[0])
        self.page.get_by_label("password").fill(user[1])
        self.page.get_by_role("button", name="Login").click()
        # The header's user line comes from the page's load event, which also decides
        # whether the Admin tab is shown: once it is there, the tab's visibility is final.
        expect(self.page.get_by_text(f"Signed in as {user[0]}")).to_be_visible(timeout=SLOW_MS)

    def shoot(self, step: str) -> Path:
        """Save a full-page screenshot of this step; returns its path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.journey}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the test item so that ``open_tab`` can tell, at teardown, that the test failed.
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def open_tab(browser: Browser, request) -> Iterator[Callable[[str], Tab]]:
    """``open_tab(journey)``: a page in a fresh browser context (no cookies shared).
    When the test fails, each page's last state is saved as ``<journey>-failed.png``."""
    tabs: list[Tab] = []

    def open_one(journey: str) -> Tab:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        tab = Tab(context.new_page(), journey)
        tabs.append(tab)
        (SCREENSHOTS / f"{journey}-failed.png").unlink(missing_ok=True)  # an earlier run's

        # Every dialog (alert, confirm, prompt) is recorded and dismissed: a script run
        # from user text shows up as a failed assertion, not as a page stuck on a dialog.
        def on_dialog(dialog: Dialog) -> None:
            tab.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        tab.page.on("dialog", on_dialog)
        return tab

    yield open_one
    report = getattr(request.node, "call_report", None)
    for tab in tabs:
        try:
            if report is not None and report.failed:
                tab.shoot("failed")
        finally:
            tab.page.context.close()
