"""Every page, run through app.py with AppTest, as the users who may and may not see it."""

from __future__ import annotations

import pytest

from carelab import auth
from tests.app.conftest import run_page_as
from tests.conftest import VALID_CASE, VALID_MODULE

CATALOGUE = "carelab/ui/pages/catalogue.py"
CASE = "carelab/ui/pages/case_reader.py"
SIGN_IN = "carelab/ui/pages/sign_in.py"
ACCOUNT = "carelab/ui/pages/account.py"
ADMIN = "carelab/ui/pages/admin.py"


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "title", "header", "subheader")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize("page", [CATALOGUE, CASE, SIGN_IN])
def test_public_pages_run_without_errors(app, page):
    at = app(page=page)
    assert not at.exception
    assert at.title


@pytest.mark.usefixtures("shipped_content")
def test_navigation_depends_on_role(app, admin, learner):
    def titles(at):
        return at.title[0].value

    anonymous = app()
    assert titles(anonymous) == "Catalogue"
    assert "Not signed in" in texts(anonymous)
    with pytest.raises(Exception, match="admin"):
        app(page=ADMIN)
    signed_in = app(user=learner)
    assert "Signed in as **Lee Learner** (learner)" in texts(signed_in)


@pytest.mark.usefixtures("shipped_content")
def test_catalogue_lists_modules_and_cases_and_filters(app):
    at = app()
    assert [h.value for h in at.header] == ["Modules", "Case studies"]
    assert "Kaiser Permanente" in " ".join(s.value for s in at.subheader)
    at.text_input(key="catalogue.query").input("no such words anywhere").run()
    assert at.info[0].value.startswith("Nothing matches that search")
    at.text_input(key="catalogue.query").input("kaiser-permanente").run()
    assert [h.value for h in at.header] == ["Case studies"]


def test_catalogue_empty_state(app, content_root):
    at = app()
    assert at.info[0].value.startswith("The catalogue is empty")


def test_case_reader_shows_figures_with_sources_and_references(app, shipped_content):
    at = app(page=CASE, id="kaiser-permanente")
    assert not at.exception
    headers = [h.value for h in at.header]
    assert "Key figures" in headers and "References" in headers
    assert "Discussion questions" in headers
    # Sources and caveats are body text, not faint captions (accessibility review, problem 2).
    body = [m.value for m in at.markdown]
    assert any(m.startswith("Source: [") for m in body)
    assert any(m.startswith("*Caveat:* ") for m in body)
    assert not [c.value for c in at.caption if c.value.startswith(("Source", "Caveat"))]


def test_case_reader_shows_script_tags_as_text(app, content_root):
    body = "Before <script>alert('x')</script> after"
    (content_root / "cases/x.yaml").write_text(
        VALID_CASE.format(id="x").replace("body: It happened.", f'body: "{body}"')
    )
    at = app(page=CASE, id="x")
    rendered = [m.value for m in at.markdown]
    assert "Before &lt;script>alert('x')&lt;/script> after" in rendered


def test_case_reader_unknown_id_says_so(app, shipped_content):
    at = app(page=CASE, id="no-such-case")
    assert at.error[0].value.startswith("There is no case 'no-such-case'")
    assert at.title  # the first case is shown instead


def sign_up(at, email: str, password: str = "correct horse battery"):
    at.text_input(key="sign_up.name").input("Åsa Öberg")
    at.text_input(key="sign_up.email").input(email)
    at.text_input(key="sign_up.password").input(password)
    at.main.button[1].click().run()
    return at


def test_sign_up_makes_a_learner_who_then_signs_in(app, db):
    at = sign_up(app(page=SIGN_IN), "asa@example.org")
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Done. Now sign in on the **Sign in** tab")
    assert at.text_input(key="sign_in.email").value == "asa@example.org"
    assert db.execute("SELECT COUNT(*) FROM sign_in_handoffs").fetchone()[0] == 0
    assert auth.sign_in(db, "asa@example.org", "correct horse battery").roles == {"learner"}


def test_sign_up_with_a_taken_email_looks_the_same(app, admin, db):
    fresh = sign_up(app(page=SIGN_IN), "asa@example.org", "some other password")
    taken = sign_up(app(page=SIGN_IN), "admin@example.org", "some other password")
    assert [s.value for s in taken.success] == [s.value for s in fresh.success]
    assert not taken.error
    assert auth.sign_in(db, "admin@example.org", "correct horse battery") == admin


def test_sign_up_refuses_a_common_password_with_the_reason(app):
    at = sign_up(app(page=SIGN_IN), "asa@example.org", "password1234")
    assert at.error[0].value.startswith("That password is on a list of common passwords")


def test_sign_in_wrong_password_is_a_clear_message(app, admin):
    at = app(page=SIGN_IN)
    at.text_input(key="sign_in.email").input("admin@example.org")
    at.text_input(key="sign_in.password").input("not the password")
    at.main.button[0].click().run()
    assert at.error[0].value == (
        "The email or password is not right. 4 more tries before sign-in with this email is paused."
    )


def test_sign_in_right_password_hands_off(app, admin, db):
    at = app(page=SIGN_IN)
    at.text_input(key="sign_in.email").input("admin@example.org")
    at.text_input(key="sign_in.password").input("correct horse battery")
    at.main.button[0].click().run()
    assert at.success[0].value == "Welcome, Ada Admin. Signing you in…"


