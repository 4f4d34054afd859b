"""The browser tests' dash_duo, waiting for conditions with a generous limit: a wait is for
something to happen, however busy the machine (the tests check behaviour, never speed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from dash.testing.composite import DashComposite
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)

BROWSER_WAIT = 60  # seconds a wait for a condition may take before the test fails


@pytest.fixture
def dash_duo(request: Any, dash_thread_server: Any, tmpdir: Any) -> Iterator[DashComposite]:
    """dash.testing's dash_duo (the same options), with every wait up to BROWSER_WAIT."""
    with DashComposite(
        server=dash_thread_server,
        browser=request.config.getoption("webdriver"),
        remote=request.config.getoption("remote"),
        remote_url=request.config.getoption("remote_url"),
        headless=request.config.getoption("headless"),
        options=request.config.hook.pytest_setup_options(),
        download_path=tmpdir.mkdir("download").strpath,
        percy_assets_root=request.config.getoption("percy_assets"),
        percy_finalize=request.config.getoption("nopercyfinalize"),
        pause=request.config.getoption("pause"),
        wait_timeout=BROWSER_WAIT,
    ) as composite:
        yield composite


def wait_until(condition: Any, timeout: float = BROWSER_WAIT) -> Any:
    """`condition()`'s first true value, polled until `timeout` seconds, else fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def click(dash_duo: DashComposite, selector: str) -> None:
    """A person's click: the element scrolled into the middle of the window first."""

    def clicked() -> bool:
        # (instantly: Bootstrap makes scrolling smooth, and a click mid-way misses; a page
        # still laying out its charts may move the element under the pointer: scrolled to
        # again and clicked again, as a person would)
        try:
            element = dash_duo.find_element(selector)
            dash_duo.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
            )
            element.click()
        except (ElementClickInterceptedException, StaleElementReferenceException):
            return False
        return True

    wait_until(clicked)


def sign_in(dash_duo: DashComposite, username: str) -> None:
    """Sign in on the login page as a person does (the hand pool's users share
    tests.conftest.PASSWORD)."""
    from tests.conftest import PASSWORD

    dash_duo.driver.get(dash_duo.server_url + "/login")
    dash_duo.find_element("#username").send_keys(username)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element(".login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text("#account", username)
