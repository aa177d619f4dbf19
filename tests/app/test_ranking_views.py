"""The projector (Streamlit) shows a ranking's mean ranks and a re-vote's shift, as text too."""

from __future__ import annotations

from carelab.content.catalog import load_catalog
from carelab.workshop import participants, workshops
from carelab.workshop.steps import steps_from_case
from tests.conftest import REPO

PROJECTOR = "carelab/ui/pages/projector.py"


def shipped(db, admin, case_id: str):
    case = load_catalog(REPO).case(case_id)
    made = workshops.create_workshop(db, admin, "W", "case", case.id, steps_from_case(case))
    return made, workshops.workshop_steps_of(db, made.id)


def answer(db, admin, made, index: int, values: list) -> list:
    workshops.go_to_step(db, admin, made.id, index, open_answering=True)
    people = [participants.join(db, made.code, "", "127.0.0.1") for _ in values]
    for person, value in zip(people, values, strict=True):
        participants.answer(db, made.code, person.token, index, value)
    return people


def tables(at) -> list:
    return [t.value for t in at.table]


def test_the_shipped_ranking_poll_shows_mean_ranks_and_the_distribution(
    app, admin, db, shipped_content
):
    made, steps = shipped(db, admin, "organising-primary-care")
    index = next(i for i, s in enumerate(steps) if s.mode == "ranking")
    answer(db, admin, made, index, [[3, 0, 1, 2], [3, 2, 1, 0]])
    workshops.reveal_results(db, admin, made.id)
    at = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not at.exception
    [table] = [t for t in tables(at) if "Mean rank" in t.columns]
    assert list(table.columns) == ["Item", "Mean rank", *(f"Position {k}" for k in (1, 2, 3, 4))]
    assert table.iloc[0].tolist() == [
        "Money: who pays for the group, and who gains",
        "1.00",
        2,
        0,
        0,
        0,
    ]
    assert any("2 rankings. Mean rank" in c.value for c in at.caption)


def test_the_fragmented_pathways_revote_shows_how_the_votes_moved(app, admin, db, shipped_content):
    made, steps = shipped(db, admin, "fragmented-pathway")
    revote = next(i for i, s in enumerate(steps) if "revote_of" in s.extra)
    first = steps[revote].extra["revote_of"]
    assert steps[first + 1].kind == "discussion" and steps[first + 1].minutes == 6
    people = answer(db, admin, made, first, [3, 3, 0])
    workshops.go_to_step(db, admin, made.id, revote, open_answering=True)
    for person, value in zip(people, [1, 2, 0], strict=True):
        participants.answer(db, made.code, person.token, revote, value)
    workshops.reveal_results(db, admin, made.id)
    at = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not at.exception
    assert any(s.value == f"How the votes moved since step {first + 1}" for s in at.subheader)
    assert any(m.value.startswith("2 of 3 who voted twice changed") for m in at.markdown)
    [table] = [t for t in tables(at) if "Re-vote" in t.columns]
    assert table["First vote"].tolist() == ["1 (33%)", "0 (0%)", "0 (0%)", "2 (67%)"]
    assert table["Re-vote"].tolist() == ["1 (33%)", "1 (33%)", "1 (33%)", "0 (0%)"]
