"""Every CareLab setting in one table: name, environment variable, default and help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configuration setting read from the environment."""

    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CARELAB_DB",
        "data/carelab.db",
        "Path of the SQLite database file, or a postgresql:// URL for PostgreSQL.",
    ),
    Setting(
        "CARELAB_SQLITE_SYNCHRONOUS",
        "FULL",
        "SQLite's synchronous pragma: FULL makes every acknowledged answer survive a power "
        "cut (docs/performance.md has the cost); NORMAL survives a crash of CareLab only.",
    ),
    Setting(
        "CARELAB_CONTENT_DIR",
        str(REPO_ROOT),
        "Folder holding the modules/ and cases/ YAML folders (default: the repository root).",
    ),
    Setting(
        "CARELAB_OPEN_SIGNUP",
        "true",
        "Whether anyone may create an account from the sign-up page (true/false). "
        "With false, accounts come from `carelab user add` or an admin.",
    ),
    Setting(
        "CARELAB_SECRET_KEY",
        "",
        "Key that signs the sign-in cookie. Empty: a random key is made once and kept "
        "in the database. Set the same value on every server of a deployment.",
    ),
    Setting("CARELAB_SESSION_DAYS", "14", "Days a sign-in lasts before the user signs in again."),
    Setting(
        "CARELAB_COOKIE_SECURE",
        "auto",
        "Mark the sign-in cookie Secure: true, false, or auto (when the request came over HTTPS).",
    ),
    Setting(
        "CARELAB_TRUSTED_PROXIES",
        "127.0.0.1,::1",
        "Addresses or networks (comma-separated, e.g. 10.0.0.0/8) of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto headers are believed; none: no one, *: anyone.",
    ),
    Setting(
        "CARELAB_MAX_PARTICIPANTS",
        "2000",
        "How many phones may join one live workshop; the next one is told the workshop is full.",
    ),
    Setting(
        "CARELAB_POSTGRES_POOL_SIZE",
        "20",
        "With PostgreSQL: connections each CareLab process keeps for its pages (the room's "
        "worker threads hold their own). Keep processes × this under the server's "
        "max_connections.",
    ),
    Setting(
        "CARELAB_ROOM_POLL_SECONDS",
        "0.5",
        "How often each server re-reads a watched workshop for its phones (at least 0.05). "
        "On PostgreSQL, changes arrive at once by LISTEN/NOTIFY and this poll is only the "
        "fallback while the listener is reconnecting.",
    ),
    Setting(
        "CARELAB_SMTP_HOST",
        "",
        "Mail server for the weekly digest of due reviews (`carelab review digest`). "
        "Empty: no e-mail is ever sent.",
    ),
    Setting("CARELAB_SMTP_PORT", "587", "The mail server's port (587: submission with STARTTLS)."),
    Setting("CARELAB_SMTP_USER", "", "User name for the mail server; empty: no sign-in."),
    Setting("CARELAB_SMTP_PASSWORD", "", "Password for the mail server's user."),
    Setting(
        "CARELAB_SMTP_STARTTLS",
        "true",
        "Encrypt the connection with STARTTLS before signing in or sending (true/false); "
        "with true, a server that does not offer it gets nothing.",
    ),
    Setting(
        "CARELAB_MAIL_FROM",
        "",
        "The digest's From address, e.g. CareLab <carelab@hospital.example>; "
        "empty: CARELAB_SMTP_USER.",
    ),
    Setting(
        "CARELAB_PUBLIC_URL",
        "",
        "The address learners open CareLab at, e.g. https://carelab.hospital.example, for "
        "the links in e-mails; empty: the mail names the pages without a link. xAPI "
        "statements name activities under it.",
    ),
    Setting(
        "CARELAB_XAPI_ENDPOINT",
        "",
        "A Learning Record Store's xAPI endpoint, e.g. https://lrs.hospital.example/xAPI/; "
        "empty: no xAPI statement is recorded or sent. Needs CARELAB_PUBLIC_URL.",
    ),
    Setting("CARELAB_XAPI_USERNAME", "", "The LRS's Basic-auth user (its key) for CareLab."),
    Setting("CARELAB_XAPI_PASSWORD", "", "That user's password (its secret); never logged."),
)

_BY_ENV = {s.env: s for s in SETTINGS}


def get(env: str) -> str:
    """Return a setting's value from the environment, or its default."""
    setting = _BY_ENV[env]
    value = os.environ.get(env, "").strip()
    return value or setting.default


def get_bool(env: str) -> bool:
    """Return a true/false setting; anything but true/1/yes/on is false."""
    return get(env).lower() in {"true", "1", "yes", "on"}


def postgres_url() -> str | None:
    """The PostgreSQL URL CARELAB_DB names, or None when it names a SQLite file."""
    value = get("CARELAB_DB")
    return value if value.startswith(("postgresql://", "postgres://")) else None


def database_target() -> Path | str:
    """Where the database is: a postgresql:// URL, or the SQLite file's path."""
    return postgres_url() or db_path()


def database_label() -> str:
    """The database for messages: the SQLite path, or the URL without its password."""
    url = postgres_url()
    if url is None:
        return str(db_path())
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"{parts.username}@" if parts.username else "") + host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))


def db_path() -> Path:
    """Return the SQLite database path (relative paths are taken from the repository root)."""
    path = Path(get("CARELAB_DB"))
    return path if path.is_absolute() else REPO_ROOT / path


def content_dir() -> Path:
    """Return the content root that holds modules/ and cases/."""
    return Path(get("CARELAB_CONTENT_DIR")).expanduser().resolve()


def session_days() -> int:
    """Return how many days a sign-in lasts (at least 1)."""
    try:
        return max(1, int(get("CARELAB_SESSION_DAYS")))
    except ValueError:
        return int(_BY_ENV["CARELAB_SESSION_DAYS"].default)


def max_participants() -> int:
    """Return how many phones may join one workshop (at least 1)."""
    try:
        return max(1, int(get("CARELAB_MAX_PARTICIPANTS")))
    except ValueError:
        return int(_BY_ENV["CARELAB_MAX_PARTICIPANTS"].default)


def postgres_pool_size() -> int:
    """Return how many pooled PostgreSQL connections a process may hold (at least 2)."""
    try:
        return max(2, int(get("CARELAB_POSTGRES_POOL_SIZE")))
    except ValueError:
        return int(_BY_ENV["CARELAB_POSTGRES_POOL_SIZE"].default)


def room_poll_seconds() -> float:
    """Return the room's fallback poll interval in seconds (at least 0.05)."""
    try:
        return max(0.05, float(get("CARELAB_ROOM_POLL_SECONDS")))
    except ValueError:
        return float(_BY_ENV["CARELAB_ROOM_POLL_SECONDS"].default)
