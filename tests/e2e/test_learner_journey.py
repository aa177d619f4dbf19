"""A new learner in a real browser takes the shipped `teamwork` module from start to certificate.

Sign up, start the module from the catalogue, jump to the first quiz, answer wrongly and
then rightly, reload mid-module, work through every step, answering each quiz and each
case step's quiz (the right answers are read from the content with CareLab's own loader,
so the test follows the content), save both reflections, complete, download the
certificate and check its text, verify its code, and download the reflective log in both
formats. A second test looks at the player on a phone.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.content.loader import load_yaml_file
from tests.e2e.conftest import server_env, shot, wait_for_app
from tests.e2e.waits import patient

pytestmark = pytest.mark.browser

NAME = "Zoë Łukasiewicz"
PASSWORD = "correct horse battery"
MODULE_ID = "teamwork"
NO_CREDIT = "CareLab itself awards no CME or CPD credit"
CODE = re.compile(r"CL(?:-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){4}")
# What the learner writes; plain words so the log shows them exactly as typed.
REFLECTIONS = {
    "reflect-pathway": {
        "What?": "Zoë followed one patient through four services and heard the story retold.",
        "So what?": "Each retelling costs the patient energy and risks a lost detail.",
        "Now what?": "I will read the discharge letter aloud with the patient before they go.",
    },
    "reflect-team": {
        "What?": "A junior colleague waited an hour before calling me about a sick patient.",
        "So what?": "My tone on earlier calls made the recommendation feel risky to give.",
        "Now what?": "I will thank every caller and ask what they recommend before I decide.",
    },
}


def load_module(server: str) -> schema.Module:
    """The module exactly as this server serves it (its copy of modules/teamwork.yaml)."""
    root = Path(server_env(server)["CARELAB_CONTENT_DIR"])
    doc = load_yaml_file(root / "modules" / f"{MODULE_ID}.yaml")
    return schema.Module.model_validate(doc.data)


def case_quizzes(server: str, module: schema.Module) -> dict[str, list]:
    """Each case step's questions, from the cases this server serves (they count too)."""
    catalog = load_catalog(Path(server_env(server)["CARELAB_CONTENT_DIR"]))
    return {
        step.id: list(catalog.case(step.case).quiz)
        for step in module.steps
        if isinstance(step, schema.CaseStep)
    }


def no_errors(page: Page) -> None:
    """No Python traceback on the page."""
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


def sign_up(page: Page, server: str) -> str:
    """Create a fresh account (other tests may have made the first one); return its email."""
    email = f"zoe-{uuid.uuid4().hex[:10]}@example.org"
    page.goto(f"{server}/sign-in")
    wait_for_app(page)
    page.get_by_role("tab", name="Create an account").click()
    page.get_by_label("Your name, as it should appear on certificates").fill(NAME)
    page.get_by_role("tabpanel").get_by_label("Email").fill(email)
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # Sign-up never signs in (it answers the same for a taken email): sign in next.
    expect(page.get_by_text("Done. Now sign in on the")).to_be_visible()
    page.get_by_role("tab", name="Sign in").click()
    expect(page.get_by_role("tabpanel").get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_text(NAME, exact=True)).to_be_visible()
    wait_for_app(page)
    return email


def step_heading(page: Page, step) -> Locator:
    return page.get_by_role("heading", name=step.title, level=2, exact=True)


def go_to_step(page: Page, module: schema.Module, step_id: str) -> None:
    """Choose a step in the "Go to step" select, as a learner would."""
    number = next(i for i, s in enumerate(module.steps, 1) if s.id == step_id)
    step = module.steps[number - 1]
    page.get_by_role("combobox", name="Go to step").click()
    label = re.compile(rf"^(✓ )?{number}\. {re.escape(step.title)}$")
    page.get_by_role("option", name=label).click()
    expect(step_heading(page, step)).to_be_visible()
    page.wait_for_url(re.compile(rf"[?&]step={step_id}(&|$)"))
    wait_for_app(page)


def question_box(page: Page, number: int) -> Locator:
    """The bordered container of one question: the innermost block holding its heading."""
    heading = page.get_by_role("heading", name=f"Question {number}", exact=True)
    return page.locator("[data-testid=stVerticalBlock]").filter(has=heading).last


def right_answer(question) -> str | bool | list[str]:
    """The answer the content marks right, in the form the widget shows it."""
    if isinstance(question, schema.SingleChoice):
        return next(o.text for o in question.options if o.correct)
    if isinstance(question, schema.MultipleChoice):
        return [o.text for o in question.options if o.correct]
    if isinstance(question, schema.TrueFalse):
        return question.answer
    if isinstance(question, schema.Numeric):
        return f"{question.answer:g}"
    return next(a for a in question.accepted if "*" not in a)


def wrong_answer(question: schema.SingleChoice) -> str:
    return next(o.text for o in question.options if not o.correct)


