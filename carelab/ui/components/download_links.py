"""Download links to CareLab's own export routes, drawn like buttons.

Streamlit's download button keeps a file it makes on click in a store that any session's
rerun may sweep before the browser fetches it (see carelab/web/export_routes.py); on a
page that redraws itself every few seconds that lost downloads. These links fetch from a
route that makes the file when asked. Labels and addresses are CareLab's own, escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import streamlit as st


def download_links(links: Sequence[tuple[str, str]], group_label: str) -> None:
    """Draw one download link per (label, url), in a labelled row that wraps on a phone."""
    items = "".join(
        f'<a class="carelab-download" href="{html.escape(url)}" download>{html.escape(label)}</a>'
        for label, url in links
    )
    st.html(
        f'<div class="carelab-downloads" role="group" aria-label="{html.escape(group_label)}">'
        f"{items}</div>"
    )
