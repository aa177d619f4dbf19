"""Facilitator and projector pages under AppTest: create, pace, reveal, moderate, export."""

from __future__ import annotations

import re

from carelab import auth
from carelab.workshop import participants, workshops
from tests.app.conftest import download_links, run_page_as

FACILITATE = "carelab/ui/pages/facilitate.py"
PROJECTOR = "carelab/ui/pages/projector.py"


def test_learners_cannot_facilitate(app, learner):

    direct = run_page_as(FACILITATE, learner)
    assert direct.error[0].value == (
        "This page is for the facilitator role; your account does not have it."
    )


def test_create_pace_reveal_and_export(app, admin, db, shipped_content):
    at = app(user=admin, page=FACILITATE)
    assert not at.exception
    at.selectbox[0].select("case:kaiser-permanente")
    at.main.button[0].click().run()  # Create workshop (the form's submit button)
    assert not at.exception, at.exception
    [workshop] = workshops.list_workshops(db, admin)
    assert workshop.source_id == "kaiser-permanente" and workshop.anonymous
    assert any(f"Code: `{workshop.code}`" in m.value for m in at.markdown)
    # AppTest's address is localhost, which phones cannot reach: the page says so.
    assert any("phones cannot open it" in w.value for w in at.warning)
    assert at.subheader[0].value.startswith(f"Step 1 of {workshop.step_count}:")

    at.button(key="facilitate.Next →").click().run()
    at.button(key="facilitate.Open answering").click().run()
    workshop = workshops.get_workshop(db, workshop.id)
    assert workshop.current_step == 1 and workshop.answering_open

    phone = participants.join(db, workshop.code, "Sam", "127.0.0.1")
    step = workshops.step_at(db, workshop.id, 1)
    value = 0 if step.mode in {"single", "scale"} else ([0] if step.mode == "multiple" else "3")
    if step.mode == "scale":
        value = 4
    participants.answer(db, workshop.code, phone.token, 1, value)
    at.run()
    assert any("1 of 1 answered" in m.value for m in at.markdown)

    at.button(key="facilitate.Reveal results").click().run()
    assert workshops.get_workshop(db, workshop.id).results_revealed
    assert download_links(at) == [
        ("Every response (CSV)", f"/exports/workshop/{workshop.id}/responses.csv"),
        ("Summary (Markdown)", f"/exports/workshop/{workshop.id}/summary.md"),
        ("Summary (PDF)", f"/exports/workshop/{workshop.id}/summary.pdf"),
    ]


def test_a_localhost_facilitator_is_told_the_addresses_phones_can_use(
    app, admin, db, shipped_content, monkeypatch
):
    from carelab.web import addresses

    monkeypatch.setattr(addresses, "network_addresses", lambda: ["10.20.1.15", "fd00::2"])
    at = app(user=admin, page=FACILITATE)
    at.selectbox[0].select("case:kaiser-permanente")
    at.main.button[0].click().run()
    [warning] = [w.value for w in at.warning if "phones cannot open it" in w.value]
    # AppTest serves at localhost:8501 (the port comes from the address the browser used).
    assert "[http://10.20.1.15:8501](http://10.20.1.15:8501/" in warning
    assert "[http://[fd00::2]:8501](http://[fd00::2]:8501/" in warning
    assert "firewall must let them reach port 8501" in warning

    monkeypatch.setattr(addresses, "network_addresses", lambda: [])
    at.run()
    [warning] = [w.value for w in at.warning if "phones cannot open it" in w.value]
    assert "no network address now" in warning


def test_projector_hides_results_until_revealed(app, admin, db, shipped_content):
    from carelab.content.catalog import load_catalog
    from carelab.workshop.steps import steps_from_case
    from tests.conftest import REPO

    case = load_catalog(REPO).case("virginia-mason")
    made = workshops.create_workshop(db, admin, "VM", "case", case.id, steps_from_case(case))
    answerable = next(i for i, s in enumerate(workshops.workshop_steps_of(db, made.id)) if s.mode)
    workshops.go_to_step(db, admin, made.id, answerable, open_answering=True)
    at = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not at.exception
    assert at.title[0].value == "VM"
    assert "Results are hidden until the facilitator reveals them." in [c.value for c in at.caption]
    workshops.start_timer(db, admin, made.id, 90)
    at.run()
    assert re.fullmatch(r":material/timer: 1:(2\d|30) left to answer", at.subheader[-2].value)
    workshops.reveal_results(db, admin, made.id)
    at.run()
    assert not [c for c in at.caption if c.value.startswith("Results are hidden")]


