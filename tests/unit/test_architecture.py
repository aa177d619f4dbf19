"""House rules: Streamlit only in the UI, SQL only in the store."""

from __future__ import annotations

import re

from tests.conftest import REPO

STREAMLIT = re.compile(r"^\s*(import streamlit|from streamlit)", re.MULTILINE)
SQL = re.compile(r"\.execute\(|\bSELECT\b.*\bFROM\b|INSERT INTO|BEGIN IMMEDIATE|DELETE FROM")


def python_files(folder: str):
    return sorted((REPO / folder).rglob("*.py"))


def test_only_the_ui_imports_streamlit():
    offenders = [
        str(p.relative_to(REPO))
        for p in python_files("carelab")
        if STREAMLIT.search(p.read_text()) and "carelab/ui/" not in p.as_posix()
    ]
    assert offenders == []


def test_only_the_store_writes_sql():
    offenders = [
        str(p.relative_to(REPO))
        for p in python_files("carelab")
        if SQL.search(p.read_text()) and "carelab/store/" not in p.as_posix()
    ]
    assert offenders == []


# The one file allowed raw HTML: it sends CareLab's own constant <style> block, built from
# colour constants at import time, with no text from users or content in it.
OWN_CSS = REPO / "carelab/ui/components/theme.py"


def test_no_page_renders_raw_html_from_content():
    for page in python_files("carelab/ui"):
        if page.resolve() == OWN_CSS.resolve():
            continue
        assert "unsafe_allow_html" not in page.read_text(), page


def test_the_style_block_is_a_constant():
    from carelab.ui.components import theme

    # Nothing but a module constant reaches unsafe_allow_html, and it holds only CSS.
    assert "st.markdown(CSS, unsafe_allow_html=True)" in OWN_CSS.read_text()
    assert OWN_CSS.read_text().count("unsafe_allow_html") == 1
    body = theme.CSS.strip()
    assert body.startswith("<style>") and body.endswith("</style>")
    assert body.count("<") == 2


def test_scripts_run_only_from_the_two_files_that_build_them():
    # Both send constant JavaScript; focus.py puts in only a validated key and a nonce.
    allowed = {"carelab/ui/components/auth_handoff.py", "carelab/ui/components/focus.py"}
    found = {
        str(page.resolve().relative_to(REPO))
        for page in python_files("carelab/ui")
        if "unsafe_allow_javascript" in page.read_text()
    }
    assert found == allowed


def test_the_core_knows_the_database_only_as_the_stores_connection():
    # Issue 13's boundary: sqlite-utils and its Database type belong to carelab/store/.
    outside = [page for page in python_files("carelab") if "carelab/store/" not in page.as_posix()]
    assert outside
    for page in outside:
        text = page.read_text()
        assert "sqlite_utils" not in text, page
        assert not re.search(r"(?<![\w.])Database\b(?!Unavailable|Busy)", text), page


def _module_name(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(body):
    # What runs at import time, and type-only imports too: a cycle hidden behind
    # `if TYPE_CHECKING:` is still two modules that each need the other.
    import ast

    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try | ast.With):
            handlers = [h.body for h in getattr(node, "handlers", [])]
            blocks = (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", []))
            for block in (*blocks, *handlers):
                yield from _module_level_imports(block)


def carelab_imports() -> dict[str, set[str]]:
    """Each carelab module and the carelab modules its module-level imports name."""
    import ast

    paths = {_module_name(p): p for p in python_files("carelab")}
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        needs = set()
        for node in _module_level_imports(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                needs.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from carelab.content import gift` needs the module gift, not the package.
            for alias in node.names:
                needs.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base)
        graph[name] = {other for other in needs if other in paths and other != name}
    return graph


def test_carelab_modules_import_each_other_without_a_cycle():
    import graphlib

    graph = carelab_imports()
    assert len(graph) > 100 and graph["carelab.cli"] >= {"carelab.content.gift"}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError("import cycle: " + " -> ".join(exc.args[1])) from None


def test_pages_never_see_the_store_or_a_connection():
    # The pages call the core's services, which open their own connections and return
    # dataclasses: no page imports the store, opens a connection or types one.
    pages = [*python_files("carelab/ui"), REPO / "app.py", REPO / "server.py"]
    store_import = re.compile(r"^\s*(from carelab\.store|import carelab\.store)", re.MULTILINE)
    for page in pages:
        text = page.read_text()
        assert not store_import.search(text), page
        assert "sqlite_utils" not in text and "Connection" not in text, page
        assert "state.database(" not in text, page
