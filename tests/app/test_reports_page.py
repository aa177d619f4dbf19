"""The Reports page: an author sees a module's anonymous item analysis; a learner cannot."""

from __future__ import annotations

from carelab import auth
from tests.app.conftest import run_page_as
from tests.unit.learning.test_reports import COHORT, REPORT_YAML, complete, learner, module

REPORTS = "carelab/ui/pages/reports.py"


def author(db):
    made = auth.create_account(db, "ann@example.org", "correct horse battery", "Ann Author")
    auth.grant_role_as_operator(db, made.id, "author")
    return auth.get_user(db, made.id)


def test_an_author_sees_the_item_table_summary_and_csv(app, db, content_root):
    (content_root / "modules/r.yaml").write_text(REPORT_YAML)
    writer = author(db)
    mod = module()
    for n, (answers, minutes) in enumerate(COHORT):
        complete(db, learner(db, n), mod, answers, minutes)
    at = app(user=writer, page=REPORTS)
    assert not at.exception and not at.error
    assert at.title[0].value == "Reports"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners who completed"] == "6"
    assert metrics["Median time on task"] == "13 min"
    table = at.dataframe[0].value
    assert list(table["Question"]) == ["pick", "tf", "num"]
    assert table["Difficulty (share right)"][0] == "0.500"
    assert "unused distractor: Nobody picks this" in table["Flags"][0]
    shown = " ".join(str(v) for column in table.columns for v in table[column])
    assert "@example.org" not in shown and "Name" not in shown
    assert at.get("download_button")[0].proto.label == "Download the item analysis (CSV)"


def test_with_few_learners_the_page_shows_no_numbers(app, db, content_root):
    (content_root / "modules/r.yaml").write_text(REPORT_YAML)
    writer = author(db)
    mod = module()
    for n, (answers, minutes) in enumerate(COHORT[:3]):
        complete(db, learner(db, n), mod, answers, minutes)
    at = app(user=writer, page=REPORTS)
    assert {m.label: m.value for m in at.metric}["Learners who completed"] == (
        "fewer than 5 learners"
    )
    table = at.dataframe[0].value
    assert set(table["Learners"]) == {"fewer than 5 learners"}
    assert set(table["Difficulty (share right)"]) == {""}


def test_the_reports_page_is_refused_to_a_learner(app, learner):
    direct = run_page_as(REPORTS, learner)
    assert direct.error[0].value == (
        "This page is for the author role; your account does not have it."
    )
    assert not direct.dataframe
