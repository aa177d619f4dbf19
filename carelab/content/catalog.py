"""The catalog: every module and case under a content root, with every authoring problem listed.

A bad file never takes the catalog down. Each file is loaded and validated on its own;
an item with any problem is held back and its problems are listed, and every good item
is served. References between files (a module's case step naming a case id, a lab step
naming an Indicator Lab scenario) are checked once all files are read.

An id used twice, links out of the content folder, and images and unsafe links in author
Markdown are dealt with by carelab.content.safety.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from carelab.content.loader import YamlDocument, YamlLoadFailed, load_yaml_file
from carelab.content.safety import (
    ItemKey,
    defused,
    folder_problems,
    modified_ns,
    outside,
    owners,
    readable,
)
from carelab.content.schema import Case, Module
from carelab.content.validate import validate_document
from carelab.errors import ContentError, NotFound

CONTENT_FOLDERS: dict[str, type[Module] | type[Case]] = {"modules": Module, "cases": Case}
WORDS_PER_MINUTE = 200

Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class CatalogEntry:
    """One line of the catalogue: enough to list, search and filter an item."""

    kind: str
    id: str
    title: str
    summary: str
    minutes: int
    tags: tuple[str, ...]
    path: str


@dataclass
class Catalog:
    """Validated modules and cases, the file each came from, and every problem found."""

    root: Path
    modules: dict[str, Module] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    paths: dict[tuple[str, str], str] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)

    def module(self, module_id: str) -> Module:
        """Return a module by id, or raise NotFound."""
        try:
            return self.modules[module_id]
        except KeyError:
            raise NotFound(f"There is no module '{module_id}' in the catalogue.") from None

    def case(self, case_id: str) -> Case:
        """Return a case by id, or raise NotFound."""
        try:
            return self.cases[case_id]
        except KeyError:
            raise NotFound(f"There is no case '{case_id}' in the catalogue.") from None

    def entries(self) -> list[CatalogEntry]:
        """Return every item as a catalogue entry: modules first, then cases, by title."""
        modules = [
            CatalogEntry(
                "module",
                m.id,
                m.title,
                m.summary,
                m.estimated_minutes,
                tuple(m.tags),
                self.paths[("module", m.id)],
            )
            for m in self.modules.values()
        ]
        cases = [
            CatalogEntry(
                "case",
                c.id,
                c.title,
                c.summary,
                reading_minutes(c),
                tuple(c.tags),
                self.paths[("case", c.id)],
            )
            for c in self.cases.values()
        ]
        return sorted(modules, key=lambda e: e.title) + sorted(cases, key=lambda e: e.title)

    def tags(self) -> list[str]:
        """Return every tag in use, sorted."""
        return sorted({tag for entry in self.entries() for tag in entry.tags})

    def search(
        self, query: str = "", tags: Iterable[str] = (), kind: str | None = None
    ) -> list[CatalogEntry]:
        """Return entries whose text holds every word of `query` and that carry every tag."""
        words = [w for w in re.split(r"\s+", query.lower()) if w]
        wanted = set(tags)
        found = []
        for entry in self.entries():
            if kind and entry.kind != kind:
                continue
            haystack = " ".join([entry.title, entry.summary, entry.id, *entry.tags]).lower()
            if all(w in haystack for w in words) and wanted.issubset(entry.tags):
                found.append(entry)
        return found


@dataclass(frozen=True)
class FileReport:
    """One content file as an author sees it: where, what, whether it is served, its problems."""

    path: str
    kind: str
    item_id: str | None
    served: bool
    problems: tuple[ContentError, ...]
    modified_ns: int


def file_reports(catalog: Catalog) -> list[FileReport]:
    """Every content file under the catalog's root, with the problems found in it."""
    served = {path: key for key, path in catalog.paths.items()}
    by_path: dict[str, list[ContentError]] = {}
    for error in catalog.errors:
        by_path.setdefault(error.path, []).append(error)
    # A content folder that links out of the root is listed as one entry with its error.
    reports = [
        FileReport(
            path=folder,
            kind=folder.rstrip("s"),
            item_id=None,
            served=False,
            problems=tuple(by_path[folder]),
            modified_ns=modified_ns(catalog.root / folder),
        )
        for folder in CONTENT_FOLDERS
        if folder in by_path
    ]
    for folder, path in content_files(catalog.root):
        shown = _display(path, catalog.root)
        key = served.get(shown)
        try:
            modified = path.stat().st_mtime_ns
        except OSError:
            modified = 0
        reports.append(
            FileReport(
                path=shown,
                kind=folder.rstrip("s"),
                item_id=key[1] if key else None,
                served=key is not None,
                problems=tuple(by_path.get(shown, [])),
                modified_ns=modified,
            )
        )
    return reports


