"""First run: print a one-time setup link on the server's console, as Jupyter and Grafana do.

While the database has no administrator, each server start makes a new setup token (only
its SHA-256 is stored; the previous link stops working) and prints the link that creates
the first administrator. Whoever can read the console runs the server, so only they can
claim it: a stranger who reaches a fresh install first cannot. Once there is an
administrator nothing is printed.
"""

from __future__ import annotations

import sys

from streamlit import config as st_config
from streamlit.web.server import server_util

from carelab import accounts


def base_url() -> str:
    """The server's address as Streamlit prints it: the configured one, else localhost.

    A page knows the address the browser used (state.origin); at start-up there is no
    browser yet, so this follows Streamlit's own choice for its "URL:" line.
    """
    if st_config.is_manually_set("browser.serverAddress"):
        host = st_config.get_option("browser.serverAddress")
    else:
        host = st_config.get_option("server.address") or "localhost"
        if host in {"0.0.0.0", "::"} or host.startswith("unix://"):  # noqa: S104
            host = "localhost"
    return server_util.get_url(host)


def setup_link(token: str) -> str:
    """The link that opens the setup page with `token`."""
    return f"{base_url()}/setup?token={token}"


def announce_setup_link() -> str | None:
    """If there is no administrator yet, print a new one-time setup link; return it."""
    token = accounts.new_setup_token()
    if token is None:
        return None
    link = setup_link(token)
    print(
        "\n  CareLab has no administrator yet. Open this link to create one (it works once;"
        "\n  each start prints a new one until an administrator exists):"
        f"\n\n    {link}\n"
        "\n  Or from the shell: carelab user add you@example.org --role admin\n",
        file=sys.stdout,
        flush=True,
    )
    return link
