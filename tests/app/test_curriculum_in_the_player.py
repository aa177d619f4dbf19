"""Every shipped module renders step by step in the player and can be completed to a certificate."""

from __future__ import annotations

import pytest

from carelab import auth
from carelab.content.catalog import load_catalog
from carelab.content.schema import (
    CaseStep,
    MultipleChoice,
    Numeric,
    QuizStep,
    Ranking,
    ReflectionStep,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from carelab.learning import pre_test, progress
from tests.conftest import REPO

PLAYER = "carelab/ui/pages/module_player.py"
MODULES = sorted(load_catalog(REPO).modules)


def right_answer(question):
    """The answer the author marked right, in the form the player's widgets send."""
    if isinstance(question, SingleChoice):
        return next(i for i, o in enumerate(question.options) if o.correct)
    if isinstance(question, MultipleChoice):
        return [i for i, o in enumerate(question.options) if o.correct]
    if isinstance(question, TrueFalse):
        return question.answer
    if isinstance(question, Numeric):
        return str(question.answer)
    if isinstance(question, Ranking):
        return list(range(len(question.items)))  # authors write the items in the right order
    assert isinstance(question, ShortAnswer)
    return question.accepted[0].replace("*", "")


@pytest.mark.parametrize("module_id", MODULES)
def test_module_can_be_completed_end_to_end(app, db, shipped_content, module_id):
    catalog = load_catalog(REPO)
    module = catalog.module(module_id)
    auth.create_account(db, "admin@example.org", "correct horse battery", "Admin")
    user = auth.create_account(db, "doc@example.org", "correct horse battery", "Dr Ngọc Trâm")
    at = app(user=user, page=PLAYER, id=module_id)
    attempt = progress.current_attempt(db, user, module)
    if module.pre_test:  # it comes first (tests/app/test_pre_test_pages.py); not graded
        for question in module.pre_test.questions:
            pre_test.record_answer(db, attempt, module, question.id, right_answer(question))
        assert pre_test.finish(db, attempt, module).score == 1.0, f"{module_id}: pre-test key"
        progress.move_to(db, attempt, module.steps[0].id)
    for step in module.steps:
        at.query_params["step"] = step.id
        at.run()
        assert not at.exception, f"{module_id}/{step.id}: {at.exception}"
        assert step.title in [h.value for h in at.header]
        if isinstance(step, QuizStep):
            for question in step.questions:
                assert progress.record_answer(
                    db, attempt, step.id, question, right_answer(question)
                ).correct, f"{module_id}/{question.id}: the marked answer is not accepted"
        elif isinstance(step, ReflectionStep):
            progress.save_reflection(db, attempt, step, {"what": "I will ask what matters."})
        else:
            progress.finish_step(db, attempt, step.id)
        if isinstance(step, CaseStep):  # a case's quiz counts in the module's score
            for question in catalog.case(step.case).quiz:
                answer_id = progress.case_answer_id(step.id, question.id)
                assert progress.record_answer(
                    db, attempt, step.id, question, right_answer(question), answer_id
                ).correct, f"{step.case}/{question.id}: the marked answer is not accepted"
    at.run()
    at.main.button(
        key="FormSubmitter:player.complete-Complete the module and get my certificate"
    ).click().run()
    assert not at.exception
    assert any(a.value.startswith("Module complete. Well done.") for a in at.success)
    assert at.get("download_button")
