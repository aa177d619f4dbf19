"""Accounts and roles: sign-up, throttled sign-in, the first administrator, sessions, roles.

Passwords are stored as salted scrypt hashes (carelab.credentials). A signed-in browser
carries one HttpOnly cookie, `carelab_session`, whose value is
`<random token>.<expiry>.<HMAC>`; the database keeps only a SHA-256 of the token, so a
leaked database does not hold live sessions, and signing out deletes the row at once.
The Streamlit page that checks a password cannot set a cookie itself, so it hands the
browser a one-time code (60 s, single use) that a route of `server.py` exchanges for
the cookie in a POST body: no password or session secret ever appears in a URL.

Nothing a stranger sees depends on whether an email has an account: sign-in answers an
unknown email exactly as a wrong password (same message, same hint, same throttling, same
scrypt cost), and sign-up answers the same whether or not the email was taken.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from carelab import config, credentials
from carelab.credentials import (
    check_new_password,
    clean_display_name,
    dummy_hash,
    hash_password,
    normalise_email,
    verify_password,
)
from carelab.errors import AuthError, NotFound, PermissionDenied, Throttled
from carelab.store import Connection, accounts
from carelab.store.accounts import Limit
from carelab.store.db import write_transaction

# The pages read the password limits as auth.MIN_PASSWORD and auth.MAX_PASSWORD.
MIN_PASSWORD, MAX_PASSWORD = credentials.MIN_PASSWORD, credentials.MAX_PASSWORD
ROLES = ("learner", "facilitator", "author", "admin")
GRANTABLE_ROLES = ("facilitator", "author", "admin")
COOKIE_NAME = "carelab_session"
HANDOFF_SECONDS = 60
LOCAL_ADDRESS = "local"  # Streamlit gives no address for a browser on the server itself

# Throttling. Every password check (sign-in, and the current password when changing it or
# deleting the account) is first recorded, in the same write transaction that checks these
# limits, so twenty tabs submitting at once get five checks, not twenty. That transaction
# commits before the password is hashed, and what follows a right password (a new hash, a
# deleted account) is a transaction of its own: scrypt takes about 30 ms here, and holding
# the write lock through it would make every other writer in CareLab wait behind it.
# - Per email: 5 failures are free; then each try waits after the latest failure, 30 s
#   doubling to at most 5 minutes. It only slows: whoever hammers an administrator's email,
#   the administrator waits 5 minutes at most after the attacker's last failure.
# - Per address and email: 10 failures in 24 hours block that address for that email for
#   the rest of the 24 hours. One stranger therefore keeps an email waiting for about
#   13 minutes a day (5 free failures, then 30+60+120+240+300 s), not indefinitely.
# - Per address: 50 failures in an hour, over all emails, block the address for the rest
#   of the hour (password spraying). A hospital behind one NAT address shares this; right
#   passwords clear their email's failures, so colleagues' typos rarely add up to 50.
# - Sign-up: 30 new accounts an hour from one address.
FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 5 * 60
PAIR_LIMIT = Limit(10, 24 * 3600)
ADDRESS_LIMIT = Limit(50, 3600)
SIGN_UP_LIMIT = Limit(30, 3600)
_REFUSED = {
    "email": "Too many failed sign-ins with this email",
    "pair": "Too many failed sign-ins with this email from your network",
    "address": "Too many failed sign-ins from your network",
}


@dataclass(frozen=True)
class User:
    """A signed-in person and the roles they hold."""

    id: int
    email: str
    display_name: str
    roles: frozenset[str]

    def can(self, role: str) -> bool:
        """Return whether the user may act in `role` (admins may act in every role)."""
        return role in self.roles or "admin" in self.roles


@dataclass(frozen=True)
class UserSummary:
    """One account as the administrator's list shows it: who, their roles, when they joined."""

    id: int
    email: str
    display_name: str
    roles: tuple[str, ...]
    created_at: float


