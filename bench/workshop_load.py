"""A live workshop room under load: N phones on real CareLab servers, over HTTP.

Starts `streamlit run server.py` on a free port with a fresh database (SQLite, or with
`--backend postgres` a fresh PostgreSQL; `--servers N` starts N servers behind HAProxy
with carelab.cluster and sends every request through HAProxy), creates a
facilitator and a workshop through the core on the same file, and drives N simulated
phones as the room page does: join (50 a second by default), open the page, read the
state, hold the SSE stream (reconnecting on `renew`), and answer 0.3-3 s after a step
opens; ~20% change their answer and ~10% reload (drop the stream, GET the state, reopen
it). The facilitator moves through the answerable steps, waits for the room, locks,
reveals and moves on. A separate thread does what the facilitator's live fragment does,
every ~100 ms, and notes when each answer is first counted. After the run every
acknowledged answer is checked against the database. Traffic goes to 127.0.0.1 only,
and every wait is bounded. Results: docs/performance.md."""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import math
import random
import resource
import secrets
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from bench.presenter_screen import PresenterScreen, answer_to_screen_ms
from bench.room_servers import ClusterServers, FreshPostgres, Sampler, Server
from carelab.auth import User
from carelab.store import accounts
from carelab.store import db as store_db
from carelab.store import workshops as store
from carelab.workshop import aggregate, presenter, workshops
from carelab.workshop.steps import WorkshopStep

REPO = Path(__file__).resolve().parent.parent
GROUP = 25  # phones sharing one HTTP client (each client has its own connection pool)
WORDS = ("hand", "hygiene", "handover", "checklist", "escalation", "sepsis", "audit", "team")
now = time.perf_counter


def pctl(values: list[float]) -> dict[str, float | int]:
    """p50, p95 (nearest rank), max and n of a list of milliseconds."""
    if not values:
        return {"p50": None, "p95": None, "max": None, "n": 0}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)

    return {"p50": rank(0.5), "p95": rank(0.95), "max": round(ordered[-1], 1), "n": len(ordered)}


def load(samples: list[float]) -> dict[str, float | None]:
    """Mean and max of CPU% samples."""
    if not samples:
        return {"mean": None, "max": None}
    return {"mean": round(sum(samples) / len(samples), 1), "max": round(max(samples), 1)}


def bench_steps(count: int) -> list[WorkshopStep]:
    """A text step to gather on, then `count` answerable steps cycling through every mode."""
    options = ("Ward round", "Handover", "Discharge", "Clinic")
    kinds = [
        dict(mode="single", options=options, answer={"options": [1]}, explanation="Handover."),
        dict(mode="multiple", options=options, answer={"options": [0, 1]}),
        dict(mode="scale", scale_low="Not at all", scale_high="Completely"),
        dict(mode="numeric", unit="%", answer={"value": 12.0, "tolerance": 2.0}),
        dict(mode="open"),
    ]
    steps = [WorkshopStep(id="welcome", kind="text", title="Welcome", prompt="Join now.")]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        steps.append(
            WorkshopStep(
                id=f"q{i + 1}",
                kind="poll",
                title=f"Question {i + 1}",
                prompt=f"Bench question {i + 1} ({kind['mode']})?",
                **kind,
            )
        )
    return steps


def answer_for(step: dict[str, Any], rng: random.Random) -> Any:
    """A value as the page's form sends it for this step's mode."""
    mode, count = step["mode"], len(step["options"])
    if mode == "single":
        return rng.randrange(count)
    if mode == "multiple":
        return sorted(rng.sample(range(count), rng.randint(1, count)))
    if mode == "scale":
        return rng.randint(1, 5)
    if mode == "numeric":
        return f"{rng.uniform(0, 30):.1f}"  # the page sends the input's text
    return " ".join(rng.sample(WORDS, 3))


# --- the facilitator's side --------------------------------------------------------------


