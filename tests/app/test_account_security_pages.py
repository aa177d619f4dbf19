"""Account security on the pages: the first-run setup link, and self-refreshing fragments that
check the user again on every run (a revoked facilitator stops seeing answers at once).
"""

from __future__ import annotations

import functools

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

from carelab import auth
from carelab.workshop import participants, workshops
from carelab.workshop.steps import WorkshopStep
from tests.app.conftest import TIMEOUT
from tests.conftest import REPO

SETUP = str(REPO / "carelab/ui/pages/setup.py")
FACILITATE = "carelab/ui/pages/facilitate.py"
PROJECTOR = "carelab/ui/pages/projector.py"
AUTHORING = "carelab/ui/pages/authoring.py"
PASSWORD = "correct horse battery"


def setup_page(token: str) -> AppTest:
    at = AppTest.from_file(SETUP, default_timeout=TIMEOUT)
    at.query_params["token"] = token
    return at.run()


def fill_setup(at: AppTest, password: str = PASSWORD, again: str = PASSWORD) -> AppTest:
    at.text_input(key="setup.name").input("Grace Hopper")
    at.text_input(key="setup.email").input("grace@example.org")
    at.text_input(key="setup.password").input(password)
    at.text_input(key="setup.again").input(again)
    return at.main.button[0].click().run()


def test_the_setup_link_creates_the_administrator_and_signs_them_in(db_path, db):
    token = auth.new_setup_token(db)
    at = fill_setup(setup_page(token), again="a different password")
    assert at.error[0].value == "The two passwords differ; type the same one twice."
    at = fill_setup(at)
    assert not at.exception
    assert at.success[0].value == "Welcome, Grace Hopper. Signing you in…"
    assert auth.sign_in(db, "grace@example.org", PASSWORD).can("admin")
    assert db.execute("SELECT COUNT(*) FROM sign_in_handoffs").fetchone()[0] == 1
    # The link is spent: opening it again shows no form.
    again = setup_page(token)
    assert again.warning[0].value.startswith("This CareLab already has an administrator")
    assert not again.text_input


@pytest.mark.parametrize("token", ["", "guessed-token"])
def test_a_wrong_or_missing_setup_token_shows_no_form(db_path, db, token):
    auth.new_setup_token(db)
    at = setup_page(token)
    assert at.warning[0].value.startswith("This setup link has been used or replaced.")
    assert not at.text_input


# --- fragments ----------------------------------------------------------------------------


def run_fragments_only(at: AppTest, monkeypatch) -> AppTest:
    """Rerun only the page's fragments, as their run_every timer does in a browser.

    Such a run skips app.py and the page's top, so the user the page found on its last
    full run is not read again unless the fragment itself does it. A fragment that calls
    st.rerun() makes it a full run of the app.
    """
    fragments = list(at._fragment_storage._fragments)  # the fragments the last run registered
    assert fragments, "the page registered no fragment"
    rerun = functools.partial(
        local_script_runner.RerunData, fragment_id_queue=fragments, is_auto_rerun=True
    )
    with monkeypatch.context() as patch:
        patch.setattr(local_script_runner, "RerunData", rerun)
        return at.run()


def texts(at: AppTest) -> str:
    kinds = ("markdown", "text", "subheader", "caption", "warning")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.fixture
def facilitator(db, admin):
    made = auth.create_account(db, "fay@example.org", PASSWORD, "Fay")
    auth.grant_role_as_operator(db, made.id, "facilitator")
    return auth.get_user(db, made.id)


@pytest.fixture
def answered(db, facilitator):
    """A workshop of Fay's whose poll has one answer, revealed: "Wash your hands: 1"."""
    steps = [
        WorkshopStep(
            id="a",
            kind="poll",
            title="What helps?",
            prompt="One thing.",
            mode="single",
            options=("Wash your hands", "Gloves"),
        ),
        WorkshopStep(id="b", kind="text", title="Thanks", prompt="Done."),
    ]
    made = workshops.create_workshop(db, facilitator, "Huddle", "module", "m", steps)
    workshops.go_to_step(db, facilitator, made.id, 0, open_answering=True)
    workshops.reveal_results(db, facilitator, made.id)
    phone = participants.join(db, made.code, "Sam", "127.0.0.1")
    participants.answer(db, made.code, phone.token, 0, 0)
    return made


@pytest.mark.parametrize("page", [FACILITATE, PROJECTOR])
def test_a_revoked_facilitator_stops_seeing_answers_at_the_next_refresh(
    app, db, facilitator, answered, page, monkeypatch
):
    at = app(user=facilitator, page=page, w=str(answered.id))
    assert not at.exception
    assert "Wash your hands: 1" in texts(at)
    at = run_fragments_only(at, monkeypatch)
    assert not at.title, "the whole page ran, not only its fragments"
    assert "Wash your hands: 1" in texts(at)  # still a facilitator: the answers stay
    admin = auth.get_user(db, 1)
    auth.set_role(db, admin, facilitator.id, "facilitator", False)
    at = run_fragments_only(at, monkeypatch)
    assert not at.exception
    assert "Wash your hands" not in texts(at)
    # The fragment made the whole app run again, as the learner Fay now is.
    assert "Signed in as **Fay** (learner)" in texts(at)


def test_a_revoked_author_stops_seeing_files_at_the_next_refresh(
    app, db, admin, content_root, monkeypatch
):
    (content_root / "cases/draft.yaml").write_text("id: draft\ntitel: secret plans\n")
    author = auth.create_account(db, "ann@example.org", PASSWORD, "Ann")
    auth.grant_role_as_operator(db, author.id, "author")
    at = app(user=auth.get_user(db, author.id), page=AUTHORING)
    assert at.dataframe and "cases/draft.yaml" in at.dataframe[0].value["File"].tolist()
    auth.set_role(db, admin, author.id, "author", False)
    at = run_fragments_only(at, monkeypatch)
    assert not at.exception
    assert not [d for d in at.dataframe if "File" in d.value]
    assert "Signed in as **Ann** (learner)" in texts(at)
