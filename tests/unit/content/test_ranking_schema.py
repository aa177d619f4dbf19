"""The ranking question, the ranking poll and `revote`: what the validator accepts and refuses."""

from __future__ import annotations

import pytest

from carelab.cli import main
from carelab.content.gift import left_out, to_gift
from carelab.content.schema import Ranking
from tests.unit.content.test_validate import check

HEAD = (
    "id: m\ntitle: M\nsummary: S\nlearning_objectives: [x]\nestimated_minutes: 5\n"
    "version: 1\nsteps:\n"
)
QUIZ = "  - id: q\n    kind: quiz\n    title: Q\n    questions:\n"


def question(items: str, extra: str = "") -> str:
    return (
        HEAD
        + QUIZ
        + f"      - {{id: r, kind: ranking, prompt: P, explanation: E, items: {items}{extra}}}\n"
    )


def test_a_ranking_question_with_three_to_eight_different_items_is_valid():
    assert check(question("[Structure, Process, Outcome]")) == []
    assert check(question("[a, b, c, d, e, f, g, h]")) == []


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("[Structure, Process]", "a ranking orders 3 to 8 items (found 2)"),
        ("[a, b, c, d, e, f, g, h, i]", "a ranking orders 3 to 8 items (found 9)"),
        (
            "[Structure, Process, process ]",
            "'process' is in the items twice; each must be different",
        ),
    ],
    ids=["too-few", "too-many", "repeated"],
)
def test_a_bad_ranking_question_is_pointed_at_by_line(items, message):
    assert check(question(items)) == [f"m.yaml:12:66: steps[0].questions[0].items: {message}"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("[a, b, c]", []),
        ("[a, b]", ["m.yaml:8:5: steps[0]: a ranking orders 3 to 8 options (found 2)"]),
        (
            "[a, b, A]",
            ["m.yaml:8:5: steps[0]: 'A' is in the options twice; each must be different"],
        ),
    ],
)
def test_a_ranking_poll_takes_three_to_eight_different_options(options, expected):
    step = f"  - {{id: p, kind: poll, title: P, prompt: Q, mode: ranking, options: {options}}}\n"
    assert check(HEAD + step) == expected


def test_revote_on_a_poll_and_a_question_and_a_prompt_without_it_is_refused():
    poll = "  - {id: p, kind: poll, title: P, prompt: Q, mode: scale, revote: true}\n"
    assert check(HEAD + poll) == []
    assert check(question("[a, b, c]", ", revote: true, revote_prompt: Talk")) == []
    lonely = "  - {id: p, kind: poll, title: P, prompt: Q, mode: scale, revote_prompt: Talk}\n"
    assert check(HEAD + lonely) == [
        "m.yaml:8:5: steps[0]: revote_prompt belongs to a step or question with revote: true"
    ]


def test_gift_export_leaves_a_ranking_out_and_names_it():
    ranking = Ranking(id="r", kind="ranking", prompt="P", explanation="E", items=["a", "b", "c"])
    assert to_gift([ranking]) == ""
    assert left_out([ranking]) == ["r"]


def test_export_gift_of_the_indicators_module_says_it_left_the_ranking_out(shipped_content, capsys):
    assert main(["export-gift", "indicators"]) == 0
    out, err = capsys.readouterr()
    assert "note: GIFT has no ranking question; left out: donabedian-chain" in err
    assert "::process-sooner::" in out and "donabedian-chain" not in out


def test_a_revote_poll_takes_its_minutes_twice_and_the_discussion_between():
    from carelab.content import timing
    from carelab.content.schema import PollStep

    def poll(**fields) -> PollStep:
        return PollStep(
            id="p", kind="poll", title="P", prompt="Q", mode="scale", minutes=2, **fields
        )

    assert timing.step_estimate(poll(), {}).group_minutes == 2
    assert timing.step_estimate(poll(revote=True), {}).group_minutes == 2 + 3 + 2
    assert timing.step_estimate(poll(revote=True, revote_minutes=6), {}).group_minutes == 10
