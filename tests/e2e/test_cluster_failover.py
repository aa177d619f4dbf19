"""Kill one of two CareLab servers in the middle of a workshop: everybody carries on.

Two `streamlit run server.py` processes on one fresh PostgreSQL database, behind Debian's
HAProxy (carelab.cluster). Through HAProxy, in Chromium, a facilitator signs in with the
real form, starts a workshop and opens a 1-5 scale; a learner, in a second browser context
on the same server, answers a module's first quiz question. A phone page (390x844) and
twenty simulated phones over HTTP (half holding the event stream, half long-polling) join
and keep answering, each recording every answer the server acknowledged (200).

Then the server holding both Streamlit sessions is killed (SIGKILL) while the phones
answer. What people see: the facilitator's and the learner's pages reconnect by
themselves, through HAProxy, to the other server, without a reload, still signed in (the
cookie is checked against the database, not the dead process's memory); the learner's
answer is still there and the next one is saved; the phones carry on and every one gets
answers acknowledged after the kill; the facilitator moves the room on, and everyone
follows and answers; locking and revealing work. Last, every acknowledged answer is in
the database once, with the value last acknowledged, and the dashboard counts them all.

What Streamlit does (seen here with 1.67): when the websocket drops, the page pings the
server through HAProxy (which, the old server refusing, sends it to the other one and sets
the new affinity cookie) and opens a new websocket there; that server, knowing nobody by
the old session id, starts a new session. The page asks it for a run by itself only if a
run was under way or the page has a fragment that reruns on a timer (Facilitate's live
part does): the facilitator's page is redrawn at once, signed in from the cookie. An idle
page without one (the learner's) keeps showing what it showed, and is run on the new
server, with the browser's widget values and address, at the learner's next click.

Screenshots of the facilitator's page before the kill and after it came back are saved
in /tmp (failover-*.png).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

import tests.e2e.waits  # noqa: F401 - sets the generous limit for every expect()
from carelab.cluster import haproxy
from carelab.cluster.run import Cluster
from carelab.content import schema
from carelab.content.loader import load_yaml_file
from carelab.store import db as store_db
from carelab.store import workshops as store_workshops
from tests.conftest import REPO
from tests.e2e.conftest import wait_for_app
from tests.e2e.waits import WAIT_SECONDS, patient
from tests.e2e.workshop_room import (
    ACK,
    CHOICE_STEP,
    CHOICE_TITLE,
    LAPTOP,
    OPTIONS,
    SCALE_STEP,
    Host,
    Phone,
    add_account,
    counts_text,
    sign_in,
)
from tests.serving import serving_env

pytestmark = pytest.mark.browser

SCALE_TITLE = "Do we know our outcomes?"
HTTP_PHONES = 20
SHOTS = Path("/tmp")
MODULE_ID, QUIZ_ID = "teamwork", "quiz-integration"
AFFINITY = haproxy.AFFINITY_COOKIE
# HAProxy answers 502/503/504 for a request its server died under: the phone sends again.
NOT_ACKNOWLEDGED = {502, 503, 504}


@pytest.fixture
def cluster(postgres_url: str, tmp_path: Path) -> Iterator[Cluster]:
    """Two CareLab servers on a fresh PostgreSQL database, behind HAProxy."""
    try:
        haproxy.program()
    except RuntimeError as exc:
        why = f"{exc}: the failover test needs HAProxy"
        if os.environ.get("CARELAB_REQUIRE_BROWSER") == "1":
            pytest.fail(why)
        pytest.skip(why)
    # The workshop helpers run `carelab user add` and read the database by the address.
    with (
        Cluster(tmp_path / "cluster", servers=2, database_url=postgres_url) as running,
        serving_env(running.url, running.server_env()),
    ):
        yield running


# --- phones over HTTP ----------------------------------------------------------------------


class HttpPhone:
    """A phone without a browser: joins, follows the room, and answers as the page does.

    It follows by the event stream (`stream`) or by long polls (`wait`), reconnecting after
    any error, and sends an answer again until it is acknowledged, as a person whose phone
    said "Not sent" would. `acks` holds every acknowledged value, per step, in order.
    """

    def __init__(self, base: str, code: str, nickname: str, follow: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=40))
        self.code, self.nickname, self.follow = code, nickname, follow
        self.token = ""
        self.number = 0
        self.state: dict[str, Any] = {}
        self.acks: dict[int, list[Any]] = {}
        self.unacknowledged = 0  # answers sent again: the first try got no 200
        self.reconnects = 0
        self.closed = threading.Event()
        self._changed = threading.Condition()

    @property
    def ids(self) -> dict[str, str]:
        return {"code": self.code, "p": self.token}

    def join(self) -> None:
        """Join by the code, read the state, and start following the room."""
        joined = self.client.post(
            "/room/api/join", json={"code": self.code, "nickname": self.nickname}
        )
        assert joined.status_code == 201, joined.text
        self.token = joined.json()["token"]
        state = self.client.get("/room/api/state", params=self.ids)
        assert state.status_code == 200, state.text
        self.apply(state.json())
        self.number = self.state["participant"]["number"]
        threading.Thread(target=self._follow, name=f"follow-{self.nickname}", daemon=True).start()

    def apply(self, state: dict[str, Any]) -> None:
        with self._changed:
            if not self.state or state["version"] >= self.state["version"]:
                self.state = state
            self._changed.notify_all()

    def wait_for(self, holds: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Wait until the state this phone follows satisfies `holds`; return it."""
        with self._changed:
            if not self._changed.wait_for(lambda: holds(self.state), WAIT_SECONDS):
                raise AssertionError(f"{self.nickname} never saw it; last state {self.state}")
            return self.state

    def _follow(self) -> None:
        while not self.closed.is_set():
            try:
                self._stream() if self.follow == "stream" else self._long_poll()
                continue
            except httpx.HTTPError:
                pass
            if not self.closed.is_set():
                self.reconnects += 1
                self.closed.wait(0.5)  # pacing only, as the page's retry

    def _stream(self) -> None:
        event = ""
        with self.client.stream("GET", "/room/api/stream", params=self.ids) as response:
            if response.status_code != 200:
                raise httpx.HTTPError(f"stream: {response.status_code}")
            for line in response.iter_lines():
                if self.closed.is_set():
                    return
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "state":
                    self.apply(json.loads(line.removeprefix("data: ")))
                elif line.startswith("data: ") and event in ("renew", "gone"):
                    return
        raise httpx.HTTPError("the stream ended without renew")

    def _long_poll(self) -> None:
        params = {**self.ids, "version": str(self.state["version"])}
        response = self.client.get("/room/api/wait", params=params)
        if response.status_code == 200:
            self.apply(response.json())
        elif response.status_code != 204:
            raise httpx.HTTPError(f"wait: {response.status_code}")

    def answer(self, step: int, value: Any) -> None:
        """Send `value` for `step` until the server acknowledges it; record the answer."""
        body = {**self.ids, "step_index": step, "value": value}
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                response = self.client.post("/room/api/answer", json=body)
            except httpx.TransportError as exc:
                response, why = None, repr(exc)
            if response is not None and response.status_code not in NOT_ACKNOWLEDGED:
                break
            why = why if response is None else f"{response.status_code} {response.text}"
            assert time.monotonic() < deadline, f"{self.nickname}: never acknowledged: {why}"
            self.unacknowledged += 1
            time.sleep(0.2)  # pacing only, as a person pressing Send again
        assert response.status_code == 200, f"{self.nickname}: {response.text}"
        received = response.json()
        assert received["step_index"] == step and received["answer"] == value
        with self._changed:
            self.acks.setdefault(step, []).append(received["answer"])
            self._changed.notify_all()

    def close(self) -> None:
        self.closed.set()
        self.client.close()


