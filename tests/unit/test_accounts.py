"""The account services the pages call: no connection in, frozen dataclasses out."""

from __future__ import annotations

import dataclasses

import pytest

from carelab import accounts, auth, startup
from carelab.accounts import SignedIn
from carelab.auth import User, UserSummary
from carelab.errors import AuthError, PermissionDenied
from carelab.store import db as store_db

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(db) -> User:
    made = auth.create_account(db, "ada@example.org", PASSWORD, "Ada")
    auth.grant_role_as_operator(db, made.id, "admin")
    return auth.get_user(db, made.id)


def test_sign_in_gives_the_user_and_a_code_that_signs_the_browser_in(db, admin):
    signed_in = accounts.sign_in("ADA@example.org", PASSWORD, "10.0.0.1")
    assert isinstance(signed_in, SignedIn) and signed_in.user == admin
    with pytest.raises(dataclasses.FrozenInstanceError):
        signed_in.user = None  # type: ignore[misc]
    cookie, _ = auth.redeem_handoff(db, signed_in.handoff_code)
    assert accounts.user_for_cookie(cookie) == admin
    accounts.sign_out(cookie)
    assert accounts.user_for_cookie(cookie) is None
    assert accounts.user_for_cookie("forged.1.x") is None


def test_a_wrong_password_is_a_named_error(db, admin):
    with pytest.raises(AuthError, match="not right"):
        accounts.sign_in("ada@example.org", "wrong password", None)


def test_users_are_summaries_and_roles_change_together(db, admin):
    bo = auth.create_account(db, "bo@example.org", PASSWORD, "Bo")
    accounts.set_roles(admin, bo.id, {"facilitator": True, "author": True})
    found = accounts.users()
    assert all(isinstance(u, UserSummary) for u in found)
    assert [(u.id, u.email, u.roles) for u in found] == [
        (admin.id, "ada@example.org", ("learner", "admin")),
        (bo.id, "bo@example.org", ("learner", "author", "facilitator")),
    ]
    with pytest.raises(PermissionDenied):
        accounts.set_roles(auth.get_user(db, bo.id), bo.id, {"admin": True})


def test_password_change_and_deletion(db, admin):
    bo = auth.create_account(db, "bo@example.org", PASSWORD, "Bo")
    with pytest.raises(AuthError, match="current password"):
        accounts.change_password(bo, "not it at all", "another good password", None)
    accounts.change_password(bo, PASSWORD, "another good password", None)
    accounts.delete_account(bo, "another good password", None)
    assert [u.email for u in accounts.users()] == ["ada@example.org"]


def test_sign_up_returns_the_stored_email(db, monkeypatch):
    monkeypatch.setenv("CARELAB_OPEN_SIGNUP", "true")
    assert accounts.sign_up(" Cy@Example.org ", PASSWORD, "Cy", None) == "Cy@Example.org"


def test_first_run_token_makes_the_first_admin_once(db):
    token = accounts.new_setup_token()
    assert token is not None
    accounts.check_setup_token(token)
    signed_in = accounts.create_first_admin(token, "root@example.org", PASSWORD, "Root")
    assert signed_in.user.can("admin") and signed_in.handoff_code
    with pytest.raises(AuthError, match="already has an administrator"):
        accounts.check_setup_token(token)
    assert accounts.new_setup_token() is None


def test_prepare_database_makes_and_migrates_a_new_file(tmp_path):
    path = tmp_path / "new.db"
    applied = startup.prepare_database(path)
    assert applied and path.exists()
    assert startup.prepare_database(path) == []
    with store_db.session(path) as db:
        assert store_db.applied_migrations(db) == applied
