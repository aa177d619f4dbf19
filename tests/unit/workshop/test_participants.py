"""The participant's side: joining, answers in every mode, what a phone sees, and 100 at once."""

from __future__ import annotations

import json
import threading

import pytest

from carelab.store import db as store_db
from carelab.store import workshops as store
from carelab.workshop import participants, workshops
from carelab.workshop.errors import (
    AnsweringClosed,
    InvalidAnswer,
    InvalidCode,
    InvalidNickname,
    JoinThrottled,
    NotCurrentStep,
    UnknownCode,
    UnknownParticipant,
    WorkshopEnded,
    WorkshopFull,
)
from tests.unit.workshop.conftest import T0, content_steps, open_step

# --- joining ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Ann   Lee ", "Ann Lee"),
        ("Ann\x00\x07\u202eLee", "AnnLee"),
        ("Ann\nLee\tB", "Ann Lee B"),
        ("", ""),
        (None, ""),
        ("x" * 30, "x" * 30),
        ("<b>Bo</b>", "<b>Bo</b>"),
    ],
)
def test_nicknames_are_cleaned(db, room, typed, kept):
    assert participants.join(db, room.code, typed, "ip").nickname == kept


def test_an_over_long_nickname_is_refused_with_a_message(db, room):
    with pytest.raises(InvalidNickname) as caught:
        participants.join(db, room.code, "y" * 31, "ip")
    assert str(caught.value) == "Choose a nickname of at most 30 characters (this one has 31)."


def test_participants_get_numbers_in_order_and_distinct_unstored_tokens(db, room):
    joined = [participants.join(db, room.code.lower(), f"P{i}", "ip") for i in range(3)]
    assert [p.number for p in joined] == [1, 2, 3]
    assert len({p.token for p in joined}) == 3 and all(len(p.token) >= 24 for p in joined)
    rows = [db.execute(f"SELECT * FROM {t}").fetchall() for t in db.table_names()]
    dump = repr(rows)
    assert not any(p.token in dump for p in joined)


def test_an_unknown_code_and_an_ended_workshop_have_distinct_messages(db, people, room):
    with pytest.raises(UnknownCode) as unknown:
        participants.join(db, "ZZZZZZ", "", "ip")
    assert str(unknown.value) == (
        "There is no workshop with the code ZZZZZZ. Check the code on the screen and try again."
    )
    with pytest.raises(InvalidCode):
        participants.join(db, "hello", "", "ip")
    workshops.end_workshop(db, people.facilitator, room.id)
    with pytest.raises(WorkshopEnded) as ended:
        participants.join(db, room.code, "", "ip")
    assert str(ended.value) == "This workshop has ended, so it takes no more answers. Thank you!"


LIMIT = participants.MAX_WRONG_CODES
THROTTLED = (
    "Too many wrong codes have come from your network. Type the code exactly as it is on the "
    "screen (it still works), or wait {} minutes to try others."
)


def test_wrong_codes_are_limited_per_client_but_a_right_code_always_joins(db, room):
    for i in range(LIMIT):
        with pytest.raises(UnknownCode):
            participants.join(db, "ZZZZZZ" if i % 2 else "nope", "", "ip:ward", now=T0 + i)
    with pytest.raises(JoinThrottled) as caught:
        participants.join(db, "ZZZZZZ", "", "ip:ward", now=T0 + LIMIT)
    # The oldest wrong code leaves the window at T0 + 600.
    assert caught.value.retry_after_seconds == 600 - LIMIT + 1
    assert str(caught.value) == THROTTLED.format(9)
    assert participants.join(db, room.code, "", "ip:ward", now=T0 + LIMIT).number == 1
    with pytest.raises(UnknownCode):
        participants.join(db, "ZZZZZZ", "", "ip:elsewhere", now=T0 + LIMIT)
    with pytest.raises(UnknownCode):  # the oldest has left the window: one more may be tried
        participants.join(db, "ZZZZZZ", "", "ip:ward", now=T0 + 601)


def test_a_throttled_client_adds_no_more_rows(db, room):
    outcomes = []
    for i in range(LIMIT + 30):
        try:
            participants.join(db, "ZZZZZZ", "", "ip:guesser", now=T0 + i / 100)
        except (UnknownCode, JoinThrottled) as exc:
            outcomes.append(type(exc))
    assert outcomes == [UnknownCode] * LIMIT + [JoinThrottled] * 30
    assert len(store.recent_failed_joins(db, "ip:guesser", 0)) == LIMIT


