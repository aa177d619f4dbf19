"""The authoring page's "Download SCORM 1.2 package": a live module, zipped for any LMS."""

from __future__ import annotations

import streamlit as st

from carelab import config
from carelab.errors import CareLabError
from carelab.integration.scorm.package import build_package
from carelab.ui import state


def scorm_download() -> None:
    """Pick a live module and download it as a SCORM 1.2 package (docs/integration.md)."""
    st.subheader("SCORM 1.2 package", anchor=False)
    st.caption(
        "A module as a zip that any LMS (Moodle, Canvas, Blackboard, Totara) imports and runs "
        "without CareLab, reporting completion, score and time. It carries the text, "
        "questions, feedback and reflections; lab steps link to the live Indicator Lab here. "
        "`carelab export-scorm` makes the same file; docs/integration.md explains the upload."
    )
    catalog = state.catalog()
    modules = sorted(catalog.modules.values(), key=lambda m: m.title)
    if not modules:
        st.info("No module is live yet: fix its problems above and it can be exported.")
        return
    titles = {m.id: f"{m.title} ({m.id})" for m in modules}
    chosen = st.selectbox("Module", list(titles), format_func=titles.get, key="authoring.scorm")
    module = catalog.module(chosen)
    site = config.get("CARELAB_PUBLIC_URL") or state.origin()
    try:
        package = build_package(module, catalog.cases, site)
    except CareLabError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.download_button(
        "Download SCORM 1.2 package",
        data=package,
        file_name=f"{module.id}-{module.version}-scorm12.zip",
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
        key="authoring.scorm.download",
    )
