"""Buttons on a page that re-reads itself every few seconds, made so that every press counts.

Facilitate re-reads the room in fragments that rerun every 2 and 3 seconds. A facilitator
using it as a remote must never press Next or Approve and see nothing happen. Measured in
Chromium against Streamlit 1.67 (docs/facilitator.md, "Buttons and the live refresh"):
presses made soon after the previous one were lost on buttons whose key changed with the
state they changed: 4 of 310 in a minimal app (callbacks keyed by their label, as the
questions panel's `floor.open.7` became `floor.answered.7`), and on Facilitate 3 of 125,
all on the quiz scoring button (`quiz.on` became `quiz.off`). With keys that name the
button's place, 0 of 250 in the minimal app, and 0 of 105 on Facilitate with this helper.
So every action button on a live page follows two rules, kept here in one place:

1. The action is the button's on_click callback. Streamlit runs callbacks before the script
   or fragment draws again, so the run a press starts already shows its result, and the
   press acts whether or not that run draws the same button.
2. The key names the button's place (this question's status button), never its state or
   label, so a press lands on a widget Streamlit has known since earlier runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from carelab.errors import CareLabError
from carelab.ui.errors import shown_as_message


def _run(action: Callable[[], object]) -> None:
    with shown_as_message():
        action()


def action_button(
    label: str,
    key: str,
    action: Callable[[], object],
    *,
    where: Any = st,
    disabled: bool = False,
    **options: Any,
) -> None:
    """A button (in `where`, the page by default) whose press runs `action` as its callback.

    `key` must not change with the button's label or with the state it changes; an error
    the action raises is shown as a message.
    """
    where.button(label, key=key, on_click=_run, args=(action,), disabled=disabled, **options)


def _apply_toggle(key: str, stored: bool, apply: Callable[[bool], object]) -> None:
    wanted = bool(st.session_state[key])
    try:
        apply(wanted)
    except CareLabError as exc:
        st.session_state[key] = stored  # the switch shows what is true, not what was asked
        st.error(str(exc), icon=":material/error:")
    else:
        st.session_state[f"{key}.stored"] = wanted


def setting_toggle(
    label: str,
    key: str,
    stored: bool,
    apply: Callable[[bool], object],
    *,
    where: Any = st,
    **options: Any,
) -> None:
    """A switch for a stored setting: it shows the stored value and a flip calls `apply`.

    Same rules as action_button (a callback, a key that names its place). And when the
    setting changes elsewhere (another tab, another facilitator, an admin), the switch
    follows it, instead of keeping its old position and writing that back on the next run.
    """
    if st.session_state.get(f"{key}.stored") != stored:
        st.session_state[key] = stored
        st.session_state[f"{key}.stored"] = stored
    where.toggle(label, key=key, on_change=_apply_toggle, args=(key, stored, apply), **options)