class Dashboard(threading.Thread):
    """What the facilitator's live fragment does (connect, workshop, step, results), in a loop."""

    def __init__(self, path: Path, workshop_id: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.path, self.workshop_id, self.every = path, workshop_id, every
        self.stop = threading.Event()
        self.refresh_ms: list[float] = []
        self.counted: dict[tuple[int, int], float] = {}  # (step, participant) -> first seen
        self.failures = 0

    def run(self) -> None:
        """Refresh until stopped, timing each refresh."""
        while not self.stop.wait(self.every):
            start = now()
            try:
                with store_db.session(self.path) as db:
                    workshop = workshops.get_workshop(db, self.workshop_id)
                    workshops.step_at(db, workshop.id, workshop.current_step)
                    found = aggregate.results(db, workshop.id, workshop.current_step)
            except Exception:
                self.failures += 1
                continue
            done = now()
            self.refresh_ms.append((done - start) * 1000)
            for response in found.responses:
                self.counted.setdefault((found.step_index, response.participant_number), done)


class Facilitator:
    """A facilitator account and workshop, acting through carelab.workshop.workshops."""

    def __init__(self, path: Path, steps: list[WorkshopStep]) -> None:
        self.path = path
        with store_db.session(path) as db:
            store_db.migrate(db)
            email = f"bench-{secrets.token_hex(4)}@example.org"
            user_id = accounts.insert_user(db, email, "Bench", "x", time.time())
            accounts.grant_role(db, user_id, "facilitator", None, time.time())
            self.user = User(user_id, email, "Bench", frozenset({"learner", "facilitator"}))
            self.workshop = workshops.create_workshop(
                db, self.user, "Load bench", "module", "bench", steps
            )
            self.presenter_token = presenter.presenter_link(db, self.user, self.workshop.id)

    def do(self, action: Any, *args: Any, **kwargs: Any) -> workshops.Workshop:
        """Run one session action on this workshop with a fresh connection."""
        with store_db.session(self.path) as db:
            return action(db, self.user, self.workshop.id, *args, **kwargs)


# --- the phones ---------------------------------------------------------------------------


class Room:
    """What every phone shares: the join code, the think time, the counters and the dice."""

    def __init__(self, code: str, rng: random.Random, think: float) -> None:
        self.code, self.rng, self.think = code, rng, think
        self.errors: Counter[str] = Counter()
        self.join_ms: list[float] = []
        self.saved_ms: list[float] = []
        self.counts: Counter[str] = Counter()

    def error(self, what: str, exc_or_status: BaseException | int) -> None:
        """Count one failure by request and status or exception name."""
        kind = exc_or_status if isinstance(exc_or_status, int) else type(exc_or_status).__name__
        self.errors[f"{what}:{kind}"] += 1


@dataclass(frozen=True)
class Ack:
    """A phone's answer to one step: its first POST and 200 (perf_counter), and the last one."""

    sent: float
    acked: float
    answer: Any = None
    last_sent: float = 0.0  # wall clock, to compare with the time the core stamps
    last_acked: float = 0.0


class Phone:
    """One participant's phone, doing what the room's script (room/static/room.js) does."""

    def __init__(self, room: Room, client: httpx.AsyncClient) -> None:
        self.room, self.client = room, client
        self.device = secrets.token_hex(16)
        self.token = ""
        self.number: int | None = None
        self.seen: dict[int, float] = {}  # step -> when a state first showed it
        self.acked: dict[int, Ack] = {}  # step -> what the server acknowledged
        self.done: set[int] = set()
        self.ended = False
        self.live: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def ids(self) -> dict[str, str]:
        """The code and token query parameters of the state and stream requests."""
        return {"code": self.room.code, "p": self.token}

    async def join(self) -> bool:
        """POST /room/api/join, open the page, read the state and start the stream."""
        body = {"code": self.room.code, "nickname": "", "device": self.device}
        start = now()
        try:
            response = await self.client.post("/room/api/join", json=body)
        except httpx.HTTPError as exc:
            self.room.error("join", exc)
            return False
        if response.status_code != 201:
            self.room.error("join", response.status_code)
            return False
        self.room.join_ms.append((now() - start) * 1000)
        self.token = response.json()["token"]
        await self.open_page()
        self.live = asyncio.create_task(self.stream())
        return True

    async def open_page(self) -> None:
        """GET the participant page and then its state, as a load or reload does."""
        try:
            page = await self.client.get(f"/room/{self.room.code}", params={"p": self.token})
            if page.status_code != 200:
                self.room.error("page", page.status_code)
        except httpx.HTTPError as exc:
            self.room.error("page", exc)
        await self.resync()

    async def resync(self) -> None:
        """GET /room/api/state and apply it."""
        try:
            response = await self.client.get("/room/api/state", params=self.ids)
        except httpx.HTTPError as exc:
            self.room.error("state", exc)
            return
        if response.status_code == 200:
            self.apply(response.json())
        else:
            self.room.error("state", response.status_code)
            self.ended = self.ended or response.status_code == 404

    async def stream(self) -> None:
        """Hold the SSE stream: reconnect at once on `renew`, after a pause on errors."""
        fails = 0
        while not self.ended:
            try:
                event = await self._read_stream()
            except httpx.HTTPError as exc:
                event = "error"
                self.room.error("stream", exc)
            if event == "renew":
                self.room.counts["renews"] += 1
                fails = 0
                continue
            if event == "gone":
                self.ended = True
            elif not self.ended:  # an error, or a stream that ended without a word
                fails += 1
                await asyncio.sleep(min(2.0 * fails, 10.0))
                await self.resync()

    async def _read_stream(self) -> str:
        timeout = httpx.Timeout(10.0, read=45.0)  # heartbeats come every 15 s
        async with self.client.stream(
            "GET", "/room/api/stream", params=self.ids, timeout=timeout
        ) as response:
            if response.status_code != 200:
                self.room.error("stream", response.status_code)
                return "error"
            event, data = "message", ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "" and data:
                    if event == "state":
                        self.apply(json.loads(data))
                    elif event in ("renew", "gone"):
                        return event
                    event, data = "message", ""
        return "ended" if self.ended else "closed"

    def apply(self, state: dict[str, Any]) -> None:
        """React to a state as the page does: note a new step, answer it while it is open."""
        if state["ended"]:
            self.ended = True
            return
        self.number = state["participant"]["number"]
        index = state["step_index"]
        if index in self.seen:
            return
        self.seen[index] = now()
        if state["answering_open"] and state["step"]["mode"]:
            task = asyncio.create_task(self.take_part(index, state["step"]))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        else:
            self.done.add(index)

    async def take_part(self, index: int, step: dict[str, Any]) -> None:
        """Think, answer; maybe change the answer; maybe reload the page."""
        rng = self.room.rng
        try:
            await asyncio.sleep(rng.uniform(0.3, self.room.think))
            if await self.answer(index, answer_for(step, rng)) and rng.random() < 0.2:
                await asyncio.sleep(rng.uniform(0.3, self.room.think))
                changed = await self.answer(index, answer_for(step, rng))
                self.room.counts["changed"] += changed  # not `+= await`: that reads first
            if rng.random() < 0.1 and not self.ended:
                self.room.counts["reloads"] += 1
                if self.live is not None:
                    self.live.cancel()
                await self.open_page()
                self.live = asyncio.create_task(self.stream())
        finally:
            self.done.add(index)

    async def answer(self, index: int, value: Any) -> bool:
        """POST /room/api/answer, retrying twice on a dropped connection or a 5xx."""
        body = {"code": self.room.code, "p": self.token, "step_index": index, "value": value}
        for attempt in range(3):
            start, sent = now(), time.time()
            try:
                response = await self.client.post("/room/api/answer", json=body)
            except httpx.HTTPError as exc:
                self.room.error("answer", exc)
                await asyncio.sleep(1.0 + attempt)
                continue
            if response.status_code == 200:
                done = now()
                self.room.saved_ms.append((done - start) * 1000)
                first = self.acked.get(index, Ack(start, done))
                self.acked[index] = Ack(
                    first.sent, first.acked, response.json()["answer"], sent, time.time()
                )
                return True
            self.room.error("answer", response.status_code)
            if response.status_code < 500:
                return False
            await asyncio.sleep(1.0 + attempt)
        return False


# --- one run -------------------------------------------------------------------------------


async def drive(
    server: Server | ClusterServers,
    n: int,
    step_count: int,
    seed: int,
    think: float,
    join_rate: float,
    with_presenter: bool = False,
) -> dict[str, Any]:
    """Join N phones, run the steps, end the workshop; return the measures.

    With a presenter screen, one more client follows the presenter stream throughout, and
    each step's results are revealed as answering opens, so the screen draws live bars.
    """
    steps = bench_steps(step_count)
    host = await asyncio.to_thread(Facilitator, server.db, steps)
    room = Room(host.workshop.code, random.Random(seed), think)
    # uvicorn closes a connection idle for 5 s; a client reusing it just then gets a
    # ReadError (a browser silently retries those), so idle connections are dropped at 4 s.
    limits = httpx.Limits(
        max_connections=GROUP * 2 + 10, max_keepalive_connections=GROUP * 2, keepalive_expiry=4.0
    )
    timeout = httpx.Timeout(30.0)
    clients = [
        httpx.AsyncClient(base_url=server.url, limits=limits, timeout=timeout)
        for _ in range(math.ceil(n / GROUP))
    ]
    phones = [Phone(room, clients[i // GROUP]) for i in range(n)]
    screen: PresenterScreen | None = None
    screen_task: asyncio.Task[None] | None = None
    if with_presenter:
        screen_client = httpx.AsyncClient(base_url=server.url, timeout=timeout)
        clients.append(screen_client)
        screen = PresenterScreen(screen_client, host.workshop.code, host.presenter_token)
        screen_task = asyncio.create_task(screen.run())
    sampler, dashboard = Sampler(server.pids()), Dashboard(server.db, host.workshop.id)
    sampler.start()
    dashboard.start()
    lag: list[float] = []

    async def watch_loop() -> None:
        while True:
            start = now()
            await asyncio.sleep(0.1)
            lag.append((now() - start - 0.1) * 1000)

    watcher = asyncio.create_task(watch_loop())
    commits: dict[int, float] = {}
    try:
        joins = []
        for phone in phones:
            joins.append(asyncio.create_task(phone.join()))
            await asyncio.sleep(1 / join_rate)
        joined = [p for p, ok in zip(phones, await asyncio.gather(*joins), strict=True) if ok]
        await wait_until(lambda: all(0 in p.seen for p in joined), 60)
        for index in range(1, step_count + 1):
            await asyncio.to_thread(host.do, workshops.next_step, open_answering=True)
            commits[index] = now()
            if with_presenter:
                await asyncio.to_thread(host.do, workshops.reveal_results)

            def answered(i: int = index) -> bool:
                live = [p for p in joined if not p.ended]
                room_done = all(i in p.done for p in live)
                acked = [p.number for p in live if i in p.acked]
                return room_done and all((i, k) in dashboard.counted for k in acked)

            if not await wait_until(answered, 30 + n / 20):
                room.counts["step_timeouts"] += 1  # moved on without the whole room
            await asyncio.to_thread(host.do, workshops.lock_answering)
            await asyncio.to_thread(host.do, workshops.reveal_results)
            if steps[index].has_answer:
                await asyncio.to_thread(host.do, workshops.reveal_answer)
            await asyncio.sleep(2.0)
        await asyncio.to_thread(host.do, workshops.end_workshop)
        await wait_until(lambda: all(p.ended for p in joined), 30)
    finally:
        watcher.cancel()
        if screen_task is not None:
            screen_task.cancel()
        sampler.stop.set()
        dashboard.stop.set()
        for phone in phones:
            for task in [phone.live, *phone.tasks]:
                if task is not None:
                    task.cancel()
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
        sampler.join()
        dashboard.join()
    return measures(host, room, phones, commits, dashboard, sampler, lag, screen)


async def wait_until(ready: Any, timeout: float) -> bool:
    """Poll `ready()` every 100 ms until it is true or `timeout` seconds pass."""
    deadline = now() + timeout
    while not ready():
        if now() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


def measures(
    host: Facilitator,
    room: Room,
    phones: list[Phone],
    commits: dict[int, float],
    dashboard: Dashboard,
    sampler: Sampler,
    lag: list[float],
    screen: PresenterScreen | None = None,
) -> dict[str, Any]:
    """Latencies, resource use, and every acknowledged answer checked against the database."""
    with store_db.session(host.path) as db:
        rows = store.responses(db, host.workshop.id)
    stored = Counter((r["step_index"], r["participant_number"]) for r in rows)
    values = {(r["step_index"], r["participant_number"]): json.loads(r["answer"]) for r in rows}
    acked = {(i, p.number): a for p in phones for i, a in p.acked.items()}
    lost = sum(1 for key, a in acked.items() if values.get(key, ...) != a.answer)
    # The core stamps an answer on entry (after the server's queue, the threadpool and
    # connecting); it splits answer_to_saved into the wait before it and the work after.
    stamped = {(r["step_index"], r["participant_number"]): r["last_answered_at"] for r in rows}
    before = [(stamped[k] - a.last_sent) * 1000 for k, a in acked.items() if k in stamped]
    after = [(a.last_acked - stamped[k]) * 1000 for k, a in acked.items() if k in stamped]
    to_phone = [(p.seen[i] - t) * 1000 for p in phones for i, t in commits.items() if i in p.seen]
    counted = {
        key: (dashboard.counted[key], a) for key, a in acked.items() if key in dashboard.counted
    }
    to_dashboard = [max(0.0, (seen - a.acked) * 1000) for seen, a in counted.values()]
    sent_to_dashboard = [(seen - a.sent) * 1000 for seen, a in counted.values()]
    on_screen: dict[str, Any] = {}
    if screen is not None:
        firsts = {(r["step_index"], r["participant_number"]): r["first_answered_at"] for r in rows}
        on_screen = {
            "answer_to_presenter_ms": pctl(answer_to_screen_ms(screen, firsts, acked)),
            "presenter_views": len(screen.views),
            "presenter_errors": screen.errors,
        }
    return {
        "participants": len(phones),
        "joined": len(room.join_ms),
        "steps": len(commits),
        "join_ms": pctl(room.join_ms),
        "step_to_phone_ms": pctl(to_phone),
        "answer_to_saved_ms": pctl(room.saved_ms),
        "answer_until_core_ms": pctl(before),
        "answer_core_to_saved_ms": pctl(after),
        "answer_to_dashboard_ms": pctl(to_dashboard),
        "sent_to_dashboard_ms": pctl(sent_to_dashboard),
        "dashboard_refresh_ms": pctl(dashboard.refresh_ms),
        "cpu_percent": load(sampler.cpu["server"]),
        "cpu_percent_by_part": {
            part: load(sampler.cpu[part]) for part in ("carelab", "haproxy", "postgres")
            if part in sampler.cpu
        },
        "rss_mb": round(max(sampler.rss, default=0), 1),
        "client_cpu_percent": load(sampler.cpu["client"]),
        "other_cpu_percent": load(sampler.cpu["other"]),
        "client_loop_lag_ms": pctl(lag),
        "answers_acked": len(acked),
        "answers_changed": room.counts["changed"],
        "reloads": room.counts["reloads"],
        "renews": room.counts["renews"],
        "step_timeouts": room.counts["step_timeouts"],
        "missed_steps": sum(1 for p in phones if p.token) * len(commits) - len(to_phone),
        "never_counted": sum(1 for key in acked if key not in dashboard.counted),
        "lost": lost,
        "duplicated": sum(c - 1 for c in stored.values() if c > 1),
        "stored_unacked": sum(1 for key in stored if key not in acked),
        "errors": dict(sorted(room.errors.items())),
        "dashboard_failures": dashboard.failures,
        **on_screen,
    }  # fmt: skip


def run(participants: int = 200, steps: int = 5, seed: int = 1, think: float = 3.0,
        join_rate: float = 50.0, servers: int = 1,
        backend: str = "sqlite", with_presenter: bool = False) -> dict[str, Any]:  # fmt: skip
    """Start the servers, run one workshop with `participants` phones, stop everything.

    One server is reached directly; two or more only through HAProxy (carelab.cluster),
    which needs PostgreSQL. Each run has a fresh database (and a fresh PostgreSQL).
    """
    if servers > 1 and backend != "postgres":
        raise SystemExit("several servers share one database: use --backend postgres")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = participants * 6 + 1024  # our sockets and, inherited, the server's
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    budget = 120 + participants / join_rate + steps * (40 + participants / 20)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        target: Server | ClusterServers
        if backend == "postgres":
            postgres = stack.enter_context(FreshPostgres())
            if servers > 1:
                target = stack.enter_context(ClusterServers(folder, servers, postgres))
            else:
                target = Server(folder, postgres.url)
                target.postgres = postgres
                stack.enter_context(target)
        else:
            target = stack.enter_context(Server(folder))
        started = now()
        result = asyncio.run(
            asyncio.wait_for(
                drive(target, participants, steps, seed, think, join_rate, with_presenter),
                budget,
            )
        )
        result = {"servers": servers, "backend": backend, "presenter": with_presenter, **result}
        result["wall_s"] = round(now() - started, 1)
        return result


def main() -> None:
    """Run the room benchmark (`--participants N`, `--steps K`); --json prints one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=float, default=3.0, help="longest think time, s")
    parser.add_argument("--join-rate", type=float, default=50.0, help="phones joining per s")
    parser.add_argument("--servers", type=int, default=1, help="CareLab processes (2+: HAProxy)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--presenter", action="store_true", help="keep a presenter screen connected; reveal live"
    )
    parser.add_argument("--json", action="store_true")
    args, _ = parser.parse_known_args()  # run_all passes its own arguments through
    result = run(
        args.participants, args.steps, args.seed, args.think, args.join_rate,
        args.servers, args.backend, args.presenter,
    )  # fmt: skip
    if args.json:
        print(json.dumps({"bench": "workshop_load", **result}), flush=True)
        return
    print("## workshop_load")
    for key, value in result.items():
        print(f"  {key:<24} {json.dumps(value) if isinstance(value, dict) else value}")


if __name__ == "__main__":
    main()
