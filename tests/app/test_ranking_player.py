"""A ranking question in the module player: a select per position, saved on Check, feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carelab import auth
from carelab.content.catalog import load_catalog
from carelab.learning import grading
from tests.app.test_learning_pages import alerts, attempt_id, open_player

MODULE = """\
id: practice
title: Practice module
summary: A module with a ranking question.
learning_objectives: [Order things]
estimated_minutes: 5
version: "1.0"
steps:
  - id: checks
    kind: quiz
    title: Checks
    questions:
      - id: chain
        kind: ranking
        prompt: Put Donabedian's three in the order of his chain.
        items: [Structure, Process, Outcome]
        explanation: Good structure makes good process likelier, and good process good outcome.
"""
ITEMS = ["Structure", "Process", "Outcome"]


@pytest.fixture
def module_file(content_root: Path) -> Path:
    path = content_root / "modules" / "practice.yaml"
    path.write_text(MODULE, encoding="utf-8")
    return path


def positions(at, aid: int) -> list:
    return [at.selectbox(key=f"player.{aid}.chain.{place}") for place in (1, 2, 3)]


def check(at, aid: int, order: list[int]):
    for box, item in zip(positions(at, aid), order, strict=True):
        box.set_value(item)
    at.button(key=f"FormSubmitter:player.{aid}.chain.form-Check my answer").click().run()
    assert not at.exception
    return at


def stored(db, aid: int) -> list:
    row = db.execute(
        "SELECT last_response, score FROM answers WHERE attempt_id = ? AND question_id = ?",
        [aid, "chain"],
    ).fetchone()
    return [json.loads(row[0]), row[1]] if row else None


def test_each_position_is_a_labelled_select_starting_in_the_attempts_shuffled_order(
    app, module_file, db, learner: auth.User
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    boxes = positions(at, aid)
    assert [b.label for b in boxes] == [
        "Question 1, position 1 (top)",
        "Question 1, position 2",
        "Question 1, position 3 (bottom)",
    ]
    seed = db.execute("SELECT seed FROM attempts WHERE id = ?", [aid]).fetchone()[0]
    question = load_catalog(module_file.parent.parent).module("practice").steps[0].questions[0]
    assert [b.value for b in boxes] == grading.item_order(question, seed)
    assert all(b.options == ITEMS for b in boxes)


def test_an_item_in_two_positions_is_named_and_nothing_is_saved(app, module_file, db, learner):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    check(at, aid, [0, 0, 2])
    assert "'Structure' is in positions 1 and 2: give each item one position." in " ".join(
        alerts(at, "error")
    )
    assert stored(db, aid) is None


def test_a_partly_right_order_is_saved_with_its_credit_and_the_right_order_shown(
    app, module_file, db, learner
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    check(at, aid, [1, 0, 2])
    assert stored(db, aid) == [[1, 0, 2], 0.5]
    assert "Partly right (50%)." in alerts(at, "warning")
    text = "\n".join(alerts(at, "markdown"))
    assert "Your order: 1. Process · 2. Structure · 3. Outcome" in text
    assert "The right order: 1. Structure · 2. Process · 3. Outcome" in text
    assert "so the score is 1 − 2/4 = 50%." in text
    assert "**Why:** Good structure makes good process likelier" in text
    # The saved order is shown again, then the right one is marked correct.
    assert [b.value for b in positions(at, aid)] == [1, 0, 2]
    check(at, aid, [0, 1, 2])
    assert alerts(at, "success") == ["Correct."]
    assert stored(db, aid) == [[0, 1, 2], 0.5]  # the first answer counts
