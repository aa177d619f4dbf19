"""GIFT export, round trips, the YAML fragment and the import-gift/export-gift commands."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from carelab.cli import main
from carelab.content import schema
from carelab.content.catalog import load_catalog
from carelab.content.gift import (
    GIFT_CANNOT_CARRY,
    import_yaml,
    lost_fields,
    module_questions,
    parse_gift,
    read_gift,
    to_gift,
)
from carelab.content.loader import load_yaml_text
from tests.conftest import GIFT_FILES, MOODLE_GIFT, REPO, VALID_CASE, VALID_MODULE
from tests.unit.content.test_gift import MATCHING, MOODLE_ABSENT

QUESTION = TypeAdapter(schema.Question)
STEP = TypeAdapter(schema.Step)
BANK = GIFT_FILES / "module-bank.gift"


def comparable(question: Any) -> dict[str, Any]:
    """A question as a full dict, without the fields GIFT cannot carry."""
    model = question if isinstance(question, BaseModel) else QUESTION.validate_python(question)
    return model.model_dump(exclude=set(GIFT_CANNOT_CARRY))


# --- round trips ----------------------------------------------------------------------------

OWN_FILES = sorted(p for p in GIFT_FILES.glob("*.gift") if p.name != "essays.gift")
MOODLE_FILES = [
    pytest.param(
        MOODLE_GIFT / name,
        marks=pytest.mark.skipif(not MOODLE_GIFT.is_dir(), reason=MOODLE_ABSENT),
        id=f"moodle-{name}",
    )
    for name in ("examples.gift.txt", "questions.gift.txt")
]


@pytest.mark.parametrize("path", [*OWN_FILES, *MOODLE_FILES], ids=lambda p: p.name)
def test_import_export_import_is_lossless(path):
    first = parse_gift(read_gift(path), path.name)
    assert first.questions
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
    assert GIFT_CANNOT_CARRY == (
        "source",
        "shuffle",
        "case_sensitive",
        "unit",
        "level",
        "objective",
        "wrong_answers",
    )


def test_export_names_the_teaching_metadata_that_gift_cannot_carry():
    question = {
        "id": "n", "kind": "numeric", "prompt": "N?", "answer": 3.5, "explanation": "x",
        "level": "apply", "objective": "read-table",
        "wrong_answers": [{"answer": 3, "feedback": "Rounded."}],
    }  # fmt: skip
    assert lost_fields([question]) == ["level", "objective", "wrong_answers"]
    back = parse_gift(to_gift([question]), "t").questions[0]
    assert comparable(back) == comparable(question)


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
    result = parse_gift(read_gift(BANK), BANK.name)
    fragment = import_yaml(result)
    assert fragment.splitlines()[:3] == [
        "# Imported from module-bank.gift by carelab import-gift: 5 questions and 1 reflection "
        "imported, 1 skipped.",
        "# Paste these steps into a module's steps: list, then run carelab validate.",
        "# Moodle categories: $course$/top/Measuring what matters",
    ]
    steps = fragment_steps(fragment)
    assert [(s["id"], s["kind"]) for s in steps] == [
        ("module-bank-quiz", "quiz"),
        ("reflect", "reflection"),
    ]
    assert steps[0]["questions"] == result.questions
    assert [q["kind"] for q in steps[0]["questions"]] == [
        "single_choice", "multiple_choice", "true_false", "numeric", "short_text",
    ]  # fmt: skip
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
    code, out, err = run(capsys, "import-gift", str(BANK))
    assert code == 0
    assert err.splitlines() == [f"{BANK}:27: skipped 'Match': {MATCHING}"]
    assert out.startswith(f"# Imported from {BANK} by carelab import-gift: 5 questions and ")
    steps = fragment_steps(out)
    assert sum(len(s.get("questions", [])) for s in steps) == 5


def test_import_gift_writes_out_file(capsys, tmp_path):
    out_path = tmp_path / "imported.yaml"
    code, out, _ = run(capsys, "import-gift", str(BANK), "--out", str(out_path))
    assert (code, out) == (
        0,
        f"wrote {out_path}: 5 questions and 1 reflection imported, 1 skipped\n",
    )
    steps = fragment_steps(out_path.read_text(encoding="utf-8"))
    assert len(steps[0]["questions"]) == 5


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
    assert err == (
        "note: GIFT has no place for source, level, objective; the export leaves them out\n"
    )
    assert out.startswith(
        "// Exported from CareLab module teamwork, version 2.0\n\n"
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
