"""xAPI statements built from learning events: shape, verbs, ids, results, privacy."""

from __future__ import annotations

import json

import pytest

from carelab.integration.xapi import statements as xs
from carelab.learning.events import LearningEvent
from tests.unit.integration.xapi_spec import problems

SITE = "https://carelab.hospital.example"
ACTOR = "5f0e1c8a-3b7d-4c1e-9a6f-2d8b7e4c1a90"
AT = 1_780_000_000.25  # 2026-05-28T20:26:40.250Z


def event(kind: str, **fields) -> LearningEvent:
    base = dict(kind=kind, user_id=7, activity_kind="module", activity_id="funnels",
                activity_title="Funnel plots", attempt_id=42, at=AT)  # fmt: skip
    return LearningEvent(**{**base, **fields})


ANSWERED = event(
    "answered", activity_title="funnels", step_id="quiz", question_id="q1",
    question_text="Which limits?", question_kind="multiple_choice", response="[0, 2]",
    correct=True, score_scaled=1.0,
)  # fmt: skip


@pytest.mark.parametrize(
    "made",
    [
        event("launched"),
        ANSWERED,
        event("reflected", activity_title="Think it over", step_id="think"),
        event("completed", score_scaled=0.8, passed=True, duration_seconds=3723.5),
        event("failed", score_scaled=0.3, passed=False),
        event("completed", activity_kind="case", activity_id="kaiser", score_scaled=0.5),
    ],
    ids=lambda e: f"{e.kind}-{e.activity_kind}",
)
def test_every_statement_keeps_the_xapi_rules_and_survives_json(made):
    for statement in xs.statements_for(made, SITE, ACTOR):
        assert problems(statement) == []
        assert json.loads(json.dumps(statement)) == statement


def test_the_actor_is_an_account_on_the_site_with_the_opaque_name_only():
    (statement,) = xs.statements_for(ANSWERED, SITE, ACTOR)
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": SITE, "name": ACTOR},
    }
    text = json.dumps(statement)
    assert '"mbox' not in text and '"user_id"' not in text and '"name": "7"' not in text


def test_an_answer_is_a_question_activity_with_its_result_and_the_module_as_parent():
    (statement,) = xs.statements_for(ANSWERED, SITE, ACTOR)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{SITE}/xapi/activities/module/funnels/questions/q1",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "name": {"en": "Which limits?"},
            "interactionType": "choice",
        },
    }
    assert statement["result"] == {"success": True, "response": "0[,]2", "score": {"scaled": 1.0}}
    module = f"{SITE}/xapi/activities/module/funnels"
    parent = statement["context"]["contextActivities"]["parent"]
    assert [a["id"] for a in parent] == [module]
    assert statement["context"]["registration"] == xs.registration(ACTOR, 42)
    assert statement["timestamp"] == "2026-05-28T20:26:40.250Z"


@pytest.mark.parametrize(
    ("kind", "stored", "interaction", "response"),
    [
        ("single_choice", "1", "choice", "1"),
        ("multiple_choice", "[0, 3]", "choice", "0[,]3"),
        ("true_false", "false", "true-false", "false"),
        ("numeric", "3.5", "numeric", "3.5"),
        ("numeric", "10", "numeric", "10"),
        ("short_text", '"standardised ratio"', "fill-in", "standardised ratio"),
        ("ranking", "[2, 0, 1]", "sequencing", "2[,]0[,]1"),
    ],
)
def test_each_question_kind_has_its_interaction_type_and_response_format(
    kind, stored, interaction, response
):
    made = event("answered", question_id="q", question_kind=kind, response=stored, correct=False)
    (statement,) = xs.statements_for(made, SITE, ACTOR)
    assert statement["object"]["definition"]["interactionType"] == interaction
    assert statement["result"]["response"] == response
    assert statement["result"]["success"] is False


def test_a_module_completed_is_told_as_completed_then_passed_with_score_and_time():
    made = event("completed", score_scaled=0.8, passed=True, duration_seconds=3723.5)
    completed, passed = xs.statements_for(made, SITE, ACTOR)
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    for statement in (completed, passed):
        assert statement["object"]["id"] == f"{SITE}/xapi/activities/module/funnels"
        assert statement["object"]["definition"] == {
            "type": "http://adlnet.gov/expapi/activities/module",
            "name": {"en": "Funnel plots"},
        }
        assert statement["result"] == {
            "completion": True,
            "success": True,
            "score": {"scaled": 0.8},
            "duration": "PT1H2M3.5S",
        }
    assert completed["id"] != passed["id"]


def test_a_failed_module_is_failed_with_its_score_and_no_completion_claimed():
    (statement,) = xs.statements_for(event("failed", score_scaled=0.3, passed=False), SITE, ACTOR)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert statement["result"] == {"success": False, "score": {"scaled": 0.3}}


def test_a_case_quiz_finished_is_completed_only_as_it_has_no_pass_mark():
    made = event("completed", activity_kind="case", activity_id="kaiser", score_scaled=0.5)
    (statement,) = xs.statements_for(made, SITE, ACTOR)
    assert statement["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )
    assert statement["result"] == {"completion": True, "score": {"scaled": 0.5}}


def test_a_reflection_says_which_step_and_never_carries_the_text():
    made = event("reflected", activity_title="Think it over", step_id="think")
    (statement,) = xs.statements_for(made, SITE, ACTOR)
    assert statement["verb"]["id"] == "http://id.tincanapi.com/verb/reflected"
    assert statement["object"]["id"] == f"{SITE}/xapi/activities/module/funnels/steps/think"
    assert statement["object"]["definition"]["name"] == {"en": "Think it over"}
    assert "result" not in statement


def test_a_launch_names_the_module_and_every_statement_of_an_attempt_shares_a_registration():
    launched = xs.statements_for(event("launched"), SITE, ACTOR)[0]
    answered = xs.statements_for(ANSWERED, SITE, ACTOR)[0]
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert "result" not in launched
    assert launched["context"]["registration"] == answered["context"]["registration"]
    other_attempt = xs.statements_for(event("launched", attempt_id=43), SITE, ACTOR)[0]
    assert other_attempt["context"]["registration"] != launched["context"]["registration"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "PT0S"), (59.994, "PT59.99S"), (60, "PT1M"), (3600, "PT1H"), (5025.25, "PT1H23M45.25S")],
)
def test_durations_are_iso_8601(seconds, text):
    assert xs.iso_duration(seconds) == text


def test_ids_in_activity_iris_are_escaped():
    assert xs.activity_id(SITE + "/", "case", "a b/c") == f"{SITE}/xapi/activities/case/a%20b%2Fc"
