"""axe-core in a Playwright page: run the WCAG 2.1 A/AA rules and report what CareLab causes.

axe-core comes from the npm registry, pinned in tests/axe/package-lock.json and installed by
`make test` (`npm ci --prefix tests/axe`) into tests/axe/node_modules, which git ignores.
Without it the accessibility tests skip with the reason; under CARELAB_REQUIRE_BROWSER=1 (CI)
they fail instead.

axe checks colour contrast only for text inside the visible part of Streamlit's scroll
container (the main block scrolls, not the document), so `scan` runs every rule once at the
top and then `color-contrast` again on each screenful of the main block, to cover the whole
page. Violations that Streamlit's own markup causes, not CareLab's, are excused only by
STREAMLIT_MARKUP below: a named rule on nodes inside a named element, each with its reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.conftest import REPO

AXE_JS = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = ("serious", "critical")
MAIN = "[data-testid=stMain]"
SNIPPET = 160  # characters of a node's HTML in a message
SHOWN = 4  # nodes shown per rule in a message
OVERLAP = 120  # pixels each screenful of the main block shares with the one before


@dataclass(frozen=True)
class Excused:
    """One violation that Streamlit's markup causes: `rule` on nodes inside `within`."""

    rule: str
    within: str
    reason: str
    upstream: str


# Streamlit draws sectioned st.navigation as one <ul> whose section headers are <div>s
# between the <li>s, so the list holds more than list items (`list`) and axe then takes
# the <li>s as outside a list (`listitem`). CareLab does not write this markup. No
# upstream issue about this markup was found with the search tools (December 2026); the
# nearest is Streamlit's general accessibility issue.
_NAV = 'ul[data-testid="stSidebarNavItems"]'
_NAV_REASON = "Streamlit's sectioned sidebar navigation puts section <div>s inside its <ul>"
_NAV_UPSTREAM = "none found; nearest: https://github.com/streamlit/streamlit/issues/8399"
STREAMLIT_MARKUP = (
    Excused("list", _NAV, _NAV_REASON, _NAV_UPSTREAM),
    Excused("listitem", _NAV, _NAV_REASON, _NAV_UPSTREAM),
)


def require_axe() -> None:
    """Skip (locally) or fail (in CI) when axe-core has not been installed."""
    if AXE_JS.exists():
        return
    why = f"axe-core is not installed at {AXE_JS.relative_to(REPO)}: run `make test`"
    if os.environ.get("CARELAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{why}; CI requires the accessibility tests")
    pytest.skip(f"{why} (npm ci --prefix tests/axe)")


def _inject(page: Page) -> None:
    if page.evaluate("typeof window.axe") != "undefined":
        return
    try:
        page.add_script_tag(path=str(AXE_JS))
    except PlaywrightError as error:
        # The room page's Content-Security-Policy forbids inline scripts (rightly); the
        # script then goes in through the DevTools protocol, which that policy leaves alone.
        if "Content Security Policy" not in str(error):
            raise
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))


def run(page: Page, rules: tuple[str, ...] = (), within: str | None = None) -> list[dict]:
    """Run axe on the page as it is now (only `rules`, only `within`, if given); return its
    violations."""
    _inject(page)
    only = {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": TAGS}
    return page.evaluate(
        "([only, within]) => axe.run(within ? {include: [within]} : document,"
        " {runOnly: only, resultTypes: ['violations']}).then(r => r.violations)",
        [only, within],
    )


def _settle(page: Page) -> None:
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _scroll(page: Page, top: int) -> None:
    page.evaluate("([sel, top]) => document.querySelector(sel)?.scrollTo(0, top)", [MAIN, top])
    _settle(page)


def scan(page: Page, whole_page: bool = True) -> list[dict]:
    """All rules at the top of the page, then colour contrast on each screenful of the main
    block below it (unless `whole_page` is false)."""
    _scroll(page, 0)
    found = {v["id"]: v for v in run(page)}
    if not whole_page:
        return list(found.values())
    height, window = page.evaluate(
        "sel => { const m = document.querySelector(sel);"
        " return m ? [m.scrollHeight, m.clientHeight] : [0, 0]; }",
        MAIN,
    )
    # Overlap the screenfuls by more than Streamlit's top bar (60 px), which covers the top
    # of each: a line under the bar in one screenful is whole in the one before.
    step = max(window - OVERLAP, 200)
    for top in range(step, max(height - window, 0) + step, step):
        _scroll(page, top)
        for violation in run(page, ("color-contrast",), MAIN):
            known = found.setdefault(violation["id"], {**violation, "nodes": []})
            seen = {json.dumps(n["target"]) for n in known["nodes"]}
            known["nodes"] += [n for n in violation["nodes"] if json.dumps(n["target"]) not in seen]
    _scroll(page, 0)
    return list(found.values())


def _excused(page: Page, violation: dict) -> list[bool]:
    """For each node of a violation: is it excused as Streamlit's markup?"""
    within = [e.within for e in STREAMLIT_MARKUP if e.rule == violation["id"]]
    if not within:
        return [False] * len(violation["nodes"])
    targets = [n["target"] for n in violation["nodes"]]
    return page.evaluate(
        "([targets, within]) => targets.map(t => t.length === 1 && typeof t[0] === 'string'"
        " && !!document.querySelector(t[0])"
        " && within.some(w => document.querySelector(t[0]).closest(w) !== null))",
        [targets, within],
    )


def carelab_violations(page: Page, violations: list[dict]) -> list[dict]:
    """The serious and critical violations, less the nodes excused as Streamlit's markup."""
    kept = []
    for violation in violations:
        if violation.get("impact") not in BLOCKING:
            continue
        excused = _excused(page, violation)
        nodes = [n for n, ok in zip(violation["nodes"], excused, strict=True) if not ok]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def describe(state: str, violation: dict) -> str:
    """A violation as lines a person can act on: rule, impact, nodes, HTML, axe's message."""
    nodes = violation["nodes"]
    lines = [
        f"{state}: {violation['id']} ({violation['impact']}), {len(nodes)} node(s): "
        f"{violation['help']}"
    ]
    for node in nodes[:SHOWN]:
        html = " ".join(node["html"].split())
        html = html if len(html) <= SNIPPET else html[: SNIPPET - 1] + "…"
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    at {', '.join(map(str, node['target']))}")
        lines.append(f"       {html}")
        lines.append(f"       {summary.removeprefix('Fix any of the following: ')}")
    if len(nodes) > SHOWN:
        lines.append(f"    … and {len(nodes) - SHOWN} more")
    return "\n".join(lines)


def problems(page: Page, state: str, whole_page: bool = True) -> list[str]:
    """Scan the page; one readable entry per serious or critical violation CareLab causes."""
    require_axe()
    return [describe(state, v) for v in carelab_violations(page, scan(page, whole_page))]


def assert_accessible(page: Page, state: str, whole_page: bool = True) -> None:
    """Fail the test if the page has a serious or critical violation caused by CareLab."""
    found = problems(page, state, whole_page)
    if found:
        pytest.fail("axe found serious or critical violations:\n" + "\n".join(found))
