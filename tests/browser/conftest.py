"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
``live_server``. Never ``playwright install`` (it downloads a browser; nothing is downloaded here).

Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM calls
("You cannot call this from an async context"); the tests only touch the ORM to set data up, so
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set for this folder.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "src/wraparound/static/vendor/axe/axe.min.js"
NHSUK_CSS = (
    Path(__file__).resolve().parents[2]
    / "src/wraparound/static/vendor/nhsuk/nhsuk-frontend.min.css"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("WRAPAROUND_REQUIRE_BROWSER"):
            # CI sets this: a skipped browser test would be a silent hole in the suite.
            pytest.fail(message)
        pytest.skip(message)
    if not AXE.exists() or not NHSUK_CSS.exists():
        pytest.fail(
            "Vendored front-end assets are missing: run `make assets` (scripts/vendor_assets.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visitor:
    """One logged-in (or not) browser tab against the live server, with the checks we repeat."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs a page's own 400/404 status as a console error; that is the page
        # answering as designed. A missing asset or a CSP violation is logged against its URL.
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url", "").split("#")[0] == self.page.url.split("#")[0]
        ):
            return
        self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def go(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def log_in(self, username: str, password: str):
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def axe_violations(self) -> list[dict]:
        """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now.

        The vendored axe.min.js is injected from our own static files (``url=``), not inlined
        (``path=``): the strict CSP refuses inline script, and we keep the CSP on in these tests
        so that any inline script or style of ours fails them too.
        """
        self.page.add_script_tag(url=self.base_url + "/static/vendor/axe/axe.min.js")
        return self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {
                    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200)),
                }));
            }"""
        )

    def assert_accessible(self):
        violations = self.axe_violations()
        assert violations == [], f"axe-core found problems on {self.page.url}: {violations}"

    def text(self) -> str:
        return self.page.inner_text("body")


@pytest.fixture
def visitor(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    v = Visitor(page, live_server.url)
    yield v
    context.close()