def retry_delay(failures: int) -> float:
    """Seconds to wait after the latest of `failures` failures on one email: 0, then doubling."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES))


def _user(db: Connection, row: dict) -> User:
    roles = frozenset({"learner"} | accounts.roles_of(db, row["id"]))
    return User(row["id"], row["email"], row["display_name"], roles)


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _password_matches(
    db: Connection, email: str, password: str, stored: str | None, address: str | None, now: float
) -> tuple[bool, int]:
    """Check a password under the throttle; return (matched, failures on this email so far).

    `stored` is None for an unknown email: the check then costs the same and fails.
    """
    got = accounts.reserve_attempt(
        db, "sign-in", _email_key(email), address or LOCAL_ADDRESS, now,
        {"pair": PAIR_LIMIT, "address": ADDRESS_LIMIT}, retry_delay,
    )  # fmt: skip
    if got.wait > 0:
        raise Throttled(math.ceil(got.wait), _REFUSED[got.blocked_by])
    matched = verify_password(password, stored or dummy_hash()) and stored is not None
    if matched:
        accounts.clear_attempts(db, "sign-in", _email_key(email))
    return matched, got.email_failures


def clear_failed_sign_ins(db: Connection, email: str) -> None:
    """Forget an email's failed sign-ins (from the shell: `carelab user unlock`)."""
    accounts.clear_attempts(db, "sign-in", _email_key(email))


def create_account(db: Connection, email: str, password: str, display_name: str) -> User:
    """Create a learner account (from the shell or a test); say so if the email is taken."""
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    check_new_password(password, email)
    user_id = accounts.insert_user(db, email, display_name, hash_password(password), time.time())
    if user_id is None:
        raise AuthError("An account with this email already exists.")
    return get_user(db, user_id)


