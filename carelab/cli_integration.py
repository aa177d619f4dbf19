"""The integration commands: `carelab lti add-platform | list | remove | urls |
registration-link | rotate-key | grades`, `carelab xapi status | retry | send` and
`carelab export-scorm`. Thin: each calls carelab.integration and turns its errors into
sentences."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from carelab import config
from carelab.content.catalog import load_catalog
from carelab.integration.lti import dynamic, keys, registration
from carelab.integration.lti.errors import RegistrationError
from carelab.store import db as store_db
from carelab.store import lti_grades


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `lti` and `xapi` (with their sub-commands) and `export-scorm`."""
    lti = subparsers.add_parser("lti", help="LTI 1.3: platforms (LMSs), keys and grades")
    commands = lti.add_subparsers(dest="lti_command", required=True)
    add = commands.add_parser("add-platform", help="register an LMS that launches CareLab")
    add.add_argument(
        "--issuer", required=True, help="the platform's issuer, e.g. https://moodle.example.org"
    )
    add.add_argument("--client-id", required=True, help="the client ID the LMS gave CareLab")
    add.add_argument(
        "--deployment-id",
        required=True,
        action="append",
        help="a deployment ID (repeat, or separate by commas, for several)",
    )
    add.add_argument("--jwks-url", required=True, help="the platform's public keyset URL")
    add.add_argument("--auth-url", required=True, help="the platform's authentication request URL")
    add.add_argument("--token-url", required=True, help="the platform's access token URL")
    add.set_defaults(func=cmd_add_platform)
    commands.add_parser("list", help="list registered platforms").set_defaults(func=cmd_list)
    remove = commands.add_parser("remove", help="remove a platform (by the id `list` shows)")
    remove.add_argument("platform_id", type=int)
    remove.set_defaults(func=cmd_remove)
    urls = commands.add_parser("urls", help="the tool URLs to paste into the LMS")
    urls.add_argument("--base", help="CareLab's public address (default: CARELAB_PUBLIC_URL)")
    urls.set_defaults(func=cmd_urls)
    link = commands.add_parser(
        "registration-link", help="a one-time URL with which an LMS registers CareLab itself"
    )
    link.add_argument("--base", help="CareLab's public address (default: CARELAB_PUBLIC_URL)")
    link.add_argument("--hours", type=float, default=dynamic.LINK_HOURS,
                      help=f"how long the link works (default {dynamic.LINK_HOURS:g})")  # fmt: skip
    link.set_defaults(func=cmd_registration_link)
    rotate = commands.add_parser(
        "rotate-key", help="make a new signing key; keep the old one published a week"
    )
    rotate.set_defaults(func=cmd_rotate_key)
    grades = commands.add_parser("grades", help="scores sent to LMSs: waiting, failing, sent")
    grades.add_argument("--retry", metavar="ID|all", help="try a waiting score (or all) again now")
    grades.set_defaults(func=cmd_grades)  # fmt: skip
    _add_xapi_commands(subparsers)
    _add_scorm(subparsers)


def cmd_add_platform(args: argparse.Namespace) -> int:
    """Register a platform, or list every problem with what was given."""
    ids = [part for given in args.deployment_id for part in registration.split_ids(given)]
    with store_db.session() as db:
        try:
            made = registration.add_platform(
                db, args.issuer, args.client_id, ids, args.jwks_url, args.auth_url, args.token_url
            )
        except RegistrationError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
    print(f"Registered platform {made.id}: {made.issuer} (client ID {made.client_id}).")
    return 0


def cmd_list(_args: argparse.Namespace) -> int:
    """One line per platform: id, issuer, client id, deployments, endpoints."""
    with store_db.session() as db:
        found = registration.list_platforms(db)
    if not found:
        print("No platforms registered. Add one with `carelab lti add-platform`.")
    for p in found:
        print(f"{p.id}\t{p.issuer}\tclient {p.client_id}\tdeployments "
              f"{', '.join(p.deployment_ids)}\tJWKS {p.jwks_url}\tauth {p.auth_url}\t"
              f"token {p.token_url}")  # fmt: skip
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove a platform; say so if there is none with that id."""
    with store_db.session() as db:
        removed = registration.remove_platform(db, args.platform_id)
    if not removed:
        print(f"error: there is no platform {args.platform_id} (see `carelab lti list`).",
              file=sys.stderr)  # fmt: skip
        return 1
    print(f"Removed platform {args.platform_id}, its launches and its queued grades.")
    return 0


def _site_base(args: argparse.Namespace) -> str | None:
    """CareLab's public address from --base or CARELAB_PUBLIC_URL; None (and why) if neither."""
    base = args.base or config.get("CARELAB_PUBLIC_URL")
    if not base:
        print("error: give --base https://carelab.example.org or set CARELAB_PUBLIC_URL.",
              file=sys.stderr)  # fmt: skip
        return None
    return base


