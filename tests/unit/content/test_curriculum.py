"""The shipped curriculum meets the house standard: three modules, six cases, all sourced."""

from __future__ import annotations

import pytest

from carelab.content.catalog import load_catalog
from carelab.content.schema import CaseStep, LabStep, QuizStep, ReflectionStep
from carelab.indicators.scenarios import SCENARIO_IDS
from tests.conftest import REPO

CATALOG = load_catalog(REPO)
MODULES = ("indicators", "teamwork", "coproduction")
CASES = (
    "kaiser-permanente",
    "virginia-mason",
    "jonkoping-dialysis",
    "integrated-practice-unit-diabetes",
    "fragmented-pathway",
    "organising-primary-care",
    "france-territorial-primary-care",
)


def test_the_catalogue_has_the_three_modules_and_six_cases_and_no_problems():
    assert [str(e) for e in CATALOG.errors] == []
    assert set(MODULES) <= set(CATALOG.modules)
    assert set(CASES) <= set(CATALOG.cases)


@pytest.mark.parametrize("module_id", MODULES)
def test_module_shape(module_id):
    module = CATALOG.module(module_id)
    # Estimates come from the content (about 200 words a minute plus each question, Lab step
    # and reflection): indicators has about 8,000 words with its case, 7 Labs and 28
    # questions, so 145.
    assert 45 <= module.estimated_minutes <= 180
    assert 4 <= len(module.learning_objectives) <= 6
    assert len(module.steps) >= 8
    questions = [q for s in module.steps if isinstance(s, QuizStep) for q in s.questions]
    assert len(questions) >= 10
    assert all(q.explanation and q.source for q in questions)
    assert sum(isinstance(s, ReflectionStep) for s in module.steps) >= 2
    assert module.version
    kinds = {type(s).__name__ for s in module.steps}
    assert {"TextStep", "QuizStep", "ReflectionStep"} <= kinds


@pytest.mark.parametrize("module_id", MODULES)
def test_every_case_and_lab_step_resolves(module_id):
    for step in CATALOG.module(module_id).steps:
        if isinstance(step, CaseStep):
            assert step.case in CATALOG.cases
        if isinstance(step, LabStep):
            assert step.scenario in SCENARIO_IDS


def test_the_indicators_module_uses_at_least_four_lab_scenarios():
    scenarios = {s.scenario for s in CATALOG.module("indicators").steps if isinstance(s, LabStep)}
    assert len(scenarios) >= 4


@pytest.mark.parametrize("case_id", CASES)
def test_case_shape(case_id):
    case = CATALOG.case(case_id)
    assert case.setting and case.timeline
    assert 4 <= len(case.key_figures) <= 8
    assert case.what_to_notice
    assert len(case.discussion_questions) >= 4
    assert case.quiz and all(q.explanation and q.source for q in case.quiz)
    assert len(case.sources) >= 3


@pytest.mark.parametrize("case_id", CASES)
def test_every_key_figure_and_timeline_event_has_a_source_in_the_references(case_id):
    case = CATALOG.case(case_id)
    known = {s.id for s in case.sources}
    for figure in case.key_figures:
        assert figure.source in known, f"'{figure.label}' has no source"
    for event in case.timeline:
        assert event.source in known, f"timeline {event.date} has no source"


@pytest.mark.parametrize("case_id", CASES)
def test_workshop_plan_is_polls_and_discussion_for_45_to_60_minutes(case_id):
    plan = CATALOG.case(case_id).workshop_plan or []
    assert {s.kind for s in plan} <= {"poll", "discussion", "text"}
    assert any(s.kind == "poll" for s in plan) and any(s.kind == "discussion" for s in plan)
    # A poll with revote: true runs twice, with a discussion between.
    minutes = sum(
        (getattr(s, "minutes", None) or 0) * (2 if getattr(s, "revote", False) else 1)
        + (s.discussion_minutes if s.kind == "poll" else 0)
        for s in plan
    )
    assert 45 <= minutes <= 60
