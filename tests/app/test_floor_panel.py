"""The Facilitate page's questions from the floor under AppTest: options, moderation, export."""

from __future__ import annotations

from carelab.workshop import floor, workshops
from carelab.workshop import participants as phones
from tests.app.conftest import download_links

FACILITATE = "carelab/ui/pages/facilitate.py"


def _create_with_questions(app, admin, db, moderated: bool):
    at = app(user=admin, page=FACILITATE)
    at.selectbox[0].select("case:kaiser-permanente")
    boxes = {box.label: box for box in at.checkbox}
    boxes["Let participants send questions"].check()
    if moderated:
        boxes["Approve questions before others see them"].check()
    at.main.button[0].click().run()  # Create workshop
    assert not at.exception, at.exception
    [workshop] = workshops.list_workshops(db, admin)
    return at, workshop


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


def test_a_moderated_room_from_the_create_form_to_the_screen(app, admin, db, shipped_content):
    at, workshop = _create_with_questions(app, admin, db, moderated=True)
    assert workshop.floor_questions and workshop.floor_moderated
    assert any("No questions yet" in c.value for c in at.caption)
    asker = phones.join(db, workshop.code, "Dr Who", "127.0.0.1")
    floor.ask(db, workshop.code, asker.token, "Who reads the **funnel** first?")
    at.run()
    # Shown as plain text (no Markdown), with who asked as a number in an anonymous room.
    assert "Who reads the **funnel** first?" in _texts(at)
    assert any("1 waiting for your approval" in m.value for m in at.markdown)
    caption = next(c.value for c in at.caption if "vote" in c.value)
    assert "Waiting for approval" in caption and "Participant 1" in caption
    assert "Dr Who" not in caption
    (question,) = floor.questions(db, admin, workshop.id)
    at.button(key=f"floor.status.{question.id}").click().run()
    assert floor.questions(db, admin, workshop.id)[0].status == "open"
    at.button(key=f"floor.screen.{question.id}").click().run()
    assert workshops.get_workshop(db, workshop.id).floor_spotlight_id == question.id
    assert any("On the screen" in c.value for c in at.caption)
    at.button(key=f"floor.status.{question.id}").click().run()
    assert floor.questions(db, admin, workshop.id)[0].status_label == "Answered"
    at.button(key=f"floor.hide.{question.id}").click().run()
    assert floor.questions(db, admin, workshop.id)[0].status == "hidden"
    assert workshops.get_workshop(db, workshop.id).floor_spotlight_id is None
    assert any(e.label.startswith("Hidden (1)") for e in at.expander)
    assert ("Questions from the floor (CSV)", f"/exports/workshop/{workshop.id}/questions.csv") in (
        download_links(at)
    )


def test_questions_can_be_turned_off_and_moderation_on_mid_session(app, admin, db, shipped_content):
    at, workshop = _create_with_questions(app, admin, db, moderated=False)
    at.toggle(key=f"floor.moderated.{workshop.id}").set_value(True).run()
    assert workshops.get_workshop(db, workshop.id).floor_moderated
    at.toggle(key=f"floor.on.{workshop.id}").set_value(False).run()
    assert not at.exception
    assert not workshops.get_workshop(db, workshop.id).floor_questions


def test_a_room_without_questions_shows_only_the_switches(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    at.selectbox[0].select("case:kaiser-permanente")
    at.main.button[0].click().run()
    assert not at.exception
    assert any(h.value == "Questions from the floor" for h in at.header)
    assert "Questions from the floor (CSV)" not in [label for label, _ in download_links(at)]


def test_a_switch_follows_a_change_made_elsewhere_and_never_writes_its_old_position_back(
    app, admin, db, shipped_content
):
    at, workshop = _create_with_questions(app, admin, db, moderated=False)
    # Another tab (or a second facilitator) turns moderation on; this page reruns.
    workshops.change_settings(db, admin, workshop.id, floor_moderated=True)
    at.run()
    assert at.toggle(key=f"floor.moderated.{workshop.id}").value is True
    at.run()
    assert workshops.get_workshop(db, workshop.id).floor_moderated
    # Flipping it here still works, once.
    at.toggle(key=f"floor.moderated.{workshop.id}").set_value(False).run()
    assert not workshops.get_workshop(db, workshop.id).floor_moderated
    assert at.toggle(key=f"floor.moderated.{workshop.id}").value is False
