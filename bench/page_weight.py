"""Page weight of the catalogue and the Lab: bytes a first visit transfers, with and without
compression at the reverse proxy.

Streamlit (uvicorn under `st.App`) serves its static files uncompressed. This benchmark
starts CareLab, then nginx (`gzip on`) and Caddy (`encode zstd gzip`) in front of it when
they are installed, opens each page in Debian's Chromium with a cold cache, and sums the
bytes on the wire (the Chrome DevTools Protocol's `encodedDataLength`, headers included)
for HTTP, plus the websocket frames received. Medians of 3 cold visits; docs/deployment.md
has the results. Needs the test extra (Playwright) and Chromium; skips what is missing.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import report

PAGES = {"catalogue": "/", "lab": "/lab"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What nginx compresses: Streamlit's scripts, styles, JSON and SVG (woff2 and PNG already are).
NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    server {{
        listen 127.0.0.1:{port};
        gzip on;
        gzip_comp_level 6;
        gzip_min_length 1024;
        gzip_proxied any;
        gzip_vary on;
        gzip_types text/css application/javascript text/javascript application/json
                   image/svg+xml application/wasm;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        location / {{ proxy_pass http://127.0.0.1:{upstream}; proxy_read_timeout 1h; }}
    }}
}}
"""
CADDYFILE = """
{{
    admin off
    auto_https off
}}
http://127.0.0.1:{port} {{
    encode zstd gzip
    reverse_proxy 127.0.0.1:{upstream}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _start_nginx(workdir: Path, upstream: int) -> tuple[subprocess.Popen, int] | None:
    if not shutil.which("nginx"):
        return None
    port = _free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=workdir, port=port, upstream=upstream))
    process = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"])
    _wait_for_port(port)
    return process, port


def _start_caddy(workdir: Path, upstream: int) -> tuple[subprocess.Popen, int] | None:
    if not shutil.which("caddy"):
        return None
    port = _free_port()
    caddyfile = workdir / "Caddyfile"
    caddyfile.write_text(CADDYFILE.format(port=port, upstream=upstream))
    process = subprocess.Popen(
        ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port)
    return process, port


def _visit(browser: object, url: str) -> tuple[int, int, int]:
    """One cold visit: (HTTP bytes on the wire, websocket bytes received, requests)."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    finished: dict[str, float] = {}
    frames = [0]
    cdp.on(
        "Network.loadingFinished",
        lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: frames.__setitem__(0, frames[0] + len(e["response"]["payloadData"])),
    )
    page.goto(url, timeout=60_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    context.close()
    return int(sum(finished.values())), frames[0], len(finished)


def measure(base_urls: dict[str, str], repeats: int = 3) -> dict[str, float | int]:
    """Median bytes per page and route (direct, nginx, Caddy), over cold visits."""
    from playwright.sync_api import sync_playwright

    results: dict[str, float | int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        for route, base in base_urls.items():
            for name, path in PAGES.items():
                visits = [_visit(browser, base + path) for _ in range(repeats)]
                http = statistics.median(v[0] for v in visits)
                results[f"{name} {route} HTTP KB"] = round(http / 1024)
                results[f"{name} {route} websocket KB"] = round(
                    statistics.median(v[1] for v in visits) / 1024
                )
                results[f"{name} {route} requests"] = int(statistics.median(v[2] for v in visits))
        browser.close()
    for name in PAGES:
        direct = results[f"{name} direct HTTP KB"]
        for route in base_urls:
            if route != "direct":
                ratio = results[f"{name} {route} HTTP KB"] / max(1, direct)
                results[f"{name} {route} / direct"] = round(ratio, 2)
    return results


def main() -> None:
    """Serve CareLab, put the proxies that are installed in front, and weigh each page."""
    if not Path(CHROMIUM).exists():
        report("page weight", {"skipped: Chromium not installed": 0})
        return
    from tests.serving import ServerProcess

    workdir = Path(tempfile.mkdtemp(prefix="carelab-weight-"))
    server = ServerProcess(workdir / "carelab")
    server.start()
    proxies = []
    try:
        urls = {"direct": server.url}
        for route, start in (("nginx gzip", _start_nginx), ("Caddy zstd+gzip", _start_caddy)):
            started = start(workdir, server.port)
            if started:
                proxies.append(started[0])
                urls[route] = f"http://127.0.0.1:{started[1]}"
        report("page weight (first visit, cold cache)", measure(urls))
    finally:
        for process in proxies:
            process.terminate()
            process.wait(timeout=10)
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
