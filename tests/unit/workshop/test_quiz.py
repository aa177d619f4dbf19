"""Quiz mode: points, the speed formula at its edges, ties, the top 10, reveal and scoring off."""

from __future__ import annotations

import pytest

from carelab.errors import PermissionDenied
from carelab.store import quiz as quiz_store
from carelab.workshop import aggregate, participants, presenter, quiz, summary, workshops
from carelab.workshop.errors import WorkshopStateError
from tests.unit.workshop.conftest import T0, content_steps
from tests.unit.workshop.test_summary import pdf_text

SINGLE, NUMERIC, POLL = 6, 7, 1  # "Which is best?" (B, index 1, is right); 12 % +-0.5; a poll


def scored_room(db, people, speed: bool = False, anonymous: bool = True):
    """A scored workshop of the usual steps, run by people.facilitator."""
    return workshops.create_workshop(
        db, people.facilitator, "Quiz", "module", "mod", content_steps(), anonymous,
        now=T0, settings={"scored": True, "speed_bonus": speed},
    )  # fmt: skip


def open_at(db, people, room, index: int, at: float):
    """Go to a step, then open answering at time `at`."""
    workshops.go_to_step(db, people.facilitator, room.id, index)
    return workshops.open_answering(db, people.facilitator, room.id, now=at)


def join(db, room, count: int, prefix: str = "Nick") -> list[participants.Participant]:
    return [participants.join(db, room.code, f"{prefix}{i}", "ip") for i in range(count)]


def answer(db, room, person, index: int, value, at: float) -> None:
    participants.answer(db, room.code, person.token, index, value, now=at)


def reveal(db, people, room):
    return workshops.reveal_answer(db, people.facilitator, room.id)


def fresh(db, room):
    return workshops.get_workshop(db, room.id)


# --- the formula -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("right", "speed", "answered", "opened", "timer", "points"),
    [
        (False, True, 100.0, 100.0, None, 0),
        (None, False, 100.0, 100.0, None, 0),  # a step with no right answer
        (True, False, 500.0, 100.0, None, 1000),  # no speed bonus: slow or fast, 1,000
        (True, True, 100.0, 100.0, None, 1000),  # at once
        (True, True, 99.0, 100.0, None, 1000),  # a clock a little behind: never above 1,000
        (True, True, 115.0, 100.0, None, 750),  # half the default 30 s window
        (True, True, 103.0, 100.0, None, 950),  # 500 x 3 / 30 = 50 exactly, not 49.99...
        (True, True, 129.99, 100.0, None, 501),
        (True, True, 130.0, 100.0, None, 500),  # the end of the window
        (True, True, 900.0, 100.0, None, 500),  # long after: never below 500
        (True, True, 110.0, 100.0, 120.0, 750),  # a 20 s countdown: 10 s is half of it
        (True, True, 110.0, 100.0, 90.0, 834),  # a countdown over before opening: 30 s
        (True, True, 110.0, None, None, 1000),  # no opening time recorded
    ],
)
def test_points_follow_the_documented_formula(right, speed, answered, opened, timer, points):
    assert quiz.points_for(right, speed, answered, opened, timer) == points


def test_the_window_is_the_countdown_when_one_ran_else_30_seconds():
    assert quiz.answer_window(100.0, 145.0) == 45.0
    assert quiz.answer_window(100.0, None) == quiz.DEFAULT_WINDOW_SECONDS == 30.0
    assert quiz.answer_window(None, 145.0) == 30.0


# --- opening times ---------------------------------------------------------------------


def test_a_reopened_step_keeps_its_first_opening_time(db, people):
    room = scored_room(db, people, speed=True)
    open_at(db, people, room, SINGLE, T0 + 100)
    workshops.lock_answering(db, people.facilitator, room.id)
    workshops.open_answering(db, people.facilitator, room.id, now=T0 + 200)
    workshops.go_to_step(db, people.facilitator, room.id, NUMERIC, open_answering=True)
    open_at(db, people, room, SINGLE, T0 + 300)
    timing = quiz_store.step_timing(db, room.id)
    assert timing[SINGLE]["opened_at"] == T0 + 100
    assert timing[NUMERIC]["opened_at"] is not None and timing[POLL]["opened_at"] is None


def test_a_countdown_is_kept_on_its_step_after_the_room_moves_on(db, people):
    room = scored_room(db, people, speed=True)
    open_at(db, people, room, SINGLE, T0 + 100)
    workshops.start_timer(db, people.facilitator, room.id, 20, now=T0 + 100)
    workshops.next_step(db, people.facilitator, room.id)
    assert fresh(db, room).timer_ends_at is None
    assert quiz_store.step_timing(db, room.id)[SINGLE]["timer_ends_at"] == T0 + 120


# --- totals ----------------------------------------------------------------------------


