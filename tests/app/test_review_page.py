"""The Review page (AppTest): the count in the navigation, the empty state, a session that
asks how sure the learner is every time, saves each answer at once and says when the question
comes back, and My learning's short Review section. The clock is the test's."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import review, review_services, reviews
from carelab.ui import navigation
from tests.unit.learning.test_reviews import MODULE_YAML, finish

REVIEW = "carelab/ui/pages/review.py"
MY_LEARNING = "carelab/ui/pages/my_learning.py"
DAY = review.DAY_SECONDS


@pytest.fixture
def clock(monkeypatch):
    """The time Review's services see (the module was completed at the real time)."""
    now = {"value": None}
    real = review_services.time
    monkeypatch.setattr(
        review_services, "time", SimpleNamespace(time=lambda: now["value"] or real.time())
    )
    return now


@pytest.fixture
def completed(db, learner, content_root, clock):
    """The learner completed `rv`: `pick` wrong, `tf` right but unsure; both due 2 days on."""
    (content_root / "modules" / "rv.yaml").write_text(MODULE_YAML, encoding="utf-8")
    module = Module.model_validate(load_yaml_text(MODULE_YAML, "rv").data)
    finish(db, learner, module, [(1, "high"), (True, "low"), ("10", "high")])
    return reviews.queue(db, learner.id)[0].added_at


def shown(at: AppTest) -> str:
    kinds = ("markdown", "error", "warning", "success", "info", "caption", "header")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def nav_titles(user) -> dict[str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(navigation.st, "Page", lambda page, **kw: (Path(page).stem, kw["title"]))
        sections = navigation.pages_for(user)
    return dict(page for listed in sections.values() for page in listed)


def radio(at: AppTest, label_start: str):
    return next(r for r in at.radio if r.label.startswith(label_start))


def check(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Check my answer").click().run()
    assert not at.exception
    return at


def press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def test_the_navigation_counts_what_is_due(learner, completed, clock):
    assert nav_titles(learner)["review"] == "Review"  # just completed: nothing due yet
    clock["value"] = completed + 2 * DAY
    assert nav_titles(learner)["review"] == "Review (2)"


def test_an_empty_queue_says_what_review_is(app, learner, content_root):
    at = app(user=learner, page=REVIEW)
    assert not at.exception
    text = shown(at)
    assert "Your review queue is empty. When you complete a module" in text
    assert "after two right answers in a row given with medium or high confidence" in text
    assert not [b for b in at.button if b.label == "Start review"]
    assert not at.get("download_button")


def test_a_session_saves_each_answer_and_says_when_it_returns(app, db, learner, completed, clock):
    clock["value"] = now = completed + 2 * DAY
    at = app(user=learner, page=REVIEW)
    assert "**2 questions are due for review now.**" in shown(at)
    assert "- Review module: 2" in shown(at)
    assert [d.proto.label for d in at.get("download_button")] == ["Add to my calendar (.ics)"]
    press(at, "Start review")
    assert "Question 1 of 2" in shown(at) and "From the module Review module" in shown(at)

    # Confidence is required, every time: without it nothing is saved.
    radio(at, "Question 1:").set_value(0)
    check(at)
    assert "Choose how sure you are before checking your answer." in shown(at)
    assert [i.due_at for i in reviews.queue(db, learner.id)] == [now, now]
    sure = radio(at, "How sure are you of your answer to question 1?")
    assert sure.options == ["Low", "Medium", "High"] and sure.value is None

    sure.set_value("high")
    check(at)
    text = shown(at)
    assert "Correct." in text and "**Why:** E" in text
    assert "Saved. Back in 7 days (on " in text
    pick = next(i for i in reviews.queue(db, learner.id) if i.question_id == "pick")
    assert (pick.stage, pick.confident_streak, pick.due_at) == (1, 1, now + 7 * DAY)

    press(at, "Next question")
    assert "Question 2 of 2" in shown(at)
    radio(at, "Question 2:").set_value(False)
    radio(at, "How sure are you of your answer to question 2?").set_value("high")
    check(at)
    text = shown(at)
    assert "Not quite." in text and "You were sure and wrong." in text
    assert "Saved. Back in 2 days (on " in text
    tf = next(i for i in reviews.queue(db, learner.id) if i.question_id == "tf")
    assert (tf.stage, tf.due_at) == (0, now + 2 * DAY)

    press(at, "Finish review")
    assert "Nothing is due now. 2 questions wait in your queue" in shown(at)


def test_my_learning_shows_the_count_and_links_to_review(app, learner, completed, clock):
    clock["value"] = completed + 2 * DAY
    at = app(user=learner, page=MY_LEARNING)
    assert not at.exception
    assert "2 questions are due for review now." in shown(at)
    assert [link.proto.page for link in at.get("page_link") if "Review" in link.proto.label]
