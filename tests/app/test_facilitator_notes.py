"""Facilitator notes (model answers, misconceptions) reach the Facilitate page only: never
the projector the room watches, nor the phones."""

from __future__ import annotations

import yaml

from carelab.content.catalog import load_catalog
from carelab.workshop import participants, workshops
from carelab.workshop.steps import steps_from_case
from tests.conftest import VALID_CASE

FACILITATE = "carelab/ui/pages/facilitate.py"
PROJECTOR = "carelab/ui/pages/projector.py"
SECRET = "Good answers name both sides; the common misconception is that one side is truth."


def _case_with_notes(content_root):
    case = yaml.safe_load(VALID_CASE.format(id="notes-case"))
    case["workshop_plan"] = [
        {
            "id": "talk",
            "kind": "discussion",
            "title": "Two readings",
            "prompt": "Which reading do you find stronger, and why?",
            "minutes": 10,
            "facilitator_notes": SECRET,
        }
    ]
    path = content_root / "cases" / "notes-case.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return load_catalog(content_root).case("notes-case")


def _texts(at) -> str:
    return " ".join(str(e.value) for e in at.main.markdown) + " ".join(
        str(e.value) for e in at.main.caption
    )


def test_notes_show_on_facilitate_only(app, admin, db, content_root):
    case = _case_with_notes(content_root)
    steps = steps_from_case(case)
    assert steps[0].facilitator_notes == SECRET
    assert SECRET not in str(steps[0].public(reveal_answer=True))
    made = workshops.create_workshop(db, admin, "Notes", "case", case.id, steps)

    facilitate = app(user=admin, page=FACILITATE, w=str(made.id))
    assert not facilitate.exception
    assert SECRET in _texts(facilitate)
    assert "**For you only** (not on the projector or the phones)" in _texts(facilitate)

    projector = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not projector.exception
    assert "Which reading do you find stronger" in _texts(projector)
    assert SECRET not in _texts(projector)

    phone = participants.join(db, made.code, "Sam", "ip:127.0.0.1")
    assert SECRET not in str(participants.state_for_participant(db, made.code, phone.token))
