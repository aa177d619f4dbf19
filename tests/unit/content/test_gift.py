"""GIFT import: CareLab's own GIFT files for every construct, and Moodle's files when present.

The files in tests/data/gift/ were written for CareLab and cover the whole syntax that
carelab/content/gift/reader.py claims. Moodle's own example files are GPL and stay outside the
repository: their conformance tests run when ../shared/data/moodle-gift/ exists.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from carelab.content.gift import FALLBACK_EXPLANATION, GiftImport, parse_gift, read_gift
from tests.conftest import GIFT_FILES, MOODLE_GIFT

MOODLE_ABSENT = (
    "Moodle's GIFT example files are not in the repository (GPL); put them in "
    "../shared/data/moodle-gift/ to run this conformance test"
)
moodle_files = pytest.mark.skipif(not MOODLE_GIFT.is_dir(), reason=MOODLE_ABSENT)
MISSING_WORD = (
    "text after the answer block makes it a missing-word question, which CareLab does not "
    "support; end the question with its answer block to import it"
)
MATCHING = "matching questions (->) are not supported"
NO_ANSWER_FEEDBACK = "its answer feedback was left out; CareLab shows the explanation instead"


def parse_file(name: str, folder: Path = GIFT_FILES) -> GiftImport:
    """Read one GIFT file as the command line does and parse it under its own name."""
    return parse_gift(read_gift(folder / name), name)


def one(text: str) -> dict[str, Any]:
    """Parse text holding one question that must import, and return it."""
    result = parse_gift(text, "t.gift")
    assert len(result.questions) == 1, [str(p) for p in result.problems]
    return result.questions[0]


def strings(value: Any) -> list[str]:
    """Every string anywhere inside nested dicts and lists."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


# --- CareLab's own GIFT files: one per construct ----------------------------------------------

SUMMARIES = {
    "categories.gift": "2 questions and 0 reflections imported, 0 skipped",
    "choices.gift": "6 questions and 0 reflections imported, 0 skipped",
    "escapes.gift": "2 questions and 0 reflections imported, 0 skipped",
    "essays.gift": "0 questions and 3 reflections imported, 0 skipped",
    "formats.gift": "5 questions and 0 reflections imported, 0 skipped",
    "module-bank.gift": "5 questions and 1 reflection imported, 1 skipped",
    "not-imported.gift": "2 questions and 0 reflections imported, 11 skipped",
    "numeric.gift": "6 questions and 0 reflections imported, 0 skipped",
    "short-answer.gift": "3 questions and 0 reflections imported, 0 skipped",
    "true-false.gift": "7 questions and 0 reflections imported, 0 skipped",
    "windows.gift": "2 questions and 0 reflections imported, 0 skipped",
}


def test_every_gift_file_in_the_repository_is_tested():
    assert sorted(p.name for p in GIFT_FILES.glob("*.gift")) == sorted(SUMMARIES)


@pytest.mark.parametrize(("name", "summary"), SUMMARIES.items())
def test_each_gift_file_imports_what_it_should(name, summary):
    assert parse_file(name).summary() == summary


def test_multiple_choice_feedback_weights_and_multiple_response():
    result = parse_file("choices.gift")
    by_id = {q["id"]: q for q in result.questions}
    assert by_id["funnel-limits"] == {
        "id": "funnel-limits",
        "kind": "single_choice",
        "prompt": "Which limits does a funnel plot draw around the target?",
        "options": [
            {
                "text": "95% and 99.8% control limits",
                "correct": True,
                "feedback": "Yes: about 2 and 3 standard errors.",
            },
            {
                "text": "A 95% confidence interval around each provider",
                "feedback": "That is a forest plot.",
            },
            {
                "text": "The interquartile range of the providers",
                "feedback": "Quartiles ignore how many patients each saw.",
            },
        ],
        "explanation": "Spiegelhalter (2005) draws limits that narrow as the denominator grows.",
    }
    # Answers on one line, the right one in the middle.
    assert by_id["crude-rate"]["options"] == [
        {"text": "adjusted for age"},
        {"text": "not adjusted for case mix", "correct": True},
        {"text": "always lower than an adjusted rate"},
    ]
    # Weights shared equally by the right answers are CareLab's default: none are written.
    assert by_id["balancing-measures"]["kind"] == "multiple_choice"
    assert by_id["balancing-measures"]["options"] == [
        {"text": "Readmissions within 30 days", "correct": True},
        {"text": "Returns to the emergency department", "correct": True},
        {"text": "Bed occupancy at midnight", "feedback": "That is a process measure."},
    ]
    assert [o.get("weight") for o in by_id["above-the-limit"]["options"]] == [50, 50, -100]
    assert [o.get("weight") for o in by_id["shift-rule"]["options"]] == [100, 50, 0]
    assert [o.get("correct", False) for o in by_id["three-right"]["options"]] == [
        True, True, True, False,
    ]  # fmt: skip
    assert "weight" not in by_id["three-right"]["options"][0]
    assert [str(p) for p in result.problems] == [
        "choices.gift:31: 'shift-rule': it gives partial or negative credit, so it became "
        "multiple_choice and learners may choose more than one option"
    ]


