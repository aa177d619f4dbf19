"""Schema validation: every problem in a file, each as path:line:col with a readable message."""

from __future__ import annotations

import os

import pytest

from carelab.cli import main
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Case, Module
from carelab.content.validate import validate_document
from tests.conftest import VALID_CASE, VALID_MODULE


def check(text: str, model=Module) -> list[str]:
    doc = load_yaml_text(text.encode(), "m.yaml")
    return [str(e) for e in validate_document(doc, model)[1]]


def test_valid_module_and_case_have_no_problems():
    assert check(VALID_MODULE.format(id="m", case="c")) == []
    assert check(VALID_CASE.format(id="c"), Case) == []


def test_every_problem_in_a_file_is_reported_in_line_order():
    text = """\
id: Bad Id
titel: Typo
summary: x
learning_objectives: []
estimated_minutes: lots
version: "1.0"
steps:
  - id: q
    kind: quiz
    title: Quiz
    questions:
      - id: q1
        kind: single_choice
        prompt: Pick one
        options:
          - text: A
          - text: B
  - id: d
    kind: debate
    title: Talk
"""
    assert check(text) == [
        "m.yaml:1:1: missing required field 'title'",
        "m.yaml:1:5: id: must be lower-case letters, digits and single hyphens, "
        "e.g. 'kaiser-permanente'",
        "m.yaml:2:1: unknown field 'titel'; did you mean 'title'?",
        "m.yaml:4:22: learning_objectives: List should have at least 1 item after validation, "
        "not 0",
        "m.yaml:5:20: estimated_minutes: Input should be a valid integer, "
        "unable to parse string as an integer",
        "m.yaml:12:9: steps[0].questions[0]: missing required field 'explanation'",
        "m.yaml:16:11: steps[0].questions[0].options: exactly one option must be correct (found 0)",
        "m.yaml:19:5: steps[1].kind: unknown kind 'debate'; expected one of: text, quiz, "
        "reflection, case, lab, poll, discussion",
    ]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (
            "  - {id: p, kind: poll, title: P, prompt: Q, mode: single, options: [only]}\n",
            "m.yaml:8:5: steps[0]: a single poll needs at least 2 options",
        ),
        (
            "  - {id: p, kind: poll, title: P, prompt: Q, mode: open, options: [a, b]}\n",
            "m.yaml:8:5: steps[0]: an open poll takes no options",
        ),
        (
            "  - {id: d, kind: discussion, title: D, prompt: Talk}\n",
            "m.yaml:8:5: steps[0]: missing required field 'minutes'",
        ),
        (
            "  - {id: t, kind: text, title: T, body: x, sources: [nope]}\n",
            "m.yaml:8:54: source 'nope' is not in this file's sources list",
        ),
        (
            "  - {id: t, title: T, body: x}\n",
            "m.yaml:8:5: steps[0]: missing required field 'kind'",
        ),
        (
            "  - {id: t, kind: text, title: T, body: x}\n"
            "  - {id: t, kind: text, title: U, body: y}\n",
            "m.yaml:9:10: duplicate id 't' (also used at steps[0].id)",
        ),
    ],
    ids=[
        "poll-one-option",
        "open-poll-options",
        "discussion-minutes",
        "dangling-source",
        "no-kind",
        "duplicate-step",
    ],
)
def test_step_rules(step, expected):
    head = (
        "id: m\ntitle: M\nsummary: S\nlearning_objectives: [x]\nestimated_minutes: 5\n"
        "version: 1\nsteps:\n"
    )
    assert check(head + step) == [expected]


def test_case_figure_with_unknown_source_points_at_the_reference():
    text = VALID_CASE.format(id="c").replace("    source: src\n", "    source: feachem\n")
    assert check(text, Case) == [
        "m.yaml:12:13: source 'feachem' is not in this file's sources list"
    ]


def test_question_kinds_each_validate():
    questions = """\
      - {id: a, kind: single_choice, prompt: P, explanation: E,
         options: [{text: x, correct: true, feedback: Right.}, {text: y}]}
      - {id: b, kind: multiple_choice, prompt: P, explanation: E,
         options: [{text: x, correct: true}, {text: y, correct: true}, {text: z}]}
      - {id: c, kind: true_false, prompt: P, explanation: E, answer: false}
      - {id: d, kind: numeric, prompt: P, explanation: E, answer: 3.5, tolerance: 0.5}
      - {id: e, kind: short_text, prompt: P, explanation: E, accepted: [SBAR]}
"""
    text = (
        "id: m\ntitle: M\nsummary: S\nlearning_objectives: [x]\nestimated_minutes: 5\n"
        "version: 1\nsteps:\n  - id: q\n    kind: quiz\n    title: Q\n    questions:\n" + questions
    )
    assert check(text) == []


