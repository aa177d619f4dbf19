"""Administration: accounts and roles, and every authoring problem in the content."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carelab import accounts, auth
from carelab.content.text import escape_markdown
from carelab.ui import state
from carelab.ui.components import lti_admin
from carelab.ui.components.xapi_admin import xapi_section
from carelab.ui.errors import require_role, shown_as_message

admin = require_role(state.current_user(), "admin")
st.title("Users and content")
if flash := st.session_state.pop("admin.flash", None):
    st.success(flash, icon=":material/check_circle:")

st.header("Users and roles", anchor=False)
users = accounts.users()
table = pd.DataFrame(
    {
        "Name": [u.display_name for u in users],
        "Email": [u.email for u in users],
        "Roles": [", ".join(u.roles) for u in users],
        "Joined": [datetime.fromtimestamp(u.created_at, UTC).date() for u in users],
    }
)
# On a phone the table scrolls sideways with the name in view.
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"Name": st.column_config.TextColumn(pinned=True)})  # fmt: skip

by_id = {u.id: u for u in users}
chosen = st.selectbox(
    "Change the roles of",
    list(by_id),
    format_func=lambda i: f"{by_id[i].display_name} <{by_id[i].email}>",
    key="admin.user",
)
with st.form("admin.roles"):
    wanted = {
        role: st.checkbox(role.capitalize(), value=role in by_id[chosen].roles)
        for role in auth.GRANTABLE_ROLES
    }
    saved = st.form_submit_button("Save roles")
if saved:
    changes = {role: on for role, on in wanted.items() if on != (role in by_id[chosen].roles)}
    with shown_as_message():
        accounts.set_roles(admin, chosen, changes)
        st.session_state["admin.flash"] = f"Roles saved for {escape_markdown(by_id[chosen].email)}."
        st.rerun()

st.header("Authoring problems", anchor=False)
catalog = state.catalog()
modules, cases = len(catalog.modules), len(catalog.cases)
st.caption(
    f"Content folder: `{catalog.root}` · {modules} {'module' if modules == 1 else 'modules'} "
    f"and {cases} {'case' if cases == 1 else 'cases'} in the catalogue"
)
if catalog.errors:
    count = len(catalog.errors)
    st.error(
        f"{count} {'problem' if count == 1 else 'problems'} found. Items with problems are "
        "held back from the catalogue until they are fixed; everything else is served."
    )
    st.code("\n".join(str(e) for e in catalog.errors), language=None, wrap_lines=True)
else:
    st.success("No authoring problems: every module and case file is valid.")

lti_admin.section(admin)
xapi_section()