def choose(box: Locator, question, value) -> None:
    """Put `value` into a question's widget (click labels: the inputs themselves are hidden)."""
    if isinstance(question, schema.SingleChoice | schema.TrueFalse):
        text = value if isinstance(value, str) else ("True" if value else "False")
        box.get_by_role("radiogroup").get_by_text(text, exact=True).click()
        expect(box.get_by_role("radio", name=text, exact=True)).to_be_checked()
    elif isinstance(question, schema.MultipleChoice):
        for option in question.options:
            tick = box.get_by_role("checkbox", name=option.text, exact=True)
            if tick.is_checked() != (option.text in value):
                box.locator("[data-testid=stCheckbox]").get_by_text(option.text, exact=True).click()
            expect(tick).to_be_checked(checked=option.text in value)
    else:
        box.get_by_role("textbox").fill(value)


def check_answer(page: Page, number: int, question, value, verdict: str) -> Locator:
    """Answer one question, press "Check my answer" and wait for the verdict in words."""
    box = question_box(page, number)
    choose(box, question, value)
    box.get_by_role("button", name="Check my answer").click()
    expect(box.get_by_text(verdict, exact=True)).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    return box


def answer_quiz(page: Page, questions: list) -> None:
    """Answer every question of a step rightly (skipping any already answered rightly)."""
    for number, question in enumerate(questions, 1):
        box = question_box(page, number)
        expect(box).to_be_visible()
        if box.get_by_text("Correct.", exact=True).count():
            continue
        check_answer(page, number, question, right_answer(question), "Correct.")
        expect(box.get_by_text("Why:")).to_be_visible()


def save_reflection(page: Page, step: schema.ReflectionStep) -> None:
    for label, text in REFLECTIONS[step.id].items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text(re.compile(r"^Saved at \d\d:\d\d\.$"))).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("^Your reflection may contain"))).to_have_count(0)