def open_on(step: int) -> Callable[[dict[str, Any]], bool]:
    return lambda state: state["step_index"] == step and state["answering_open"]


def keep_answering(phone: HttpPhone, step: int, values: list[Any], stop: threading.Event) -> None:
    """Answer `step` again and again, cycling through `values`, until `stop` is set."""
    turn = 0
    while not stop.is_set():
        phone.answer(step, values[turn % len(values)])
        turn += 1
        stop.wait(0.15)  # pacing only: about a hundred answers a second from twenty phones


@contextmanager
def answering(phones: list[HttpPhone], step: int) -> Iterator[None]:
    """The phones keep changing their answer to a 1-5 `step` during the block."""
    stop = threading.Event()
    pool = ThreadPoolExecutor(len(phones))
    busy = [
        pool.submit(keep_answering, p, step, [1 + (i + k) % 5 for k in range(5)], stop)
        for i, p in enumerate(phones)
    ]
    try:
        yield
    finally:
        stop.set()
        pool.shutdown(wait=True)
        for done in busy:
            done.result()  # a phone that failed fails the test, with its reason


# --- the browser side ------------------------------------------------------------------------


def affinity(context: BrowserContext) -> str:
    """The server HAProxy pins this browser to (its CARELAB_SERVER cookie)."""
    return next((c["value"] for c in context.cookies() if c["name"] == AFFINITY), "")


