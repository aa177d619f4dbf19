"""GIFT import and export: Moodle's own files, every construct, safety, round trips and the CLI."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from carelab.cli import main
from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.content.gift import (
    FALLBACK_EXPLANATION,
    GIFT_CANNOT_CARRY,
    import_yaml,
    lost_fields,
    module_questions,
    parse_gift,
    to_gift,
)
from carelab.content.loader import load_yaml_text
from tests.conftest import REPO, SHARED, VALID_CASE, VALID_MODULE

GIFT_DATA = SHARED / "data" / "moodle-gift"
QUESTION = TypeAdapter(schema.Question)
STEP = TypeAdapter(schema.Step)
MISSING_WORD = (
    "text after the answer block makes it a missing-word question, which CareLab does not "
    "support; end the question with its answer block to import it"
)
MATCHING = "matching questions (->) are not supported"


def parse_file(name: str):
    return parse_gift((GIFT_DATA / name).read_text(encoding="utf-8"), name)


def one(text: str) -> dict[str, Any]:
    """Parse text holding one question that must import, and return it."""
    result = parse_gift(text, "t.gift")
    assert len(result.questions) == 1, [str(p) for p in result.problems]
    return result.questions[0]


def messages(text: str) -> list[str]:
    return [str(p) for p in parse_gift(text, "t.gift").problems]


def strings(value: Any) -> list[str]:
    """Every string anywhere inside nested dicts and lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def comparable(question: Any) -> dict[str, Any]:
    """A question as a full dict, without the fields GIFT cannot carry."""
    model = question if isinstance(question, BaseModel) else QUESTION.validate_python(question)
    return model.model_dump(exclude=set(GIFT_CANNOT_CARRY))


# --- Moodle's own files ------------------------------------------------------------------


def test_moodle_examples_file_imports_with_exact_counts():
    result = parse_file("examples.gift.txt")
    kinds = Counter(q["kind"] for q in result.questions)
    assert kinds == {
        "single_choice": 7,
        "multiple_choice": 4,
        "true_false": 5,
        "short_text": 7,
        "numeric": 6,
    }
    assert result.reflections == []
    assert result.categories == []
    missing_word = [10, 27, 29, 45, 72, 74, 93, 117, 169, 184, 195]
    matching = [55, 61, 177]
    assert [p.line for p in result.skipped] == sorted(missing_word + matching)
    for problem in result.skipped:
        reason = MATCHING if problem.line in matching else MISSING_WORD
        assert problem.message.endswith(f": {reason}")
    assert str(result.skipped[0]) == f"examples.gift.txt:10: skipped question 2: {MISSING_WORD}"
    assert str(result.skipped[8]) == (
        f"examples.gift.txt:93: skipped 'Thanksgiving Date': {MISSING_WORD}"
    )
    # No example has general feedback, so every imported question asks for an explanation.
    needs = [p for p in result.problems if "needs an explanation" in p.message]
    assert len(needs) == 29
    assert result.summary() == "29 questions and 0 reflections imported, 14 skipped"


