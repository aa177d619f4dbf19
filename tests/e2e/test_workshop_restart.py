"""A workshop survives its server being killed, and then stopped, mid-session, on SQLite
and on PostgreSQL.

Its own server (temporary database, fixed port). A facilitator in the browser starts the
workshop and three phones answer a 1-5 scale. Then the server dies (SIGKILL, as in a crash)
and starts again on the same port and database: every answer is still counted, the phones
notice, reconnect by themselves and show their answer without a reload, and the
facilitator's page reconnects and moves the room to the next question, which the phones
answer. Then the same with a normal stop (SIGTERM, as `make run` on Ctrl+C or a deploy).

With phones connected, a SIGTERM stop must not wait for their streams (up to 25 s): the
room ends them when the signal arrives (carelab.room.hub.stop_on_exit_signals).
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

import tests.e2e.waits  # noqa: F401 - sets the generous limit for every expect()
from tests.e2e.conftest import ServerProcess, shot, wait_for_app
from tests.e2e.workshop_room import (
    ACK,
    CHOICE_STEP,
    CHOICE_TITLE,
    SCALE_STEP,
    TALK_STEP,
    TALK_TITLE,
    Host,
    Phone,
    counts,
)

pytestmark = pytest.mark.browser

SCALE_TITLE = "Do we know our outcomes?"
SCALE_ANSWERS = ["2", "3", "4"]  # the middle points: their labels are just the number
CHOICE_ANSWERS = [
    "Lilley's community team",
    "Different designs for different patients",
    "Lilley's community team",
]
# Far below the 25 s a stream could otherwise hold the server (STREAM_SECONDS), and
# roomy enough for a busy test machine: measured stops take well under a second.
STOP_LIMIT_SECONDS = 10
RECONNECTING = "Reconnecting…"


@pytest.fixture(params=["sqlite", "postgresql"])
def own_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The server, on SQLite and then on PostgreSQL (a new database on the test server)."""
    env = {}
    if request.param == "postgresql":
        env["CARELAB_DB"] = request.getfixturevalue("postgres_url")
    server = ServerProcess(tmp_path_factory.mktemp("restart"), env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop(signal.SIGKILL)


def test_a_workshop_goes_on_after_its_server_is_killed_and_then_stopped(
    browser: Browser, own_server: ServerProcess
):
    url = own_server.url
    host = Host(browser, url)
    phones = [Phone(browser, url, f"Nick-{i}") for i in range(len(SCALE_ANSWERS))]
    try:
        code = host.create_workshop("Restart drill")
        wid = host.workshop_id
        host.go_to(SCALE_STEP, SCALE_TITLE)
        host.click("Open answering")
        for phone, value in zip(phones, SCALE_ANSWERS, strict=True):
            phone.join(code)
            phone.expect_step(SCALE_STEP, SCALE_TITLE)
            phone.choose(value)
            phone.send()
            expect(phone.status).to_have_text(ACK)
            phone.mark()
        scale = counts(url, wid, SCALE_STEP)
        assert scale == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0}

        # A crash: the answers, the phones and the facilitator's page all come through.
        restart(own_server, host, phones, signal.SIGKILL, SCALE_STEP, SCALE_TITLE)
        assert counts(url, wid, SCALE_STEP) == scale
        for phone, value in zip(phones, SCALE_ANSWERS, strict=True):
            expect(phone.page.get_by_role("radio", name=value, exact=True)).to_be_checked()
            expect(phone.status).to_have_text(ACK)
        host.go_to(CHOICE_STEP, CHOICE_TITLE)
        host.click("Open answering")
        for phone, option in zip(phones, CHOICE_ANSWERS, strict=True):
            phone.expect_step(CHOICE_STEP, CHOICE_TITLE)
            phone.answer(option)
        choice = dict(Counter(CHOICE_ANSWERS)) | {"Porter's condition team": 0, "Not sure": 0}
        assert counts(url, wid, CHOICE_STEP) == choice

        # A normal stop, promptly although phones are connected; then the same again.
        restart(own_server, host, phones, signal.SIGTERM, CHOICE_STEP, CHOICE_TITLE)
        assert counts(url, wid, SCALE_STEP) == scale
        assert counts(url, wid, CHOICE_STEP) == choice
        for phone, option in zip(phones, CHOICE_ANSWERS, strict=True):
            expect(phone.page.get_by_label(option, exact=True)).to_be_checked()
            expect(phone.status).to_have_text(ACK)
        host.go_to(TALK_STEP, TALK_TITLE)
        for phone in phones:
            phone.expect_step(TALK_STEP, TALK_TITLE)
            assert phone.was_not_reloaded()
    finally:
        for phone in phones:
            phone.close()
        host.context.close()


def restart(
    server: ServerProcess,
    host: Host,
    phones: list[Phone],
    how: signal.Signals,
    step: int,
    title: str,
) -> None:
    """Stop the server with `how`, see the phones notice, start it again, see all reconnect."""
    try:
        seconds = server.stop(how, timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{how.name}: the server took over {STOP_LIMIT_SECONDS} s to stop")
    print(f"{how.name} with {len(phones)} phones and a facilitator: stopped in {seconds:.2f} s")
    for phone in phones:
        expect(phone.page.get_by_text(RECONNECTING)).to_be_visible()
    shot(phones[0].page, f"restart-phone-down-{how.name}")
    server.start()
    for phone in phones:
        expect(phone.page.get_by_text(RECONNECTING)).to_have_count(0)
        phone.expect_step(step, title)
        assert phone.was_not_reloaded()
    wait_for_app(host.page)
    host.expect_step(step, title)