def test_right_final_answers_score_and_steps_without_an_answer_score_nothing(db, people):
    room = scored_room(db, people)
    ann, bob, cat = join(db, room, 3)
    open_at(db, people, room, POLL, T0 + 10)
    for person in (ann, bob, cat):
        answer(db, room, person, POLL, 0, T0 + 11)
    open_at(db, people, room, SINGLE, T0 + 100)
    answer(db, room, ann, SINGLE, 1, T0 + 101)
    answer(db, room, bob, SINGLE, 1, T0 + 102)
    answer(db, room, bob, SINGLE, 0, T0 + 103)  # changed to a wrong one: the last counts
    answer(db, room, cat, SINGLE, 0, T0 + 104)
    answer(db, room, cat, SINGLE, 1, T0 + 105)  # changed to the right one
    reveal(db, people, room)
    sheet = quiz.score_sheet(db, fresh(db, room))
    assert [sheet.total(p.id) for p in (ann, bob, cat)] == [1000, 0, 1000]
    assert [sheet.rank(p.id) for p in (ann, bob, cat)] == [1, 3, 1]


def test_faster_right_answers_score_more_with_the_speed_bonus(db, people):
    room = scored_room(db, people, speed=True)
    ann, bob, cat = join(db, room, 3)
    open_at(db, people, room, SINGLE, T0 + 100)
    workshops.start_timer(db, people.facilitator, room.id, 20, now=T0 + 100)
    answer(db, room, ann, SINGLE, 1, T0 + 100)
    answer(db, room, bob, SINGLE, 1, T0 + 110)
    answer(db, room, cat, SINGLE, 1, T0 + 121)  # in the grace after the countdown
    reveal(db, people, room)
    sheet = quiz.score_sheet(db, fresh(db, room))
    assert [sheet.total(p.id) for p in (ann, bob, cat)] == [1000, 750, 500]


def test_the_current_steps_points_wait_for_its_answer_to_be_revealed(db, people):
    room = scored_room(db, people)
    (ann,) = join(db, room, 1)
    open_at(db, people, room, SINGLE, T0 + 100)
    answer(db, room, ann, SINGLE, 1, T0 + 101)
    assert quiz.score_sheet(db, fresh(db, room)).total(ann.id) == 0
    reveal(db, people, room)
    assert quiz.score_sheet(db, fresh(db, room)).total(ann.id) == 1000
    open_at(db, people, room, NUMERIC, T0 + 200)
    answer(db, room, ann, NUMERIC, 12.4, T0 + 201)
    assert quiz.score_sheet(db, fresh(db, room)).total(ann.id) == 1000  # step 8 not yet
    workshops.end_workshop(db, people.facilitator, room.id)
    assert quiz.score_sheet(db, fresh(db, room)).total(ann.id) == 2000  # the end settles it


# --- the leaderboard -------------------------------------------------------------------


def play(db, people, room, right_on_single: list[bool], right_on_numeric: list[bool]):
    """Everyone answers both quiz questions (right or wrong as given); both answers revealed."""
    phones = join(db, room, len(right_on_single))
    open_at(db, people, room, SINGLE, T0 + 100)
    for phone, right in zip(phones, right_on_single, strict=True):
        answer(db, room, phone, SINGLE, 1 if right else 0, T0 + 101)
    reveal(db, people, room)
    open_at(db, people, room, NUMERIC, T0 + 200)
    for phone, right in zip(phones, right_on_numeric, strict=True):
        answer(db, room, phone, NUMERIC, 12 if right else 40, T0 + 201)
    reveal(db, people, room)
    return phones


def test_ties_share_a_rank_and_nobody_without_points_is_listed(db, people):
    room = scored_room(db, people)
    play(db, people, room, [True, True, False, True, False], [True, False, True, True, False])
    board = quiz.leaderboard(db, fresh(db, room))
    assert [(p.rank, p.name, p.points) for p in board.rows] == [
        (1, "Nick0", 2000), (1, "Nick3", 2000), (3, "Nick1", 1000), (3, "Nick2", 1000),
    ]  # fmt: skip
    assert board.players == 5 and board.tied_beyond is None


def test_only_the_top_10_are_shown_and_a_tie_is_never_cut_in_half(db, people):
    room = scored_room(db, people)
    # 8 with 2,000 points, 4 with 1,000 (ranks 9 to 12), 3 with none.
    play(db, people, room, [True] * 12 + [False] * 3, [True] * 8 + [False] * 7)
    board = quiz.leaderboard(db, fresh(db, room))
    assert [p.points for p in board.rows] == [2000] * 8
    assert board.tied_beyond == quiz.Tie(rank=9, count=4, points=1000)
    assert board.players == 15


def test_the_leaderboard_is_shown_only_once_revealed_and_needs_scoring(db, people, room):
    with pytest.raises(WorkshopStateError, match="Turn quiz scoring on first"):
        quiz.reveal_leaderboard(db, people.facilitator, room.id)
    scored = scored_room(db, people)
    play(db, people, scored, [True, False, True], [True, False, False])
    assert quiz.leaderboard_block(db, fresh(db, scored)) is None
    shown = quiz.reveal_leaderboard(db, people.facilitator, scored.id)
    assert quiz.leaderboard_block(db, shown) == {
        "rows": [
            {"rank": 1, "name": "Nick0", "points": 2000},
            {"rank": 2, "name": "Nick2", "points": 1000},
        ],
        "players": 3,
        "tied_beyond": None,
    }
    hidden = quiz.hide_leaderboard(db, people.facilitator, scored.id)
    assert quiz.leaderboard_block(db, hidden) is None


