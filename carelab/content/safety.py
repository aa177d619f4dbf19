"""What keeps a content folder from being turned against its readers.

- An id belongs to one file. When two files of a kind claim it, the one that serves it now
  keeps it (the running app passes `live`), else the one saved longest ago (oldest
  modification time, then path order); the other is held back with an error naming the
  owner. So a file added later never replaces a live case, even if its name sorts first,
  and an owner that is broken for a moment does not hand its id to the newcomer.
- Files and folders are read only when they lie inside the content folder once every
  symbolic link is followed. A link inside it (a Kubernetes ConfigMap mounts files as
  links to a hidden folder beside them) is fine; a link out of it (to /etc/passwd, or to
  another checkout) is listed as an error and never read.
- Every string is passed through `safe_links`: no image from author Markdown is loaded, and
  only web, email and same-site links are clickable (see carelab.content.text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from carelab.content.loader import YamlDocument, YamlLoadFailed
from carelab.content.text import safe_links
from carelab.errors import ContentError

ItemKey = tuple[str, str]  # (kind, id)


def outside(path: Path, root: Path) -> bool:
    """Whether `path`, once every link is followed, lies outside `root` (or cannot be followed)."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


def folder_problems(root: Path, folders: Iterable[str]) -> list[ContentError]:
    """An error for each content folder (modules/, cases/) that links outside `root`."""
    return [
        ContentError(
            folder,
            1,
            1,
            f"{folder}/ is a link to a folder outside the content folder; CareLab does not "
            "read it. Put the files themselves in the content folder.",
        )
        for folder in folders
        if (root / folder).is_dir() and outside(root / folder, root)
    ]


def readable(path: Path, root: Path, shown: str) -> Path:
    """The real file behind `path`, or YamlLoadFailed when it is outside `root` or not a file."""
    if outside(path, root):
        message = (
            "this file is a link to a file outside the content folder; CareLab does not read "
            "it. Copy the file itself into the content folder."
        )
        raise YamlLoadFailed([ContentError(shown, 1, 1, message)])
    real = path.resolve()
    if real.exists() and not real.is_file():
        raise YamlLoadFailed([ContentError(shown, 1, 1, "this is not a regular file")])
    # Read the resolved path, so a link swapped after the check is not followed.
    return real


def defused(value: Any) -> Any:
    """Every string in a loaded document through safe_links; keys and structure unchanged."""
    if isinstance(value, str):
        return safe_links(value)
    if isinstance(value, list):
        return [defused(v) for v in value]
    if isinstance(value, dict):
        return {k: defused(v) for k, v in value.items()}
    return value


def modified_ns(path: Path) -> int:
    """A file's modification time in nanoseconds, 0 when it cannot be read."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def owners(
    loaded: list[tuple[str, YamlDocument, int]], live: Mapping[ItemKey, str]
) -> dict[ItemKey, str]:
    """Which file owns each claimed id: the live one, else the oldest, else the first by path."""
    claims: dict[ItemKey, list[tuple[int, str]]] = {}
    for folder, doc, modified in loaded:
        item_id = doc.data.get("id")
        if isinstance(item_id, str):
            claims.setdefault((folder.rstrip("s"), item_id), []).append((modified, doc.path))
    found: dict[ItemKey, str] = {}
    for key, claimants in claims.items():
        paths = [path for _, path in claimants]
        found[key] = live[key] if live.get(key) in paths else min(claimants)[1]
    return found
