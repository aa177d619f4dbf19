"""The commands for CareLab inside other learning systems: `carelab xapi status | retry | send`.

Command-line code only, registered by cli.build_parser; the work is in carelab/integration/.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the integration commands on the carelab command's sub-commands."""
    _add_xapi_commands(subparsers)


def _add_xapi_commands(subparsers: argparse._SubParsersAction) -> None:
    xapi = subparsers.add_parser("xapi", help="xAPI statements for a Learning Record Store")
    commands = xapi.add_subparsers(dest="xapi_command", required=True)
    status = commands.add_parser("status", help="the LRS, statements queued, sent and failing")
    status.set_defaults(func=cmd_xapi_status)
    retry = commands.add_parser("retry", help="make every statement waiting for a retry due now")
    retry.set_defaults(func=cmd_xapi_retry)
    send = commands.add_parser("send", help="send every due statement now, from this command")
    send.set_defaults(func=cmd_xapi_send)


def _when(at: float | None) -> str:
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
    print(f"last sent: {_when(box.last_sent_at)}")
    if box.queued:
        print(f"next try: {_when(box.next_try_at)}")
    if box.last_error:
        print(f"last error ({_when(box.last_error_at)}): {box.last_error}")
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