def test_turning_scoring_off_hides_the_leaderboard_and_it_stays_hidden(db, people):
    room = scored_room(db, people)
    play(db, people, room, [True], [True])
    quiz.reveal_leaderboard(db, people.facilitator, room.id)
    off = workshops.change_settings(db, people.facilitator, room.id, scored=False)
    assert not off.leaderboard_revealed and quiz.leaderboard_block(db, off) is None
    on_again = quiz.set_scoring(db, people.facilitator, room.id, True)
    assert on_again.scored and quiz.leaderboard_block(db, on_again) is None


def test_a_nickname_left_empty_shows_as_participant_n(db, people):
    room = scored_room(db, people)
    (phone,) = [participants.join(db, room.code, "", "ip")]
    open_at(db, people, room, SINGLE, T0 + 100)
    answer(db, room, phone, SINGLE, 1, T0 + 101)
    reveal(db, people, room)
    assert quiz.leaderboard(db, fresh(db, room)).rows[0].name == "Participant 1"


def test_only_the_rooms_facilitator_or_an_admin_can_reveal_or_change_scoring(db, people):
    room = scored_room(db, people)
    for someone in (people.other, people.learner, None):
        with pytest.raises(PermissionDenied):
            quiz.reveal_leaderboard(db, someone, room.id)
        with pytest.raises(PermissionDenied):
            quiz.set_scoring(db, someone, room.id, False)
    assert quiz.reveal_leaderboard(db, people.admin, room.id).leaderboard_revealed
    assert not quiz.hide_leaderboard(db, people.facilitator, room.id).leaderboard_revealed


def test_the_leaderboard_can_be_revealed_after_the_end_but_scoring_not_changed(db, people):
    room = scored_room(db, people)
    workshops.end_workshop(db, people.facilitator, room.id)
    assert quiz.reveal_leaderboard(db, people.facilitator, room.id).leaderboard_revealed
    with pytest.raises(WorkshopStateError):
        quiz.set_scoring(db, people.facilitator, room.id, False)


# --- exports ---------------------------------------------------------------------------


def test_the_csv_carries_each_answers_points_and_the_total_and_rank(db, people):
    room = scored_room(db, people)
    play(db, people, room, [True, False], [True, True])
    rows = aggregate.export_rows(db, room.id)
    assert list(rows[0]) == aggregate.export_columns(anonymous=True, scored=True)
    assert [(r["participant"], r["points"], r["total_points"], r["rank"]) for r in rows] == [
        (1, 1000, 2000, 1), (2, 0, 1000, 2), (1, 1000, 2000, 1), (2, 1000, 1000, 2),
    ]  # fmt: skip
    assert "nickname" not in rows[0]
    unscored = workshops.change_settings(db, people.facilitator, room.id, scored=False)
    assert "points" not in aggregate.export_rows(db, unscored.id)[0]
    assert b"total_points" not in aggregate.export_csv(db, room.id)


def test_the_summaries_list_every_participant_by_number_when_anonymous(db, people):
    room = scored_room(db, people)
    play(db, people, room, [True, False, False], [True, True, False])
    text = summary.summary_markdown(db, room.id)
    assert text.endswith(
        "## Quiz scores\n\nQuiz scores: a right final answer scores 1,000; a wrong one 0.\n\n"
        "| Rank | Participant | Points |\n|---|---|---|\n| 1 | Participant 1 | 2000 |\n"
        "| 2 | Participant 2 | 1000 |\n| 3 | Participant 3 | 0 |\n"
    )
    assert "Nick" not in text
    text = pdf_text(summary.summary_pdf(db, room.id))
    assert "Quiz scores" in text and "Participant 3" in text and "Nick" not in text


def test_a_workshop_with_nicknames_exports_them_with_the_scores(db, people):
    room = scored_room(db, people, anonymous=False)
    play(db, people, room, [False, True], [False, True])
    text = summary.summary_markdown(db, room.id)
    assert "| 1 | Nick1 | 2000 |\n| 2 | Nick0 | 0 |" in text
    assert aggregate.export_rows(db, room.id)[0]["nickname"] == "Nick0"


def test_the_presenter_view_carries_the_leaderboard_only_while_revealed(db, people):
    room = scored_room(db, people)
    play(db, people, room, [True, False], [True, False])
    assert presenter.presenter_view(db, room.id)["leaderboard"] is None
    quiz.reveal_leaderboard(db, people.facilitator, room.id)
    board = presenter.presenter_view(db, room.id)["leaderboard"]
    assert board["rows"] == [{"rank": 1, "name": "Nick0", "points": 2000}]
    assert board["players"] == 2
