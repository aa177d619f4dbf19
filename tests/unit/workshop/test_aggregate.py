"""Results per step and the CSV export (anonymity, formula injection)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carelab.workshop import aggregate, participants, workshops
from tests.unit.workshop.conftest import answer_all, content_steps, open_step


def counts(found: aggregate.StepResults) -> list[tuple[str, int]]:
    return [(c.label, c.count) for c in found.counts]


def test_single_choice_counts_shares_and_n_of_m(db, people, room):
    answer_all(db, people, room, 1, [0, 2, 2, 2])
    participants.join(db, room.code, "Silent", "ip")
    found = aggregate.results(db, room.id, 1)
    assert counts(found) == [("Red", 1), ("Green", 0), ("Blue", 3)]
    assert [c.share for c in found.counts] == [0.25, 0.0, 0.75]
    assert found.answered_label == "4 of 5 answered" and found.hidden == 0
    assert all(c.correct is None for c in found.counts)


def test_multiple_choice_counts_each_option_chosen(db, people, room):
    answer_all(db, people, room, 2, [[0, 1], [1], [1, 2]])
    found = aggregate.results(db, room.id, 2)
    assert counts(found) == [("Red", 1), ("Green", 3), ("Blue", 1)]
    assert found.counts[1].share == 1.0


def test_scale_counts_every_point_from_one_to_five(db, people, room):
    answer_all(db, people, room, 3, [1, 5, 5, 4])
    found = aggregate.results(db, room.id, 3)
    assert counts(found) == [("1", 1), ("2", 0), ("3", 0), ("4", 1), ("5", 2)]


def test_a_question_marks_its_right_option(db, people, room):
    answer_all(db, people, room, 6, [1, 1, 0])
    found = aggregate.results(db, room.id, 6)
    assert [(c.label, c.count, c.correct) for c in found.counts] == [
        ("A", 1, False),
        ("B", 2, True),
    ]


def test_numeric_summary_and_histogram(db, people, room):
    answer_all(db, people, room, 4, [10, 20, 20, 35.5, "90"])
    summary = aggregate.results(db, room.id, 4).numeric
    assert (summary.n, summary.mean, summary.median, summary.min, summary.max) == (
        5,
        35.1,
        20,
        10,
        90,
    )
    assert sum(b.count for b in summary.bins) == 5
    assert summary.bins[0].low <= 10 and summary.bins[-1].high >= 90
    assert all(a.high == b.low for a, b in zip(summary.bins, summary.bins[1:], strict=False))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], ()),
        ([7, 7, 7], (aggregate.Bin(7, 7, 3),)),
        ([0, 10], (aggregate.Bin(0, 5, 1), aggregate.Bin(5, 10, 1))),
        ([0, 1, 2, 3, 4], tuple(aggregate.Bin(i, i + 1, 1 + (i == 3)) for i in range(4))),
        ([0.1, 0.2], (aggregate.Bin(0.1, 0.15, 1), aggregate.Bin(0.15, 0.2, 1))),
    ],
)
def test_histogram_bins_have_round_edges_and_keep_every_value(values, expected):
    assert aggregate.histogram(values) == expected


@given(st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=300))
def test_histogram_counts_every_value_within_its_range(values):
    bins = aggregate.histogram(values)
    assert sum(b.count for b in bins) == len(values)
    assert 1 <= len(bins) <= aggregate.MAX_BINS + 1
    width = bins[0].high - bins[0].low
    assert bins[0].low <= min(values) and bins[-1].high >= max(values) - 1e-6 * width


def test_no_numeric_answers_give_no_summary(db, people, room):
    open_step(db, people, room, 4)
    found = aggregate.results(db, room.id, 4)
    assert found.numeric is None and found.answered_label == "0 of 0 answered"


def test_word_frequencies_lower_case_without_stop_words_once_per_answer(db, people, room):
    answer_all(
        db,
        people,
        room,
        5,
        ["The handover is LATE", "late late late handover", "Handover notes don't travel", "ok"],
    )
    words = aggregate.results(db, room.id, 5).words
    assert [(w.word, w.count) for w in words] == [
        ("handover", 3),
        ("late", 2),
        ("notes", 1),
        ("ok", 1),
        ("travel", 1),
    ]


def test_hidden_responses_are_excluded_from_results(db, people, room):
    joined = answer_all(db, people, room, 5, ["rude rude", "kind words"])
    workshops.hide_response(db, people.facilitator, room.id, 5, joined[0].number)
    found = aggregate.results(db, room.id, 5)
    assert [w.word for w in found.words] == ["kind", "words"]
    assert (found.answered, found.hidden, found.answered_label) == (1, 1, "1 of 2 answered")
    assert [t.answer for t in found.texts] == ["kind words"]
    assert [(r.answer, r.hidden) for r in found.responses] == [
        ("rude rude", True),
        ("kind words", False),
    ]
    workshops.hide_response(db, people.facilitator, room.id, 5, joined[0].number, hidden=False)
    assert aggregate.results(db, room.id, 5).answered == 2


def test_hidden_choice_answers_leave_the_counts(db, people, room):
    joined = answer_all(db, people, room, 1, [0, 0])
    workshops.hide_response(db, people.facilitator, room.id, 1, joined[1].number)
    assert counts(aggregate.results(db, room.id, 1))[0] == ("Red", 1)


def test_a_step_without_answers_has_empty_results(db, room):
    found = aggregate.results(db, room.id, 0)
    assert (found.counts, found.numeric, found.words, found.answered) == ((), None, (), 0)


# --- exports ---------------------------------------------------------------------------


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_anonymous_exports_hold_no_nickname_and_no_token(db, people, room):
    joined = answer_all(db, people, room, 5, ["Fine", "Good"])
    open_step(db, people, room, 1)
    participants.answer(db, room.code, joined[0].token, 1, 2)
    data = aggregate.export_csv(db, room.id)
    text = data.decode("utf-8-sig")
    for person in joined:
        assert person.nickname not in text and person.token not in text
    rows = read_csv(data)
    assert list(rows[0]) == aggregate.export_columns(anonymous=True)
    assert [(r["step"], r["participant"], r["answer"]) for r in rows] == [
        ("2", "1", "Blue"),
        ("6", "1", "Fine"),
        ("6", "2", "Good"),
    ]
    assert data.startswith(b"\xef\xbb\xbf")


def test_exports_name_participants_when_anonymity_is_off(db, people):
    room = workshops.create_workshop(
        db, people.facilitator, "Named", "case", "c", content_steps(), anonymous=False
    )
    answer_all(db, people, room, 6, [1])
    (row,) = read_csv(aggregate.export_csv(db, room.id))
    assert (row["nickname"], row["answer"], row["correct"], row["hidden"]) == (
        "Nick0",
        "B",
        "yes",
        "no",
    )


def test_export_with_no_answers_still_has_its_header(db, room):
    assert aggregate.export_rows(db, room.id) == []
    header = aggregate.export_csv(db, room.id).decode("utf-8-sig").splitlines()
    assert header == [",".join(aggregate.export_columns(anonymous=True))]


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("plain = fine", "plain = fine"),
    ],
)
def test_csv_cells_that_could_run_as_formulas_are_escaped(db, people, room, typed, cell):
    answer_all(db, people, room, 5, [typed])
    (row,) = read_csv(aggregate.export_csv(db, room.id))
    assert row["answer"] == cell


@pytest.mark.parametrize(
    ("typed", "cell"),
    [
        ("ok;=HYPERLINK(1)", "ok;'=HYPERLINK(1)"),
        ("ok,@cmd", "ok,'@cmd"),
        ("5;+SUM(A1)", "5;'+SUM(A1)"),
        ("a - b; c", "a - b; c"),
    ],
)
def test_a_formula_after_a_separator_inside_an_answer_is_escaped(db, people, room, typed, cell):
    answer_all(db, people, room, 5, [typed])
    (row,) = read_csv(aggregate.export_csv(db, room.id))
    assert row["answer"] == cell


def test_a_hostile_nickname_is_escaped_in_a_named_export(db, people):
    room = workshops.create_workshop(
        db, people.facilitator, "Named", "case", "c", content_steps(), anonymous=False
    )
    open_step(db, people, room, 5)
    person = participants.join(db, room.code, "=cmd|' /C calc'!A0;@x", "ip")
    participants.answer(db, room.code, person.token, 5, "fine")
    (row,) = read_csv(aggregate.export_csv(db, room.id))
    assert row["nickname"] == "'=cmd|' /C calc'!A0;'@x"


def test_negative_numbers_stay_numbers(db, people, room):
    answer_all(db, people, room, 4, ["-3.5", "-2"])
    assert [r["answer"] for r in read_csv(aggregate.export_csv(db, room.id))] == ["-3.5", "-2"]
