"""Accounts: hashing, sign-in throttling, signed cookies, hand-offs and roles.

The attacks (enumeration, racing tabs, lock-outs, the first-run land grab, weak
passwords, odd names, removing the last admin) are in test_account_attacks.py.
"""

from __future__ import annotations

import time

import pytest

from carelab import auth
from carelab.errors import AuthError, DatabaseUnavailable, PermissionDenied, Throttled
from carelab.store import accounts as store_accounts

PASSWORD = "correct horse battery"


def make(db, email="ada@example.org", name="Ada"):
    return auth.create_account(db, email, PASSWORD, name)


def make_admin(db, email="ada@example.org", name="Ada"):
    user = make(db, email, name)
    auth.grant_role_as_operator(db, user.id, "admin")
    return auth.get_user(db, user.id)


def test_password_hash_is_salted_scrypt_and_verifies():
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert auth.verify_password(PASSWORD, first)
    assert not auth.verify_password("wrong password", first)
    assert not auth.verify_password(PASSWORD, "garbage")


@pytest.mark.parametrize(
    ("email", "password", "name", "message"),
    [
        ("not-an-email", PASSWORD, "A", "Enter an email address such as name@example.org."),
        ("a@example.org", "short", "A", "Choose a password of at least 12 characters."),
        ("a@example.org", PASSWORD, "  ", "Enter your name as it should appear on certificates"),
    ],
)
def test_sign_up_input_is_checked(db, email, password, name, message):
    with pytest.raises(AuthError, match=message):
        auth.create_account(db, email, password, name)


def test_email_is_unique_ignoring_case(db):
    make(db)
    with pytest.raises(AuthError, match="already exists"):
        make(db, "ADA@example.org")


def test_sign_up_can_be_closed(db, monkeypatch):
    monkeypatch.setenv("CARELAB_OPEN_SIGNUP", "false")
    with pytest.raises(AuthError, match="Sign-up is closed"):
        auth.sign_up(db, "a@example.org", PASSWORD, "A")
    assert auth.create_account(db, "a@example.org", PASSWORD, "A")  # the shell still can


def test_sign_in_accepts_the_right_password_in_any_email_case(db):
    user = make(db)
    assert auth.sign_in(db, " ADA@example.org ", PASSWORD) == user


def test_wrong_password_and_unknown_email_get_the_same_message(db):
    make(db)
    hint = r"^The email or password is not right\. 4 more tries before sign-in with this email"
    with pytest.raises(AuthError, match=hint):
        auth.sign_in(db, "ada@example.org", "wrong password")
    with pytest.raises(AuthError, match=hint):
        auth.sign_in(db, "nobody@example.org", "wrong password")


def test_repeated_failures_pause_the_email_even_for_the_right_password(db):
    make(db)
    now = 1_000_000.0
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.sign_in(db, "ada@example.org", "wrong password", now=now)
    with pytest.raises(Throttled) as caught:
        auth.sign_in(db, "ada@example.org", "wrong password", now=now)
    assert str(caught.value) == ("Too many failed sign-ins with this email. Try again in 1 minute.")
    with pytest.raises(Throttled):
        auth.sign_in(db, "ada@example.org", PASSWORD, now=now + 10)
    assert auth.sign_in(db, "ada@example.org", PASSWORD, now=now + 31).email == "ada@example.org"
    # Success resets the count: four more mistakes are allowed before the next pause.
    for _ in range(4):
        with pytest.raises(AuthError) as caught:
            auth.sign_in(db, "ada@example.org", "wrong password", now=now + 40)
        assert not isinstance(caught.value, Throttled)


def test_pause_doubles_and_is_capped_at_five_minutes():
    assert [auth.retry_delay(n) for n in (4, 5, 6, 7, 8, 9, 20)] == [0, 30, 60, 120, 240, 300, 300]


def test_cookie_round_trip_and_sign_out(db):
    user = make(db)
    cookie, max_age = auth.start_session(db, user.id)
    assert max_age == 14 * 86_400
    assert auth.user_from_cookie(db, cookie) == user
    auth.end_session(db, cookie)
    assert auth.user_from_cookie(db, cookie) is None


@pytest.mark.parametrize("tamper", ["token", "expiry", "signature"])
def test_forged_cookies_are_refused(db, tamper):
    user = make(db)
    cookie, _ = auth.start_session(db, user.id)
    token, expires, signature = cookie.split(".")
    forged = {
        # Change the token's last character (to "B" when it already is "A": 1 run in 64).
        "token": f"{token[:-1]}{'B' if token.endswith('A') else 'A'}.{expires}.{signature}",
        "expiry": f"{token}.{int(expires) + 10**6}.{signature}",
        "signature": f"{token}.{expires}.{signature[::-1]}",
    }[tamper]
    assert auth.user_from_cookie(db, forged) is None
    assert auth.user_from_cookie(db, "") is None
    assert auth.user_from_cookie(db, None) is None


def test_expired_cookie_is_refused(db):
    user = make(db)
    cookie, _max_age = auth.start_session(db, user.id, now=time.time() - 15 * 86_400)
    assert auth.user_from_cookie(db, cookie) is None


def test_database_keeps_only_a_hash_of_the_session_token(db):
    cookie, _ = auth.start_session(db, make(db).id)
    stored = db.execute("SELECT token_hash FROM sessions").fetchone()[0]
    assert cookie.split(".")[0] not in stored


