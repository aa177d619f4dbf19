"""Facilitate's 'Open presenter screen' button and the remote's status line, under AppTest."""

from __future__ import annotations

from carelab.store import presenter as presenter_store
from carelab.workshop import workshops
from carelab.workshop.steps import WorkshopStep

FACILITATE = "carelab/ui/pages/facilitate.py"
STEPS = [
    WorkshopStep(id="a", kind="text", title="Hello"),
    WorkshopStep(
        id="b", kind="poll", title="Pick one", prompt="?", mode="single", options=("X", "Y")
    ),
]


def _links(at) -> dict[str, str]:
    return {b.proto.label: b.proto.url for b in at.get("link_button")}


def test_one_click_opens_the_presenter_screen_without_reissuing_the_key_on_each_run(app, admin, db):
    made = workshops.create_workshop(db, admin, "Huddle", "module", "m", STEPS)
    at = app(user=admin, page=FACILITATE, w=str(made.id))
    assert not at.exception, at.exception
    url = _links(at)["Open presenter screen"]
    assert url.endswith(f"/room/present/{made.code}/open")
    assert url.startswith("http")  # absolute: st.link_button opens it in a new tab
    # Showing the page (on a laptop, or on a phone as a remote) issues no key: only the
    # click does, so a presenter screen already on the projector keeps working.
    at.run()
    assert presenter_store.presenter_token_hash(db, made.id) is None
    assert any(m.value.startswith("**Now: step 1 of 2**, Hello") for m in at.markdown)


def test_the_remote_line_says_where_the_room_is_and_the_ended_workshop_has_no_screen(
    app, admin, db
):
    made = workshops.create_workshop(db, admin, "Huddle", "module", "m", STEPS)
    workshops.go_to_step(db, admin, made.id, 1, open_answering=True)
    at = app(user=admin, page=FACILITATE, w=str(made.id))
    line = next(m.value for m in at.markdown if m.value.startswith("**Now:"))
    assert line == (
        "**Now: step 2 of 2**, Pick one · answering open · results hidden · 0 of 0 answered"
    )
    workshops.end_workshop(db, admin, made.id)
    at.run()
    assert "Open presenter screen" not in _links(at)
    assert "This workshop has ended, so it has no presenter screen." in [
        c.value for c in at.caption
    ]
