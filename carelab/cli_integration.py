"""The integration commands: `carelab export-scorm` (and, beside it, the LTI and xAPI ones).

Command-line code only; the work is in carelab/integration/. cli.py registers these with
`add_commands(commands)`, as it does the analyst commands of cli_indicators.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from carelab import config
from carelab.content.catalog import load_catalog


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the integration commands on the carelab command's sub-commands."""
    scorm = subparsers.add_parser(
        "export-scorm",
        help="a module as a SCORM 1.2 package (zip) to upload to an LMS",
        description="Write a module as a SCORM 1.2 package that runs inside any LMS (Moodle, "
        "Canvas, Blackboard, Totara) without CareLab, and reports completion, score and "
        "time to it. docs/integration.md says what it carries and how to upload it.",
    )
    scorm.add_argument("module_id", help="the module's id, e.g. teamwork")
    scorm.add_argument("--out", required=True, help="the zip file to write, e.g. teamwork.zip")
    scorm.add_argument(
        "--site-url",
        help="CareLab's address, for the link from a lab step to the live Indicator Lab "
        "(default: CARELAB_PUBLIC_URL; without one, lab steps name the scenario, unlinked)",
    )
    scorm.set_defaults(func=cmd_export_scorm)


def cmd_export_scorm(args: argparse.Namespace) -> int:
    """Write the SCORM 1.2 package of a module and say where and how big it is."""
    from carelab.integration.scorm.package import write_package

    catalog = load_catalog(config.content_dir())
    module = catalog.module(args.module_id)
    site_url = args.site_url or config.get("CARELAB_PUBLIC_URL") or None
    size = write_package(module, catalog.cases, Path(args.out), site_url)
    print(f"wrote {args.out}: SCORM 1.2 package of '{module.title}' ({size // 1024 + 1} KB)")
    return 0