def test_moodle_examples_special_characters_and_feedback():
    by_id = {q["id"]: q for q in parse_file("examples.gift.txt").questions}
    assert [o["text"] for o in by_id["q32"]["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = by_id["gift-control-characters"]["options"]
    assert [o["text"] for o in control] == ["~", "=", "#", "{", "}", "\\"]
    assert control[0]["feedback"] == "~ is a control character."
    assert control[5]["correct"] is True
    assert control[5]["feedback"].startswith("Correct! \\ (backslash) is not a control character.")
    assert (
        by_id["kanji-origins"]["prompt"]
        == "Japanese characters originally\ncame from what country?"
    )
    assert by_id["q25"]["prompt"] == "Who's buried in **Grant's tomb**?"


def test_moodle_test_fixture_imports_as_giftformat_test_expects():
    result = parse_file("questions.gift.txt")
    assert Counter(q["kind"] for q in result.questions) == {
        "single_choice": 1,
        "multiple_choice": 1,
        "short_text": 1,
        "true_false": 2,
    }
    assert result.reflections == [
        {"id": "q8", "kind": "reflection", "title": "Q8", "prompt": "How are you?"}
    ]
    # Q5 and Q1 end in `";` (left over from PHP strings), which Moodle reads as missing-word.
    assert [(p.line, p.message) for p in result.skipped] == [
        (5, f"skipped 'Moodle activities': {MATCHING}"),
        (31, f"skipped 'Q5': {MISSING_WORD}"),
        (41, f"skipped 'Q1': {MISSING_WORD}"),
    ]
    by_id = {q["id"]: q for q in result.questions}
    assert by_id["q2"]["options"] == [
        {"text": "yellow", "correct": True, "feedback": "right; good!"},
        {"text": "red", "feedback": "wrong, it's yellow"},
        {"text": "blue", "feedback": "wrong, it's yellow"},
    ]
    assert by_id["colours"] == {
        "id": "colours",
        "kind": "multiple_choice",
        "prompt": "What's between orange and green in the spectrum?",
        "options": [
            {"text": "yellow", "correct": True, "weight": 50.0, "feedback": "right; good!"},
            {"text": "red", "weight": -100.0, "feedback": "wrong"},
            {"text": "off-beige", "correct": True, "weight": 50.0, "feedback": "right; good!"},
            {"text": "blue", "weight": -100.0, "feedback": "wrong"},
        ],
        "explanation": FALLBACK_EXPLANATION,
    }
    assert by_id["shortanswer"]["accepted"] == ["Frog"]
    assert by_id["2-08-tsl"]["answer"] is True and by_id["2-08-tsl-2"]["answer"] is True
    left_out = (
        "questions.gift.txt:34: 'shortanswer': answers without full credit were left out, as "
        "CareLab short answers are right or wrong: Cat (50%), * (0%)"
    )
    assert left_out in [str(p) for p in result.problems]


def test_giftformat_test_numeric_and_true_false_without_the_stray_quote():
    numeric = parse_gift("::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}", "t")
    assert numeric.questions[0] | {"explanation": "x"} == {
        "id": "q5",
        "kind": "numeric",
        "prompt": "What is a number from 1 to 5?",
        "answer": 3.0,
        "tolerance": 2.0,
        "explanation": "x",
    }
    assert "t:1: 'q5': its answer feedback was left out; CareLab shows the explanation instead" in [
        str(p) for p in numeric.problems
    ]
    assert one(
        "::Q1:: 42 is the Absolute Answer to everything.{\n"
        "FALSE#42 is the Ultimate Answer.#You gave the right answer.\n"
        "####This is, of course, a Hitchiker's Guide to the Galaxy reference.}"
    ) == {
        "id": "q1",
        "kind": "true_false",
        "prompt": "42 is the Absolute Answer to everything.",
        "answer": False,
        "feedback_true": "42 is the Ultimate Answer.",
        "feedback_false": "You gave the right answer.",
        "explanation": "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
    }


# --- each construct -----------------------------------------------------------------------


def test_single_choice_with_feedback_and_general_feedback():
    assert one("::Pick::Which?{=Right#Yes ~Wrong#No ####Because.}") == {
        "id": "pick",
        "kind": "single_choice",
        "prompt": "Which?",
        "options": [
            {"text": "Right", "correct": True, "feedback": "Yes"},
            {"text": "Wrong", "feedback": "No"},
        ],
        "explanation": "Because.",
    }


def test_multiple_response_with_default_shares_needs_no_weights():
    question = one("Which two?{~%50%A ~%50%B ~C ####Both.}")
    assert question["kind"] == "multiple_choice"
    assert question["options"] == [
        {"text": "A", "correct": True},
        {"text": "B", "correct": True},
        {"text": "C"},
    ]


def test_partial_credit_keeps_weights_and_says_it_became_multiple_choice():
    result = parse_gift("Hard.{~wrong ~%50%half =full ####Why.}", "t.gift")
    assert result.questions[0]["options"] == [
        {"text": "wrong", "weight": 0.0},
        {"text": "half", "correct": True, "weight": 50.0},
        {"text": "full", "correct": True, "weight": 100.0},
    ]
    assert [str(p) for p in result.problems] == [
        "t.gift:1: 'q1': it gives partial or negative credit, so it became multiple_choice "
        "and learners may choose more than one option"
    ]


def test_full_credit_by_weight_alone_stays_multiple_response_as_in_moodle():
    # Without `=`, Moodle shows check boxes even when one answer carries 100%.
    question = one("One?{~%100%A ~%-50%B ~%-50%C ####x}")
    assert question["kind"] == "multiple_choice"
    assert [o.get("weight") for o in question["options"]] == [100.0, -50.0, -50.0]


@pytest.mark.parametrize(
    ("answer", "value"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
)
def test_true_false_spellings(answer, value):
    assert one(f"Statement.{{{answer}####x}}")["answer"] is value


def test_true_false_feedback_goes_to_the_choice_it_answers():
    question = one("Sky is green.{F#Wrong, it is blue.#Right.####Light scattering.}")
    assert question == {
        "id": "q1",
        "kind": "true_false",
        "prompt": "Sky is green.",
        "answer": False,
        "feedback_true": "Wrong, it is blue.",
        "feedback_false": "Right.",
        "explanation": "Light scattering.",
    }
    assert one("Sky is blue.{T#Wrong####x}")["feedback_false"] == "Wrong"


@pytest.mark.parametrize(
    ("block", "answer", "tolerance"),
    [
        ("{#1822}", 1822.0, None),
        ("{#3:2}", 3.0, 2.0),
        ("{#1..5}", 3.0, 2.0),
        ("{#3.141..3.142}", 3.1415, 0.0005),
        ("{#-4.5:0.25}", -4.5, 0.25),
        ("{#\n=%50%1822:2\n=1822:0}", 1822.0, None),
    ],
)
def test_numeric_answers(block, answer, tolerance):
    with_explanation = block.removesuffix("}") + "####x}"
    question = one(f"When?{with_explanation}")
    assert question["answer"] == answer
    assert question.get("tolerance") == tolerance


def test_numeric_keeps_the_full_credit_answer_and_says_what_it_left_out():
    assert messages("::Born::When?{#=%50%1822:2 =1822####x}") == [
        "t.gift:1: 'born': only the first full-credit answer (1822) was kept; CareLab numeric "
        "questions have one answer, so these were left out: 1822 ± 2 (50%)"
    ]


def test_short_answer_keeps_wildcards_and_leaves_out_partial_credit():
    result = parse_gift("Best animal?{=Frog =*toad* =%50%Cat#Hmm ####x}", "t.gift")
    assert result.questions[0] == {
        "id": "q1",
        "kind": "short_text",
        "prompt": "Best animal?",
        "accepted": ["Frog", "*toad*"],
        "explanation": "x",
    }
    assert [p.message for p in result.problems] == [
        "'q1': answers without full credit were left out, as CareLab short answers are right "
        "or wrong: Cat (50%)",
        "'q1': its answer feedback was left out; CareLab shows the explanation instead",
    ]


def test_essay_becomes_a_reflection_step_with_guidance():
    result = parse_gift("::Your week::What went well?{####Think of one patient.}", "t.gift")
    assert result.questions == [] and result.problems == []
    assert result.reflections == [
        {
            "id": "your-week",
            "kind": "reflection",
            "title": "Your week",
            "prompt": "What went well?",
            "guidance": "Think of one patient.",
        }
    ]


def test_titles_make_unique_ids_and_untitled_questions_are_numbered():
    text = (
        "::Dose Check::A?{T####x}\n\n::Dose check::B?{T####x}\n\n"
        "::Ödem — Grad 2::C?{T####x}\n\n::???::D?{T####x}\n\nE?{T####x}"
    )
    ids = [q["id"] for q in parse_gift(text, "t").questions]
    assert ids == ["dose-check", "dose-check-2", "odem-grad-2", "q4", "q5"]


def test_comments_and_categories_are_not_questions():
    text = (
        "// a comment\n$CATEGORY: $course$/top/Cardiology\n\n"
        "// another\n::A::First?{T####x}\n// inside a question\n\n"
        "$CATEGORY: $course$/top/Renal\n\nSecond?{F####x}\n"
    )
    result = parse_gift(text, "t.gift")
    assert result.categories == ["$course$/top/Cardiology", "$course$/top/Renal"]
    assert import_yaml(result).splitlines()[2] == (
        "# Moodle categories: $course$/top/Cardiology, $course$/top/Renal"
    )
    assert [q["id"] for q in result.questions] == ["a", "q2"]
    assert result.problems == []


def test_escapes_are_read_as_their_characters():
    question = one(
        "::Escapes\\: all::a \\~ b \\= c \\# d \\{ e \\} f \\: g\\nh \\\\ i"
        "{=x \\= y#fb \\# ~z####1 \\{2\\}}"
    )
    assert question["id"] == "escapes-all"
    assert question["prompt"] == "a ~ b = c # d { e } f : g\nh \\ i"
    assert question["options"][0] == {"text": "x = y", "correct": True, "feedback": "fb #"}
    assert question["explanation"] == "1 {2}"


def test_format_tags():
    assert one("[markdown]Is **this** <b>bold</b>?{T####x}")["prompt"] == "Is **this** bold?"
    assert one("[plain]Is a <b> tag kept?{T####x}")["prompt"] == "Is a &lt;b> tag kept?"
    html = one(
        "[html]<p>First &amp; <b>bold</b></p><ul><li>one</li><li>two</li></ul>"
        '<a href="https://example.org/x">link</a>{T####[plain]x < y}'
    )
    assert html["prompt"] == "First & **bold**\n\n- one\n- two\n\n[link](https://example.org/x)"
    assert html["explanation"] == "x < y"
    assert one("[moodle]Line one\nline  two<br>three{T####x}")["prompt"] == (
        "Line one\nline two\nthree"
    )
    assert one("[html]Line one\nline two{T####x}")["prompt"] == "Line one line two"


@pytest.mark.parametrize("tag", ["", "[html]", "[moodle]", "[markdown]", "[plain]"])
def test_no_script_or_tag_survives_in_any_format(tag):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>&lt;script&gt;"
    result = parse_gift(
        f"::T::{tag}Q {evil}?{{={tag}A {evil}#{tag}F {evil} ~B####{tag}E {evil}}}\n\n"
        f"::R {evil}::{tag}Essay {evil}{{####{tag}G {evil}}}",
        "t.gift",
    )
    assert len(result.questions) == 1 and len(result.reflections) == 1
    for text in strings(result.questions + result.reflections):
        assert "<script" not in text.lower() and "<img" not in text.lower(), text


def test_missing_explanation_gets_a_fallback_and_a_problem():
    result = parse_gift("\n\n::Dose::How many mg?{#5}", "bank.gift")
    assert result.questions[0]["explanation"] == FALLBACK_EXPLANATION
    assert [str(p) for p in result.problems] == [
        "bank.gift:3: 'dose' needs an explanation: Moodle's question had no general feedback (####)"
    ]


def test_syntax_errors_are_reported_by_line_and_the_rest_still_imports():
    text = (
        "Good one?{T####x}\n\n"
        "::Open::Unclosed {=a ~b\n\n"
        "::Never closed title {T}\n\n"
        "Just a description.\n\n"
        "One answer {~only####x}\n\n"
        "Count?{#many}\n\n"
        "Backwards?{#5..1}\n\n"
        "Nothing right?{=%50%half####x}\n\n"
        "Numeric nothing right?{#=%50%3####x}\n\n"
        f"Too long?{{={'a' * 301} ~b####x}}\n\n"
        "Last good one?{F####x}"
    )
    result = parse_gift(text, "bank.gift")
    assert [q["prompt"] for q in result.questions] == ["Good one?", "Last good one?"]
    assert [str(p) for p in result.problems] == [
        "bank.gift:3: skipped 'Open': its braces { } do not pair up; write a literal brace as "
        "\\{ or \\}",
        "bank.gift:5: skipped question 3: its title is not closed; write ::Title:: before the "
        "question text",
        "bank.gift:7: skipped question 4: it has no answer block { }, so it is a description, "
        "which CareLab skips",
        "bank.gift:9: skipped question 5: a multiple-choice question needs at least 2 answers",
        "bank.gift:11: skipped question 6: 'many' is not a number",
        "bank.gift:13: skipped question 7: the range 5..1 runs from high to low",
        "bank.gift:15: skipped question 8: a short-answer question needs an answer with full "
        "credit",
        "bank.gift:17: skipped question 9: a numeric question needs an answer with full credit",
        "bank.gift:19: skipped question 10: CareLab cannot accept it: options[0].text: String "
        "should have at most 300 characters",
    ]
    assert all(p.skipped for p in result.problems)


def test_windows_line_endings_and_a_byte_order_mark():
    result = parse_gift("\ufeff// c\r\n::A::One?{T####x}\r\n\r\n::B::Two?{F####y}\r\n", "t")
    assert [(q["id"], q["answer"]) for q in result.questions] == [("a", True), ("b", False)]


# --- export and round trips ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["examples.gift.txt", "questions.gift.txt"])
def test_import_export_import_is_lossless_for_moodle_files(name):
    first = parse_file(name)
    again = parse_gift(to_gift(first.questions, category="$course$/top/Imported"), "again.gift")
    assert again.questions == first.questions
    assert again.categories == ["$course$/top/Imported"]
    assert not again.skipped


def test_export_writes_moodle_gift():
    questions = [
        {
            "id": "pick",
            "kind": "single_choice",
            "prompt": "Which: a {b}?",
            "options": [
                {"text": "%50 of them", "correct": True, "feedback": "Yes #1"},
                {"text": "%none"},
            ],
            "explanation": "Line 1\nLine 2",
        },
        {
            "id": "tf",
            "kind": "true_false",
            "prompt": "True?",
            "answer": True,
            "feedback_true": "Right",
            "explanation": "x",
        },
        {"id": "n", "kind": "numeric", "prompt": "N?", "answer": 2.5, "explanation": "x"},
        {"id": "s", "kind": "short_text", "prompt": "S?", "accepted": ["a=b"], "explanation": "x"},
    ]
    assert to_gift(questions, category="Top") == (
        "$CATEGORY: Top\n\n"
        "::pick::[markdown]Which\\: a \\{b\\}?{\n"
        "\t=%50 of them#Yes \\#1\n"
        "\t~%0%%none\n"
        "\t####Line 1\\nLine 2\n"
        "}\n\n"
        "::tf::[markdown]True?{TRUE##Right####x}\n\n"
        "::n::[markdown]N?{#2.5####x}\n\n"
        "::s::[markdown]S?{\n\t=a\\=b\n\t####x\n}\n"
    )
    assert parse_gift(to_gift(questions), "t").questions == questions


def test_round_trip_of_tricky_text_and_weights():
    questions = [
        {
            "id": "tricky",
            "kind": "multiple_choice",
            "prompt": "[html] is *literal*, C:\\path\\n, ~tilde~, {#=}, 100%\n\n- a list",
            "options": [
                {"text": "[plain]odd", "correct": True, "weight": 33.33333, "feedback": "a\\b"},
                {"text": "%20 off", "correct": True, "weight": 66.66667},
                {"text": "-> arrow", "weight": -25.0, "feedback": "[markdown]x"},
            ],
            "explanation": "####",
        },
        {
            "id": "third",
            "kind": "multiple_choice",
            "prompt": "Thirds?",
            "options": [
                {"text": "a", "correct": True},
                {"text": "b", "correct": True},
                {"text": "c", "correct": True},
                {"text": "d"},
            ],
            "explanation": "x",
        },
        {"id": "big", "kind": "numeric", "prompt": "?", "answer": 1e-05, "explanation": "x"},
        {
            "id": "wild",
            "kind": "short_text",
            "prompt": "?",
            "accepted": ["%*", "T", "*x*"],
            "explanation": "x",
        },
    ]
    gift = to_gift(questions)
    assert "\t~%33.33333%a\n" in gift
    assert parse_gift(gift, "t").questions == questions


def test_fields_gift_cannot_carry_are_named_and_left_out():
    question = {
        "id": "s",
        "kind": "short_text",
        "prompt": "S?",
        "accepted": ["a"],
        "case_sensitive": True,
        "explanation": "x",
    }
    assert lost_fields([question]) == ["case_sensitive"]
    back = parse_gift(to_gift([question]), "t").questions[0]
    assert comparable(back) == comparable(question)
    assert GIFT_CANNOT_CARRY == ("source", "shuffle", "case_sensitive", "unit")


GIFT_TEXT = (
    st.text(
        alphabet=st.sampled_from(list("ab Z09.,!?'\"*_%[]()~=#{}:\\/\n\t-é")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@given(prompt=GIFT_TEXT, right=GIFT_TEXT, wrong=GIFT_TEXT, feedback=GIFT_TEXT, why=GIFT_TEXT)
def test_any_text_survives_a_round_trip(prompt, right, wrong, feedback, why):
    questions = [
        {
            "id": "q",
            "kind": "single_choice",
            "prompt": prompt,
            "options": [{"text": right, "correct": True, "feedback": feedback}, {"text": wrong}],
            "explanation": why,
        },
        {
            "id": "s",
            "kind": "short_text",
            "prompt": prompt,
            "accepted": [right],
            "explanation": why,
        },
    ]
    assert parse_gift(to_gift(questions), "t").questions == questions


@given(
    answer=st.floats(allow_nan=False, allow_infinity=False, width=64),
    tolerance=st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)
def test_any_number_survives_a_round_trip(answer, tolerance):
    question = {"id": "n", "kind": "numeric", "prompt": "?", "answer": answer, "explanation": "x"}
    if tolerance:
        question["tolerance"] = tolerance
    back = parse_gift(to_gift([question]), "t").questions[0]
    assert back == question


def test_shipped_teamwork_module_exports_and_parses_back_to_the_same_questions():
    module = load_catalog(REPO).module("teamwork")
    questions = module_questions(module)
    assert len(questions) == sum(
        len(s.questions) for s in module.steps if isinstance(s, schema.QuizStep)
    )
    result = parse_gift(to_gift(questions), "teamwork.gift")
    assert result.problems == []
    assert [comparable(q) for q in result.questions] == [comparable(q) for q in questions]


# --- the YAML fragment ---------------------------------------------------------------------


def fragment_steps(fragment: str) -> list[dict[str, Any]]:
    return load_yaml_text(fragment, "fragment.yaml").data["steps"]


def test_yaml_fragment_loads_and_validates_with_carelabs_own_loader():
    result = parse_file("questions.gift.txt")
    fragment = import_yaml(result)
    assert fragment.startswith(
        "# Imported from questions.gift.txt by carelab import-gift: 5 questions and "
        "1 reflection imported, 3 skipped.\n"
    )
    steps = fragment_steps(fragment)
    assert [(s["id"], s["kind"]) for s in steps] == [
        ("questions-quiz", "quiz"),
        ("q8", "reflection"),
    ]
    for question in steps[0]["questions"]:
        QUESTION.validate_python(question)
    assert steps[0]["questions"] == result.questions
    for step in steps:
        STEP.validate_python(step)
    module = VALID_MODULE.format(id="m", case="c")
    schema.Module.model_validate(load_yaml_text(module, "m.yaml").data | {"steps": steps})


def test_more_than_fifty_questions_are_split_into_quiz_steps():
    text = "\n\n".join(f"Statement {i}.{{T####x}}" for i in range(120))
    steps = fragment_steps(import_yaml(parse_gift(text, "big.gift")))
    assert [(s["id"], len(s["questions"])) for s in steps] == [
        ("big-quiz-1", 50),
        ("big-quiz-2", 50),
        ("big-quiz-3", 20),
    ]
    assert steps[2]["title"] == "Questions imported from big.gift (part 3)"
    for step in steps:
        STEP.validate_python(step)


# --- the command line -----------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_gift_prints_yaml_and_problems(capsys):
    path = GIFT_DATA / "questions.gift.txt"
    code, out, err = run(capsys, "import-gift", str(path))
    assert code == 0
    expected = [str(p) for p in parse_gift(path.read_text(encoding="utf-8"), str(path)).problems]
    assert err.splitlines() == expected
    assert err.splitlines()[0] == f"{path}:5: skipped 'Moodle activities': {MATCHING}"
    assert out.startswith(f"# Imported from {path} by carelab import-gift: 5 questions and ")
    steps = fragment_steps(out)
    assert sum(len(s.get("questions", [])) for s in steps) == 5


def test_import_gift_writes_out_file(capsys, tmp_path):
    out_path = tmp_path / "imported.yaml"
    source = GIFT_DATA / "examples.gift.txt"
    code, out, _ = run(capsys, "import-gift", str(source), "--out", str(out_path))
    assert (code, out) == (
        0,
        f"wrote {out_path}: 29 questions and 0 reflections imported, 14 skipped\n",
    )
    steps = fragment_steps(out_path.read_text(encoding="utf-8"))
    assert len(steps[0]["questions"]) == 29


def test_import_gift_errors(capsys, tmp_path):
    missing = tmp_path / "nope.gift"
    assert run(capsys, "import-gift", str(missing)) == (2, "", f"error: no such file: {missing}\n")
    latin = tmp_path / "latin1.gift"
    latin.write_bytes("Ok?{T}\n\nCaf\xe9?{T}\n".encode("latin-1"))
    assert run(capsys, "import-gift", str(latin)) == (
        1,
        "",
        f"error: {latin} is not UTF-8 text (line 3); save it as UTF-8 and try again\n",
    )
    assert run(capsys, "import-gift", str(tmp_path)) == (
        1,
        "",
        f"error: cannot read {tmp_path}: Is a directory\n",
    )
    matching = tmp_path / "matching.gift"
    matching.write_text("Match {=a -> b =c -> d}\n", encoding="utf-8")
    assert run(capsys, "import-gift", str(matching)) == (
        1,
        "",
        f"{matching}:1: skipped question 1: {MATCHING}\n"
        f"error: no question in {matching} could be imported\n",
    )


def test_export_gift_writes_the_module_for_moodle(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("CARELAB_CONTENT_DIR", str(REPO))
    code, out, err = run(capsys, "export-gift", "teamwork")
    assert code == 0
    assert err == "note: GIFT has no place for source, unit; the export leaves them out\n"
    assert out.startswith(
        "// Exported from CareLab module teamwork, version 1.0\n\n"
        "$CATEGORY: $course$/top/Teams and integrated care\n\n::"
    )
    questions = module_questions(load_catalog(REPO).module("teamwork"))
    assert len(parse_gift(out, "t").questions) == len(questions)
    out_path = tmp_path / "teamwork.gift"
    code, printed, _ = run(capsys, "export-gift", "teamwork", "--out", str(out_path))
    assert (code, printed) == (0, f"wrote {out_path}: {len(questions)} questions\n")
    assert out_path.read_text(encoding="utf-8") == out


def test_export_gift_errors(capsys, content_root):
    assert run(capsys, "export-gift", "nope") == (
        1,
        "",
        "error: There is no module 'nope' in the catalogue.\n",
    )
    (content_root / "cases/c.yaml").write_text(VALID_CASE.format(id="c"))
    (content_root / "modules/m.yaml").write_text(VALID_MODULE.format(id="m", case="c"))
    assert run(capsys, "export-gift", "m") == (
        1,
        "",
        "error: module 'm' has no quiz questions to export\n",
    )
