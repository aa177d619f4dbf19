"""One place for the answer rules: the player and the room share them and their one error."""

from __future__ import annotations

import pytest

from carelab import answers
from carelab.errors import CareLabError
from carelab.learning import grading
from carelab.workshop import errors as workshop_errors
from carelab.workshop import steps


def test_there_is_one_invalid_answer_and_it_is_a_carelab_error():
    assert grading.InvalidAnswer is answers.InvalidAnswer
    assert workshop_errors.InvalidAnswer is answers.InvalidAnswer
    assert issubclass(answers.InvalidAnswer, CareLabError)


def test_the_room_and_the_player_read_numbers_by_the_same_rule():
    for typed in ("1 234,5", "1,234.5", "1234.5"):
        assert answers.parse_number(typed) == grading.parse_number(typed) == 1234.5
        step = steps.WorkshopStep(id="n", kind="poll", title="N", mode="numeric")
        assert steps.validate_answer(step, typed) == 1234.5


@pytest.mark.parametrize(
    ("mode", "value", "message"),
    [
        ("single", True, "Choose one of the options."),
        ("multiple", [], "Choose at least one option."),
        ("scale", 6, "Choose a whole number from 1 to 5."),
        ("numeric", "nan", "Enter a number, such as 12 or 12.5."),
        ("open", "\u200b ", "Write an answer before sending it."),
        (None, 1, "This step takes no answers."),
    ],
)
def test_each_rule_says_what_to_fix(mode, value, message):
    with pytest.raises(answers.InvalidAnswer) as caught:
        answers.by_mode(mode, 3, value)
    assert str(caught.value) == message
