"""Keep the learner's place: after a step change, the step heading is at the top and has focus.

Streamlit keeps the main block's scroll offset across reruns and lets focus fall to <body>
when the button that was pressed is redrawn, so after Next the new step opened scrolled
down with its title out of sight (the 0.4 audit measured the heading at -96 px). A small
script, run once after a step change, scrolls Streamlit's main block so the heading sits at
the top and focuses it, as a screen reader user expects after moving to a new "page".

`st.html(..., unsafe_allow_javascript=True)` runs its script in the app's own document (a
`components.v1.html` iframe would have to reach into its parent). Streamlit re-runs the
script only when the HTML changes, so each request carries a fresh nonce. The only values
put into the script are server-made: a checked container key and a random nonce.
"""

from __future__ import annotations

import json
import re
import uuid

import streamlit as st

PENDING = "player.focus_heading"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")

# Waits (bounded) for the heading, scrolls it to the top of Streamlit's main block, below
# the app's fixed header, and focuses it. When the run ends, stale elements from the old
# step are removed and the page may get shorter, so it puts the heading back in place then
# if focus is still on it.
_SCRIPT = """<script>
(() => {
  const selector = %(selector)s, nonce = %(nonce)s;
  const app = () => document.querySelector('[data-testid="stApp"]');
  const place = (heading) => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return;
    const header = document.querySelector('[data-testid="stHeader"]');
    const top = (header ? header.getBoundingClientRect().bottom : 0) + 8;
    main.scrollTop += heading.getBoundingClientRect().top - top;
  };
  let tries = 0;
  const find = () => {
    const heading = document.querySelector(selector);
    if (!heading) {
      if (++tries < 200) setTimeout(find, 25);
      return;
    }
    heading.setAttribute("tabindex", "-1");
    heading.dataset.carelabFocus = nonce;
    place(heading);
    heading.focus({ preventScroll: true });
    const settle = () => {
      const done = app() && app().dataset.testScriptState === "notRunning";
      if (!done) {
        if (++tries < 400) setTimeout(settle, 25);
        return;
      }
      if (document.activeElement === heading) place(heading);
    };
    settle();
  };
  find();
})();
</script>"""


def ask_to_focus_heading() -> None:
    """Ask the page's next run to bring its step heading to the top and focus it."""
    st.session_state[PENDING] = True


def heading_key(index: int) -> str:
    """The container key that holds the heading of step `index` (server-made, never content)."""
    return f"player-step-{index}"


def focus_heading_if_asked(key: str, level: int = 2) -> None:
    """If a step change asked for it, move to the heading inside container `key` and focus it."""
    if not st.session_state.pop(PENDING, False):
        return
    if not _KEY.fullmatch(key) or level not in range(1, 7):
        raise ValueError(f"not a container key made by the player: {key!r}")
    selector = json.dumps(f".st-key-{key} h{level}")
    st.html(
        _SCRIPT % {"selector": selector, "nonce": json.dumps(uuid.uuid4().hex)},
        unsafe_allow_javascript=True,
    )
