"""`carelab report items` and `carelab report module` on a seeded cohort."""

from __future__ import annotations

import csv
import io
import json

import pytest

from carelab.cli import main
from tests.unit.learning.test_reports import COHORT, REPORT_YAML, complete, learner, module


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(db, content_root):
    (content_root / "modules/r.yaml").write_text(REPORT_YAML)
    mod = module()
    for n, (answers, minutes) in enumerate(COHORT):
        complete(db, learner(db, n), mod, answers, minutes)
    return mod


def test_report_items_as_csv_and_json(capsys, seeded, tmp_path):
    code, out, err = run(capsys, "report", "items", "r", "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["question"] for r in rows] == ["pick", "tf", "num"]
    assert rows[0]["learners"] == "6" and rows[0]["difficulty"] == "0.500"
    assert "unused distractor: Nobody picks this" in rows[0]["flags"]
    assert "@example.org" not in out and "Name" not in out
    code, out, _ = run(capsys, "report", "items", "r", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["learners"] == 6 and data["items"][1]["question"] == "tf"
    target = tmp_path / "items.csv"
    assert run(capsys, "report", "items", "r", "--out", str(target))[:2] == (
        0,
        f"wrote {target}: 3 questions\n",
    )
    assert target.read_text().startswith("question,step,kind,prompt,learners")


def test_report_module_as_text_and_json(capsys, seeded):
    code, out, _ = run(capsys, "report", "module", "r")
    assert code == 0 and "learners who completed: 6" in out
    assert "median time on task: 13.0 min" in out
    data = json.loads(run(capsys, "report", "module", "r", "--format", "json")[1])
    assert data["completed"] == 6 and data["median_minutes_on_task"] == 13.0


def test_report_errors_are_one_sentence(capsys, db, content_root):
    code, out, err = run(capsys, "report", "items", "nope")
    assert (code, out) == (1, "")
    assert err == "error: There is no module 'nope' in the catalogue.\n"
    (content_root / "modules/r.yaml").write_text(REPORT_YAML)
    code, out, _ = run(capsys, "report", "module", "r")
    assert code == 0 and "learners who completed: fewer than 5 learners" in out