def cmd_urls(args: argparse.Namespace) -> int:
    """Print the URLs an LMS administrator pastes into the tool's registration."""
    base = _site_base(args)
    if base is None:
        return 1
    for label, url in registration.tool_urls(base).items():
        print(f"{label}: {url}")
    return 0


def cmd_registration_link(args: argparse.Namespace) -> int:
    """Print a one-time LTI Dynamic Registration URL for an LMS administrator."""
    base = _site_base(args)
    if base is None:
        return 1
    if problem := registration.url_problem("--base", base):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    with store_db.session() as db:
        try:
            url = dynamic.make_link(db, base, None, args.hours)
        except RegistrationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"Paste this into the LMS's tool registration (works once, for {args.hours:g} hours):")
    print(url)
    return 0


def cmd_rotate_key(_args: argparse.Namespace) -> int:
    """Make a new current signing key; the old one stays in the JWKS for a week."""
    with store_db.session() as db:
        kid = keys.rotate(db)
    days = keys.RETIRED_KEEP_SECONDS // 86_400
    print(f"New signing key {kid} is current; the previous key stays published for {days} days.")
    return 0


def _when(value: float | None) -> str:
    if value is None:
        return "-"
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")


def cmd_grades(args: argparse.Namespace) -> int:
    """Counts, then one line per score (newest first); --retry makes waiting ones due now."""
    with store_db.session() as db:
        if args.retry:
            target = None if args.retry == "all" else _grade_id(args.retry)
            if target is False:
                print("error: --retry takes a score's id or 'all'.", file=sys.stderr)
                return 1
            print(f"{lti_grades.retry_now(db, datetime.now(UTC).timestamp(), target)} score(s) "
                  "will be sent again within seconds.")  # fmt: skip
        counts = lti_grades.counts(db)
        rows = lti_grades.grades(db)
    print(f"Sent {counts['sent']}, waiting {counts['waiting']}, failing {counts['failing']}.")
    for row in rows:
        status = "sent " + _when(row["sent_at"]) if row["sent_at"] else (
            f"failing ({row['tries']} tries; next {_when(row['next_try_at'])}): "
            f"{row['last_error']}" if row["last_error"] else "waiting")  # fmt: skip
        print(f"{row['id']}\t{row['issuer']}\tmodule {row['activity_id']}\tuser {row['sub']}\t"
              f"score {row['score_given']}\t{status}")  # fmt: skip
    return 0


def _grade_id(text: str) -> int | bool:
    return int(text) if text.isdigit() else False


# --- xAPI -------------------------------------------------------------------------------


def _add_xapi_commands(subparsers: argparse._SubParsersAction) -> None:
    xapi = subparsers.add_parser("xapi", help="xAPI statements for a Learning Record Store")
    commands = xapi.add_subparsers(dest="xapi_command", required=True)
    status = commands.add_parser("status", help="the LRS, statements queued, sent and failing")
    status.set_defaults(func=cmd_xapi_status)
    retry = commands.add_parser("retry", help="make every statement waiting for a retry due now")
    retry.set_defaults(func=cmd_xapi_retry)
    send = commands.add_parser("send", help="send every due statement now, from this command")
    send.set_defaults(func=cmd_xapi_send)


def _xapi_when(at: float | None) -> str:
    return "never" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def cmd_xapi_status(_args: argparse.Namespace) -> int:
    """Print the LRS, the outbox's counts and the last error; exit 1 when something is wrong."""
    from carelab.integration.xapi import admin

    found = admin.status()
    if not found.enabled:
        print("xAPI is off: CARELAB_XAPI_ENDPOINT is not set.")
    else:
        print(f"LRS: {found.endpoint}")
    box = found.outbox
    print(f"queued: {box.queued} (failing: {box.failing}); sent: {box.sent}")
    print(f"last sent: {_xapi_when(box.last_sent_at)}")
    if box.queued:
        print(f"next try: {_xapi_when(box.next_try_at)}")
    if box.last_error:
        print(f"last error ({_xapi_when(box.last_error_at)}): {box.last_error}")
    if found.problem:
        print(f"error: {found.problem}", file=sys.stderr)
    return 1 if found.problem or box.failing else 0


def cmd_xapi_retry(_args: argparse.Namespace) -> int:
    """Make every unsent statement due now (the sender or `carelab xapi send` sends them)."""
    from carelab.integration.xapi import admin

    count = admin.retry_now()
    print(f"{count} statement(s) due now; the server's sender sends them within seconds")
    return 0


def cmd_xapi_send(_args: argparse.Namespace) -> int:
    """Send every due statement now; exit 1 when some could not be sent."""
    from carelab.integration.xapi import admin

    report = admin.send_now()
    print(f"sent: {report.sent}; not sent: {report.failed}")
    if report.error:
        print(f"error: {report.error}", file=sys.stderr)
        return 1
    return 0


# --- SCORM 1.2 ------------------------------------------------------------------------


def _add_scorm(subparsers: argparse._SubParsersAction) -> None:
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