def test_a_wrong_code_of_the_wrong_type_counts_as_a_wrong_code(db, room):
    for code in (None, ["K7M3QX"], {"code": 1}, 123456, "x" * 10_000):
        with pytest.raises(InvalidCode):
            participants.join(db, code, "", "ip:odd", now=T0)
    assert len(store.recent_failed_joins(db, "ip:odd", 0)) == 5


def test_old_wrong_codes_are_forgotten(db, room):
    participants.join(db, room.code, "", "ip", now=T0)
    with pytest.raises(UnknownCode):
        participants.join(db, "ZZZZZZ", "", "ip", now=T0)
    with pytest.raises(UnknownCode):
        participants.join(db, "ZZZZZZ", "", "ip", now=T0 + 700)
    assert store.recent_failed_joins(db, "ip", 0) == [T0 + 700]


def test_rejoin_returns_the_same_participant(db, people, room):
    joined = participants.join(db, room.code, "Ann", "ip", now=T0)
    again = participants.rejoin(db, room.code.lower(), joined.token, now=T0 + 60)
    assert again == joined
    assert db.execute("SELECT last_seen FROM workshop_participants").fetchone()[0] == T0 + 60
    workshops.end_workshop(db, people.facilitator, room.id)
    assert participants.rejoin(db, room.code, joined.token) == joined


def test_rejoin_refuses_a_token_from_elsewhere(db, people, room):
    other = workshops.create_workshop(db, people.other, "Other", "case", "c", [room_step(db, room)])
    stranger = participants.join(db, other.code, "", "ip")
    for token in (stranger.token, "forged", "", "x" * 500, None):
        with pytest.raises(UnknownParticipant) as caught:
            participants.rejoin(db, room.code, token)
    assert str(caught.value) == "This device is not in the workshop yet. Join again with the code."


def room_step(db, room):
    return workshops.step_at(db, room.id, 1)


# --- answers ---------------------------------------------------------------------------

VALID = [
    (1, 2, 2),
    (2, [2, 0, 2], [0, 2]),
    (3, 5, 5),
    (4, 12.5, 12.5),
    (4, "12.5", 12.5),
    (4, " -3 ", -3.0),
    (4, "1,200", 1200.0),
    (4, "40%", 40.0),
    (5, "  Better   <b>handover</b> ", "Better <b>handover</b>"),
    (5, "é" * 280, "é" * 280),
]


@pytest.mark.parametrize(("step", "value", "stored"), VALID)
def test_valid_answers_are_stored_in_canonical_form(db, people, room, step, value, stored):
    open_step(db, people, room, step)
    joined = participants.join(db, room.code, "", "ip")
    receipt = participants.answer(db, room.code, joined.token, step, value)
    assert receipt.answer == stored and receipt.participant_number == 1
    row = store.response(db, room.id, step, joined.id)
    assert json.loads(row["answer"]) == stored