def test_projector_for_someone_elses_workshop_is_refused(app, admin, db, shipped_content):
    other = auth.create_account(db, "fac@example.org", "correct horse battery", "Fac")
    auth.grant_role_as_operator(db, other.id, "facilitator")
    from carelab.workshop.steps import WorkshopStep

    made = workshops.create_workshop(
        db, admin, "Mine", "case", "x", [WorkshopStep(id="a", kind="text", title="Hello")]
    )
    at = app(user=auth.get_user(db, other.id), page=PROJECTOR, w=str(made.id))
    assert at.error[0].value.startswith("Open the projector from the Facilitate page")


def test_projector_shows_a_lab_vote_and_the_funnel_only_after_the_answer(app, admin, db):
    from carelab.content import schema

    lab = schema.LabStep(id="lab", kind="lab", title="Lab: small units", scenario="small-numbers")
    made = workshops.create_workshop(db, admin, "Lab room", "module", "m", [lab])
    step = workshops.step_at(db, made.id, 0)
    workshops.go_to_step(db, admin, made.id, 0, open_answering=True)
    phone = participants.join(db, made.code, "", "127.0.0.1")
    participants.answer(db, made.code, phone.token, 0, 0)
    at = app(user=admin, page=PROJECTOR, w=str(made.id))
    assert not at.exception, at.exception
    [hospitals] = at.table
    assert hospitals.value.iloc[:, 0].tolist() == list(step.options)
    assert not at.get("vega_lite_chart")  # no funnel, no vote counts yet
    assert "1 of 1 answered" in [s.value for s in at.subheader]

    workshops.reveal_results(db, admin, made.id)
    workshops.reveal_answer(db, admin, made.id)
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 2  # the vote's bars and the funnel plot
    truth = at.table[-1].value
    assert truth["True quality rank (1 = worst)"].tolist().count(1) == 1
    # Beside the truth, each hospital's place on the raw figures and shrunk (empirical Bayes).
    assert list(truth.columns[2:4]) == [
        "Place on raw figures (1 = worst)",
        "Place shrunk (1 = worst)",
    ]
    assert any(i.value.startswith("Simulated truth:") for i in at.info)


def test_a_past_workshops_results_open_again_step_by_step(app, admin, db):
    from carelab.content import schema

    poll = schema.PollStep(id="p", kind="poll", title="Ward", prompt="Which ward?",
                           options=["Medical", "Surgical"])  # fmt: skip
    talk = schema.DiscussionStep(id="d", kind="discussion", title="Talk", prompt="Talk.", minutes=5)
    scale = schema.PollStep(id="s", kind="poll", title="Confidence", prompt="How sure?",
                            mode="scale")  # fmt: skip
    made = workshops.create_workshop(db, admin, "Last week", "module", "m", [poll, talk, scale])
    phones = [participants.join(db, made.code, "", "127.0.0.1") for _ in range(3)]
    workshops.go_to_step(db, admin, made.id, 0, open_answering=True)
    for phone, choice in zip(phones, [1, 1, 0], strict=True):
        participants.answer(db, made.code, phone.token, 0, choice)
    workshops.go_to_step(db, admin, made.id, 2, open_answering=True)
    participants.answer(db, made.code, phones[0].token, 2, 4)
    workshops.end_workshop(db, admin, made.id)

    at = app(user=admin, page=FACILITATE, w=str(made.id))
    assert not at.exception, at.exception
    assert at.selectbox(key="facilitate.w").value == made.id
    assert "(ended)" in at.selectbox(key="facilitate.w").format_func(made.id)
    review = at.selectbox(key=f"facilitate.review.{made.id}")
    assert review.options == ["1. Ward", "3. Confidence"]  # only steps that took answers
    review.select(0).run()
    assert "Medical: 1 · Surgical: 2" in [m.value for m in at.markdown]
    assert any(m.value == "**3 of 3 answered**" for m in at.markdown)
