"""Support for browser tests: Debian chromium through Playwright's sync API.

One launch configuration for every app's browser tests. Playwright's own
browser download does not work offline, so tests drive the system chromium
that ``./run test`` installs.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 740}


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


class Console:
    """Every console message and page error of a page; CSP violations fail the test (S-07)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Page) -> Page:
        page.on("console", lambda message: self.messages.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        return page

    def assert_no_csp_violations(self) -> None:
        violations = [m for m in self.messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
        assert not violations, violations


def new_context(chromium: Browser, **options: object) -> BrowserContext:
    context = chromium.new_context(locale="zh-CN", **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # Wait for the answer to the POST itself: load-state alone can resolve on the old page.
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def no_horizontal_scroll(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"