def reading_minutes(case: Case) -> int:
    """Estimate the minutes needed to read a case at 200 words a minute (at least 1)."""
    texts = [case.summary, *(s.body for s in case.sections), *case.what_to_notice]
    words = sum(len(t.split()) for t in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def content_files(root: Path) -> list[tuple[str, Path]]:
    """Return (folder, path) for every YAML file in modules/ and cases/, sorted by path.

    A folder that is a link out of `root` is left out (folder_problems says why).
    """
    found = []
    for folder in CONTENT_FOLDERS:
        directory = root / folder
        if not directory.is_dir() or outside(directory, root):
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix in {".yaml", ".yml"} and not path.name.startswith("."):
                found.append((folder, path))
    return found


def content_signature(root: Path) -> Signature:
    """Return a cheap fingerprint of the content files; it changes when any file changes."""
    signature = []
    for _, path in content_files(root):
        try:
            stat = path.stat()
        except OSError:
            continue
        signature.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_catalog(
    root: Path,
    scenario_ids: frozenset[str] | None = None,
    live: Mapping[ItemKey, str] | None = None,
) -> Catalog:
    """Load and validate every content file under `root`, keeping the good items.

    Lab steps are checked against `scenario_ids`, by default the Indicator Lab's scenarios.
    `live` is the `paths` of the catalog being served, so that an id keeps its file.
    """
    if scenario_ids is None:
        from carelab.indicators.scenarios import SCENARIO_IDS

        scenario_ids = SCENARIO_IDS
    catalog = Catalog(root=root)
    catalog.errors.extend(folder_problems(root, CONTENT_FOLDERS))
    loaded: list[tuple[str, YamlDocument, int]] = []
    for folder, path in content_files(root):
        shown = _display(path, root)
        try:
            real = readable(path, root, shown)
            doc = load_yaml_file(real, shown)
        except YamlLoadFailed as exc:
            catalog.errors.extend(exc.errors)
            continue
        doc.data = defused(doc.data)
        loaded.append((folder, doc, modified_ns(real)))
    owner = owners(loaded, live or {})
    documents: dict[ItemKey, YamlDocument] = {}
    held_back: set[ItemKey] = set()
    for folder, doc, _ in loaded:
        item, problems = validate_document(doc, CONTENT_FOLDERS[folder])
        catalog.errors.extend(problems)
        item_id = doc.data.get("id")
        key = (folder.rstrip("s"), item_id) if isinstance(item_id, str) else None
        if key is not None and owner[key] != doc.path:
            message = f"id '{item_id}' is already used by {owner[key]}; choose another id"
            catalog.errors.append(doc.error(("id",), message, value=True))
            continue
        if item is None or key is None:
            if key is not None:
                held_back.add(key)
            continue
        catalog.paths[key] = doc.path
        documents[key] = doc
        getattr(catalog, folder)[item.id] = item
    _check_references(catalog, documents, held_back, scenario_ids)
    catalog.errors.sort(key=lambda e: (e.path, e.line, e.col))
    return catalog


def _check_references(
    catalog: Catalog,
    documents: dict[tuple[str, str], YamlDocument],
    held_back: set[tuple[str, str]],
    scenario_ids: frozenset[str],
) -> None:
    """Hold back items whose case or lab steps name something that does not exist.

    Cases go first, so that a module naming a case held back here is held back too.
    """
    for (kind, item_id), doc in sorted(documents.items(), key=lambda kv: kv[0][0] != "case"):
        item = catalog.modules[item_id] if kind == "module" else catalog.cases[item_id]
        steps = item.steps if isinstance(item, Module) else (item.workshop_plan or [])
        step_key = "steps" if isinstance(item, Module) else "workshop_plan"
        problems = [
            (index, problem)
            for index, step in enumerate(steps)
            if (problem := _reference_problem(step, catalog, held_back, scenario_ids))
        ]
        for index, (field_name, message) in problems:
            catalog.errors.append(doc.error((step_key, index, field_name), message, value=True))
        if problems:
            getattr(catalog, f"{kind}s").pop(item_id)
            catalog.paths.pop((kind, item_id))
            held_back.add((kind, item_id))


def _reference_problem(
    step: object,
    catalog: Catalog,
    held_back: set[tuple[str, str]],
    scenario_ids: frozenset[str],
) -> tuple[str, str] | None:
    kind = getattr(step, "kind", None)
    if kind == "case":
        case_id = step.case  # type: ignore[attr-defined]
        if case_id in catalog.cases:
            return None
        if ("case", case_id) in held_back:
            return "case", f"case '{case_id}' has errors of its own, so this step cannot show it"
        return "case", f"case '{case_id}' does not exist in cases/"
    if kind == "lab":
        scenario = step.scenario  # type: ignore[attr-defined]
        if scenario not in scenario_ids:
            known = ", ".join(sorted(scenario_ids)) or "none yet"
            return (
                "scenario",
                f"Indicator Lab scenario '{scenario}' does not exist (known: {known})",
            )
    return None
