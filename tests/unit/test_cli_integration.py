"""`carelab lti ...`: register, list, remove platforms, rotate the key, see and retry grades."""

from __future__ import annotations

from carelab.cli import main
from carelab.integration.lti import dynamic, keys
from carelab.store import db as store_db
from carelab.store import lti as store
from carelab.store import lti_links

ARGS = ["lti", "add-platform", "--issuer", "https://moodle.example.org", "--client-id", "abc",
        "--deployment-id", "1", "--deployment-id", "2,3",
        "--jwks-url", "https://moodle.example.org/mod/lti/certs.php",
        "--auth-url", "https://moodle.example.org/mod/lti/auth.php",
        "--token-url", "https://moodle.example.org/mod/lti/token.php"]  # fmt: skip


def test_add_list_remove_a_platform(db_path, capsys):
    assert main(ARGS) == 0
    assert "Registered platform 1: https://moodle.example.org (client ID abc)." in (
        capsys.readouterr().out
    )
    assert main(["lti", "list"]) == 0
    listed = capsys.readouterr().out
    assert "1\thttps://moodle.example.org\tclient abc\tdeployments 1, 2, 3" in listed
    assert main(ARGS) == 1
    assert "is already registered" in capsys.readouterr().err
    assert main(["lti", "remove", "1"]) == 0 and main(["lti", "remove", "1"]) == 1
    assert "there is no platform 1" in capsys.readouterr().err


def test_a_bad_registration_prints_every_problem(db_path, capsys):
    bad = [a if a != "https://moodle.example.org" else "moodle" for a in ARGS]
    bad[bad.index("--token-url") + 1] = "http://moodle.example.org/token"
    assert main(bad) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: Issuer: must be a full address starting with https:// (got 'moodle').",
        "error: Access token URL: must use https:// (plain http:// is allowed only for localhost).",
    ]


def test_urls_rotate_key_and_grades(db_path, capsys):
    assert main(["lti", "urls", "--base", "https://carelab.example.org/"]) == 0
    out = capsys.readouterr().out
    assert "Login initiation URL (OIDC): https://carelab.example.org/lti/login" in out
    assert "Public key set URL (JWKS): https://carelab.example.org/lti/jwks" in out
    with store_db.session() as db:
        first, _ = keys.current(db)
    assert main(["lti", "rotate-key"]) == 0
    with store_db.session() as db:
        assert keys.current(db)[0] != first and len(store.keys(db)) == 2
    assert "stays published for 7 days" in capsys.readouterr().out
    assert main(["lti", "grades"]) == 0
    assert capsys.readouterr().out.startswith("Sent 0, waiting 0, failing 0.")
    assert main(["lti", "grades", "--retry", "soon"]) == 1


def test_registration_link_prints_a_one_time_url_and_needs_a_base(db_path, capsys, monkeypatch):
    monkeypatch.delenv("CARELAB_PUBLIC_URL", raising=False)
    assert main(["lti", "registration-link", "--base", "https://carelab.example.org/"]) == 0
    url = capsys.readouterr().out.strip().splitlines()[-1]
    assert url.startswith("https://carelab.example.org/lti/register/")
    with store_db.session() as db:
        assert lti_links.state(db, dynamic.code_hash(url.rsplit("/", 1)[-1])) is not None
    assert main(["lti", "registration-link"]) == 1
    assert "give --base" in capsys.readouterr().err
    assert main(["lti", "registration-link", "--base", "carelab.example.org"]) == 1
    assert "must be a full address" in capsys.readouterr().err
    assert main(["lti", "registration-link", "--base", "https://c.example", "--hours", "0"]) == 1
    assert "Hours: between 0 and" in capsys.readouterr().err