def wait_for_affinity(context: BrowserContext, away_from: str) -> str:
    """Wait until HAProxy has pinned the browser to a server other than `away_from`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        now = affinity(context)
        if now and now != away_from:
            return now
        time.sleep(0.2)
    raise AssertionError(f"the browser stayed pinned to {away_from}: {context.cookies()}")


# Records every change of Streamlit's connection and script-run state, to see afterwards
# whether the page reconnected and ran again by itself.
WATCH_APP = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const seen = (window.carelabSeen = []);
  const note = () => seen.push(app.getAttribute('data-test-connection-state') + ' ' +
                               app.getAttribute('data-test-script-state'));
  new MutationObserver(note).observe(app, {attributes: true,
    attributeFilter: ['data-test-connection-state', 'data-test-script-state']});
  window.carelabNoReload = true;
}"""


# True once the page has lost its connection and then has `state` ("CONNECTED" for
# connected again, "CONNECTED running" for a run of the page after that).
AFTER_LOSS = """state => {
  const seen = window.carelabSeen, lost = seen.findIndex(s => !s.startsWith('CONNECTED'));
  return lost >= 0 && seen.slice(lost).some(s => s.startsWith(state));
}"""


def reconnected(page: Page, then: str = "CONNECTED") -> list[str]:
    """Wait until the page lost its connection and came back (to `then`), without a reload;
    return the connection and run states it went through."""
    page.wait_for_function(AFTER_LOSS, arg=then)
    assert page.evaluate("window.carelabNoReload === true"), "the page was reloaded"
    return page.evaluate("window.carelabSeen")


def screenshot(page: Page, name: str) -> Path:
    """The whole Streamlit page (its main block scrolls, so grow the window for the picture)."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 900), 6000)})
    path = SHOTS / f"failover-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def quiz() -> tuple[schema.QuizStep, list[str]]:
    """The module's first quiz and the right option of each of its first two questions."""
    doc = load_yaml_file(REPO / "modules" / f"{MODULE_ID}.yaml")
    module = schema.Module.model_validate(doc.data)
    step = next(s for s in module.steps if s.id == QUIZ_ID)
    assert isinstance(step, schema.QuizStep)
    questions = step.questions[:2]
    assert all(isinstance(q, schema.SingleChoice) for q in questions)
    return step, [next(o.text for o in q.options if o.correct) for q in questions]


def question_box(page: Page, number: int) -> Locator:
    heading = page.get_by_role("heading", name=f"Question {number}", exact=True)
    return page.locator("[data-testid=stVerticalBlock]").filter(has=heading).last


