"""Smoke test: every page app.py registers opens for every role without an exception or error.

The pages come from `navigation.pages_for`, the same function app.py calls, so a page added to
the navigation is opened here without anyone writing a test for it; a page file added under
carelab/ui/pages/ that no role can reach fails `test_every_page_file_is_registered_for_a_role`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from carelab import auth
from carelab.auth import User
from carelab.ui import navigation
from tests.conftest import REPO

ROLES = ("anonymous", "learner", "facilitator", "author", "admin")
PASSWORD = "tidal quince morning forty-seven"
# Error boxes a page shows on purpose when opened bare from the menu: each tells the user
# where to go instead. Any other error box, like any exception, fails the test.
GUIDANCE = {
    "carelab/ui/pages/projector.py": (
        "Open the projector from the Facilitate page, for a workshop you run."
    ),
}


@pytest.fixture
def users(db) -> dict[str, User | None]:
    """One account per role; the admin first, so that no other account is made admin by order."""
    made: dict[str, User | None] = {"anonymous": None}
    for role in ("admin", "author", "facilitator", "learner"):
        user = auth.create_account(db, f"{role}@example.org", PASSWORD, f"A {role}")
        if role != "learner":
            auth.grant_role_as_operator(db, user.id, role)
        made[role] = auth.get_user(db, user.id)
    return made


def registered(user: User | None) -> list[Path]:
    """The page files app.py's navigation offers this user."""
    # st.Page needs a running script to resolve its file, so record the file it is given.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(navigation.st, "Page", lambda page, **_: Path(page))
        sections = navigation.pages_for(user)
    files = [path for listed in sections.values() for path in listed]
    return list(dict.fromkeys(files))


def relative(path: Path) -> str:
    return str(path.resolve().relative_to(REPO))


def problems(at: AppTest, page: str = "") -> list[str]:
    """A traceback, or an error box the page does not show on purpose, as it stands."""
    found = [f"exception: {e.value}" for e in at.exception]
    return found + [f"error: {e.value}" for e in at.error if e.value != GUIDANCE.get(page)]


def test_every_role_gets_the_pages_its_role_needs(users):
    def names(role: str) -> set[str]:
        return {path.stem for path in registered(users[role])}

    public = {"catalogue", "module_player", "case_reader", "verify", "indicator_lab", "your_data"}
    public |= {"lab_monitoring"}
    public |= {"lab_regression"}
    public |= {"setup"}  # hidden from menus; opened by the first-run link whoever follows it
    assert names("anonymous") == public | {"sign_in"}
    assert names("learner") == public | {"my_learning", "review", "account"}
    assert names("facilitator") == names("learner") | {"facilitate", "projector"}
    assert names("author") == names("learner") | {"authoring", "reports"}
    assert names("admin") == names("facilitator") | {"authoring", "reports", "admin"}


def test_every_page_file_is_registered_for_a_role(users):
    reachable = {path.resolve() for role in ROLES for path in registered(users[role])}
    files = {path.resolve() for path in navigation.PAGES.glob("*.py")}
    unreachable = sorted(relative(path) for path in files - reachable)
    assert unreachable == [], "page files no role can open; add them to navigation.pages_for"


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize("role", ROLES)
def test_every_registered_page_opens_for_every_role(app, users, role):
    at = app(user=users[role])
    failed = {"(first page)": problems(at)} if problems(at) else {}
    for path in registered(users[role]):
        page = relative(path)
        at.switch_page(page).run()
        if problems(at, page):
            failed[page] = problems(at, page)
    assert failed == {}
