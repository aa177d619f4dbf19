"""Browser tests: a real CareLab server on a free port, driven by Debian's Chromium.

Without Chromium these tests skip with the reason; CI sets CARELAB_REQUIRE_BROWSER=1 so
that a missing browser fails instead of skipping. CARELAB_CHROMIUM names another binary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import REPO
from tests.serving import ServerProcess, server_env

__all__ = ["ServerProcess", "server_env", "shot", "wait_for_app"]

CHROMIUM = os.environ.get("CARELAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCRIPT_CASE = """\
id: script-test
title: Script tag test
setting: Test
summary: Checks that HTML in content is shown as text.
sections:
  - heading: Body
    body: "Before <script>window.carelabInjected = true</script> <b>not bold</b> after"
    sources: [s]
sources:
  - id: s
    citation: Test source.
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip browser tests when Chromium is missing, unless CI demands them."""
    if HAVE_CHROMIUM:
        return
    if os.environ.get("CARELAB_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}; CI requires browser tests")
    skip = pytest.mark.skip(
        reason="Chromium is not installed (apt-get install chromium); browser tests skipped"
    )
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Use Debian's Chromium; never download a browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A CareLab server shared by the browser tests; yield its base URL."""
    yield from _serve(tmp_path_factory)


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server on an empty database, as `make run` starts on a fresh install (its log holds
    the one-time setup link)."""
    server = _started(tmp_path_factory)
    try:
        yield server
    finally:
        server.stop()


def _serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `streamlit run server.py` with a fresh database; yield its base URL."""
    server = _started(tmp_path_factory)
    try:
        yield server.url
    finally:
        server.stop()


def _started(tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    server = ServerProcess(tmp_path_factory.mktemp("server"), {"script-test.yaml": SCRIPT_CASE})
    server.start()
    return server


def wait_for_app(page) -> None:
    """Wait until Streamlit is connected and the script run has finished."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")


SHOTS = REPO / "screenshots"


def shot(page, name: str) -> None:
    """Save the whole page as screenshots/NAME.png (git-ignored) for people to look at.

    Streamlit scrolls its main block, not the document, so a full-page screenshot shows only
    the window: grow the window to the content's height for the picture, then put it back.
    pytest-playwright empties test-results/ at the start of every run, so we keep ours apart.
    """
    SHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "Math.max(innerHeight, ...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stSidebarContent]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(height, 10_000)})
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    # Streamlit draws elements below the window lazily, as grey skeletons until then
    # (past 10,000 px some may stay: take the picture anyway).
    with contextlib.suppress(PlaywrightTimeoutError):
        page.locator("[data-testid=stSkeleton]").first.wait_for(state="detached", timeout=5_000)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)
