"""The presenter screen as the load bench sees it: one stream, every view noted with its time.

`workshop_load.py --presenter` keeps one of these connected through a run, as a projector
would, and measures answer -> presenter screen: for each step, the k-th phone to answer
(in the order the core stamped first answers) is on the screen at the first view of that
step saying `answered >= k`. The latency runs from that phone's first acknowledgement.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx2 as httpx

from carelab.workshop.presenter import presenter_path

TOKEN_HEADER = "X-Presenter-Token"
now = time.perf_counter


class PresenterScreen:
    """A projector holding the presenter stream, reconnecting on `renew` as the page does."""

    def __init__(self, client: httpx.AsyncClient, code: str, token: str) -> None:
        self.client, self.code, self.token = client, code, token
        self.views: list[tuple[float, int, int, bool]] = []  # (when, step, answered, results)
        self.errors = 0
        self.renews = 0
        self.ended = False

    async def open_page(self) -> None:
        """GET the page once, as the projector's browser does."""
        response = await self.client.get(presenter_path(self.code))
        if response.status_code != 200:
            self.errors += 1

    async def run(self) -> None:
        """Follow the stream until the workshop ends (or the task is cancelled)."""
        await self.open_page()
        while not self.ended:
            try:
                event = await self._read()
            except httpx.HTTPError:
                event = "error"
            if event == "renew":
                self.renews += 1
            elif not self.ended:
                self.errors += event != "ended"
                await asyncio.sleep(1.0)

    async def _read(self) -> str:
        timeout = httpx.Timeout(10.0, read=45.0)
        async with self.client.stream(
            "GET",
            "/room/api/presenter/stream",
            params={"code": self.code},
            headers={TOKEN_HEADER: self.token},
            timeout=timeout,
        ) as response:
            if response.status_code != 200:
                return "error"
            event, data = "message", ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "" and data:
                    if event == "view":
                        self.note(json.loads(data))
                    elif event in ("renew", "gone"):
                        self.ended = self.ended or event == "gone"
                        return event
                    event, data = "message", ""
        return "ended" if self.ended else "closed"

    def note(self, view: dict[str, Any]) -> None:
        """Remember when a view arrived and what it said."""
        self.ended = bool(view["ended"])
        results = view.get("results") is not None
        self.views.append((now(), view["step_index"], view["answered"], results))

    def shown_at(self, step: int, answered: int) -> float | None:
        """When the screen first showed `step` with at least `answered` answers (or None)."""
        for when, index, count, _ in self.views:
            if index == step and count >= answered:
                return when
        return None


def answer_to_screen_ms(
    screen: PresenterScreen, first_stamps: dict[tuple[int, int], float], acks: dict[Any, Any]
) -> list[float]:
    """Milliseconds from each first answer's acknowledgement to the screen counting it.

    `first_stamps` maps (step, participant number) to the core's first_answered_at; `acks`
    maps the same keys to the phone's Ack (perf_counter times).
    """
    by_step: dict[int, list[tuple[float, int]]] = {}
    for (step, number), stamp in first_stamps.items():
        by_step.setdefault(step, []).append((stamp, number))
    latencies = []
    for step, stamped in by_step.items():
        for rank, (_, number) in enumerate(sorted(stamped), start=1):
            ack = acks.get((step, number))
            shown = screen.shown_at(step, rank)
            if ack is not None and shown is not None:
                latencies.append(max(0.0, (shown - ack.acked) * 1000))
    return latencies