def sign_up(
    db: Connection,
    email: str,
    password: str,
    display_name: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> str:
    """Create a learner account from the public form, if open sign-up is on; return the email.

    The answer is the same whether or not the email already had an account (which is then
    left as it was), and the new user signs in next like anyone else.
    """
    if not config.get_bool("CARELAB_OPEN_SIGNUP"):
        raise AuthError("Sign-up is closed on this CareLab. Ask an administrator for an account.")
    now = time.time() if now is None else now
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    check_new_password(password, email)
    got = accounts.reserve_attempt(
        db, "sign-up", "", address or LOCAL_ADDRESS, now, {"address": SIGN_UP_LIMIT}
    )
    if got.wait > 0:
        raise Throttled(math.ceil(got.wait), "Too many new accounts from your network")
    # Hashing comes first whatever happens next, so a taken email answers just as slowly.
    accounts.insert_user(db, email, display_name, hash_password(password), now)
    return email


def sign_in(
    db: Connection,
    email: str,
    password: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> User:
    """Check an email and password, throttled; an unknown email fails as a wrong password does."""
    now = time.time() if now is None else now
    row = accounts.user_by_email(db, email.strip())
    stored = row["password_hash"] if row else None
    matched, failures = _password_matches(db, email, password, stored, address, now)
    if matched and row is not None:
        return _user(db, row)
    if retry_delay(failures):
        raise Throttled(math.ceil(retry_delay(failures)), _REFUSED["email"])
    left = FREE_FAILURES - failures
    raise AuthError(
        f"The email or password is not right. {left} more "
        f"{'try' if left == 1 else 'tries'} before sign-in with this email is paused."
    )


def get_user(db: Connection, user_id: int) -> User:
    """Return a user by id, or raise NotFound."""
    row = accounts.user_by_id(db, user_id)
    if row is None:
        raise NotFound(f"There is no account {user_id}.")
    return _user(db, row)


def _check_current(
    db: Connection, user: User, current: str, address: str | None, now: float | None
) -> dict:
    row = accounts.user_by_id(db, user.id)
    if row is None:
        raise NotFound("This account no longer exists.")
    now = time.time() if now is None else now
    matched, _ = _password_matches(db, row["email"], current, row["password_hash"], address, now)
    if not matched:
        raise AuthError("The current password is not right.")
    return row


def change_password(
    db: Connection,
    user: User,
    current: str,
    new: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> None:
    """Change a password after checking the current one; every session ends."""
    check_new_password(new, user.email)
    _check_current(db, user, current, address, now)
    accounts.set_password_hash(db, user.id, hash_password(new))


def delete_account(
    db: Connection,
    user: User,
    current: str,
    *,
    address: str | None = None,
    now: float | None = None,
) -> None:
    """Delete the user's own account after checking the current password.

    The last administrator cannot go, even when two delete themselves at the same moment.
    """
    _check_current(db, user, current, address, now)
    if not accounts.delete_user(db, user.id):
        raise AuthError(
            "You are the only administrator. Grant admin to someone else before deleting."
        )


# --- the first administrator ------------------------------------------------------------


def needs_setup(db: Connection) -> bool:
    """Whether this CareLab has no administrator yet."""
    return accounts.admin_count(db) == 0


def new_setup_token(db: Connection, now: float | None = None) -> str | None:
    """With no administrator yet, replace the setup token and return the new one; else None.

    Only the SHA-256 is stored, and the server prints the token once, on its console.
    """
    token = secrets.token_urlsafe(32)
    now = time.time() if now is None else now
    return token if accounts.replace_setup_token(db, _token_hash(token), now) else None


_SETUP_REFUSED = {
    "has-admin": "This CareLab already has an administrator: sign in instead.",
    "unknown": (
        "This setup link has been used or replaced. Use the link the server printed on its "
        "console when it last started."
    ),
    "email-taken": "An account with this email already exists; choose another email.",
}


def check_setup_token(db: Connection, token: str) -> None:
    """Raise AuthError, saying why, unless `token` can create the first administrator."""
    state = accounts.setup_token_state(db, _token_hash(token))
    if state != "ready":
        raise AuthError(_SETUP_REFUSED[state])


def create_first_admin(
    db: Connection, token: str, email: str, password: str, display_name: str
) -> User:
    """Create the first administrator with the setup link's token, which is then used up."""
    email = normalise_email(email)
    display_name = clean_display_name(display_name)
    check_new_password(password, email)
    state, user_id = accounts.create_first_admin(
        db, _token_hash(token), email, display_name, hash_password(password), time.time()
    )
    if user_id is None:
        raise AuthError(_SETUP_REFUSED[state])
    return get_user(db, user_id)


# --- roles -----------------------------------------------------------------------------


def set_role(
    db: Connection, actor: User, user_id: int, role: str, granted: bool, now: float | None = None
) -> None:
    """Grant or revoke a role; only a current admin may, and the last admin cannot be removed."""
    set_roles(db, actor, user_id, {role: granted}, now)


def set_roles(
    db: Connection,
    actor: User,
    user_id: int,
    changes: Mapping[str, bool],
    now: float | None = None,
) -> None:
    """Grant (True) or revoke (False) several roles together: all of them change, or none."""
    if not actor.can("admin"):
        raise PermissionDenied("Only an administrator can change roles.")
    for role in changes:
        if role not in GRANTABLE_ROLES:
            raise AuthError(f"'{role}' is not a role that can be granted.")
    now = time.time() if now is None else now
    outcome = accounts.change_roles(db, actor.id, user_id, dict(changes), now)
    if outcome == "not-admin":
        raise PermissionDenied("Only an administrator can change roles; you no longer are one.")
    if outcome == "no-user":
        raise NotFound(f"There is no account {user_id}.")
    if outcome == "last-admin":
        raise AuthError(
            "CareLab needs at least one administrator; grant admin to someone else first."
        )


def create_account_as_operator(
    db: Connection, email: str, password: str, display_name: str, role: str = "learner"
) -> User:
    """Create an account from the shell with a role, in one transaction: both or neither."""
    if role != "learner" and role not in GRANTABLE_ROLES:
        raise AuthError(f"'{role}' is not a role that can be granted.")
    with write_transaction(db):
        user = create_account(db, email, password, display_name)
        if role != "learner":
            accounts.grant_role(db, user.id, role, None, time.time())
    return get_user(db, user.id)


def grant_role_as_operator(db: Connection, user_id: int, role: str) -> None:
    """Grant a role from the shell (`carelab user add --role`), where the operator is trusted."""
    if role not in GRANTABLE_ROLES:
        raise AuthError(f"'{role}' is not a role that can be granted.")
    accounts.grant_role(db, get_user(db, user_id).id, role, None, time.time())


def list_users(db: Connection) -> list[UserSummary]:
    """Return every account with its roles (learner first), oldest first, for the admin page."""
    return [
        UserSummary(
            row["id"],
            row["email"],
            row["display_name"],
            ("learner", *sorted(filter(None, row["roles"].split(",")))),
            row["created_at"],
        )
        for row in accounts.list_users(db)
    ]


# --- sessions and the sign-in cookie ----------------------------------------------------


def _secret(db: Connection) -> bytes:
    configured = config.get("CARELAB_SECRET_KEY")
    if configured:
        return configured.encode()
    return accounts.setting(db, "cookie_secret", lambda: secrets.token_urlsafe(48)).encode()


def _sign(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Connection, user_id: int, now: float | None = None) -> tuple[str, int]:
    """Create a session; return the signed cookie value and its lifetime in seconds."""
    with write_transaction(db):
        return _start_session(db, user_id, time.time() if now is None else now)


def _start_session(db: Connection, user_id: int, now: float) -> tuple[str, int]:
    # Sweeps expired rows, records the session and may store the cookie key: the caller
    # holds the write transaction.
    max_age = config.session_days() * 86_400
    token = secrets.token_urlsafe(32)
    expires = int(now + max_age)
    accounts.delete_expired(db, now)
    accounts.insert_session(db, _token_hash(token), user_id, now, expires)
    payload = f"{token}.{expires}"
    return f"{payload}.{_sign(_secret(db), payload)}", max_age


def _token_from_cookie(db: Connection, cookie: str | None, now: float) -> str | None:
    if not cookie or cookie.count(".") != 2:
        return None
    token, expires, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(_secret(db), f"{token}.{expires}")):
        return None
    if not expires.isdigit() or int(expires) <= now:
        return None
    return token


def user_from_cookie(db: Connection, cookie: str | None, now: float | None = None) -> User | None:
    """Return the signed-in user for a cookie value, or None if it is absent, forged or ended."""
    now = time.time() if now is None else now
    token = _token_from_cookie(db, cookie, now)
    if token is None:
        return None
    user_id = accounts.session_user_id(db, _token_hash(token), now)
    if user_id is None:
        return None
    try:
        return get_user(db, user_id)
    except NotFound:
        return None


def end_session(db: Connection, cookie: str | None) -> None:
    """Sign out: forget the session behind a cookie value (harmless if there is none)."""
    token = _token_from_cookie(db, cookie, time.time())
    if token is not None:
        accounts.delete_session(db, _token_hash(token))


def issue_handoff(db: Connection, user: User, now: float | None = None) -> str:
    """Return a one-time code, valid for 60 s, that the sign-in route swaps for a cookie."""
    now = time.time() if now is None else now
    code = secrets.token_urlsafe(32)
    accounts.insert_handoff(db, _token_hash(code), user.id, now + HANDOFF_SECONDS)
    return code


def redeem_handoff(db: Connection, code: str, now: float | None = None) -> tuple[str, int] | None:
    """Use up a hand-off code; return (cookie value, max age), or None if it is not valid.

    The code is used up and the session made in one transaction: if making the session
    fails, the code still works for the browser's next try.
    """
    now = time.time() if now is None else now
    with write_transaction(db):
        user_id = accounts.consume_handoff(db, _token_hash(code), now)
        if user_id is None:
            return None
        return _start_session(db, user_id, now)
