"""`carelab validate --report`: levels, unassessed objectives, cueing, missing feedback and time,
as an author reads them, on small content written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter

from carelab.cli import main
from carelab.content import timing
from carelab.content.report import item_report
from carelab.content.schema import Module, Step
from tests.conftest import REPO

GOOD_MODULE = """\
id: good
title: Good
summary: S
learning_objectives:
  - {id: read-chart, text: Read a run chart}
  - {id: act, text: Choose what to do}
estimated_minutes: 20
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
      - id: pick
        kind: single_choice
        level: apply
        objective: read-chart
        prompt: P
        explanation: E
        options:
          - {text: Short, correct: true, feedback: Right because.}
          - {text: A longer option, feedback: Wrong because.}
      - id: call
        kind: true_false
        level: analyse
        objective: act
        prompt: P
        explanation: E
        answer: true
        feedback_true: Yes, because.
        feedback_false: No, because.
      - id: count
        kind: numeric
        level: recall
        objective: act
        prompt: P
        explanation: E
        answer: 3.5
        wrong_answers: [{answer: 3, feedback: Rounded.}]
  - id: think
    kind: reflection
    title: Think
    prompt: Think.
  - id: the-case
    kind: case
    title: Case
    case: story
""".replace("WORDS", "word " * 400)
CASE = """\
id: story
title: A story
setting: Somewhere, 2020
summary: What happened.
learning_objectives:
  - {id: appraise, text: Appraise a claim}
sections:
  - heading: Story
    body: It happened.
sources:
  - id: src
    citation: Author A. Title. Journal 2020;1:1.
quiz:
  - id: claim
    kind: single_choice
    level: analyse
    objective: appraise
    prompt: P
    explanation: E
    options:
      - {text: Evaluated, correct: true, feedback: F.}
      - {text: Self-reported, feedback: F.}
"""
WEAK_MODULE = """\
id: weak
title: Weak
summary: S
learning_objectives:
  - Name things
  - {id: spot, text: Spot a thing}
  - {id: lonely, text: Never asked}
estimated_minutes: 30
version: "1"
steps:
  - id: check
    kind: quiz
    title: Check
    questions:
      - id: s1
        kind: single_choice
        level: recall
        objective: spot
        prompt: P
        explanation: E
        options:
          - {text: The long right answer, correct: true, feedback: F.}
          - {text: Wrong}
          - {text: Also wrong, feedback: F.}
      - id: s2
        kind: single_choice
        level: recall
        prompt: P
        explanation: E
        options:
          - {text: The long right answer, correct: true, feedback: F.}
          - {text: Wrong, feedback: F.}
      - {id: tf1, kind: true_false, prompt: P, explanation: E, answer: false,
         feedback_true: F, feedback_false: F, level: understand, objective: spot}
      - {id: tf2, kind: true_false, prompt: P, explanation: E, answer: false,
         feedback_true: F, feedback_false: F, objective: spot}
      - {id: tf3, kind: true_false, prompt: P, explanation: E, answer: false,
         feedback_true: F, level: understand, objective: spot}
      - id: m1
        kind: multiple_choice
        level: apply
        objective: spot
        prompt: P
        explanation: E
        options:
          - {text: A, correct: true, feedback: F.}
          - {text: B, correct: true, feedback: F.}
          - {text: C, correct: true, feedback: F.}
          - {text: D, feedback: F.}
      - {id: sh, kind: short_text, prompt: P, explanation: E, accepted: [x], level: recall,
         objective: spot}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "modules").mkdir()
    (tmp_path / "cases").mkdir()
    (tmp_path / "modules" / "good.yaml").write_text(GOOD_MODULE, encoding="utf-8")
    (tmp_path / "modules" / "weak.yaml").write_text(WEAK_MODULE, encoding="utf-8")
    (tmp_path / "cases" / "story.yaml").write_text(CASE, encoding="utf-8")
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


