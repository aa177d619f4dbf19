"""Time from content in the pages: each step's minutes in the module player, each item's in
the catalogue, and the feedback a likely wrong number gets in the player."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from carelab.content.catalog import load_catalog
from carelab.learning import active_time, progress
from carelab.learning.certificate import attested_minutes

PLAYER = "carelab/ui/pages/module_player.py"
CATALOGUE = "carelab/ui/pages/catalogue.py"

# 600 words of reading (3 min), a numeric question (2 min), a reflection (10 min) and a
# case of 7 words with one analyse question (2 min): 17 min, though the author says 90.
MODULE = """\
id: timed
title: Timed module
summary: A module whose stated time is far from its content.
learning_objectives: [{id: compute, text: Compute a rate}]
estimated_minutes: 90
version: "1"
steps:
  - id: read
    kind: text
    title: Read
    body: WORDS
  - id: check
    kind: quiz
    title: Check
    questions:
      - id: bed-days
        kind: numeric
        level: apply
        objective: compute
        prompt: How many bed days per 1,000 people?
        answer: 3.5
        tolerance: 0.05
        wrong_answers:
          - answer: 3
            feedback: 3 is the rounded figure; the table gives 3.5.
        explanation: The table gives 3.5.
  - id: think
    kind: reflection
    title: Think
    prompt: What now?
  - id: the-case
    kind: case
    title: The case
    case: short
""".replace("WORDS", "word " * 600)
CASE = """\
id: short
title: A short case
setting: Somewhere, 2020
summary: What happened.
sections:
  - heading: Story
    body: It happened.
sources:
  - {id: src, citation: "Author A. Title. Journal 2020;1:1."}
quiz:
  - id: claim
    kind: true_false
    level: analyse
    prompt: Was it evaluated?
    answer: false
    explanation: It was described.
"""


@pytest.fixture
def content(content_root: Path) -> Path:
    (content_root / "modules" / "timed.yaml").write_text(MODULE, encoding="utf-8")
    (content_root / "cases" / "short.yaml").write_text(CASE, encoding="utf-8")
    return content_root


def test_each_step_shows_its_time_from_content(app, learner, content):
    at = app(user=learner, page=PLAYER, id="timed")
    assert not at.exception
    expected = {
        "read": "About 3 minutes for this step",
        "check": "About 2 minutes for this step",
        "think": "About 10 minutes for this step",
        "the-case": "About 2 minutes for this step",
    }
    for step, caption in expected.items():
        at = app(user=learner, page=PLAYER, id="timed", step=step)
        assert caption in [c.value for c in at.caption], step


def test_the_catalogue_shows_time_from_content_not_the_stated_estimate(app, learner, content):
    at = app(user=learner, page=CATALOGUE)
    captions = [c.value for c in at.caption]
    assert "Module · about 17 min" in captions
    assert "Case study · about 2 min" in captions
    assert not any("90 min" in c for c in captions)


def test_a_likely_wrong_number_gets_its_own_feedback_in_the_player(app, db, learner, content):
    at = app(user=learner, page=PLAYER, id="timed", step="check")
    module = load_catalog(content).module("timed")
    aid = progress.current_attempt(db, learner, module).id
    key = f"player.{aid}.bed-days"
    at.text_input(key=key).input("3")
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    shown = [m.value for m in at.markdown]
    assert "3 is the rounded figure; the table gives 3.5." in shown
    assert "**Why:** The table gives 3.5." in shown
    at.text_input(key=key).input("3.5")
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert "3 is the rounded figure; the table gives 3.5." not in [m.value for m in at.markdown]


def test_completing_attests_the_time_on_task_measured_in_the_player(app, db, learner, content):
    """No box to type minutes into: the player measures them, and the certificate says so."""
    catalog = load_catalog(content)
    module, case = catalog.module("timed"), catalog.case("short")
    attempt = progress.current_attempt(db, learner, module)
    progress.finish_step(db, attempt, "read")
    progress.record_answer(db, attempt, "check", module.steps[1].questions[0], "3.5")
    progress.save_reflection(db, attempt, module.steps[2], {"what": "I will check first."})
    answer_id = progress.case_answer_id("the-case", "claim")
    progress.record_answer(db, attempt, "the-case", case.quiz[0], False, answer_id)
    progress.finish_step(db, attempt, "the-case")
    # The learner's last action was three hours ago: that pause counts as 15 minutes.
    active_time.record_action(db, attempt, now=time.time() - 3 * 3600)

    at = app(user=learner, page=PLAYER, id="timed", step="the-case")
    assert not at.exception
    assert not at.number_input
    shown = "\n".join(m.value for m in at.markdown)
    assert (
        "Your time on task so far: **15 minutes** (estimated duration 17 minutes). "
        "Your certificate attests this time." in shown
    )
    assert (
        "Time on task is the learner's active time in CareLab's module player: the time "
        "between their actions, each pause counted up to 15 minutes, and at most 1.5 times "
        "the estimated duration (26 minutes)." in [m.value for m in at.markdown]
    )
    at.button(
        key="FormSubmitter:player.complete-Complete the module and get my certificate"
    ).click().run()
    row = db.execute(
        "SELECT c.time_basis, c.estimated_minutes, c.attested_minutes, a.active_seconds "
        "FROM certificates c JOIN attempts a ON a.id = c.attempt_id WHERE a.id = ?",
        [attempt.id],
    ).fetchone()
    assert row[:2] == ("measured", 17)
    assert row[2] == attested_minutes(row[3], 17) and row[3] >= 15 * 60
