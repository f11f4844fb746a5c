"""Playwright driving Debian's chromium against the live test server.

Every page a test opens is watched for console errors, failed requests and uncaught
exceptions; any of them fails the test. Screenshots go to test-artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

from opendtm.accounts.demo import demo_people_ensure
from opendtm.geo.demo import demo_areas_load, demo_sites_load

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make here
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OPENDTM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/install-system-packages installs chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Watched:
    """A page plus everything that went wrong on it."""

    def __init__(self, page, base_url: str, name: str) -> None:
        self.page, self.base_url, self.name = page, base_url, name
        self.problems: list[str] = []
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.problems.append(f"console: {message.text}")
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))
        page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.url} {request.failure}"
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"), full_page=True)

    def sign_in(self, username: str = "admin") -> None:
        self.open("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def demo(transactional_db):
    """The demo operation on real Nigeria boundaries, with known passwords."""
    people = demo_people_ensure()
    demo_areas_load(actor=people.admin, operation=people.operation)
    demo_sites_load(actor=people.admin, operation=people.operation)
    from opendtm.accounts.models import User

    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    return people.operation


@pytest.fixture
def web(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    watched = Watched(context.new_page(), live_server.url, request.node.name)
    yield watched
    context.close()
    assert not watched.problems, "\n".join(watched.problems)
