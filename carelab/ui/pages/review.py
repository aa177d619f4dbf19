"""Review: the questions due again, a short session one after another, and a calendar file."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from carelab.learning import review, review_services
from carelab.ui import state
from carelab.ui.components import review_session
from carelab.ui.errors import require_role

user = require_role(state.current_user(), "learner")
catalog = state.catalog()
st.title("Review")

run = review_session.current()
if run is not None:
    review_session.show(user, catalog, run)
    st.stop()

due = review_services.due_today(user, catalog)
if due.count:
    plural = "questions are" if due.count != 1 else "question is"
    st.markdown(f"**{due.count} {plural} due for review now.**")
    st.markdown("\n".join(f"- {m.title}: {m.count}" for m in due.modules))
    size = min(due.count, review.SESSION_SIZE)
    asks = "it" if due.count == 1 else ("them" if size == due.count else f"{size} of them")
    st.caption(
        f"A session asks {asks}, one after another, and saves each answer as you give it; "
        "you say how sure you are each time."
    )
    if st.button("Start review", type="primary", icon=":material/play_arrow:"):
        review_session.start(review_services.next_session(user, catalog))
        st.rerun()
elif due.queued:
    soonest = datetime.fromtimestamp(due.next_due or 0, UTC)
    st.success(
        f"Nothing is due now. {due.queued} question{'s' if due.queued != 1 else ''} "
        f"wait{'s' if due.queued == 1 else ''} in your queue; the next is due on "
        f"{soonest:%d %b %Y}.",
        icon=":material/check_circle:",
    )
else:
    st.info(
        "Your review queue is empty. When you complete a module, each question you got wrong "
        "the first time, or got right but said you were not sure of, comes back here for "
        "review a few days later.",
        icon=":material/info:",
    )

st.subheader("How review works", anchor=False)
st.markdown(
    "A question first comes back after 2 days. Each right answer given with medium or high "
    "confidence moves it on to the next wait (7, 21, then 60 days); a right answer given with "
    "low confidence keeps its wait; a wrong answer starts it again at 2 days. It leaves your "
    "queue after two right answers in a row given with medium or high confidence. Reviews "
    "never change your module scores or certificates."
)
if due.queued:
    st.download_button(
        "Add to my calendar (.ics)",
        review_services.calendar_file(user, catalog, f"{state.origin()}/review"),
        file_name="carelab-review.ics",
        mime="text/calendar",
        on_click="ignore",
        icon=":material/calendar_add_on:",
    )
    st.caption(
        "One all-day event for each day that has questions due, with a link back here. "
        "Download it again after a review for the new dates: each day's event keeps its "
        "identifier, so a calendar that honours it updates the day instead of adding it twice."
    )