INVALID = [
    (1, 3, "Choose one of the options."),
    (1, -1, "Choose one of the options."),
    (1, "1", "Choose one of the options."),
    (1, True, "Choose one of the options."),
    (1, [1], "Choose one of the options."),
    (2, [], "Choose at least one option."),
    (2, [0, 5], "Choose options from the list."),
    (2, 1, "Choose options from the list."),
    (2, ["0"], "Choose options from the list."),
    (3, 0, "Choose a whole number from 1 to 5."),
    (3, 6, "Choose a whole number from 1 to 5."),
    (3, 2.5, "Choose a whole number from 1 to 5."),
    (3, "3", "Choose a whole number from 1 to 5."),
    (4, "twelve", "Enter a number, such as 12 or 12.5."),
    (4, "", "Enter a number, such as 12 or 12.5."),
    (4, "nan", "Enter a number, such as 12 or 12.5."),
    (4, "inf", "Enter a number, such as 12 or 12.5."),
    (4, float("inf"), "Enter a number, such as 12 or 12.5."),
    (4, None, "Enter a number, such as 12 or 12.5."),
    (4, False, "Enter a number, such as 12 or 12.5."),
    (4, "1" * 60, "Enter a number, such as 12 or 12.5."),
    (4, 2e12, "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
    (5, "   ", "Write an answer before sending it."),
    (5, 42, "Write your answer as text."),
    (5, "x" * 281, "Keep your answer to 280 characters; this one has 281."),
]


@pytest.mark.parametrize(("step", "value", "message"), INVALID)
def test_invalid_answers_get_exact_messages_and_store_nothing(
    db, people, room, step, value, message
):
    open_step(db, people, room, step)
    joined = participants.join(db, room.code, "", "ip")
    with pytest.raises(InvalidAnswer) as caught:
        participants.answer(db, room.code, joined.token, step, value)
    assert str(caught.value) == message
    assert store.responses(db, room.id) == []


def test_re_answering_changes_the_answer_and_a_double_submit_stores_once(db, people, room):
    open_step(db, people, room, 1)
    joined = participants.join(db, room.code, "", "ip")
    participants.answer(db, room.code, joined.token, 1, 0, now=T0 + 1)
    participants.answer(db, room.code, joined.token, 1, 2, now=T0 + 2)
    participants.answer(db, room.code, joined.token, 1, 2, now=T0 + 3)
    rows = store.responses(db, room.id)
    assert len(rows) == 1
    assert (rows[0]["answer"], rows[0]["first_answered_at"], rows[0]["last_answered_at"]) == (
        "2",
        T0 + 1,
        T0 + 3,
    )


def test_an_answer_to_a_step_that_is_not_current_is_refused_with_the_current_one(db, people, room):
    open_step(db, people, room, 3)
    joined = participants.join(db, room.code, "", "ip")
    for stale in (1, 4, "3", None):
        with pytest.raises(NotCurrentStep) as caught:
            participants.answer(db, room.code, joined.token, stale, 1)
        assert caught.value.current_step == 3
    assert (
        str(caught.value) == "That question is no longer on screen: the workshop is on step 4 now."
    )


def test_locked_and_non_answerable_steps_refuse_answers(db, people, room):
    joined = participants.join(db, room.code, "", "ip")
    with pytest.raises(AnsweringClosed, match="Answering is closed for this step"):
        participants.answer(db, room.code, joined.token, 0, "hello")
    open_step(db, people, room, 1)
    workshops.lock_answering(db, people.facilitator, room.id)
    with pytest.raises(AnsweringClosed, match="Answering is closed for this step"):
        participants.answer(db, room.code, joined.token, 1, 0)


def test_an_ended_workshop_refuses_answers(db, people, room):
    open_step(db, people, room, 1)
    joined = participants.join(db, room.code, "", "ip")
    workshops.end_workshop(db, people.facilitator, room.id)
    with pytest.raises(WorkshopEnded):
        participants.answer(db, room.code, joined.token, 1, 0)


def test_the_timer_closes_answering_after_a_short_grace(db, people, room):
    open_step(db, people, room, 1)
    workshops.start_timer(db, people.facilitator, room.id, 30, now=T0)
    joined = participants.join(db, room.code, "", "ip")
    assert participants.answer(db, room.code, joined.token, 1, 0, now=T0 + 31)
    with pytest.raises(AnsweringClosed, match="Time is up: answering has closed for this step"):
        participants.answer(db, room.code, joined.token, 1, 1, now=T0 + 32)
    state = participants.state_for_participant(db, room.code, joined.token, now=T0 + 30)
    assert state["answering_open"] is False


def test_a_lock_between_the_check_and_the_write_wins(db, people, room, monkeypatch):
    open_step(db, people, room, 1)
    joined = participants.join(db, room.code, "", "ip")
    real_step_at = participants.step_at

    def facilitator_locks_meanwhile(db_, workshop_id, index):
        workshops.lock_answering(db, people.facilitator, room.id)
        return real_step_at(db_, workshop_id, index)

    monkeypatch.setattr(participants, "step_at", facilitator_locks_meanwhile)
    with pytest.raises(AnsweringClosed):
        participants.answer(db, room.code, joined.token, 1, 0)
    assert store.responses(db, room.id) == []


def test_unknown_code_or_token_cannot_answer(db, people, room):
    open_step(db, people, room, 1)
    # A made-up code and a live one with a forged token give the same answer, so that
    # these endpoints tell a guesser nothing about which codes are live.
    with pytest.raises(UnknownParticipant) as made_up:
        participants.answer(db, "ZZZZZZ", "t", 1, 0)
    with pytest.raises(UnknownParticipant) as forged:
        participants.answer(db, room.code, "forged-token", 1, 0)
    assert str(made_up.value) == str(forged.value)


# --- what a phone sees -----------------------------------------------------------------


def test_state_for_a_participant_is_json_ready_and_hides_the_right_answer(db, people, room):
    open_step(db, people, room, 6)
    joined = participants.join(db, room.code, "Ann", "ip")
    participants.answer(db, room.code, joined.token, 6, 0)
    state = participants.state_for_participant(db, room.code, joined.token, now=T0)
    json.dumps(state)
    assert state["title"] == "Room" and state["code"] == room.code and not state["ended"]
    assert (state["step_index"], state["step_count"], state["answering_open"]) == (6, 9, True)
    assert state["step"]["prompt"] == "Which is best?" and state["step"]["options"] == ["A", "B"]
    assert state["step"]["has_answer"] and state["step"]["answer"] is None
    assert state["step"]["explanation"] is None and "B is best" not in json.dumps(state)
    assert state["my_answer"] == 0 and state["my_answer_correct"] is None
    assert state["participant"] == {"number": 1, "nickname": "Ann"}
    workshops.reveal_answer(db, people.facilitator, room.id)
    after = participants.state_for_participant(db, room.code, joined.token)
    assert after["step"]["answer"] == {"options": [1]} and after["answer_revealed"]
    assert after["my_answer_correct"] is False and after["answering_open"] is False
    assert after["version"] > state["version"]


def test_state_shows_scale_labels_units_and_a_timer(db, people, room):
    open_step(db, people, room, 3)
    joined = participants.join(db, room.code, "", "ip")
    workshops.start_timer(db, people.facilitator, room.id, 60, now=T0)
    state = participants.state_for_participant(db, room.code, joined.token, now=T0 + 1)
    assert (state["step"]["scale_low"], state["step"]["scale_high"]) == ("Low", "High")
    assert state["timer_ends_at"] == T0 + 60 and state["server_time"] == T0 + 1
    assert state["my_answer"] is None
    workshops.go_to_step(db, people.facilitator, room.id, 4)
    assert participants.state_for_participant(db, room.code, joined.token)["step"]["unit"] == "%"


def test_facilitator_notes_on_text_steps_stay_off_the_phone(db, room):
    joined = participants.join(db, room.code, "", "ip")
    state = participants.state_for_participant(db, room.code, joined.token)
    assert state["step"]["title"] == "Welcome" and state["step"]["prompt"] is None
    assert "Notes for you" not in json.dumps(state)


def test_an_ended_workshop_still_shows_its_state(db, people, room):
    joined = participants.join(db, room.code, "", "ip")
    workshops.end_workshop(db, people.facilitator, room.id)
    state = participants.state_for_participant(db, room.code, joined.token)
    assert state["ended"] and not state["answering_open"]


# --- a room of 100 at once -------------------------------------------------------------


def test_a_hundred_phones_answering_at_once_store_each_answer_exactly_once(
    db_path, db, people, room
):
    open_step(db, people, room, 1)
    count = 100
    errors: list[BaseException] = []
    tokens: dict[int, str] = {}
    start, answer_now = threading.Barrier(count, timeout=60), threading.Barrier(count, timeout=60)

    def phone(n: int) -> None:
        # Each action on its own connection, taken after the barrier: all at once on
        # SQLite; on PostgreSQL as many at once as the process's pool holds.
        try:
            start.wait()
            with store_db.session(db_path) as conn:
                joined = participants.join(conn, room.code, f"P{n}", f"ip{n}")
            tokens[n] = joined.token
            answer_now.wait()
            with store_db.session(db_path) as conn:
                for value in (n % 3, (n + 1) % 3, (n + 1) % 3):  # answer, change, resend
                    participants.answer(conn, room.code, joined.token, 1, value)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = store.responses(db, room.id)
    assert len(rows) == count
    assert len({r["participant_id"] for r in rows}) == count
    assert store.participant_count(db, room.id) == count
    by_nickname = {r["nickname"]: json.loads(r["answer"]) for r in rows}
    assert by_nickname == {f"P{n}": (n + 1) % 3 for n in range(count)}
    assert len(tokens) == count


def test_every_acknowledged_answer_survives_a_lock_in_the_middle(db_path, db, people, room):
    """Phones keep answering while the facilitator locks: a receipt always means stored."""
    open_step(db, people, room, 4)
    joined = [participants.join(db, room.code, "", "ip") for _ in range(40)]
    receipts: dict[int, list[float]] = {p.number: [] for p in joined}
    errors: list[BaseException] = []
    start = threading.Barrier(len(joined) + 1, timeout=60)

    def phone(token: str, number: int) -> None:
        try:
            with store_db.session(db_path) as conn:
                start.wait()
                for i in range(30):
                    try:
                        receipt = participants.answer(conn, room.code, token, 4, number * 100 + i)
                        receipts[number].append(receipt.answer)
                    except AnsweringClosed:
                        return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(p.token, p.number)) for p in joined]
    for thread in threads:
        thread.start()
    start.wait()
    workshops.lock_answering(db, people.facilitator, room.id)
    for thread in threads:
        thread.join()
    assert errors == []
    stored = {
        r["participant_number"]: json.loads(r["answer"]) for r in store.responses(db, room.id)
    }
    assert stored == {n: values[-1] for n, values in receipts.items() if values}