def check_answer(page: Page, number: int, option: str) -> Locator:
    """Choose `option` for question `number`, press Check and wait for the verdict."""
    box = question_box(page, number)
    box.get_by_role("radiogroup").get_by_text(option, exact=True).click()
    box.get_by_role("button", name="Check my answer").click()
    expect(box.get_by_text("Correct.", exact=True)).to_be_visible()
    wait_for_app(page)
    return box


def live_part(host: Host) -> Locator:
    """The Facilitate page's live part (it reruns every 2 s): the block with the step's title."""
    heading = host.page.get_by_role("heading", name=re.compile(r"^Step \d+ of \d+: "))
    return host.page.locator("[data-testid=stVerticalBlock]").filter(has=heading).last


def still_signed_in(page: Page) -> None:
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)


# --- the test --------------------------------------------------------------------------------


def test_killing_a_server_mid_workshop_loses_nobody_and_no_answer(
    browser: Browser, cluster: Cluster
):
    url = cluster.url
    host = Host(browser, url)  # signs in through HAProxy with the real form
    learner = browser.new_context(viewport=LAPTOP)
    phone = Phone(browser, url, "Pat")
    phones: list[HttpPhone] = []
    try:
        code = host.create_workshop("Failover drill")
        wid = host.workshop_id
        host.go_to(SCALE_STEP, SCALE_TITLE)
        host.click("Open answering")
        doomed = affinity(host.context)
        assert doomed in ("s1", "s2"), host.context.cookies()

        # The learner's browser is pinned to the same server, and is part-way through a module.
        learner.add_cookies([{"name": AFFINITY, "value": doomed, "url": url}])
        reader = patient(learner.new_page())
        sign_in(reader, url, add_account(cluster.server_env(), name="Lee Learner"))
        step, rights = quiz()
        reader.goto(f"{url}/module?id={MODULE_ID}&step={QUIZ_ID}")
        expect(reader.get_by_role("heading", name=step.title, level=2)).to_be_visible()
        wait_for_app(reader)
        check_answer(reader, 1, rights[0])
        assert affinity(learner) == doomed

        # The phones: one in Chromium, twenty over HTTP (half streaming, half long-polling).
        phone.join(code)
        phone.expect_step(SCALE_STEP, SCALE_TITLE)
        phone.answer("3")
        phone.mark()
        for i in range(HTTP_PHONES):
            phones.append(HttpPhone(url, code, f"P{i}", "stream" if i % 2 else "wait"))
            phones[-1].join()
        for p in phones:
            p.wait_for(open_on(SCALE_STEP))

        for page in (host.page, reader):
            page.evaluate(WATCH_APP)

        # The phones keep answering; the server holding both Streamlit sessions dies under them.
        with answering(phones, SCALE_STEP):
            for p in phones:
                p.wait_for(lambda _s, p=p: len(p.acks.get(SCALE_STEP, [])) >= 2)
            everyone = HTTP_PHONES + 1
            answered = f"{everyone} of {everyone} answered"
            expect(live_part(host).get_by_text(answered)).to_be_visible()
            screenshot(host.page, "1-before-kill")
            before = {p.nickname: len(p.acks[SCALE_STEP]) for p in phones}
            cluster.kill(doomed)
            killed_at = time.monotonic()

            # The phone page carries on: a changed answer is acknowledged.
            phone.choose("4")
            phone.send()
            expect(phone.status).to_have_text(ACK)

            # The facilitator's page comes back by itself on the other server, signed in.
            # Streamlit asks the new server for a run by itself because the page has a
            # fragment that reruns every 2 s; its live part then goes on there.
            survivor = wait_for_affinity(host.context, away_from=doomed)
            print("facilitator page:", reconnected(host.page, then="CONNECTED running"))
            wait_for_app(host.page)
            print(f"facilitator back on {survivor} after {time.monotonic() - killed_at:.1f} s")
            still_signed_in(host.page)
            host.expect_step(SCALE_STEP, SCALE_TITLE)

            # So does the learner's, with the earlier answer, and the next one is saved.
            # An idle page without such a fragment is not run again until the learner acts:
            # the next answer runs it on the new server, which has the first one too.
            assert wait_for_affinity(learner, away_from=doomed) == survivor
            print("learner page:", reconnected(reader))
            second = check_answer(reader, 2, rights[1])
            still_signed_in(reader)
            expect(
                second.get_by_text(re.compile(r"^Saved\. Your first answer scored"))
            ).to_be_visible()
            first = question_box(reader, 1)
            expect(first.get_by_role("radio", name=rights[0], exact=True)).to_be_checked()
            expect(first.get_by_text("Correct.", exact=True)).to_be_visible()
            print("learner page after the answer:", reconnected(reader, "CONNECTED running"))

            # Every HTTP phone has had answers acknowledged since the kill; then they stop.
            for p in phones:
                p.wait_for(lambda _s, p=p: len(p.acks[SCALE_STEP]) > before[p.nickname])
        states = cluster.server_states()
        assert states[doomed] != "UP" and states[survivor] == "UP", states

        # The dashboard counts every phone, each at its last acknowledged answer.
        final = Counter(str(p.acks[SCALE_STEP][-1]) for p in phones) + Counter({"4": 1})
        scale_line = " · ".join(f"{v}: {final.get(str(v), 0)}" for v in range(1, 6))
        expect(live_part(host).get_by_text(answered)).to_be_visible()
        expect(live_part(host).get_by_text(scale_line, exact=True)).to_be_visible()
        screenshot(host.page, "2-after-kill")

        # The facilitator moves the room on; everyone follows and answers; lock and reveal.
        host.go_to(CHOICE_STEP, CHOICE_TITLE)
        host.click("Open answering")
        phone.expect_step(CHOICE_STEP, CHOICE_TITLE)
        phone.answer(OPTIONS[1])
        with ThreadPoolExecutor(HTTP_PHONES) as pool:
            turns = [
                pool.submit(
                    lambda p=p, i=i: (
                        p.wait_for(open_on(CHOICE_STEP)),
                        p.answer(CHOICE_STEP, i % len(OPTIONS)),
                    )
                )
                for i, p in enumerate(phones)
            ]
            for done in turns:
                done.result()
        host.click("Lock answering")
        host.expect_status("locked", "hidden")
        host.click("Reveal results")
        host.expect_status("locked", "shown")
        chosen = Counter(OPTIONS[p.acks[CHOICE_STEP][-1]] for p in phones) + Counter(
            {OPTIONS[1]: 1}
        )
        expect(live_part(host).get_by_text(answered)).to_be_visible()
        expect(live_part(host).get_by_text(counts_text(chosen), exact=True)).to_be_visible()
        expect(phone.page.locator("#results")).to_be_visible()
        assert phone.was_not_reloaded()
        screenshot(host.page, "3-next-step")

        # In the database: every acknowledged answer once, with the value acknowledged last.
        with store_db.session(cluster.database_url) as db:
            rows = store_workshops.responses(db, wid)
        stored = Counter((r["participant_number"], r["step_index"]) for r in rows)
        assert max(stored.values()) == 1, stored
        found = {(r["participant_number"], r["step_index"]): json.loads(r["answer"]) for r in rows}
        acknowledged = {(p.number, s): values[-1] for p in phones for s, values in p.acks.items()}
        mine = httpx.get(f"{url}/room/api/state", params={"code": code, "p": phone.token})
        pat = mine.json()["participant"]["number"]
        acknowledged |= {(pat, SCALE_STEP): 4, (pat, CHOICE_STEP): OPTIONS.index(OPTIONS[1])}
        assert found == acknowledged
        print(
            f"{sum(len(v) for p in phones for v in p.acks.values())} answers acknowledged, "
            f"{sum(p.unacknowledged for p in phones)} sent again after no 200, "
            f"{sum(p.reconnects for p in phones)} phone reconnects"
        )
    finally:
        for p in phones:
            p.close()
        phone.close()
        learner.close()
        host.context.close()
