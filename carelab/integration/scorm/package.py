"""A module as a SCORM 1.2 package: imsmanifest.xml, the static player and the module's data.

The package is one SCO (adlcp:scormtype="sco") that runs offline inside any LMS: the
module's content is inlined in index.html as JSON, the player (player/*.js, *.css, shipped
as package data) shows it, marks answers and reports to the LMS through the SCORM 1.2 API.
The three XSD files that SCORM 1.2 packages may carry are left out (their licence terms
are not clearly open, and LMSs do not need them), so the manifest names no schemaLocation.

The same module gives the same bytes: files in a fixed order, fixed zip timestamps and
permissions, JSON written in a fixed form.
"""

from __future__ import annotations

import html
import io
import json
import zipfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from carelab.content import schema
from carelab.errors import CareLabError
from carelab.integration.scorm.content import module_data

PLAYER_FILES = (
    "index.html",
    "player.css",
    "render.js",
    "scorm-api.js",
    "questions.js",
    "question-view.js",
    "steps.js",
    "player.js",
)
CONTENT_MARKER = "<!--CONTENT-->"
TITLE_MARKER = "<!--TITLE-->"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ScormExportError(CareLabError):
    """A module that cannot be exported, or a package that cannot be written."""


def _player_file(name: str) -> str:
    return (resources.files(__package__) / "player" / name).read_text(encoding="utf-8")


def content_json(data: Mapping[str, Any]) -> str:
    """The module's data as JSON that is safe inside an HTML <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # No "</script>", "<!--" or "&" can end or change the element: escape them as JSON does.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def index_html(data: Mapping[str, Any]) -> str:
    """The launch page: the player's shell with the module's title and data filled in."""
    page = _player_file("index.html")
    page = page.replace(TITLE_MARKER, html.escape(str(data["title"])))
    return page.replace(CONTENT_MARKER, content_json(data))


def manifest(module: schema.Module) -> str:
    """imsmanifest.xml per the SCORM 1.2 Content Aggregation Model: one item, one SCO."""
    ident = f"carelab-{module.id}"
    title = html.escape(module.title, quote=False)
    files = "\n".join(f"      <file href={quoteattr(name)}/>" for name in PLAYER_FILES)
    mastery = round(module.pass_mark * 100)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={quoteattr(ident)} version={quoteattr(module.version)}
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="{ident}-org">
    <organization identifier="{ident}-org">
      <title>{title}</title>
      <item identifier="{ident}-item" identifierref="{ident}-sco" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>{mastery}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{ident}-sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
{files}
    </resource>
  </resources>
</manifest>
"""


def _cases_of(module: schema.Module, cases: Mapping[str, schema.Case]) -> dict[str, schema.Case]:
    wanted = {s.case for s in module.steps if isinstance(s, schema.CaseStep)}
    missing = sorted(wanted - set(cases))
    if missing:
        raise ScormExportError(
            f"Module '{module.id}' reads the case '{missing[0]}', which is not in the "
            "catalogue (missing, or held back by a problem: run `carelab validate`)."
        )
    return {case_id: cases[case_id] for case_id in sorted(wanted)}


def build_package(
    module: schema.Module, cases: Mapping[str, schema.Case], site_url: str | None = None
) -> bytes:
    """The SCORM 1.2 zip of a module, the same bytes for the same module and site address."""
    data = module_data(module, _cases_of(module, cases), site_url)
    files = {"imsmanifest.xml": manifest(module), "index.html": index_html(data)}
    files |= {name: _player_file(name) for name in PLAYER_FILES if name != "index.html"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("imsmanifest.xml", *PLAYER_FILES):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name].encode("utf-8"), compresslevel=9)
    return buffer.getvalue()


def write_package(
    module: schema.Module,
    cases: Mapping[str, schema.Case],
    out: Path,
    site_url: str | None = None,
) -> int:
    """Write the package to `out`; return its size, or ScormExportError saying why not."""
    data = build_package(module, cases, site_url)
    if out.is_dir():
        raise ScormExportError(f"--out {out} is a folder; give a file name, e.g. {out}/m.zip")
    if not out.parent.is_dir():
        raise ScormExportError(f"Cannot write the package to {out}: no folder {out.parent}.")
    try:
        out.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScormExportError(f"Cannot write the package to {out}: {reason}.") from None
    return len(data)