GOOD_REPORT = """\
module good (modules/good.yaml)
  levels: recall 1 (33%), understand 0 (0%), apply 1 (33%), analyse 1 (33%)
  apply or analyse: 2 of 3 (67%)
  time from content: 20 min = reading 2 (406 words) + questions 8 (4) + reflections 10 (1)
  stated time: 20 min (the same as the content estimate)
"""
WEAK_REPORT = """\
module weak (modules/weak.yaml)
  levels: recall 3 (43%), understand 2 (29%), apply 1 (14%), analyse 0 (0%)
  apply or analyse: 1 of 7 (14%)
  time from content: 8 min = reading 0 (0 words) + questions 8 (7)
  stated time: 30 min (275% over the content estimate)
  problem: only 14% of questions apply or analyse (1 of 7; at least 50% needed)
  problem: no level: tf2
  problem: no objective: s2
  problem: objective 1 has no id, so no question can assess it: Name things
  problem: objective 'lonely' is assessed by no question
  problem: cueing: the correct option is the longest in 2 of 2 single-choice questions (s1, s2)
  problem: cueing: 3 of 3 true/false questions are keyed false
  problem: cueing: 'm1' has 3 of 4 options correct; choosing everything nearly scores
  problem: no feedback for: 's1' option 2; 'tf3' answer false; 'sh' wrong answers
  problem: stated time 30 min is 275% over the content estimate of 8 min (at most 20%)
"""
CASE_REPORT = """\
case story (cases/story.yaml)
  levels: recall 0 (0%), understand 0 (0%), apply 0 (0%), analyse 1 (100%)
  apply or analyse: 1 of 1 (100%)
  time from content: 2 min = reading 0 (5 words) + questions 2 (1)
"""


def test_report_on_a_content_root_lists_modules_then_cases_and_every_problem(capsys, root):
    code, out, err = run(capsys, "--report", str(root))
    assert (code, err) == (0, "")
    assert out == (
        f"{GOOD_REPORT}\n{WEAK_REPORT}\n{CASE_REPORT}\n"
        "report: 10 problems in 1 of 3 modules and cases\n"
        "ok: 3 files valid\n"
    )


def test_strict_fails_on_a_report_problem_and_passes_without_one(capsys, root):
    assert run(capsys, "--strict", str(root))[0] == 1
    (root / "modules" / "weak.yaml").unlink()
    code, out, _ = run(capsys, "--strict", str(root))
    assert code == 0
    assert out.endswith(
        "report: ok, 2 modules and cases meet the content standard\nok: 2 files valid\n"
    )
    assert run(capsys, str(root))[:2] == (0, "ok: 2 files valid\n")


def test_report_on_one_file_reports_that_item_only(capsys, root):
    code, out, _ = run(capsys, "--strict", str(root / "cases" / "story.yaml"))
    assert (code, out) == (
        0,
        f"{CASE_REPORT}\nreport: ok, 1 module or case meets the content standard\n"
        "ok: 1 file valid\n",
    )


@pytest.mark.parametrize(
    ("stated", "line"),
    [
        (24, None),
        (25, "stated time 25 min is 25% over the content estimate of 20 min (at most 20%)"),
        (16, None),
        (15, "stated time 15 min is 25% under the content estimate of 20 min (at most 20%)"),
    ],
)
def test_a_stated_time_more_than_a_fifth_off_the_content_is_a_problem(capsys, root, stated, line):
    text = GOOD_MODULE.replace("estimated_minutes: 20", f"estimated_minutes: {stated}")
    (root / "modules" / "good.yaml").write_text(text, encoding="utf-8")
    out = run(capsys, "--report", str(root / "modules" / "good.yaml"))[1]
    problems = [p.removeprefix("  problem: ") for p in out.splitlines() if "problem:" in p]
    assert problems == ([line] if line else [])


