"""axe-core on every CareLab page state that matters, at 1280x800 and at 390x844 (issue 12).

Each role has one signed-in browser page that walks its page states in order; at each state
the same page is resized to the desktop and the phone size and scanned by axe (all WCAG 2.1
A/AA rules at the top, colour contrast on each screenful below: see tests/e2e/axe.py). A test
collects every serious or critical violation CareLab causes on its walk and fails at the end
listing them all, so one run shows everything there is to fix. The last test shows the check
can fail: a QR image without its alt text is reported as a critical `image-alt`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from carelab import auth
from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.learning import progress
from carelab.store import accounts
from carelab.store import db as store_db
from tests.conftest import AE_CSV
from tests.e2e import axe
from tests.e2e.conftest import server_env, wait_for_app
from tests.e2e.test_learner_journey import MODULE_ID, check_answer, right_answer
from tests.e2e.waits import patient
from tests.e2e.workshop_room import (
    CHOICE_STEP,
    CHOICE_TITLE,
    OPTIONS,
    Host,
    Phone,
    add_account,
    no_errors,
    sign_in,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"1280x800": DESKTOP, "390x844": PHONE}
LAB_MODULE, LAB_STEP = "indicators", "lab-process-vs-outcome"
LAB_TABS = ("Funnel plots", "League tables", "A against B", "Against the truth")
CHART = "[data-testid=stVegaLiteChart]"
DRAWN = f"{CHART} svg.marks, {CHART} canvas, [data-testid=stDataFrame], [data-testid=stTable]"
# Streamlit's sidebar slides (a transform) off the left edge on a narrow window and back on a
# wide one: scan when it is all in or all out, never half-way (axe counts what it sees).
SIDEBAR_AT_REST = """phone => {
    const bar = document.querySelector('[data-testid=stSidebar]');
    if (!bar) return true;
    const box = bar.getBoundingClientRect();
    return box.right <= 0 || (!phone && box.left >= 0);
}"""
BAD_CSV = "provider,numerator,denominator\nA,3,10\nB,-3,5\nC,x,7\n"
REFLECTION = {"what": "What happened.", "so_what": "Why it matters.", "now_what": "What next."}


@pytest.fixture(scope="module", autouse=True)
def _axe_installed() -> None:
    axe.require_axe()


class Walk:
    """One page walking through page states; axe looks at each at both sizes."""

    def __init__(self, page: Page, streamlit: bool = True) -> None:
        self.page = patient(page)
        self.streamlit = streamlit  # the room page is CareLab's own HTML, not Streamlit
        self.found: list[str] = []

    def settle(self) -> None:
        if self.streamlit:
            wait_for_app(self.page)
            phone = self.page.viewport_size == PHONE
            self.page.wait_for_function(SIDEBAR_AT_REST, arg=phone)

    def goto(self, server: str, path: str) -> Page:
        self.page.goto(f"{server}{path}")
        wait_for_app(self.page)
        no_errors(self.page)
        return self.page

    def look(self, state: str) -> None:
        """Scan the page as it is now at each size, then go back to the desktop size."""
        for name, size in SIZES.items():
            self.page.set_viewport_size(size)
            self.settle()
            self.found += axe.problems(self.page, f"{state} @ {name}")
        self.page.set_viewport_size(DESKTOP)
        self.settle()

    def assert_clean(self) -> None:
        if self.found:
            count = len(self.found)
            pytest.fail(f"axe: {count} serious or critical violation(s):\n" + "\n".join(self.found))


def content_dir(server: str) -> Path:
    return Path(server_env(server)["CARELAB_CONTENT_DIR"])


def graded(question) -> object:
    """The right answer to a question, in the form CareLab grades and stores it."""
    if isinstance(question, schema.SingleChoice):
        return next(i for i, o in enumerate(question.options) if o.correct)
    if isinstance(question, schema.MultipleChoice):
        return [i for i, o in enumerate(question.options) if o.correct]
    return right_answer(question)


def fill_module(server: str, email: str, module_id: str, complete: bool) -> str | None:
    """Do every step of a module but the last for a learner, through CareLab's own
    learning functions (the learner journey does it through the pages); with `complete`,
    finish the last step too and issue the certificate: return its code."""
    catalog = load_catalog(content_dir(server))
    module = catalog.module(module_id)
    with store_db.session(Path(server_env(server)["CARELAB_DB"])) as db:
        user = auth.get_user(db, accounts.user_by_email(db, email)["id"])
        attempt = progress.current_attempt(db, user, module)
        done = progress.answers(db, attempt)
        steps = module.steps if complete else module.steps[:-1]
        for step in steps:
            if isinstance(step, schema.QuizStep):
                for q in step.questions:
                    if q.id not in done:
                        progress.record_answer(db, attempt, step.id, q, graded(q))
            elif isinstance(step, schema.CaseStep):
                for q in catalog.case(step.case).quiz:
                    key = progress.case_answer_id(step.id, q.id)
                    if key not in done:
                        progress.record_answer(db, attempt, step.id, q, graded(q), key)
            elif isinstance(step, schema.ReflectionStep):
                progress.save_reflection(db, attempt, step, REFLECTION)
            else:
                progress.finish_step(db, attempt, step.id)
        if not complete:
            return None
        issued = progress.complete(db, user, attempt, module, server, catalog.cases)
        return issued.code


@pytest.fixture(scope="module")
def certificate_code(server: str) -> str:
    """The code of a certificate another learner earned (the anonymous Verify page's)."""
    email = add_account(server_env(server), name="Vera Verified")
    return fill_module(server, email, MODULE_ID, complete=True)


@pytest.fixture(scope="module")
def host(browser: Browser, server: str) -> Iterator[Host]:
    """The facilitator, signed in once for this file's tests."""
    facilitator = Host(browser, server)
    facilitator.page.set_viewport_size(DESKTOP)
    try:
        yield facilitator
    finally:
        facilitator.context.close()


def signed_in_page(browser: Browser, server: str, role: str) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    page = patient(context.new_page())
    email = add_account(server_env(server), role, name=f"{role.title()} Axe")
    sign_in(page, server, email)
    page.carelab_email = email  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def learner_page(browser: Browser, server: str) -> Iterator[Page]:
    yield from signed_in_page(browser, server, "learner")


@pytest.fixture(scope="module")
def admin_page(browser: Browser, server: str) -> Iterator[Page]:
    yield from signed_in_page(browser, server, "admin")


def lab_tabs(walk: Walk, state: str) -> None:
    """Each results tab of the Lab (or a Lab step), with its charts drawn."""
    page = walk.page
    for tab in LAB_TABS:
        page.get_by_role("tab", name=tab).click()
        panel = page.get_by_role("tabpanel", name=tab)
        expect(panel).to_be_visible()
        expect(panel.locator(DRAWN).first).to_be_visible()
        walk.look(f"{state}: {tab}")


def test_anonymous_pages(browser: Browser, server: str, certificate_code: str):
    context = browser.new_context(viewport=DESKTOP)
    walk = Walk(context.new_page())
    try:
        walk.goto(server, "/")
        expect(walk.page.get_by_role("heading", name="Catalogue", level=1)).to_be_visible()
        walk.look("anonymous catalogue")
        walk.goto(server, "/sign-in")
        expect(walk.page.get_by_role("button", name="Sign in")).to_be_visible()
        walk.look("anonymous sign in")
        walk.goto(server, f"/module?id={MODULE_ID}")
        walk.look("anonymous module outline")
        walk.goto(server, f"/verify?verify={certificate_code}")
        expect(walk.page.get_by_text(f"Valid certificate {certificate_code}.")).to_be_visible()
        walk.look("anonymous verify, valid code")
        walk.goto(server, "/verify?verify=CL-AAAA-BBBB-CCCC-DDDD")
        expect(
            walk.page.get_by_text(re.compile("CL-AAAA-BBBB-CCCC-DDDD is unknown"))
        ).to_be_visible()
        walk.look("anonymous verify, bad code")
        walk.goto(server, "/lab")
        lab_tabs(walk, "anonymous Lab")
    finally:
        context.close()
    walk.assert_clean()


def test_learner_pages(learner_page: Page, server: str, tmp_path: Path):
    walk = Walk(learner_page)
    page = walk.page
    catalog = load_catalog(content_dir(server))
    module = catalog.module(MODULE_ID)
    steps = {s.kind: s for s in reversed(module.steps)}  # the first step of each kind

    walk.goto(server, "/")
    walk.look("learner catalogue")
    walk.goto(server, "/my-learning")
    expect(page.get_by_role("heading", name="My learning", level=1)).to_be_visible()
    walk.look("learner my learning")

    walk.goto(server, f"/module?id={MODULE_ID}&step={module.steps[0].id}")
    expect(page.get_by_role("heading", name=module.steps[0].title, level=2)).to_be_visible()
    walk.look("player: text step")
    quiz = steps["quiz"]
    walk.goto(server, f"/module?id={MODULE_ID}&step={quiz.id}")
    expect(page.get_by_role("heading", name="Question 1", exact=True)).to_be_visible()
    walk.look("player: quiz unanswered")
    first = quiz.questions[0]
    check_answer(page, 1, first, right_answer(first), "Correct.")
    walk.look("player: quiz answered, feedback shown")
    for kind in ("reflection", "case"):
        walk.goto(server, f"/module?id={MODULE_ID}&step={steps[kind].id}")
        expect(page.get_by_role("heading", name=steps[kind].title, level=2)).to_be_visible()
        walk.look(f"player: {kind} step")
    walk.goto(server, f"/module?id={LAB_MODULE}&step={LAB_STEP}")
    expect(page.get_by_role("link", name="Open this scenario in the Indicator Lab")).to_be_visible()
    walk.look("player: lab step")

    fill_module(server, page.carelab_email, MODULE_ID, complete=False)  # type: ignore[attr-defined]
    last = module.steps[-1]
    walk.goto(server, f"/module?id={MODULE_ID}&step={last.id}")
    page.get_by_role("button", name="Finish this step").click()
    complete = page.get_by_role("button", name="Complete the module and get my certificate")
    expect(complete).to_be_enabled()
    wait_for_app(page)
    complete.click()
    expect(page.get_by_text(re.compile(r"^Module complete\. Well done\."))).to_be_visible()
    wait_for_app(page)
    walk.look("player: last step, certificate")

    for case in sorted(catalog.cases.values(), key=lambda c: c.id):
        walk.goto(server, f"/case?id={case.id}")
        expect(page.get_by_role("heading", name=case.title, level=1)).to_be_visible()
        walk.look(f"case study {case.id}")

    walk.goto(server, "/lab")
    lab_tabs(walk, "learner Lab")

    walk.goto(server, "/your-data")
    page.get_by_role("button", name=re.compile("example", re.IGNORECASE)).click()
    expect(page.get_by_text(re.compile(r"^Example data: NHS England A&E"))).to_be_visible()
    wait_for_app(page)
    for tab in ("Funnel plot", "Run chart"):
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tabpanel", name=tab).locator("svg, canvas").first).to_be_visible()
        walk.look(f"your data: example CSV ({AE_CSV.name}), {tab}")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    walk.goto(server, "/your-data")
    page.set_input_files("[data-testid=stFileUploader] input[type=file]", str(bad))
    expect(page.get_by_text(re.compile("negative")).first).to_be_visible()
    wait_for_app(page)
    walk.look("your data: bad CSV")

    walk.goto(server, "/account")
    walk.look("learner account")
    walk.assert_clean()


def test_admin_pages(admin_page: Page, server: str):
    walk = Walk(admin_page)
    walk.goto(server, "/admin")
    expect(walk.page.get_by_role("heading", name="Users and content", level=1)).to_be_visible()
    walk.look("admin: users and content")
    walk.goto(server, "/authoring")
    walk.look("admin: authoring")
    walk.assert_clean()


def test_facilitator_and_phone_pages(browser: Browser, server: str, host: Host):
    walk = Walk(host.page)
    if host.code:  # the QR test ran first and made the workshop
        walk.goto(server, f"/facilitate?w={host.workshop_id}")
    else:
        walk.goto(server, "/facilitate")
        expect(walk.page.get_by_role("heading", name="Facilitate a workshop")).to_be_visible()
        walk.look("facilitate, no workshop")
        host.create_workshop("Axe huddle")
    phone = Phone(browser, server, "Axe")
    room = Walk(phone.page, streamlit=False)
    try:
        phone.page.goto(f"{server}/room/{host.code}")
        expect(phone.page.get_by_label("Workshop code")).to_have_value(host.code)
        room.look("room: join")
        phone.page.set_viewport_size(PHONE)
        phone.join(host.code, by_link=True)
        host.go_to(CHOICE_STEP, CHOICE_TITLE)
        host.click("Open answering")
        phone.expect_step(CHOICE_STEP, CHOICE_TITLE)
        expect(phone.page.get_by_role("button", name="Send")).to_be_enabled()
        room.look("room: question open")
        phone.page.set_viewport_size(PHONE)
        phone.answer(OPTIONS[0])
        host.click("Reveal results")
        expect(phone.page.get_by_text("The results are on the screen.")).to_be_visible()
        room.look("room: results revealed")
        expect(host.page.locator("[data-testid=stVegaLiteChart]").first).to_be_visible()
        walk.look("facilitate, workshop running, results revealed")
        screen = host.projector()
        expect(screen.locator("[data-testid=stVegaLiteChart]")).to_have_count(1)
        Walk(screen).look("projector, results revealed")
    finally:
        phone.close()
    walk.found += room.found
    walk.assert_clean()


def test_the_check_fails_when_the_qr_code_loses_its_alt_text(server: str, host: Host):
    page = patient(host.page)
    if not host.code:
        host.create_workshop("Axe huddle")
    page.goto(f"{server}/facilitate?w={host.workshop_id}")
    wait_for_app(page)
    qr = page.get_by_role("img", name=re.compile(r"^QR code"))
    expect(qr).to_be_visible()
    before = axe.problems(page, "facilitate", whole_page=False)
    assert not [p for p in before if "image-alt" in p], before
    # Take the alt text away and keep it away (the page's fragment redraws every 2 s).
    page.evaluate(
        """() => {
            const strip = () => document.querySelectorAll('img[alt^="QR code"]')
                .forEach(img => img.removeAttribute('alt'));
            strip();
            new MutationObserver(strip).observe(document.body,
                {subtree: true, childList: true, attributes: true, attributeFilter: ['alt']});
        }"""
    )
    expect(page.locator("img[alt^='QR code']")).to_have_count(0)
    after = axe.problems(page, "facilitate without alt", whole_page=False)
    assert any(p.startswith("facilitate without alt: image-alt (critical)") for p in after), after
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
        axe.assert_accessible(page, "facilitate without alt", whole_page=False)