def test_sign_up_closed_shows_only_sign_in(app, monkeypatch):
    monkeypatch.setenv("CARELAB_OPEN_SIGNUP", "false")
    at = app(page=SIGN_IN)
    assert len(at.tabs) == 0
    assert "created by an administrator" in at.main.caption[-1].value


def test_expired_handoff_message(app):
    at = app(page=SIGN_IN, expired="1")
    assert at.warning[0].value.startswith("That sign-in took too long")


def test_account_page_changes_password(app, learner, db):
    at = app(user=learner, page=ACCOUNT)
    assert r"**Email:** lee@example\.org" in texts(at)
    at.text_input[0].input("correct horse battery")
    at.text_input[1].input("a brand new password")
    at.main.button[0].click().run()
    assert at.success[0].value.startswith("Password changed.")
    assert auth.sign_in(db, "lee@example.org", "a brand new password") == learner


def test_account_page_deletes_the_account_only_with_the_current_password(app, learner, db):
    at = app(user=learner, page=ACCOUNT)
    at.text_input[2].input("not my password")
    at.main.button[2].click().run()
    assert at.error[0].value == "The current password is not right."
    at.text_input[2].input("correct horse battery")
    at.main.button[2].click().run()
    assert at.success[0].value == "Your account has been deleted."
    assert db.execute("SELECT COUNT(*) FROM users WHERE id = ?", [learner.id]).fetchone()[0] == 0


def test_the_last_admin_cannot_delete_their_account_from_the_page(app, admin, db):
    at = app(user=admin, page=ACCOUNT)
    at.text_input[2].input("correct horse battery")
    at.main.button[2].click().run()
    assert at.error[0].value.startswith("You are the only administrator.")
    assert auth.get_user(db, admin.id).can("admin")


def test_sign_out_from_the_sidebar_ends_the_session(app, learner):
    at = app(user=learner)
    at.sidebar.button[0].click().run()
    assert at.info[0].value == "You are signed out."
    again = app()
    assert "Not signed in" in texts(again)


def test_admin_page_refuses_a_learner_on_the_server(app, learner, monkeypatch):
    at = app(user=learner)
    # A learner's navigation has no admin page; running the page file directly still refuses.

    direct = run_page_as(ADMIN, learner)
    assert (
        direct.error[0].value == "This page is for the admin role; your account does not have it."
    )
    assert not at.exception


def test_admin_grants_a_role_and_sees_authoring_problems(app, admin, learner, content_root, db):
    (content_root / "cases/bad.yaml").write_text("id: bad\ntitel: x\n")
    (content_root / "cases/c.yaml").write_text(VALID_CASE.format(id="c"))
    (content_root / "modules/m.yaml").write_text(VALID_MODULE.format(id="m", case="gone"))
    at = app(user=admin, page=ADMIN)
    assert not at.exception
    assert at.dataframe[0].value["Email"].tolist() == ["admin@example.org", "lee@example.org"]
    problems = at.code[0].value.splitlines()
    assert "cases/bad.yaml:2:1: unknown field 'titel'; did you mean 'title'?" in problems
    assert "modules/m.yaml:15:11: case 'gone' does not exist in cases/" in problems
    at.selectbox(key="admin.user").select(learner.id).run()
    at.checkbox[0].check()  # inside the form: sent with the submit click
    at.main.button[0].click().run()
    assert at.success[0].value == r"Roles saved for lee@example\.org."
    assert auth.get_user(db, learner.id).can("facilitator")


def test_a_name_full_of_markdown_and_html_shows_as_typed(app, db):
    name = "Dr *Ann* <b>x</b> ![i](http://t)"
    user = auth.create_account(db, "ann@example.org", "correct horse battery", name)
    at = app(user=user, page=ACCOUNT)
    assert r"**Name:** Dr \*Ann\* &lt;b\>x&lt;/b\> \!\[i\]\(http://t\)" in texts(at)


AUTHORING = "carelab/ui/pages/authoring.py"


def test_authoring_page_is_for_authors_only(app, learner):

    direct = run_page_as(AUTHORING, learner)
    assert direct.error[0].value == (
        "This page is for the author role; your account does not have it."
    )


def test_authoring_lists_files_with_status_problems_and_preview(app, admin, content_root):
    (content_root / "cases/good.yaml").write_text(VALID_CASE.format(id="good"))
    (content_root / "cases/bad.yaml").write_text("id: bad\ntitel: x\n")
    at = app(user=admin, page=AUTHORING)
    assert not at.exception
    table = at.dataframe[0].value
    statuses = dict(zip(table["File"], table["Status"], strict=True))
    assert statuses == {
        "cases/bad.yaml": "❌ Held back: 6 problems",
        "cases/good.yaml": "✅ Live in the catalogue",
    }
    problems = at.code[0].value.splitlines()
    assert "cases/bad.yaml:1:1: missing required field 'title'" in problems
    assert "cases/bad.yaml:2:1: unknown field 'titel'; did you mean 'title'?" in problems
    at.selectbox(key="authoring.file").select("cases/good.yaml").run()
    assert "A test case" in [h.value for h in at.header]
    # A new file shows up on the next run, without restarting anything.
    (content_root / "cases/new.yaml").write_text(VALID_CASE.format(id="new"))
    at.run()
    assert "cases/new.yaml" in at.dataframe[0].value["File"].tolist()
