"""The room while people read 10 MB files on "Your data": does one user's upload slow it?

Runs bench/workshop_load.py's workshop (a real server, N phones over the room's HTTP API) and,
on the same server at the same time, K Chromium pages (Playwright, Debian's Chromium) that each
sign in as a learner and upload a 10 MB CSV to "Your data", then another, until the workshop
ends. Two files take turns, so that each upload is read afresh. `--uploads 0` gives the room
alone. Prints the room's latencies and the uploads' times; results in docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Runnable as `python bench/NAME.py` as well as `python -m bench.NAME`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from typing import Any

from bench.workshop_load import Server, drive, pctl

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench upload quince forty-seven"
# Copies of the A&E rows in each file: 280,830 rows, 9.6 MB, just under both upload bounds.
COPIES = 22
CHROMIUM = os.environ.get("CARELAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DRAWN = "[data-testid=stVegaLiteChart] svg, [data-testid=stVegaLiteChart] canvas"
PROBLEMS = "[data-testid=stAlertContentError]"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


# The two files name their last column differently, so that a page shows which one it read.
LAST_COLUMNS = ("admissions", "admitted")


def big_csvs(folder: Path) -> list[Path]:
    """Two different files of 9.6 MB, shaped like a big real one: NHS England's A&E rows copied
    to 8 times the providers (2,192) over 9 years (108 months)."""
    lines = (REPO / "data" / "ae_attendances.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",", 2) for line in lines[1:]]
    files = []
    for variant in (0, 1):
        out = [lines[0].replace("admissions", LAST_COLUMNS[variant])]
        for copy in range(COPIES):
            years, suffix = 3 * (copy % 3), f"{variant}{copy // 3}"
            out += [f"{int(p[:4]) + years}{p[4:]},{code}-{suffix},{rest}" for p, code, rest in rows]
        path = folder / f"upload-{variant}.csv"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        files.append(path)
    return files


def add_learner(server: Server, number: int) -> str:
    """An account made as an operator would, on the server's database; return its email."""
    email = f"uploader-{number}@example.org"
    env = {**os.environ, "CARELAB_DB": str(server.db)}
    subprocess.run(
        [sys.executable, "-m", "carelab", "user", "add", email, "--name", f"Uploader {number}",
         "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, check=True, env=env, cwd=REPO, capture_output=True,
    )  # fmt: skip
    return email


class Uploaders(threading.Thread):
    """K browser pages uploading in turn until told to stop; each upload's time is kept."""

    def __init__(self, server: Server, count: int, files: list[Path], chromium: Path) -> None:
        super().__init__(daemon=True)
        self.server, self.count, self.files, self.chromium = server, count, files, chromium
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.seconds: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=self.chromium, args=["--disable-gpu", "--disable-dev-shm-usage"]
            )
            pages = [await self._signed_in(browser, n) for n in range(self.count)]
            self.ready.set()
            await asyncio.gather(
                *(self._upload_until_stopped(page, n) for n, page in enumerate(pages))
            )
            await browser.close()

    async def _signed_in(self, browser: Any, number: int) -> Any:
        email = await asyncio.to_thread(add_learner, self.server, number)
        page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
        page.set_default_timeout(120_000)
        await page.goto(f"{self.server.url}/sign-in")
        await page.get_by_role("tabpanel").get_by_label("Email").fill(email)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_text("Signed in as").wait_for()
        await page.goto(f"{self.server.url}/your-data")
        await page.locator("[data-testid=stFileUploader] input[type=file]").wait_for(
            state="attached"
        )
        return page

    async def _upload_until_stopped(self, page: Any, number: int) -> None:
        turn = number
        while not self.stop.is_set():
            variant = turn % len(self.files)
            turn += 1
            started = time.perf_counter()
            await page.set_input_files(
                "[data-testid=stFileUploader] input[type=file]", str(self.files[variant])
            )
            read = page.get_by_text(re.compile(f"columns: .*{LAST_COLUMNS[variant]}$"))
            try:
                await page.locator(f"{PROBLEMS}").or_(read).first.wait_for()
                await page.locator(IDLE).wait_for()
            except Exception as exc:  # a bench reports what went wrong and goes on
                self.failures.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            if await page.locator(PROBLEMS).count():
                self.failures.append(await page.locator(PROBLEMS).first.inner_text())
                continue
            await page.locator(DRAWN).first.wait_for()
            self.seconds.append(time.perf_counter() - started)


def nice_chromium(folder: Path) -> Path:
    """Chromium at nice 19: in real use the browsers run on people's own machines, so here they
    should take only CPU the server and the phones leave over."""
    wrapper = folder / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n 19 "{CHROMIUM}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def run(participants: int = 200, steps: int = 5, seed: int = 1, uploads: int = 3) -> dict[str, Any]:
    """Start a server; run K uploaders and one workshop of N phones together; stop it."""
    random.seed(seed)
    budget = 120 + participants / 50 + steps * (40 + participants / 20)
    with tempfile.TemporaryDirectory() as folder, Server(Path(folder)) as server:
        files = big_csvs(Path(folder))
        uploaders = Uploaders(server, uploads, files, nice_chromium(Path(folder)))
        if uploads:
            uploaders.start()
            if not uploaders.ready.wait(180):
                raise RuntimeError("the upload pages did not get ready in 3 minutes")
        started = time.perf_counter()
        room = asyncio.run(
            asyncio.wait_for(drive(server, participants, steps, seed, 3.0, 50.0), budget)
        )
        uploaders.stop.set()
        if uploads:
            uploaders.join(300)
        return {
            "uploads": uploads,
            "file_mb": round(files[0].stat().st_size / 1e6, 1),
            "uploads_done": len(uploaders.seconds),
            "upload_s": pctl([s * 1000 for s in uploaders.seconds]),
            "upload_failures": uploaders.failures[:5],
            "wall_s": round(time.perf_counter() - started, 1),
            **{k: room[k] for k in ROOM_MEASURES},
        }


ROOM_MEASURES = (
    "participants", "joined", "answer_to_saved_ms", "answer_to_dashboard_ms", "step_to_phone_ms",
    "join_ms", "cpu_percent", "rss_mb", "lost", "duplicated", "errors",
)  # fmt: skip


def main() -> None:
    """Run the room with `--uploads K` 10 MB uploads at once (0: the room alone)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args, _ = parser.parse_known_args()  # run_all passes its own arguments through
    if args.uploads and not Path(CHROMIUM).exists():
        print(f"## upload_load: skipped, no Chromium at {CHROMIUM}")
        return
    result = run(args.participants, args.steps, args.seed, args.uploads)
    if args.json:
        print(json.dumps({"bench": "upload_load", **result}), flush=True)
        return
    print("## upload_load")
    for key, value in result.items():
        print(f"  {key:<24} {json.dumps(value) if isinstance(value, (dict, list)) else value}")


if __name__ == "__main__":
    main()
