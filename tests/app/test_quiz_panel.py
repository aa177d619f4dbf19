"""Quiz mode on the Facilitate and projector pages: create scored, reveal, standings, off."""

from __future__ import annotations

from carelab.content.text import escape_markdown
from carelab.workshop import participants, quiz, workshops
from tests.unit.workshop.conftest import content_steps

FACILITATE = "carelab/ui/pages/facilitate.py"
PROJECTOR = "carelab/ui/pages/projector.py"
SINGLE = 6  # "Which is best?": B (index 1) is right


def scored_room(db, admin, scored: bool = True):
    made = workshops.create_workshop(
        db, admin, "Quiz", "module", "m", content_steps(), settings={"scored": scored}
    )
    workshops.go_to_step(db, admin, made.id, SINGLE, open_answering=True)
    for i, value in enumerate([1, 1, 0]):
        phone = participants.join(db, made.code, f"Nurse <b>{i}</b>", "127.0.0.1")
        participants.answer(db, made.code, phone.token, SINGLE, value)
    workshops.reveal_answer(db, admin, made.id)
    return made


def texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "subheader") for e in at.get(kind)]


def test_a_workshop_created_with_scoring_shows_its_rule_and_speed(app, admin, db):
    at = app(user=admin, page=FACILITATE)
    at.checkbox(key="quiz.create.scored").check()
    at.checkbox(key="quiz.create.speed").check()
    at.main.button[0].click().run()
    assert not at.exception, at.exception
    [made] = workshops.list_workshops(db, admin)
    assert made.scored and made.speed_bonus and not made.leaderboard_revealed
    assert any("down to 500 at the end of the countdown" in t for t in texts(at))


def test_reveal_hide_and_turn_scoring_off_from_the_panel(app, admin, db):
    made = scored_room(db, admin)
    at = app(user=admin, page=FACILITATE, w=str(made.id))
    assert not at.exception, at.exception
    [standings] = at.table
    assert standings.value.values.tolist() == [[1, "Nurse <b>0</b>", "1,000"],
                                               [1, "Nurse <b>1</b>", "1,000"]]  # fmt: skip
    assert any("the leaderboard is hidden from the room" in t for t in texts(at))
    assert any(t.startswith("3 joined.") for t in texts(at))

    at.button(key="quiz.board").click().run()
    assert workshops.get_workshop(db, made.id).leaderboard_revealed
    assert at.button(key="quiz.board").proto.label == "Hide the leaderboard"
    at.button(key="quiz.board").click().run()
    assert not workshops.get_workshop(db, made.id).leaderboard_revealed

    at.button(key="quiz.board").click().run()
    at.button(key="quiz.scoring").click().run()
    now = workshops.get_workshop(db, made.id)
    assert not now.scored and not now.leaderboard_revealed
    assert not at.table and "Scoring is off: no points or leaderboard anywhere." in texts(at)
    at.button(key="quiz.scoring").click().run()
    assert workshops.get_workshop(db, made.id).scored


def test_the_projector_shows_the_leaderboard_only_once_revealed(app, admin, db):
    made = scored_room(db, admin)
    at = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not at.exception, at.exception
    assert "Leaderboard" not in [h.value for h in at.header]
    quiz.reveal_leaderboard(db, admin, made.id)
    at.run()
    assert "Leaderboard" in [h.value for h in at.header]
    shown = [s.value for s in at.subheader]
    # Names are the participants' own text: shown as typed, never as markup.
    assert f"1. {escape_markdown('Nurse <b>0</b>')}: 1,000 points" in shown
    assert f"1. {escape_markdown('Nurse <b>1</b>')}: 1,000 points" in shown
    assert not any("Nurse <b>2" in s or "Nurse \\<b\\>2" in s for s in shown)  # no points
    workshops.change_settings(db, admin, made.id, scored=False)
    at.run()
    assert "Leaderboard" not in [h.value for h in at.header]