def test_full_credit_by_weight_alone_stays_multiple_response_as_in_moodle():
    # Without `=`, Moodle shows check boxes even when one answer carries 100%.
    question = one("One?{~%100%A ~%-50%B ~%-50%C ####x}")
    assert question["kind"] == "multiple_choice"
    assert [o.get("weight") for o in question["options"]] == [100.0, -50.0, -50.0]


def test_true_false_spellings_feedback_and_a_missing_explanation():
    result = parse_file("true-false.gift")
    assert [(q["id"], q["answer"]) for q in result.questions] == [
        ("counts", True),
        ("spelled-out", True),
        ("ranks", False),
        ("spelled-out-false", False),
        ("one-sided-feedback", True),
        ("counts-2", True),
        ("odem-grad-2", True),
    ]
    by_id = {q["id"]: q for q in result.questions}
    # The first feedback answers the wrong choice, the second the right one.
    assert by_id["ranks"] == {
        "id": "ranks",
        "kind": "true_false",
        "prompt": "A league table position is a precise measure of quality.",
        "answer": False,
        "feedback_true": "No: ranks move a lot by chance.",
        "feedback_false": "Right: look at the rank's interval.",
        "explanation": "Rank intervals are often wide.",
    }
    assert by_id["one-sided-feedback"]["feedback_false"] == (
        "Think again: it adds variation beyond chance."
    )
    assert "feedback_true" not in by_id["one-sided-feedback"]
    assert by_id["counts-2"]["explanation"] == FALLBACK_EXPLANATION
    assert by_id["odem-grad-2"]["prompt"] == (
        "Ein Ödem ist eine Schwellung durch Flüssigkeit im Gewebe."
    )
    assert [str(p) for p in result.problems] == [
        "true-false.gift:15: 'counts-2' needs an explanation: Moodle's question had no general "
        "feedback (####)"
    ]


def test_numeric_values_tolerances_and_ranges():
    result = parse_file("numeric.gift")
    assert [(q["id"], q["answer"], q.get("tolerance")) for q in result.questions] == [
        ("sigma", 3.1, 0.05),
        ("target", 95.0, None),
        ("range", 7.0, 1.0),
        ("narrow-range", 2.7185, 0.0005),
        ("below-zero", -4.5, 0.25),
        ("weighted", 1859.0, None),
    ]
    assert [str(p) for p in result.problems] == [
        "numeric.gift:15: 'weighted': only the first full-credit answer (1859) was kept; "
        "CareLab numeric questions have one answer, so these were left out: 1859 ± 2 (50%)",
        f"numeric.gift:15: 'weighted': {NO_ANSWER_FEEDBACK}",
    ]


def test_short_answers_keep_wildcards_and_leave_out_partial_credit():
    result = parse_file("short-answer.gift")
    assert [q["accepted"] for q in result.questions] == [
        ["funnel plot", "funnel"],
        ["XmR*", "*individuals*"],
        ["phi"],
    ]
    assert result.questions[2]["explanation"] == (
        "φ for the multiplicative method, τ² for the additive one."
    )
    assert [str(p) for p in result.problems] == [
        "short-answer.gift:8: 'partial': answers without full credit were left out, as CareLab "
        "short answers are right or wrong: tau (50%), * (0%)",
        f"short-answer.gift:8: 'partial': {NO_ANSWER_FEEDBACK}",
    ]


def test_essays_become_reflection_steps_with_guidance():
    result = parse_file("essays.gift")
    assert result.questions == [] and result.problems == []
    assert result.reflections == [
        {
            "id": "your-week",
            "kind": "reflection",
            "title": "Your week",
            "prompt": "What did a measure tell you this week that you did not expect?",
        },
        {
            "id": "after-the-workshop",
            "kind": "reflection",
            "title": "After the workshop",
            "prompt": "Which indicator would you change first, and why?",
            "guidance": "Think of one patient it would have helped.",
        },
        {
            "id": "q3",
            "kind": "reflection",
            "title": "Describe one time a target changed how care was given.",
            "prompt": "Describe one time a target changed how care was given.",
        },
    ]


def test_escapes_are_read_as_their_characters_everywhere():
    ratio, paths = parse_file("escapes.gift").questions
    assert ratio == {
        "id": "ratio-o-e",
        "kind": "single_choice",
        "prompt": "Observed = 12, expected = 10. What is O/E {observed over expected}?",
        "options": [
            {"text": "1.2 = 12/10", "correct": True, "feedback": "Right # O/E = 1.2."},
            {"text": "0.83", "feedback": "That is E/O ~ the other way round."},
        ],
        "explanation": "A ratio above 1: more events than expected.\nNot yet a verdict.",
    }
    assert paths["prompt"] == "Where is the file C:\\data\\ae.csv?"
    assert paths["options"][0]["text"] == "On drive C: in data"
    assert paths["explanation"] == "Backslashes: \\ written twice."


