"""Accounts and roles: sign-up, sign-in with throttling, signed session cookies, role grants.

Passwords are stored as salted scrypt hashes (stdlib `hashlib.scrypt`). A signed-in
browser carries one HttpOnly cookie, `carelab_session`, whose value is
`<random token>.<expiry>.<HMAC>`; the database keeps only a SHA-256 of the token, so a
leaked database does not hold live sessions, and signing out deletes the row at once.
The Streamlit page that checks a password cannot set a cookie itself, so it hands the
browser a one-time code (60 s, single use) that a route of `server.py` exchanges for
the cookie in a POST body: no password or session secret ever appears in a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from sqlite_utils import Database

from carelab import config
from carelab.errors import AuthError, NotFound, PermissionDenied, Throttled
from carelab.store import accounts

ROLES = ("learner", "facilitator", "author", "admin")
GRANTABLE_ROLES = ("facilitator", "author", "admin")
COOKIE_NAME = "carelab_session"
HANDOFF_SECONDS = 60
MIN_PASSWORD = 10
MAX_PASSWORD = 256
FREE_FAILURES = 5
MAX_LOCK_SECONDS = 15 * 60

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified against when the email is unknown, so that a wrong email costs as long as a
# wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


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


def hash_password(password: str) -> str:
    """Return a salted scrypt hash in the form scrypt$N$r$p$salt$hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    salt_text, digest_text = (base64.b64encode(b).decode() for b in (salt, digest))
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt_text}${digest_text}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether `password` matches a hash made by hash_password (constant time)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def lock_seconds(failures: int) -> int:
    """Seconds an account stays locked after `failures` failures in a row: 0, then doubling."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_LOCK_SECONDS, 30 * 2 ** (failures - FREE_FAILURES))


def _user(db: Database, row: dict) -> User:
    roles = frozenset({"learner"} | accounts.roles_of(db, row["id"]))
    return User(row["id"], row["email"], row["display_name"], roles)


def normalise_email(email: str) -> str:
    """Return the email trimmed, or raise AuthError if it does not look like one."""
    email = email.strip()
    if not _EMAIL.match(email) or len(email) > 254:
        raise AuthError("Enter an email address such as name@example.org.")
    return email


def check_new_password(password: str) -> None:
    """Raise AuthError if a new password is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"Choose a password of at most {MAX_PASSWORD} characters.")


def create_account(db: Database, email: str, password: str, display_name: str) -> User:
    """Create an account (the very first one becomes admin) and return it."""
    email = normalise_email(email)
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise AuthError("Enter your name as it should appear on certificates (1-100 characters).")
    check_new_password(password)
    if accounts.email_exists(db, email):
        raise AuthError("An account with this email already exists. Sign in instead.")
    user_id, _ = accounts.insert_user(db, email, display_name, hash_password(password), time.time())
    return get_user(db, user_id)


def sign_up(db: Database, email: str, password: str, display_name: str) -> User:
    """Create an account from the public sign-up form, if open sign-up is on."""
    if not config.get_bool("CARELAB_OPEN_SIGNUP"):
        raise AuthError("Sign-up is closed on this CareLab. Ask an administrator for an account.")
    return create_account(db, email, password, display_name)


def sign_in(db: Database, email: str, password: str, now: float | None = None) -> User:
    """Check an email and password; throttle an account after repeated failures."""
    now = time.time() if now is None else now
    row = accounts.user_by_email(db, email.strip())
    if row is None:
        verify_password(password, _DUMMY_HASH)
        raise AuthError("The email or password is not right.")
    if row["locked_until"] and row["locked_until"] > now:
        raise Throttled(int(row["locked_until"] - now) + 1)
    if not verify_password(password, row["password_hash"]):
        failures = accounts.record_failed_sign_in(db, row["id"], lock_seconds, now)
        if lock_seconds(failures):
            raise Throttled(lock_seconds(failures))
        left = FREE_FAILURES - failures
        raise AuthError(
            f"The email or password is not right. {left} more "
            f"{'try' if left == 1 else 'tries'} before this account is paused."
        )
    accounts.clear_failed_sign_ins(db, row["id"])
    return _user(db, row)


