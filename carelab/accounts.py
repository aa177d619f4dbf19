"""Accounts as whole operations for the pages: each opens its own connection, does one thing.

The rules live in carelab.auth, whose functions take a connection so that the shell, the
sign-in routes and the tests can share one; the pages call these instead and never see a
connection or a row. Each returns a frozen dataclass (User, UserSummary, SignedIn) or
raises a CareLabError whose message is safe to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from carelab import auth
from carelab.auth import User, UserSummary
from carelab.store import db as store_db


@dataclass(frozen=True)
class SignedIn:
    """A user whose password was right, and the one-time code the browser swaps for a cookie."""

    user: User
    handoff_code: str


def _signed_in(user: User) -> SignedIn:
    with store_db.session() as db:
        return SignedIn(user, auth.issue_handoff(db, user))


def sign_in(email: str, password: str, address: str | None) -> SignedIn:
    """Check an email and password (throttled) and issue the code that signs the browser in."""
    with store_db.session() as db:
        user = auth.sign_in(db, email, password, address=address)
    return _signed_in(user)


def sign_up(email: str, password: str, display_name: str, address: str | None) -> str:
    """Create a learner account from the public form; return the email as it was stored."""
    with store_db.session() as db:
        return auth.sign_up(db, email, password, display_name, address=address)


def user_for_cookie(cookie: str | None) -> User | None:
    """The signed-in user behind a sign-in cookie, or None if absent, forged or ended."""
    with store_db.session() as db:
        return auth.user_from_cookie(db, cookie)


def sign_out(cookie: str | None) -> None:
    """End the session behind a cookie value now (harmless if there is none)."""
    with store_db.session() as db:
        auth.end_session(db, cookie)


def change_password(user: User, current: str, new: str, address: str | None) -> None:
    """Change the user's password after checking the current one; every session ends."""
    with store_db.session() as db:
        auth.change_password(db, user, current, new, address=address)


def delete_account(user: User, current: str, address: str | None) -> None:
    """Delete the user's own account after checking the current password."""
    with store_db.session() as db:
        auth.delete_account(db, user, current, address=address)


def users() -> list[UserSummary]:
    """Every account with its roles, oldest first, for the administrator."""
    with store_db.session() as db:
        return auth.list_users(db)


def set_roles(actor: User, user_id: int, changes: Mapping[str, bool]) -> None:
    """Grant (True) or revoke (False) roles as `actor`, all together or not at all."""
    with store_db.session() as db:
        auth.set_roles(db, actor, user_id, changes)


def check_setup_token(token: str) -> None:
    """Raise AuthError, saying why, unless the setup link's token can make the first admin."""
    with store_db.session() as db:
        auth.check_setup_token(db, token)


def create_first_admin(token: str, email: str, password: str, display_name: str) -> SignedIn:
    """Create the first administrator with the setup link's token and sign them in."""
    with store_db.session() as db:
        admin = auth.create_first_admin(db, token, email, password, display_name)
    return _signed_in(admin)


def new_setup_token(database: Path | str | None = None) -> str | None:
    """With no administrator yet, replace the setup token and return it; else None."""
    with store_db.session(database) as db:
        return auth.new_setup_token(db)