def test_a_question_names_an_objective_by_its_id_and_a_wrong_id_is_pointed_at():
    text = """\
id: m
title: M
summary: S
learning_objectives:
  - Plain text, no id
  - {id: read-funnel, text: Read a funnel plot}
  - {id: read-funnel, text: Read another}
estimated_minutes: 5
version: 1
steps:
  - id: q
    kind: quiz
    title: Q
    questions:
      - {id: a, kind: true_false, prompt: P, explanation: E, answer: true,
         level: apply, objective: read-funnel}
      - {id: b, kind: true_false, prompt: P, explanation: E, answer: true,
         level: analyse, objective: read-funel}
"""
    assert check(text) == [
        "m.yaml:7:10: duplicate id 'read-funnel' (also used at learning_objectives[1].id)",
        "m.yaml:18:37: objective 'read-funel' is not the id of one of this file's "
        "learning_objectives",
    ]
    assert check(text.replace("level: apply", "level: evaluate")) == [
        "m.yaml:16:17: steps[0].questions[0].level: Input should be 'recall', 'understand', "
        "'apply' or 'analyse'"
    ]


def test_a_case_may_have_objectives_that_its_quiz_names():
    text = VALID_CASE.format(id="c") + (
        "learning_objectives: [{id: appraise, text: Appraise a claim}]\n"
        "quiz:\n  - {id: a, kind: true_false, prompt: P, explanation: E, answer: true,\n"
        "     level: analyse, objective: appraise}\n"
    )
    assert check(text, Case) == []
    assert check(text.replace("objective: appraise", "objective: other"), Case) == [
        f"m.yaml:{text.count(chr(10))}:33: objective 'other' is not the id of one of this "
        "file's learning_objectives"
    ]


def test_year_written_as_number_is_accepted_as_a_date():
    text = VALID_CASE.format(id="c") + "timeline:\n  - date: 2005\n    event: Began.\n"
    assert check(text, Case) == []


def test_yes_no_answers_get_a_quoting_hint():
    text = VALID_CASE.format(id="c").replace('value: "42"', "value: yes")
    assert check(text, Case) == [
        "m.yaml:11:12: key_figures[0].value: Input should be a valid string; put it in quotes "
        "(YAML reads yes, no, on and off as true or false)"
    ]


def test_numbers_in_text_fields_are_taken_as_text():
    text = VALID_CASE.format(id="c").replace('value: "42"', "value: 42")
    assert check(text, Case) == []


def test_unquoted_decimal_version_is_refused_because_yaml_reads_1_10_as_1_1():
    text = VALID_MODULE.format(id="m", case="c").replace('version: "1.0"', "version: 1.10")
    assert check(text) == ['m.yaml:6:10: version: write the version in quotes, e.g. version: "1.0"']


# --- across files, through `carelab validate` ----------------------------------------------


def test_validate_reports_an_id_used_twice_at_the_second_file(capsys, content_root):
    older = content_root / "cases/kaiser.yaml"
    older.write_text(VALID_CASE.format(id="kaiser"), encoding="utf-8")
    then = older.stat().st_mtime - 3600
    os.utime(older, (then, then))
    (content_root / "cases/aaa.yaml").write_text(VALID_CASE.format(id="kaiser"), encoding="utf-8")
    assert main(["validate", str(content_root)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        "cases/aaa.yaml:1:5: id 'kaiser' is already used by cases/kaiser.yaml; choose another id\n"
    )
    assert err == "1 problem in 2 files\n"
    # Validating the newcomer alone says the same, with the path as typed.
    assert main(["validate", str(content_root / "cases/aaa.yaml")]) == 1
    assert capsys.readouterr().out.endswith(
        "aaa.yaml:1:5: id 'kaiser' is already used by cases/kaiser.yaml; choose another id\n"
    )


def test_validate_reports_a_link_out_of_the_content_folder(capsys, content_root, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text("password: hunter2\n", encoding="utf-8")
    (content_root / "cases/c.yaml").symlink_to(outside)
    assert main(["validate", str(content_root)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("cases/c.yaml:1:1: this file is a link to a file outside the content")
    assert "hunter2" not in out and "password" not in out
