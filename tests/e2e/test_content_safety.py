"""In a real browser: a case's Markdown loads no image from anywhere and runs no link.

The case hides a remote image (a tracking pixel) in several places Streamlit renders as
Markdown, an inline `data:` image, and `data:` and `javascript:` links; an ordinary https
link must stay a link. Every request the page makes is recorded (page.on("request")), and
requests to the tracker's host are answered here, so nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import ServerProcess, wait_for_app

pytestmark = pytest.mark.browser

TRACKER = "evil.example"
HOSTILE_CASE = f"""\
id: hostile-media
title: Hostile media test
setting: Test
summary: "Summary ![pixel](https://{TRACKER}/summary.png) ends here."
timeline:
  - date: "2020"
    event: "Event ![pixel](https://{TRACKER}/timeline.png)"
    source: s
sections:
  - heading: Body
    body: |
      Inline ![inline](data:image/svg+xml;base64,PHN2Zy8+) picture.
      A [data link](data:text/html,<script>alert(1)</script>) and a
      [script link](javascript:alert(1)) and [the real source](https://www.england.nhs.uk/).
      Reference ![ref][pixel] too.

      [pixel]: https://{TRACKER}/reference.png
    sources: [s]
key_figures:
  - label: "Label ![pixel](https://{TRACKER}/label.png)"
    value: "42"
    source: s
what_to_notice:
  - "Notice ![pixel](//{TRACKER}/notice.png)"
sources:
  - id: s
    citation: "Test source ![pixel](https://{TRACKER}/citation.png)."
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose content folder holds the hostile case."""
    workdir = tmp_path_factory.mktemp("hostile")
    server = ServerProcess(workdir)
    (workdir / "content/cases/hostile-media.yaml").write_text(HOSTILE_CASE, encoding="utf-8")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_case_loads_no_remote_or_data_image_and_runs_no_data_or_script_link(
    page: Page, hostile_server: str
):
    page.set_default_timeout(30_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    def answer_tracker(route: Route) -> None:
        route.fulfill(status=200, content_type="image/png", body=b"")

    page.route(f"**://{TRACKER}/**", answer_tracker)
    page.goto(f"{hostile_server}/case?id=hostile-media")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Hostile media test", level=1)).to_be_visible()
    # The last section rendered, so every Markdown element above it is on the page.
    expect(page.get_by_text("Test source")).to_be_visible()

    assert [url for url in requested if TRACKER in url] == []
    main = page.locator("[data-testid=stMain]")
    image_sources = main.locator("img").evaluate_all("els => els.map(e => e.src)")
    assert [src for src in image_sources if TRACKER in src or src.startswith("data:")] == []
    hrefs = main.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert [h for h in hrefs if h and h.strip().lower().startswith(("data:", "javascript:"))] == []
    # The ordinary web link still works, and the pictures are there to open by choice.
    expect(main.get_by_role("link", name="the real source")).to_have_attribute(
        "href", "https://www.england.nhs.uk/"
    )
    expect(main.get_by_role("link", name="Image: pixel").first).to_have_attribute(
        "href", f"https://{TRACKER}/summary.png"
    )
    expect(main.get_by_text("Image: inline")).to_be_visible()
    # Showing a picture is the reader's choice: still nothing fetched from the tracker.
    assert [url for url in requested if TRACKER in url] == []