def test_handoff_code_works_once_and_expires(db):
    user = make(db)
    code = auth.issue_handoff(db, user)
    cookie, _ = auth.redeem_handoff(db, code)
    assert auth.user_from_cookie(db, cookie) == user
    assert auth.redeem_handoff(db, code) is None
    late = auth.issue_handoff(db, user, now=time.time() - 61)
    assert auth.redeem_handoff(db, late) is None


def test_a_handoff_code_outlives_a_session_that_could_not_be_made(db, monkeypatch):
    # Using up the code and making the session are one transaction: if the second fails,
    # the browser's next try with the same code still signs in.
    user = make(db)
    code = auth.issue_handoff(db, user)

    def full_disk(*args, **kwargs):
        raise DatabaseUnavailable()

    with monkeypatch.context() as patched:
        patched.setattr(store_accounts, "insert_session", full_disk)
        with pytest.raises(DatabaseUnavailable):
            auth.redeem_handoff(db, code)
    cookie, _ = auth.redeem_handoff(db, code)
    assert auth.user_from_cookie(db, cookie) == user


def test_password_change_ends_every_session(db):
    user = make(db)
    cookie, _ = auth.start_session(db, user.id)
    with pytest.raises(AuthError, match="current password is not right"):
        auth.change_password(db, user, "wrong password", "another good password")
    auth.change_password(db, user, PASSWORD, "another good password")
    assert auth.user_from_cookie(db, cookie) is None
    assert auth.sign_in(db, "ada@example.org", "another good password") == user


def test_admin_grants_and_revokes_roles(db):
    admin, learner = make_admin(db), make(db, "bo@example.org", "Bo")
    auth.set_role(db, admin, learner.id, "facilitator", True)
    auth.set_role(db, admin, learner.id, "author", True)
    assert auth.get_user(db, learner.id).roles == {"learner", "facilitator", "author"}
    auth.set_role(db, admin, learner.id, "facilitator", False)
    assert auth.get_user(db, learner.id).roles == {"learner", "author"}
    assert [u.roles for u in auth.list_users(db)] == [
        ("learner", "admin"),
        ("learner", "author"),
    ]


def test_roles_saved_together_change_together_or_not_at_all(db, monkeypatch):
    admin, learner = make_admin(db), make(db, "bo@example.org", "Bo")
    auth.set_roles(db, admin, learner.id, {"facilitator": True, "author": True})
    assert auth.get_user(db, learner.id).roles == {"learner", "facilitator", "author"}
    # Refused part-way (the last admin cannot go): the role granted before it is not kept.
    with pytest.raises(AuthError, match="at least one administrator"):
        auth.set_roles(db, admin, admin.id, {"author": True, "admin": False})
    assert auth.get_user(db, admin.id).roles == {"learner", "admin"}
    # A failure part-way (the disk fills on the second statement) keeps nothing either.
    granted = store_accounts.grant_role
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise DatabaseUnavailable()
        granted(*args, **kwargs)

    monkeypatch.setattr(store_accounts, "grant_role", second_fails)
    with pytest.raises(DatabaseUnavailable):
        auth.set_roles(db, admin, learner.id, {"admin": True, "facilitator": True})
    assert auth.get_user(db, learner.id).roles == {"learner", "facilitator", "author"}


def test_only_admins_change_roles_and_the_last_admin_stays(db):
    admin, learner = make_admin(db), make(db, "bo@example.org", "Bo")
    with pytest.raises(PermissionDenied):
        auth.set_role(db, learner, learner.id, "admin", True)
    with pytest.raises(AuthError, match="at least one administrator"):
        auth.set_role(db, admin, admin.id, "admin", False)
    with pytest.raises(AuthError, match="not a role that can be granted"):
        auth.set_role(db, admin, learner.id, "superuser", True)


def test_admin_can_act_in_every_role(db):
    admin = make_admin(db)
    assert all(admin.can(role) for role in auth.ROLES)
    assert not make(db, "bo@example.org", "Bo").can("facilitator")


def test_configured_secret_key_signs_cookies(db, monkeypatch):
    user = make(db)
    monkeypatch.setenv("CARELAB_SECRET_KEY", "one key")
    cookie, _ = auth.start_session(db, user.id)
    assert auth.user_from_cookie(db, cookie) == user
    monkeypatch.setenv("CARELAB_SECRET_KEY", "another key")
    assert auth.user_from_cookie(db, cookie) is None


def test_an_operator_account_and_its_role_are_made_together_or_not_at_all(db, monkeypatch):
    made = auth.create_account_as_operator(db, "fac@example.org", PASSWORD, "Fac", "facilitator")
    assert made.roles == {"learner", "facilitator"}
    with pytest.raises(AuthError, match="not a role"):
        auth.create_account_as_operator(db, "x@example.org", PASSWORD, "X", "superuser")

    def fails(*_args, **_kwargs):
        raise DatabaseUnavailable()

    monkeypatch.setattr(store_accounts, "grant_role", fails)
    with pytest.raises(DatabaseUnavailable):
        auth.create_account_as_operator(db, "adm@example.org", PASSWORD, "Adm", "admin")
    # The account was rolled back with its role: running the command again works.
    monkeypatch.undo()
    again = auth.create_account_as_operator(db, "adm@example.org", PASSWORD, "Adm", "admin")
    assert "admin" in again.roles