def download(page: Page, button: str, folder: Path) -> Path:
    """Click a download button and save what the browser received."""
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(re.escape(button))).click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def pdf_text(path: Path) -> str:
    """A PDF's text with whitespace collapsed, so line breaks do not matter."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return " ".join(text.split())


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_new_learner_takes_teamwork_to_a_verified_certificate(
    page: Page, server: str, tmp_path: Path
):
    patient(page)
    module = load_module(server)
    quizzes = [s for s in module.steps if isinstance(s, schema.QuizStep)]
    in_cases = case_quizzes(server, module)
    reflections = [s for s in module.steps if isinstance(s, schema.ReflectionStep)]
    assert len(quizzes) >= 1 and len(reflections) == len(REFLECTIONS)
    sign_up(page, server)

    # Start the module from the catalogue.
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name=f"Start or continue: {module.title}").click()
    expect(page.get_by_role("heading", name=module.title, level=1)).to_be_visible()
    expect(step_heading(page, module.steps[0])).to_be_visible()
    wait_for_app(page)
    assert f"id={MODULE_ID}" in page.url
    total = len(module.steps)
    expect(
        page.get_by_text(f"Step 1 of {total} · 0 of {total} required steps done")
    ).to_be_visible()
    expect(page.get_by_role("button", name="← Previous")).to_be_disabled()

    # Jump to the first quiz; answer its first question wrongly, then rightly.
    quiz = quizzes[0]
    go_to_step(page, module, quiz.id)
    first, second = quiz.questions[0], quiz.questions[1]
    assert isinstance(first, schema.SingleChoice), "the journey expects a single choice first"
    wrong = wrong_answer(first)
    box = check_answer(page, 1, first, wrong, "Not quite.")
    expect(box.get_by_text("Why:")).to_be_visible()
    expect(box.get_by_text(re.compile(r"^Saved\. Your first answer scored"))).to_be_visible()
    expect(box.get_by_text("Correct.", exact=True)).to_have_count(0)
    shot(page, "player-quiz-not-quite")
    right = right_answer(first)
    box = check_answer(page, 1, first, right, "Correct.")
    expect(box.get_by_text("Not quite.", exact=True)).to_have_count(0)
    expect(box.get_by_text(re.compile(r"you have tried 2 times\.$"))).to_be_visible()
    check_answer(page, 2, second, right_answer(second), "Correct.")

    # Reload mid-module: same step, the saved choice is ticked and the feedback shown.
    page.reload()
    wait_for_app(page)
    expect(step_heading(page, quiz)).to_be_visible()
    box = question_box(page, 1)
    expect(box.get_by_role("radio", name=right, exact=True)).to_be_checked()
    expect(box.get_by_role("radio", name=wrong, exact=True)).not_to_be_checked()
    expect(box.get_by_text("Correct.", exact=True)).to_be_visible()
    if isinstance(second, schema.Numeric | schema.ShortAnswer):
        expect(question_box(page, 2).get_by_role("textbox")).to_have_value(right_answer(second))
    expect(question_box(page, 2).get_by_text("Correct.", exact=True)).to_be_visible()
    expect(question_box(page, 3).get_by_text("Why:")).to_have_count(0)  # not answered yet
    no_errors(page)

    # Back to step 2, then every step in order to the end.
    go_to_step(page, module, module.steps[1].id)
    for number, step in enumerate(module.steps[1:], 2):
        expect(step_heading(page, step)).to_be_visible()
        expect(page.get_by_text(f"Step {number} of {total} ·")).to_be_visible()
        no_errors(page)
        if isinstance(step, schema.QuizStep):
            answer_quiz(page, step.questions)
        elif isinstance(step, schema.CaseStep):
            answer_quiz(page, in_cases[step.id])  # a case's quiz counts in the module
        elif isinstance(step, schema.ReflectionStep):
            save_reflection(page, step)
        if number < total:
            page.get_by_role("button", name="Next →").click()
            expect(step_heading(page, module.steps[number])).to_be_visible()
            wait_for_app(page)

    # The last step is reading: finish it, and the completion rule is met.
    expect(page.get_by_text(f"Required steps done: {total - 1} of {total}")).to_be_visible()
    shot(page, "player-last-step-unfinished")
    page.get_by_role("button", name="Finish this step").click()
    complete = page.get_by_role("button", name="Complete the module and get my certificate")
    expect(complete).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text(f"Required steps done: {total} of {total}")).to_be_visible()
    questions = sum(len(q.questions) for q in quizzes) + sum(map(len, in_cases.values()))
    expect(page.get_by_text(f"Questions answered: {questions} of {questions}")).to_be_visible()
    # The first answer to question 1 was wrong, and the first answer is the one scored.
    score = f"{(questions - 1) / questions:.0%}"
    expect(page.get_by_text(f"Score (first answers): {score}; pass mark")).to_be_visible()
    complete.click()
    expect(page.get_by_text(re.compile(r"^Module complete\. Well done\."))).to_be_visible()
    wait_for_app(page)
    no_errors(page)
    caption = page.get_by_text(re.compile(r"^Verification code CL-")).inner_text()
    code = CODE.search(caption).group(0)
    verify_url = caption.rsplit(" ", 1)[-1]
    shot(page, "player-complete")

    # The certificate: the learner's Unicode name, the module and the no-credit statement.
    pdf = download(page, "Download my certificate (PDF)", tmp_path)
    assert pdf.name == f"carelab-certificate-{code}.pdf"
    text = pdf_text(pdf)
    assert NAME in text, f"the learner's name is missing from the certificate: {text[:400]}"
    assert words(module.title) in text
    assert NO_CREDIT in text
    assert CODE.search(text).group(0) == code

    # Anyone can check the code: on the verify page and at the address the certificate gives.
    for url in (f"{server}/verify?verify={code}", verify_url):
        page.goto(url)
        wait_for_app(page)
        expect(page.get_by_text(f"Valid certificate {code}.")).to_be_visible()
        expect(page.get_by_text(f"Learner: {NAME}")).to_be_visible()
        no_errors(page)
    page.goto(f"{server}/verify?verify=CL-AAAA-BBBB-CCCC-DDDD")
    wait_for_app(page)
    expect(
        page.get_by_text(
            "The code CL-AAAA-BBBB-CCCC-DDDD is unknown: CareLab issued no certificate"
        )
    ).to_be_visible()
    expect(page.get_by_text("Valid certificate")).to_have_count(0)

    # My learning: the certificate is listed; the reflective log holds both reflections.
    page.goto(f"{server}/my-learning")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My learning", level=1)).to_be_visible()
    expect(
        page.get_by_text(f"{module.title} (version {module.version}), completed")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Download my data"))).to_be_visible()
    no_errors(page)
    shot(page, "my-learning")
    markdown = download(page, "Reflective log (Markdown)", tmp_path).read_text(encoding="utf-8")
    log_pdf = pdf_text(download(page, "Reflective log (PDF)", tmp_path))
    for parts in REFLECTIONS.values():
        for typed in parts.values():
            assert typed in words(markdown), f"missing from the Markdown log: {typed}"
            assert typed in log_pdf, f"missing from the PDF log: {typed}"
    assert NAME in markdown and NAME in log_pdf


def test_the_player_on_a_phone(page: Page, server: str):
    patient(page)
    module = load_module(server)
    quiz = next(s for s in module.steps if isinstance(s, schema.QuizStep))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up(page, server)
    page.goto(f"{server}/module?id={MODULE_ID}&step={quiz.id}")
    wait_for_app(page)
    expect(step_heading(page, quiz)).to_be_visible()
    first = quiz.questions[0]
    box = check_answer(page, 1, first, wrong_answer(first), "Not quite.")
    expect(box.get_by_text("Why:")).to_be_visible()
    box.scroll_into_view_if_needed()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the player scrolls sideways on a phone ({width}px)"
    no_errors(page)
    shot(page, "player-phone")
