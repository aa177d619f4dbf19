"""A shipped workshop shows the room only what the room should read: model answers,
misconceptions and the plan for an unprepared room sit in the facilitator's notes."""

from __future__ import annotations

import re

import pytest

from carelab.content.catalog import load_catalog
from carelab.workshop.steps import steps_from_case, workshop_steps
from tests.conftest import REPO

CATALOG = load_catalog(REPO)
# Phrases that only make sense to the facilitator; on the projector they give the answer
# away before the room has thought, or talk about the room in the third person.
FOR_THE_FACILITATOR = re.compile(
    r"what good answers sound like|misconception|for the facilitator|has not read the case"
    r"|confirm the answer|do not let the room|model arguments|show the (poll|vote)"
    r"|close by asking",
    re.IGNORECASE,
)


@pytest.mark.parametrize("case_id", sorted(CATALOG.cases))
def test_a_case_workshop_keeps_model_answers_off_the_projector(case_id):
    steps = steps_from_case(CATALOG.case(case_id))
    shown = {s.title: FOR_THE_FACILITATOR.findall(f"{s.title}\n{s.prompt}") for s in steps}
    assert {title: found for title, found in shown.items() if found} == {}


@pytest.mark.parametrize("case_id", sorted(CATALOG.cases))
def test_a_case_workshop_opens_with_ground_rules_for_the_room_and_a_plan_for_the_facilitator(
    case_id,
):
    first = steps_from_case(CATALOG.case(case_id))[0]
    assert "Ground rules" in first.prompt
    assert "If the room has not read the case" in first.facilitator_notes
    assert re.search(r"more than\s+12\s+people", first.facilitator_notes)  # group sizes


@pytest.mark.parametrize("module_id", sorted(CATALOG.modules))
def test_a_module_run_as_a_workshop_shows_no_facilitator_only_text(module_id):
    steps = workshop_steps(CATALOG.module(module_id).steps)
    shown = {s.title: FOR_THE_FACILITATOR.findall(s.prompt) for s in steps}
    assert {title: found for title, found in shown.items() if found} == {}
