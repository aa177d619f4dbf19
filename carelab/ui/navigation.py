"""Which pages each user sees, and the sidebar's sign-in status."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from carelab import accounts
from carelab.auth import User
from carelab.content.text import escape_markdown
from carelab.learning import review_services
from carelab.ui import state
from carelab.ui.components import auth_handoff

PAGES = Path(__file__).parent / "pages"
CASE_READER = PAGES / "case_reader.py"
MODULE_PLAYER = PAGES / "module_player.py"
VERIFY = PAGES / "verify.py"


def _page(
    name: str, title: str, icon: str, url: str, default: bool = False, hidden: bool = False
) -> st.Page:
    visibility = "hidden" if hidden else "visible"
    return st.Page(
        PAGES / f"{name}.py",
        title=title,
        icon=icon,
        url_path=url,
        default=default,
        visibility=visibility,
    )


def pages_for(user: User | None) -> dict[str, list[st.Page]]:
    """Return the navigation sections this user may see; pages re-check roles themselves.

    The setup page is in no menu: only the first-run link the server prints
    (/setup?token=...) opens it.
    """
    sections: dict[str, list[st.Page]] = {
        "Learn": [
            _page("catalogue", "Catalogue", ":material/menu_book:", "catalogue", default=True),
            _page("module_player", "Modules", ":material/school:", "module"),
            _page("case_reader", "Case studies", ":material/article:", "case"),
            _page("verify", "Verify a certificate", ":material/verified:", "verify"),
            _page("setup", "Set up CareLab", ":material/key:", "setup", hidden=True),
        ],
        "Indicator Lab": [
            _page("indicator_lab", "Simulated lab", ":material/science:", "lab"),
            _page("your_data", "Your data", ":material/upload_file:", "your-data"),
            _page("lab_monitoring", "Monitoring over time", ":material/monitoring:", "monitoring"),
            _page("lab_regression", "Regression to the mean", ":material/trending_down:", "rtm"),
        ],
    }
    if user is None:
        sections["Account"] = [_page("sign_in", "Sign in", ":material/login:", "sign-in")]
        return sections
    sections["Learn"].insert(
        1, _page("my_learning", "My learning", ":material/dashboard:", "my-learning")
    )
    sections["Learn"].insert(2, _page("review", review_label(user), ":material/repeat:", "review"))
    sections["Account"] = [_page("account", "My account", ":material/person:", "account")]
    if user.can("facilitator"):
        sections["Workshops"] = [
            _page("facilitate", "Facilitate", ":material/groups:", "facilitate"),
            _page("projector", "Projector", ":material/cast:", "projector"),
        ]
    if user.can("author"):
        sections["Account"].append(
            _page("authoring", "Authoring", ":material/edit_note:", "authoring")
        )
        sections["Account"].append(_page("reports", "Reports", ":material/insights:", "reports"))
    if user.can("admin"):
        sections["Administration"] = [
            _page("admin", "Users and content", ":material/admin_panel_settings:", "admin")
        ]
    return sections


def review_label(user: User) -> str:
    """The label of Review, with the number of questions due now if any: "Review (3)"."""
    due = review_services.due_count(user, state.catalog())
    return f"Review ({due})" if due else "Review"


def open_verify_link(page: st.Page) -> None:
    """Send a certificate's printed link (/?verify=CODE) on to /verify?verify=CODE.

    The Verify page keeps its own address, so reloading or sharing it works; the default
    page's address is /, and a default Verify page would have made /verify "Page not found".
    """
    code = st.query_params.get("verify")
    if code and page.url_path == "":
        st.switch_page(VERIFY, query_params={"verify": code})


def sidebar(user: User | None) -> None:
    """Show who is signed in, with a sign-out button."""
    with st.sidebar:
        if user is None:
            st.caption("Not signed in. Sign in to save your progress.")
            return
        name = escape_markdown(user.display_name)
        st.caption(f"Signed in as **{name}** ({', '.join(sorted(user.roles))})")
        if st.button("Sign out", key="nav.sign_out", icon=":material/logout:"):
            sign_out()


def sign_out() -> None:
    """End the session on the server now, then have the browser drop its cookie."""
    accounts.sign_out(state.session_cookie())
    st.session_state[state.USER_KEY] = None
    st.info("You are signed out.")
    auth_handoff.post_sign_out()
