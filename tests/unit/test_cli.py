"""The carelab command: validate, schema, new-case, db migrate and user add."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from carelab import auth
from carelab.cli import main
from carelab.errors import AuthError, Throttled
from carelab.store import db as store_db
from tests.conftest import REPO, VALID_CASE


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_passes_on_the_shipped_content(capsys):
    code, out, err = run(capsys, "validate", str(REPO))
    assert (code, err) == (0, "")
    assert out.startswith("ok: ") and out.endswith(" files valid\n")


def test_validate_reports_every_problem_with_file_line_col(capsys, content_root):
    (content_root / "cases/good.yaml").write_text(VALID_CASE.format(id="good"))
    (content_root / "cases/bad.yaml").write_text(
        VALID_CASE.format(id="bad").replace("title:", "titel:", 1)
    )
    code, out, err = run(capsys, "validate", str(content_root))
    assert code == 1
    assert out == (
        "cases/bad.yaml:1:1: missing required field 'title'\n"
        "cases/bad.yaml:2:1: unknown field 'titel'; did you mean 'title'?\n"
    )
    assert err == "2 problems in 2 files\n"


def test_validate_a_single_file(capsys, content_root):
    path = content_root / "cases/one.yaml"
    path.write_text("id: one\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert out.splitlines()[0] == f"{path}:1:1: missing required field 'title'"


def test_validate_a_content_folder_checks_its_files(capsys, content_root):
    # 0.4 read `carelab validate cases/` as an empty content root: "ok: 0 files valid".
    (content_root / "cases/good.yaml").write_text(VALID_CASE.format(id="good"))
    (content_root / "cases/bad.yaml").write_text("id: bad\n")
    code, out, err = run(capsys, "validate", str(content_root / "cases"))
    assert code == 1
    assert (
        out.splitlines()[0]
        == f"{content_root / 'cases/bad.yaml'}:1:1: missing required field 'title'"
    )
    assert err.endswith("in 2 files\n")


def test_validate_says_when_it_found_nothing_to_check(capsys, tmp_path):
    code, out, err = run(capsys, "validate", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == "error: no module or case files (.yaml) found there\n"


def test_validate_refuses_a_missing_path(capsys, tmp_path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 2 and "no such file or folder" in err


def test_schema_writes_json_schemas_editors_can_use(capsys, tmp_path):
    code, _out, _ = run(capsys, "schema", "--out", str(tmp_path))
    assert code == 0
    case_schema = json.loads((tmp_path / "case.schema.json").read_text())
    assert case_schema["additionalProperties"] is False
    assert {"id", "title", "key_figures", "workshop_plan"} <= set(case_schema["properties"])
    module_schema = json.loads((tmp_path / "module.schema.json").read_text())
    assert "learning_objectives" in module_schema["required"]


def test_new_case_writes_a_valid_starter_and_refuses_to_overwrite(capsys, content_root):
    code, _out, _ = run(capsys, "new-case", "my-ward", "--root", str(content_root))
    assert code == 0
    text = (content_root / "cases/my-ward.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/case.schema.json\n")
    assert run(capsys, "validate", str(content_root))[0] == 0
    code, _, err = run(capsys, "new-case", "my-ward", "--root", str(content_root))
    assert code == 1 and "already exists" in err
    assert (content_root / "cases/my-ward.yaml").read_text() == text
    code, _, err = run(capsys, "new-case", "My Ward", "--root", str(content_root))
    assert code == 2 and "not a valid id" in err


def test_db_migrate_and_user_add_create_an_admin_before_opening(capsys, db_path, monkeypatch):
    assert run(capsys, "db", "migrate")[1].endswith(
        "up to date\nno administrator yet: the server prints a one-time setup link when it "
        "starts, or run: carelab user add EMAIL --role admin\n"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code, out, _ = run(
        capsys, "user", "add", "boss@example.org", "--role", "admin", "--password-stdin"
    )
    assert (code, out) == (0, "created boss@example.org with roles: admin, learner\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code, out, _ = run(
        capsys, "user", "add", "fac@example.org", "--role", "facilitator", "--password-stdin"
    )
    assert out == "created fac@example.org with roles: facilitator, learner\n"
    with store_db.session(db_path) as db:
        assert auth.sign_in(db, "fac@example.org", "a long enough password").can("facilitator")
    assert run(capsys, "db", "migrate")[1].endswith("up to date\n")  # an admin exists now


def test_user_unlock_lets_an_email_sign_in_at_once(capsys, db_path, monkeypatch):
    with store_db.session(db_path) as db:
        auth.create_account(db, "boss@example.org", "a long enough password", "Boss")
        for _ in range(6):
            with pytest.raises(AuthError):
                auth.sign_in(db, "boss@example.org", "a stranger's guess")
        with pytest.raises(Throttled):
            auth.sign_in(db, "boss@example.org", "a long enough password")
    assert run(capsys, "user", "unlock", "boss@example.org")[:2] == (
        0,
        "failed sign-ins forgotten for boss@example.org\n",
    )
    with store_db.session(db_path) as db:
        assert auth.sign_in(db, "boss@example.org", "a long enough password")


def test_user_add_errors_are_one_sentence(capsys, db_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "user", "add", "x@example.org", "--password-stdin")
    assert (code, err) == (1, "error: Choose a password of at least 12 characters.\n")


def test_python_dash_m_carelab_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "carelab", "schema", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "case.schema.json" in result.stdout


def test_committed_schemas_match_the_model(capsys, tmp_path):
    """The schemas/ folder that YAML headers point at is regenerated with every model change."""
    run(capsys, "schema", "--out", str(tmp_path))
    for name in ("module.schema.json", "case.schema.json"):
        assert (REPO / "schemas" / name).read_text() == (tmp_path / name).read_text(), (
            f"schemas/{name} is stale: run `carelab schema --out schemas`"
        )


def test_validating_one_file_also_checks_its_references(capsys, content_root):
    from tests.conftest import VALID_MODULE

    path = content_root / "modules/m.yaml"
    path.write_text(VALID_MODULE.format(id="m", case="missing"))
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert out == f"{path}:15:11: case 'missing' does not exist in cases/\n"


def test_validating_a_case_file_outside_a_content_root(capsys, tmp_path):
    path = tmp_path / "draft.yaml"
    path.write_text(VALID_CASE.format(id="draft"))
    assert run(capsys, "validate", str(path))[:2] == (0, "ok: 1 file valid\n")
