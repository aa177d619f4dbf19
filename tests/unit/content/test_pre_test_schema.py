"""A module's pre-test in the content model: parallel items, never the post-test's own."""

from __future__ import annotations

from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.content.validate import validate_document

MODULE = """\
id: m
title: T
summary: S
learning_objectives: [Read a funnel]
estimated_minutes: 5
version: "1.0"
sources:
  - id: src
    citation: A source, 2020.
pre_test:
  intro: What do you know already?
  questions:
    - id: {pre_id}
      kind: true_false
      prompt: {pre_prompt}
      answer: true
      explanation: Because.
      source: {source}
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - id: post-1
        kind: true_false
        prompt: A run chart shows change over time.
        answer: true
        explanation: Because.
"""


def check(pre_id: str = "pre-1", prompt: str = "Time runs along a run chart's x axis.",
          source: str = "src") -> list[str]:  # fmt: skip
    text = MODULE.format(pre_id=pre_id, pre_prompt=prompt, source=source)
    doc = load_yaml_text(text.encode(), "m.yaml")
    return [str(e) for e in validate_document(doc, Module)[1]]


def test_a_parallel_pre_test_is_valid_and_loads():
    assert check() == []
    doc = load_yaml_text(
        MODULE.format(pre_id="p", pre_prompt="Other.", source="src").encode(), "m.yaml"
    )
    module, _ = validate_document(doc, Module)
    assert module is not None and module.pre_test is not None
    assert [q.id for q in module.pre_test.questions] == ["p"]


def test_a_pre_test_question_with_a_scored_questions_id_is_pointed_at():
    assert check(pre_id="post-1") == [
        "m.yaml:13:11: duplicate id 'post-1' (also used at steps[0].questions[0].id)"
    ]


def test_a_pre_test_question_with_a_scored_questions_prompt_is_pointed_at():
    # Same words, other spacing and case: still the same item.
    assert check(prompt="a run chart  shows CHANGE over time.") == [
        "m.yaml:15:15: the pre-test question 'pre-1' has the same prompt as the scored "
        "question at steps[0].questions[0]: a pre-test item must be parallel (same "
        "objective, a different stem), not the same item"
    ]


def test_a_pre_test_questions_source_must_resolve():
    assert check(source="nope") == [
        "m.yaml:18:15: source 'nope' is not in this file's sources list"
    ]


def test_a_pre_test_takes_question_kinds_only():
    text = MODULE.format(pre_id="p", pre_prompt="X.", source="src").replace(
        "      kind: true_false\n      prompt: X.", "      kind: poll\n      prompt: X.", 1
    )
    doc = load_yaml_text(text.encode(), "m.yaml")
    errors = [str(e) for e in validate_document(doc, Module)[1]]
    assert len(errors) == 1
    assert errors[0].startswith("m.yaml:14:7: pre_test.questions[0].kind: unknown kind 'poll'")
