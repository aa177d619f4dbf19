"""Per-run state: the database prepared once, the signed-in user and the content catalog.

Pages never open a database connection: they call the core's services, which do.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from carelab import accounts, auth, config, startup
from carelab.content.catalog import Catalog, Signature, content_signature, load_catalog

USER_KEY = "user"


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepare_database(target: str) -> None:
    """Apply migrations once per process and database (a SQLite path or a URL)."""
    startup.prepare_database(target)


def prepare_database() -> None:
    """Make sure the configured database exists and is migrated."""
    _prepare_database(str(config.database_target()))


def session_cookie() -> str | None:
    """Return the sign-in cookie the browser sent when this session connected."""
    return st.context.cookies.get(auth.COOKIE_NAME)


def load_user() -> auth.User | None:
    """Read the signed-in user from the cookie; called once per run by app.py."""
    return accounts.user_for_cookie(session_cookie())


def current_user() -> auth.User | None:
    """Return the user app.py found for this run (None when signed out)."""
    return st.session_state.get(USER_KEY)


def user_holding(role: str) -> auth.User | None:
    """Re-read the signed-in user from the cookie and the database, for a fragment's run.

    A fragment that refreshes itself runs without app.py, so the user app.py found may be
    minutes old: a facilitator whose role was revoked, or who signed out in another tab,
    must stop seeing the room at the next refresh. Return the user if they hold `role` now.
    """
    user = load_user()
    st.session_state[USER_KEY] = user
    return user if user is not None and user.can(role) else None


def client_address() -> str | None:
    """The address this browser connects from, for per-address sign-in limits.

    None for a browser on the server itself. Behind a reverse proxy, Streamlit reports the
    address the trusted proxy forwarded (see docs/deployment.md).
    """
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest's mock gives no string


# The paths each content root served last, so that a reload never moves a live id to
# another file (see carelab.content.safety).
_served: dict[str, dict[tuple[str, str], str]] = {}


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(root: str, signature: Signature) -> Catalog:
    """Load the catalog once per content version; `signature` changes when a file does."""
    loaded = load_catalog(Path(root), live=_served.get(root))
    _served[root] = dict(loaded.paths)
    return loaded


def catalog() -> Catalog:
    """Return the catalog, reloaded whenever a content file was added, changed or removed."""
    root = config.content_dir()
    return _catalog(str(root), content_signature(root))


def origin() -> str:
    """This server's address as the browser sees it, for links printed or shown elsewhere."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}"
