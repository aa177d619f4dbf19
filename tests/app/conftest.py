"""AppTest helpers: run app.py as a given user, against a fresh database."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from carelab import auth
from carelab.ui import state
from tests.conftest import REPO

APP = str(REPO / "app.py")
TIMEOUT = 30


@pytest.fixture
def app(db_path, monkeypatch):
    """Return a factory: app(user=None) gives an AppTest signed in as `user`, already run."""
    cookies: dict[str, str | None] = {"value": None}
    monkeypatch.setattr(state, "session_cookie", lambda: cookies["value"])

    def make(user: auth.User | None = None, page: str | None = None, **query) -> AppTest:
        if user is not None:
            from carelab.store import db as store_db

            with store_db.session(db_path) as db:
                cookies["value"] = auth.start_session(db, user.id)[0]
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(query)
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return make


@pytest.fixture
def admin(db):
    made = auth.create_account(db, "admin@example.org", "correct horse battery", "Ada Admin")
    auth.grant_role_as_operator(db, made.id, "admin")
    return auth.get_user(db, made.id)


@pytest.fixture
def learner(db, admin):
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee Learner")


def run_page_as(page: str, user: auth.User | None) -> AppTest:
    """Run one page file on its own as `user`, as a hand-typed URL would: roles are
    checked by the page itself, not only by the navigation."""
    at = AppTest.from_file(str(REPO / page), default_timeout=TIMEOUT)
    at.session_state[state.USER_KEY] = user
    return at.run()


def download_links(at: AppTest) -> list[tuple[str, str]]:
    """The (label, address) of each export link the page drew (components/download_links)."""
    found = []
    for element in at.get("html"):
        for href, label in re.findall(
            r'<a class="carelab-download" href="([^"]+)" download>([^<]+)</a>', element.proto.body
        ):
            found.append((html.unescape(label), html.unescape(href)))
    return found