def test_text_formats_become_markdown_without_html():
    moodle, html, markdown, plain, hostile = parse_file("formats.gift").questions
    assert moodle["prompt"] == "Line one\nline two\nthree"
    assert moodle["explanation"] == "Plain _text_."
    assert html["prompt"] == (
        "Compare **crude** & adjusted rates:\n\n- crude\n- adjusted\n\n"
        "[NHS England](https://www.england.nhs.uk/)"
    )
    assert html["options"] == [
        {"text": "_adjusted_", "correct": True, "feedback": "**Yes**"},
        {"text": "&lt;b> crude", "feedback": "x < y"},
    ]
    assert html["explanation"] == "**Adjusted** rates allow for case mix."
    assert markdown["prompt"] == "Is **this** bold?"
    assert plain["prompt"] == "Is a &lt;b> tag kept as text?"
    assert hostile["prompt"] == "Before after"
    assert hostile["options"][0]["text"] == "fine"
    assert hostile["explanation"] == "ok"


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


def test_categories_and_comments_are_not_questions():
    result = parse_file("categories.gift")
    assert result.categories == [
        "$course$/top/Indicators/Funnel plots",
        "$course$/top/Indicators/Run charts",
    ]
    assert [(q["id"], q["explanation"]) for q in result.questions] == [
        ("first", "Standard errors shrink with n."),
        ("q2", "Making Data Count."),
    ]
    assert result.problems == []


def test_titles_make_unique_ids_and_untitled_questions_are_numbered():
    text = (
        "::Dose Check::A?{T####x}\n\n::Dose check::B?{T####x}\n\n"
        "::Ödem — Grad 2::C?{T####x}\n\n::???::D?{T####x}\n\nE?{T####x}"
    )
    ids = [q["id"] for q in parse_gift(text, "t").questions]
    assert ids == ["dose-check", "dose-check-2", "odem-grad-2", "q4", "q5"]


def test_what_carelab_cannot_import_is_reported_by_line_and_the_rest_still_imports():
    result = parse_file("not-imported.gift")
    assert [q["id"] for q in result.questions] == ["imported", "last"]
    assert [str(p) for p in result.problems] == [
        f"not-imported.gift:6: skipped 'Matching': {MATCHING}",
        f"not-imported.gift:12: skipped 'Missing word': {MISSING_WORD}",
        "not-imported.gift:14: skipped 'Description': it has no answer block { }, so it is a "
        "description, which CareLab skips",
        "not-imported.gift:16: skipped question 5: its title is not closed; write ::Title:: "
        "before the question text",
        "not-imported.gift:18: skipped 'Braces': its braces { } do not pair up; write a literal "
        "brace as \\{ or \\}",
        "not-imported.gift:20: skipped 'One answer': a multiple-choice question needs at least "
        "2 answers",
        "not-imported.gift:22: skipped 'Not a number': 'many' is not a number",
        "not-imported.gift:24: skipped 'Backwards': the range 5..1 runs from high to low",
        "not-imported.gift:26: skipped 'No full credit': a short-answer question needs an "
        "answer with full credit",
        "not-imported.gift:28: skipped 'Numeric no full credit': a numeric question needs an "
        "answer with full credit",
        "not-imported.gift:30: skipped 'Too long': CareLab cannot accept it: options[0].text: "
        "String should have at most 300 characters",
    ]
    assert all(p.skipped for p in result.problems)


def test_windows_line_endings_and_a_byte_order_mark():
    raw = (GIFT_FILES / "windows.gift").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    result = parse_file("windows.gift")
    assert [(q["id"], q["answer"]) for q in result.questions] == [
        ("first", True),
        ("second", False),
    ]
    assert result.questions[1]["explanation"] == "It is dropped."


# --- Moodle's own files: conformance, when they are beside the repository ---------------------


@moodle_files
def test_moodle_examples_file_imports_with_exact_counts():
    result = parse_file("examples.gift.txt", MOODLE_GIFT)
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


@moodle_files
def test_moodle_examples_special_characters_and_feedback():
    by_id = {q["id"]: q for q in parse_file("examples.gift.txt", MOODLE_GIFT).questions}
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


@moodle_files
def test_moodle_test_fixture_imports_as_giftformat_test_expects():
    result = parse_file("questions.gift.txt", MOODLE_GIFT)
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
    assert [o.get("weight") for o in by_id["colours"]["options"]] == [50, -100, 50, -100]
    assert by_id["shortanswer"]["accepted"] == ["Frog"]
    assert by_id["2-08-tsl"]["answer"] is True and by_id["2-08-tsl-2"]["answer"] is True
