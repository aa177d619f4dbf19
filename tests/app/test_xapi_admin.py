"""The admin page's xAPI section: off, healthy, or failing with the error and 'Retry now'."""

from __future__ import annotations

import time

from carelab.store import xapi as store

ADMIN = "carelab/ui/pages/admin.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_with_no_lrs_the_section_says_xapi_is_off(app, admin, content_root):
    at = app(user=admin, page=ADMIN)
    assert not at.exception
    assert "xAPI learning records" in [h.value for h in at.header]
    assert any("Off: no Learning Record Store is configured" in c.value for c in at.caption)
    assert not at.metric


def test_failing_statements_show_the_error_and_retry_now_makes_them_due(
    app, admin, content_root, db, monkeypatch
):
    monkeypatch.setenv("CARELAB_XAPI_ENDPOINT", "https://lrs.example/xAPI/")
    monkeypatch.setenv("CARELAB_PUBLIC_URL", "https://carelab.example")
    now = time.time()
    store.enqueue(db, admin.id, [("a", "{}"), ("b", "{}"), ("c", "{}")], now)
    store.mark_sent(db, ["a"], now)
    claimed = store.claim(db, "server", now, lease=60, limit=5)
    error = "The LRS at https://lrs.example could not be reached (ConnectionRefusedError)."
    store.mark_failed(db, "server", [(c.id, now + 3600) for c in claimed], error, now)
    at = app(user=admin, page=ADMIN)
    assert not at.exception
    assert any("https://lrs.example" in c.value for c in at.caption)
    assert metrics(at) == {"Queued": "2", "Sent": "1", "Failing": "2"}
    assert at.warning[0].value.startswith("Last error, ")
    assert at.code[-1].value == error  # as plain text, not as Markdown
    at.button(key="admin.xapi_retry").click().run()
    assert not at.exception
    assert "2 xAPI statement(s) due now" in at.success[0].value
    assert len(store.claim(db, "server", time.time(), lease=60, limit=5)) == 2


def test_without_the_sites_address_the_admin_is_told_what_to_set(
    app, admin, content_root, monkeypatch
):
    monkeypatch.setenv("CARELAB_XAPI_ENDPOINT", "https://lrs.example/xAPI/")
    monkeypatch.delenv("CARELAB_PUBLIC_URL", raising=False)
    at = app(user=admin, page=ADMIN)
    assert "CARELAB_PUBLIC_URL is not set" in at.error[0].value