def module_with(questions: list[dict], minutes: int) -> Module:
    base = {"prompt": "P", "explanation": "E", "objective": "o"}
    return Module.model_validate({
        "id": "m", "title": "M", "summary": "S", "estimated_minutes": minutes,
        "learning_objectives": [{"id": "o", "text": "Do it"}], "version": "1",
        "steps": [{"id": "q", "kind": "quiz", "title": "Q",
                   "questions": [base | q for q in questions]}],
    })  # fmt: skip


def tf(qid: str, answer: bool, level: str) -> dict:
    return {"id": qid, "kind": "true_false", "answer": answer, "level": level,
            "feedback_true": "F", "feedback_false": "F"}  # fmt: skip


def choice(qid: str, kind: str, level: str, options: list[tuple[str, bool]]) -> dict:
    given = [{"text": text, "correct": right, "feedback": "F"} for text, right in options]
    return {"id": qid, "kind": kind, "level": level, "options": given}


def test_the_thresholds_are_at_most_not_at_least():
    """Half at apply or analyse passes; 2 of 3 keys one way, the right answer longest in 1 of
    2 (the other a tie) and half the options correct are no cue."""
    module = module_with([
        tf("t1", False, "recall"), tf("t2", False, "understand"), tf("t3", True, "apply"),
        choice("s1", "single_choice", "analyse", [("Longer right", True), ("Wrong", False)]),
        choice("s2", "single_choice", "recall", [("Right", True), ("Wrong", False)]),
        choice("m1", "multiple_choice", "apply", [("A", True), ("B", True), ("C", False),
                                                  ("D", False)]),
    ], minutes=9)  # fmt: skip
    report = item_report(module, "m.yaml", {})
    assert report.problems == ()
    assert report.lines[1:] == (
        "apply or analyse: 3 of 6 (50%)",
        "time from content: 9 min = reading 0 (0 words) + questions 9 (6)",
        "stated time: 9 min (the same as the content estimate)",
    )
    keys = [tf("t1", False, "recall"), tf("t2", False, "recall"), tf("t3", False, "apply"),
            tf("t4", True, "analyse")]  # fmt: skip
    worse = module_with(keys, minutes=6)
    assert item_report(worse, "m.yaml", {}).problems == (
        "cueing: 3 of 4 true/false questions are keyed false",
    )


def test_two_true_false_keys_the_same_way_are_too_few_to_call_a_cue():
    module = module_with([tf("t1", True, "apply"), tf("t2", True, "analyse")], minutes=4)
    assert item_report(module, "m.yaml", {}).problems == ()


def test_a_numeric_or_worked_question_is_allowed_two_minutes_a_recall_one():
    module = module_with([
        tf("t1", True, "recall"), tf("t2", True, "understand"), tf("t3", False, "apply"),
        {"id": "n", "kind": "numeric", "answer": 3, "level": "recall",
         "wrong_answers": [{"answer": 4, "feedback": "F"}]},
    ], minutes=6)  # fmt: skip
    estimate = timing.module_estimate(module, {})
    assert (estimate.questions, estimate.question_minutes) == (4, 6.0)
    assert timing.step_minutes(module.steps[0], {}) == 6


def test_every_step_kind_has_a_time_from_its_content():
    steps = {
        "text": ({"body": "word " * 300}, 2),  # 1.5 min rounds half up
        "reflection": ({"prompt": "Think."}, 10),
        "lab": ({"scenario": "funnel-basics", "prompt": "Try it."}, 5),
        "poll": ({"prompt": "Vote", "options": ["a", "b"]}, 1),
        "discussion": ({"prompt": "Talk", "minutes": 15}, 15),
        "case": ({"case": "not-loaded"}, 1),
    }
    adapter = TypeAdapter(Step)
    for kind, (fields, minutes) in steps.items():
        step = adapter.validate_python({"id": "s", "title": "T", "kind": kind, **fields})
        assert timing.step_minutes(step, {}) == minutes, kind


def test_the_shipped_content_meets_its_own_report(capsys):
    code, out, _ = run(capsys, "--strict", str(REPO))
    assert code == 0, "\n".join(line for line in out.splitlines() if "problem" in line)
    assert "report: ok," in out