def get_user(db: Database, user_id: int) -> User:
    """Return a user by id, or raise NotFound."""
    row = accounts.user_by_id(db, user_id)
    if row is None:
        raise NotFound(f"There is no account {user_id}.")
    return _user(db, row)


def change_password(db: Database, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; every session ends."""
    row = accounts.user_by_id(db, user.id)
    if row is None or not verify_password(current, row["password_hash"]):
        raise AuthError("The current password is not right.")
    check_new_password(new)
    accounts.set_password_hash(db, user.id, hash_password(new))


# --- roles -----------------------------------------------------------------------------


def set_role(db: Database, actor: User, user_id: int, role: str, granted: bool) -> None:
    """Grant or revoke a role; only admins may, and the last admin cannot be removed."""
    if not actor.can("admin"):
        raise PermissionDenied("Only an administrator can change roles.")
    if role not in GRANTABLE_ROLES:
        raise AuthError(f"'{role}' is not a role that can be granted.")
    get_user(db, user_id)
    if granted:
        accounts.grant_role(db, user_id, role, actor.id, time.time())
    elif not accounts.revoke_role(db, user_id, role):
        raise AuthError(
            "CareLab needs at least one administrator; grant admin to someone else first."
        )


def grant_role_as_operator(db: Database, user_id: int, role: str) -> None:
    """Grant a role from the shell (`carelab user add --role`), where the operator is trusted."""
    if role not in GRANTABLE_ROLES:
        raise AuthError(f"'{role}' is not a role that can be granted.")
    accounts.grant_role(db, get_user(db, user_id).id, role, None, time.time())


def list_users(db: Database) -> list[dict]:
    """Return every account with its roles, for the admin page."""
    users = accounts.list_users(db)
    for row in users:
        row["roles"] = ["learner", *sorted(filter(None, row["roles"].split(",")))]
    return users


# --- sessions and the sign-in cookie ----------------------------------------------------


def _secret(db: Database) -> bytes:
    configured = config.get("CARELAB_SECRET_KEY")
    if configured:
        return configured.encode()
    return accounts.setting(db, "cookie_secret", lambda: secrets.token_urlsafe(48)).encode()


def _sign(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Database, user_id: int, now: float | None = None) -> tuple[str, int]:
    """Create a session; return the signed cookie value and its lifetime in seconds."""
    now = time.time() if now is None else now
    max_age = config.session_days() * 86_400
    token = secrets.token_urlsafe(32)
    expires = int(now + max_age)
    accounts.delete_expired(db, now)
    accounts.insert_session(db, _token_hash(token), user_id, now, expires)
    payload = f"{token}.{expires}"
    return f"{payload}.{_sign(_secret(db), payload)}", max_age


def _token_from_cookie(db: Database, cookie: str | None, now: float) -> str | None:
    if not cookie or cookie.count(".") != 2:
        return None
    token, expires, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(_secret(db), f"{token}.{expires}")):
        return None
    if not expires.isdigit() or int(expires) <= now:
        return None
    return token


def user_from_cookie(db: Database, cookie: str | None, now: float | None = None) -> User | None:
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


def end_session(db: Database, cookie: str | None) -> None:
    """Sign out: forget the session behind a cookie value (harmless if there is none)."""
    token = _token_from_cookie(db, cookie, time.time())
    if token is not None:
        accounts.delete_session(db, _token_hash(token))


def issue_handoff(db: Database, user: User, now: float | None = None) -> str:
    """Return a one-time code, valid for 60 s, that the sign-in route swaps for a cookie."""
    now = time.time() if now is None else now
    code = secrets.token_urlsafe(32)
    accounts.insert_handoff(db, _token_hash(code), user.id, now + HANDOFF_SECONDS)
    return code


def redeem_handoff(db: Database, code: str, now: float | None = None) -> tuple[str, int] | None:
    """Use up a hand-off code; return (cookie value, max age), or None if it is not valid."""
    now = time.time() if now is None else now
    user_id = accounts.consume_handoff(db, _token_hash(code), now)
    if user_id is None:
        return None
    return start_session(db, user_id, now)