def test_a_full_workshop_refuses_new_phones_but_keeps_the_ones_in_it(db, room, monkeypatch):
    monkeypatch.setenv("CARELAB_MAX_PARTICIPANTS", "2")
    first, _ = (participants.join(db, room.code, "", "ip") for _ in range(2))
    with pytest.raises(WorkshopFull) as caught:
        participants.join(db, room.code, "", "ip")
    assert str(caught.value) == (
        "This workshop is full: it has room for 2 phones. Tell the facilitator."
    )
    # A phone already in rejoins by its token (a reload), which is not a new place.
    assert participants.rejoin(db, room.code, first.token) == first
    assert participants.state_for_participant(db, room.code, first.token)["participant"]
    assert store.participant_count(db, room.id) == 2


def test_phones_joining_at_once_never_pass_the_cap(db_path, db, room, monkeypatch):
    monkeypatch.setenv("CARELAB_MAX_PARTICIPANTS", "5")
    count = 30
    start = threading.Barrier(count, timeout=60)
    outcomes: list[str] = []

    def phone() -> None:
        with store_db.session(db_path) as conn:
            start.wait()
            try:
                participants.join(conn, room.code, "", "ip")
                outcomes.append("joined")
            except WorkshopFull:
                outcomes.append("full")

    threads = [threading.Thread(target=phone) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * (count - 5) + ["joined"] * 5
    assert store.participant_count(db, room.id) == 5


@pytest.mark.parametrize("nickname", [["Ann"], 12, {"name": "Ann"}, True])
def test_a_nickname_that_is_not_text_is_refused_with_a_message(db, room, nickname):
    with pytest.raises(InvalidNickname) as caught:
        participants.join(db, room.code, nickname, "ip")
    assert str(caught.value) == "Write your nickname as text, or leave it empty."


def test_the_whole_rooms_states_read_at_once_match_each_phones_own(db, people, room):
    open_step(db, people, room, 6)
    phones = [participants.join(db, room.code, f"P{i}", "ip") for i in range(7)]
    for value, phone in zip([0, 1, 1], phones, strict=False):  # four have not answered
        participants.answer(db, room.code, phone.token, 6, value)
    other = workshops.create_workshop(
        db, people.facilitator, "Other", "module", "m", content_steps(), now=T0
    )
    stranger = participants.join(db, other.code, "", "ip")  # a token of another workshop
    for reveal in (False, True):
        if reveal:
            workshops.reveal_answer(db, people.facilitator, room.id)
        tokens = [p.token for p in phones] + [stranger.token, "forged", "", "x" * 500]
        together = participants.states_for_participants(db, room.code, tokens, now=T0)
        for phone in phones:
            alone = participants.state_for_participant(db, room.code, phone.token, now=T0)
            assert together[phone.token] == alone
        for token in tokens[len(phones) :]:
            assert isinstance(together[token], UnknownParticipant)
    assert [together[p.token]["my_answer_correct"] for p in phones[:4]] == [False, True, True, None]
    for code in ("ZZZZZZ", "!!", "x" * 300):  # made up, mistyped, absurd: as for one phone
        with pytest.raises(Exception) as alone:
            participants.state_for_participant(db, code, phones[0].token)
        together = participants.states_for_participants(db, code, [phones[0].token])
        assert type(together[phones[0].token]) is type(alone.value)
        assert str(together[phones[0].token]) == str(alone.value)


def test_a_room_larger_than_one_batch_is_read_whole(db, people, room):
    # More tokens than one IN (...) list takes: every phone is still found.
    phones = [participants.join(db, room.code, "", f"ip{i}") for i in range(1100)]
    found = participants.states_for_participants(db, room.code, [p.token for p in phones])
    numbers = sorted(state["participant"]["number"] for state in found.values())
    assert numbers == list(range(1, 1101))
