"""A stand-in LMS for SCORM package tests: scorm-again's Scorm12API in a page that opens the
unzipped package in an iframe, served from a temporary folder by a small local HTTP server;
and a learner who works through a module in the player with the YAML's answers.

scorm-again comes from the npm registry, pinned in tests/scorm/package-lock.json and
installed by `make test` (`npm ci --prefix tests/scorm`). Without it the tests skip; under
CARELAB_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from carelab.content import schema
from tests.conftest import REPO

SCORM12_JS = REPO / "tests" / "scorm" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"
HARNESS = REPO / "tests" / "scorm"


def require_scorm_again() -> None:
    """Skip (locally) or fail (in CI) when scorm-again has not been installed."""
    if SCORM12_JS.exists():
        return
    why = f"scorm-again is not installed at {SCORM12_JS.relative_to(REPO)}: run `make test`"
    if os.environ.get("CARELAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{why}; CI requires the SCORM tests")
    pytest.skip(f"{why} (npm ci --prefix tests/scorm)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing: the test's output is the test's."""


@contextmanager
def lms(folder: Path, package: bytes) -> Iterator[str]:
    """Serve the stand-in LMS with the package unzipped under it; yield the LMS page's URL."""
    require_scorm_again()
    zipfile.ZipFile(io.BytesIO(package)).extractall(folder / "package")
    shutil.copy(SCORM12_JS, folder / "scorm12.js")
    for name in ("lms.html", "lms.js"):
        shutil.copy(HARNESS / name, folder / name)
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/lms.html"
    finally:
        server.shutdown()
        server.server_close()


def launch(page: Page, url: str, earlier: dict[str, Any] | None = None) -> FrameLocator:
    """Open the LMS page (with an earlier session's cmi data, as on a resumed launch)."""
    page.goto(url + ("?cmi=" + quote(json.dumps(earlier)) if earlier else ""))
    player = page.frame_locator("#sco")
    expect(player.locator("#view-heading")).to_be_visible()
    return player


def cmi(page: Page) -> dict[str, Any]:
    """The LMS side's cmi data as scorm-again holds it."""
    return page.evaluate("window.lmsCmi()")


def close_module(page: Page) -> None:
    """The learner closes the module in the LMS: its frame goes, and the player suspends."""
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.API.isTerminated()")


def wrong_option(options: list[schema.Option]) -> int:
    """The index of the first option that is not right."""
    return next(i for i, option in enumerate(options) if not option.correct)


def answer(section: Locator, question: Any, right: bool = True) -> None:
    """Give the question's right answer (from the YAML), or a wrong one, and check it."""
    if isinstance(question, schema.SingleChoice | schema.MultipleChoice):
        picks = [i for i, o in enumerate(question.options) if o.correct]
        for index in picks if right else [wrong_option(question.options)]:
            section.locator(f'input[value="{index}"]').check()
    elif isinstance(question, schema.TrueFalse):
        section.locator(f'input[value="{str(question.answer == right).lower()}"]').check()
    elif isinstance(question, schema.Numeric):
        value = question.answer if right else question.answer + question.tolerance + 1000
        section.get_by_label("Your answer (a number)").fill(f"{value:g}")
    elif isinstance(question, schema.ShortAnswer):
        text = question.accepted[0].replace("*", "") if right else "zzz not an answer"
        section.get_by_label("Your answer").fill(text)
    elif isinstance(question, schema.Ranking) and right:
        _put_in_order(section, list(question.items))
    section.locator("button.check").click()
    verdict = section.locator(".verdict")
    if right:
        expect(verdict).to_have_text("✓ Right")
    else:
        expect(verdict).not_to_have_text("✓ Right")


def _put_in_order(section: Locator, items: list[str]) -> None:
    """Move each item up, with the Move up buttons, until the list is in the right order."""
    for place, item in enumerate(items):
        shown = section.locator(".ranking .item").all_inner_texts()
        for _ in range(shown.index(item) - place):
            section.get_by_role("button", name=f"Move up: {item}", exact=True).click()
    expect(section.locator(".ranking .item")).to_have_text(items)


def scored(module: schema.Module, cases: dict[str, schema.Case]) -> list[tuple[int, Any]]:
    """Each question the score counts, with the index of its step."""
    found = []
    for index, step in enumerate(module.steps):
        if isinstance(step, schema.QuizStep):
            found += [(index, q) for q in step.questions]
        elif isinstance(step, schema.CaseStep):
            found += [(index, q) for q in cases[step.case].quiz]
    return found


def work_through(
    player: FrameLocator,
    module: schema.Module,
    cases: dict[str, schema.Case],
    right: bool = True,
    start: int = 0,
) -> None:
    """From step `start` to the end: answer every question, write each reflection, move on."""
    for index in range(start, len(module.steps)):
        step = module.steps[index]
        expect(player.locator("#view-heading")).to_have_text(step.title)
        questions = [q for i, q in scored(module, cases) if i == index]
        sections = player.locator("section.question")
        expect(sections).to_have_count(len(questions))
        for number, question in enumerate(questions):
            section = sections.nth(number)
            if section.locator(".verdict").count() == 0:
                answer(section, question, right)
        if isinstance(step, schema.ReflectionStep):
            player.get_by_label("What?", exact=True).fill("We handed over by SBAR and it worked.")
            player.get_by_label("Now what?", exact=True).fill("Use it on every escalation call.")
            player.get_by_role("button", name="Save my reflection").click()
            expect(player.get_by_role("status")).to_contain_text("✓ Saved")
        player.locator("#next").click()
    expect(player.locator("#view-heading")).to_have_text("Your result")
