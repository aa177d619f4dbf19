"""Facilitate under AppTest: self-paced and scheduled creation, templates, duplicates, progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from carelab.workshop import participants, reuse, self_paced, workshops

FACILITATE = "carelab/ui/pages/facilitate.py"


def test_create_a_self_paced_scheduled_workshop_then_start_it(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    at.radio(key="facilitate.start_from").set_value("module").run()
    assert at.selectbox[0].options[0].startswith("Module: ")
    at.selectbox[0].select("module:coproduction")
    at.checkbox(key="facilitate.create.self_paced").check()
    at.checkbox(key="facilitate.create.later").check()
    day = date.today() + timedelta(days=3)
    at.date_input(key="facilitate.create.day").set_value(day)
    at.time_input(key="facilitate.create.time").set_value(time(14, 30))
    at.button[0].click().run()
    assert not at.exception, at.exception
    [made] = workshops.list_workshops(db, admin)
    assert made.self_paced and made.source_id == "coproduction"
    assert made.scheduled_for == datetime.combine(day, time(14, 30), UTC).timestamp()
    # The form forgets the schedule, so the next workshop is not scheduled by accident.
    assert at.checkbox(key="facilitate.create.later").value is False
    # The page lists it as upcoming, with its link, and says what phones see meanwhile.
    assert any("Upcoming workshops" in s.value for s in at.subheader)
    assert any(f"/room/{made.code}" in c.value for c in at.code)
    assert any("Scheduled for" in i.value and "14:30" in i.value for i in at.info)
    assert at.toggle(key=f"facilitate.self_paced.{made.id}").value is True
    at.button(key="facilitate.start_now").click().run()
    assert workshops.get_workshop(db, made.id).scheduled_for is None
    assert not any("Scheduled for" in i.value for i in at.info)


def test_a_start_in_the_past_is_refused_with_a_message(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    at.checkbox(key="facilitate.create.later").check()
    at.date_input(key="facilitate.create.day").set_value(date.today() - timedelta(days=1))
    at.button[0].click().run()
    assert not at.exception
    assert any("in the future" in e.value for e in at.error)
    assert workshops.list_workshops(db, admin) == []


def test_duplicate_save_as_template_and_start_from_it(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    at.selectbox[0].select("case:kaiser-permanente")
    at.button[0].click().run()
    [first] = workshops.list_workshops(db, admin)
    at.text_input(key=f"facilitate.copy_title.{first.id}").input("Kaiser, second group")
    at.button(key="facilitate.duplicate").click().run()
    assert not at.exception, at.exception
    copy = workshops.list_workshops(db, admin)[0]
    assert (copy.title, copy.copied_from) == ("Kaiser, second group", first.id)
    assert at.query_params["w"] == [str(copy.id)] or at.query_params["w"] == str(copy.id)

    at.text_input(key=f"facilitate.template_title.{copy.id}").input("Kaiser plan")
    at.button(key="facilitate.save_template").click().run()
    assert any("Saved the template “Kaiser plan”" in s.value for s in at.success)
    [template] = reuse.list_templates(db, admin)

    at.radio(key="facilitate.start_from").set_value("template").run()
    assert at.selectbox[0].options[0].startswith("Template: Kaiser plan")
    at.button[0].click().run()
    assert not at.exception, at.exception
    newest = workshops.list_workshops(db, admin)[0]
    assert newest.title == "Kaiser plan" and newest.step_count == first.step_count
    assert workshops.workshop_steps_of(db, newest.id) == workshops.workshop_steps_of(db, first.id)

    at.button(key=f"facilitate.template.delete.{template.id}").click().run()
    assert reuse.list_templates(db, admin) == []


def test_the_progress_panel_and_the_pacing_switch(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    at.selectbox[0].select("case:kaiser-permanente")
    at.checkbox(key="facilitate.create.self_paced").check()
    at.button[0].click().run()
    [room] = workshops.list_workshops(db, admin)
    ann = participants.join(db, room.code, "Ann", "ip")
    participants.join(db, room.code, "Bob", "ip")
    self_paced.move(db, room.code, ann.token, room.step_count - 1)
    at.run()
    assert any("0 of 2 finished" in m.value for m in at.markdown)
    texts = [p.proto.text for p in at.get("progress")]
    assert texts[0].startswith("1. ") and texts[0].endswith(": 2 of 2 reached")
    assert texts[-1].endswith("1 of 2 reached")
    at.toggle(key=f"facilitate.self_paced.{room.id}").set_value(False).run()
    assert not workshops.get_workshop(db, room.id).self_paced
    assert not at.get("progress")
