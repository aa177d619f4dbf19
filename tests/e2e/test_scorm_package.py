"""Each shipped module's SCORM 1.2 package, run in Chromium inside a stand-in LMS whose API is
scorm-again's Scorm12API (the LMS side, as Moodle or SCORM Cloud would provide it).

A learner works through the module with the YAML's right answers, writes a reflection and
finishes; the LMS then holds passed, a score of 100, a session time and one interaction per
question. Another learner leaves half-way, comes back to the same place with their answers
(cmi.suspend_data), fails below the pass mark, starts again and passes. Screenshots of the
player at 1280 and 390 px go to /tmp.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from carelab.content.catalog import load_catalog
from carelab.integration.scorm.content import interaction_id
from carelab.integration.scorm.package import build_package
from carelab.learning.progress import case_answer_id
from tests.conftest import REPO
from tests.e2e import axe
from tests.e2e.scorm_lms import answer, close_module, cmi, launch, lms, scored, work_through

pytestmark = pytest.mark.browser
CATALOG = load_catalog(REPO)
MODULES = sorted(CATALOG.modules)
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")  # HHHH:MM:SS.SS
SUSPEND_MAX = 4096  # SCORM 1.2's CMIString4096; scorm-again allows more, real LMSs may not


def _answer_keys(module_id: str) -> set[str]:
    module = CATALOG.modules[module_id]
    keys = set()
    for index, question in scored(module, CATALOG.cases):
        step = module.steps[index]
        key = question.id if step.kind == "quiz" else case_answer_id(step.id, question.id)
        keys.add(interaction_id(key))
    return keys


def _suspend_lengths(page) -> list[int]:
    return page.evaluate(
        "window.setValues.filter(v => v[0] === 'cmi.suspend_data').map(v => v[1].length)"
    )


def test_every_shipped_module_is_tested() -> None:
    """Every module in modules/ loads, so the browser test below covers each of them."""
    assert sorted(p.stem for p in (REPO / "modules").glob("*.yaml")) == MODULES


@pytest.mark.parametrize("module_id", MODULES)
def test_module_passes_in_the_lms(browser: Browser, tmp_path: Path, module_id: str) -> None:
    """Right answers, a reflection, Finish: the LMS holds passed, 100, a time, the answers."""
    module = CATALOG.modules[module_id]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with lms(tmp_path, build_package(module, CATALOG.cases)) as url:
        player = launch(page, url)
        assert cmi(page)["core"]["lesson_status"] == "incomplete"
        player.get_by_role("button", name="Start").click()
        work_through(player, module, CATALOG.cases)
        expect(player.locator(".verdict")).to_have_text("✓ Passed")
        page.screenshot(path=f"/tmp/scorm-{module_id}-result-1280.png")
        player.get_by_role("button", name="Finish and close").click()
        expect(player.get_by_role("status")).to_contain_text("sent to your learning system")
        data = cmi(page)
        assert page.evaluate("window.API.isTerminated()")
        commits = page.evaluate("window.commits.length")
        suspend = _suspend_lengths(page)
        times = page.evaluate(
            "window.setValues.filter(v => v[0] === 'cmi.core.session_time').map(v => v[1])"
        )
        page.close()
    core = data["core"]
    assert core["lesson_status"] == "passed"
    assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == ("100", "0", "100")
    assert len(times) == 1 and TIMESPAN.match(times[0]), times  # sent once, at the finish
    assert times[0] != "0000:00:00.00" and core["session_time"] not in ("", "00:00:00")
    assert core["exit"] == ""
    interactions = list(data["interactions"].values())
    assert {i["id"] for i in interactions} == _answer_keys(module_id)
    assert len(interactions) == len(scored(module, CATALOG.cases))
    assert all(i["result"] == "correct" and i["student_response"] for i in interactions)
    assert commits > len(interactions)  # every answer committed the moment it was given
    assert max(suspend) <= SUSPEND_MAX
    assert errors == []


def test_leave_resume_fail_and_pass(browser: Browser, tmp_path: Path) -> None:
    """A learner leaves in a quiz, resumes there with their answer, fails, starts again, passes."""
    module = CATALOG.modules["teamwork"]
    quiz = next(i for i, s in enumerate(module.steps) if s.kind == "quiz")
    first = next(q for i, q in scored(module, CATALOG.cases) if i == quiz)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    with lms(tmp_path, build_package(module, CATALOG.cases)) as url:
        player = launch(page, url)
        player.get_by_role("button", name="Start").click()
        for _ in range(quiz):
            player.locator("#next").click()
        answer(player.locator("section.question").first, first, right=False)
        page.screenshot(path="/tmp/scorm-teamwork-feedback-390.png", full_page=True)
        close_module(page)
        earlier = cmi(page)
        assert earlier["core"]["lesson_status"] == "incomplete"
        assert earlier["core"]["exit"] == "suspend"
        assert earlier["core"]["lesson_location"] == str(quiz)
        resumed = {
            "core": {
                "lesson_location": earlier["core"]["lesson_location"],
                "lesson_status": "incomplete",
            },
            "suspend_data": earlier["suspend_data"],
        }
        player = launch(page, url, resumed)
        expect(player.locator("#view-heading")).to_have_text(module.steps[quiz].title)
        expect(player.locator("section.question").first.locator(".verdict")).to_have_text(
            "✗ Not right"
        )
        work_through(player, module, CATALOG.cases, right=False, start=quiz)
        expect(player.locator(".verdict")).to_have_text("✗ Not passed")
        page.screenshot(path="/tmp/scorm-teamwork-failed-390.png", full_page=True)
        failed = cmi(page)["core"]
        assert failed["lesson_status"] == "failed"
        assert float(failed["score"]["raw"]) < module.pass_mark * 100
        player.get_by_role("button", name="Start again").click()
        player.get_by_role("button", name="Start").click()
        work_through(player, module, CATALOG.cases)
        player.get_by_role("button", name="Finish and close").click()
        expect(player.get_by_role("status")).to_contain_text("sent to your learning system")
        core = cmi(page)["core"]
        page.close()
    assert (core["lesson_status"], core["score"]["raw"]) == ("passed", "100")


def test_player_is_accessible(browser: Browser, tmp_path: Path) -> None:
    """axe finds no serious WCAG 2.1 AA problem in the player's views, at 1280 and 390 px."""
    axe.require_axe()
    module = CATALOG.modules["indicators"]
    kinds = ["text", "case", "quiz", "reflection", "lab"]
    shown = [next(s for s in module.steps if s.kind == kind) for kind in kinds]
    ranking = next(
        s for s in module.steps if any(q.kind == "ranking" for q in getattr(s, "questions", []))
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found: list[str] = []
    with lms(tmp_path, build_package(module, CATALOG.cases)) as url:
        page.goto(url.replace("lms.html", "package/index.html"))  # no LMS: the player says so
        expect(page.locator("#lms-note")).to_contain_text("No learning system found")
        for step in [None, *shown, ranking, "results"]:
            if step is not None:
                page.locator("#contents summary").click()
                title = "Your result" if step == "results" else step.title
                page.locator("#step-list").get_by_role("button", name=title).first.click()
                page.locator("#contents").evaluate("d => d.open = false")
            if step is not None and step != "results" and step.kind == "quiz":
                page.locator("section.question button.check").first.click()  # an error
                first = page.locator("section.question").first
                answer(first, step.questions[0], right=False)  # and feedback
            for width, height in ((1280, 900), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                name = "overview" if step is None else getattr(step, "id", step)
                page.screenshot(path=f"/tmp/scorm-{name}-{width}.png", full_page=True)
                found += [
                    f"{name} at {width}px: {v['id']} ({v['impact']}) {v['nodes'][0]['html'][:120]}"
                    for v in axe.run(page)
                    if v["impact"] in axe.BLOCKING
                ]
        page.close()
    assert found == []


def test_long_reflection_keeps_resume_data_within_scorm_12s_limit(
    browser: Browser, tmp_path: Path
) -> None:
    """Reflections past cmi.suspend_data's 4,096 characters are not kept; the learner is told."""
    module = CATALOG.modules["teamwork"]
    reflection = next(s for s in module.steps if s.kind == "reflection")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    with lms(tmp_path, build_package(module, CATALOG.cases)) as url:
        player = launch(page, url)
        player.locator("#contents summary").click()
        player.locator("#step-list").get_by_role("button", name=reflection.title).click()
        for label in ("What?", "So what?", "Now what?"):
            player.get_by_label(label, exact=True).fill("A long and careful reflection. " * 50)
        player.get_by_role("button", name="Save my reflection").click()
        expect(player.get_by_role("status")).to_contain_text("copy it somewhere to keep it")
        lengths = _suspend_lengths(page)
        page.close()
    assert lengths and max(lengths) <= SUSPEND_MAX
