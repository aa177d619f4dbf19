"""The `carelab` command: validate content, write JSON Schemas, start cases, manage the database,
import or export Moodle GIFT questions, and report on a module's learners (anonymously).
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from carelab import auth, cli_indicators, cli_integration, cli_monitoring, config
from carelab.content import gift
from carelab.content.catalog import CONTENT_FOLDERS, load_catalog
from carelab.content.loader import YamlLoadFailed, load_yaml_file
from carelab.content.report import ItemReport, catalog_report, format_report, item_report
from carelab.content.schema import Case, Module
from carelab.content.starter import starter_case
from carelab.content.validate import validate_document
from carelab.errors import CareLabError, ContentError
from carelab.learning import digest, evaluation_reports, reports
from carelab.store import db as store_db
from carelab.store.copy import copy_to_postgres


def _validate_file(path: Path) -> list[ContentError]:
    """Validate one file; inside a content root, also check its references to other files."""
    folder = path.resolve().parent
    if folder.name in CONTENT_FOLDERS:
        root = folder.parent
        relative = str(path.resolve().relative_to(root))
        return [
            ContentError(str(path), e.line, e.col, e.message)
            for e in load_catalog(root).errors
            if e.path == relative
        ]
    try:
        doc = load_yaml_file(path)
    except YamlLoadFailed as exc:
        return exc.errors
    # Outside modules/ or cases/, tell the two apart by the fields only a case has.
    model = Case if {"setting", "sections"} & set(doc.data) else Module
    return validate_document(doc, model)[1]


def _validate_paths(paths: Sequence[Path]) -> tuple[list[ContentError], int]:
    """Validate files or content roots; return every problem and the number of files read."""
    errors: list[ContentError] = []
    files = 0
    for path in paths:
        if path.is_dir():
            errors.extend(load_catalog(path).errors)
            files += sum(len(_yaml_in(path / folder)) for folder in CONTENT_FOLDERS)
        else:
            errors.extend(_validate_file(path))
            files += 1
    return errors, files


def _yaml_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"}]


def _expanded(paths: Sequence[Path]) -> list[Path]:
    """Paths to validate: a content root as itself, any other folder as its YAML files.

    So `carelab validate cases/` checks the cases (0.4 read it as an empty content root and
    said "ok: 0 files valid").
    """
    found: list[Path] = []
    for path in paths:
        is_root = any((path / folder).is_dir() for folder in CONTENT_FOLDERS)
        found.extend([path] if not path.is_dir() or is_root else sorted(_yaml_in(path)))
    return found


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _reports(paths: Sequence[Path]) -> list[ItemReport]:
    """The content report for every valid module and case in the files or roots given."""
    reports: list[ItemReport] = []
    for path in paths:
        folder = path.resolve().parent
        if path.is_dir() or folder.name in CONTENT_FOLDERS:
            root = path.resolve() if path.is_dir() else folder.parent
            found = catalog_report(load_catalog(root))
            if not path.is_dir():
                shown = str(path.resolve().relative_to(root))
                found = [r for r in found if r.path == shown]
            reports.extend(found)
            continue
        try:
            doc = load_yaml_file(path)
        except YamlLoadFailed:
            continue  # its problems are printed by the validation above
        model = Case if {"setting", "sections"} & set(doc.data) else Module
        item = validate_document(doc, model)[0]
        if item is not None:
            reports.append(item_report(item, str(path), {}))
    return reports


def cmd_validate(args: argparse.Namespace) -> int:
    """Print every content problem as path:line:col: message; exit 1 if there is any.

    With --report, also print what each module's and case's questions test and its time;
    with --strict, exit 1 when that report finds a problem too.
    """
    paths = [Path(p) for p in args.paths] or [config.content_dir()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    paths = _expanded(paths)
    errors, files = _validate_paths(paths)
    if not files:
        print("error: no module or case files (.yaml) found there", file=sys.stderr)
        return 2
    for error in errors:
        print(error)
    failed = False
    if args.report or args.strict:
        reports = _reports(paths)
        print(format_report(reports), end="")
        failed = args.strict and any(r.problems for r in reports)
    if errors:
        noun = "problem" if len(errors) == 1 else "problems"
        print(f"{len(errors)} {noun} in {_files(files)}", file=sys.stderr)
        return 1
    print(f"ok: {_files(files)} valid")
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Write module.schema.json and case.schema.json for editors."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in (("module", Module), ("case", Case)):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://carelab.example/schemas/{name}.schema.json"
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


def cmd_new_case(args: argparse.Namespace) -> int:
    """Write a commented starter case to cases/ID.yaml, refusing to overwrite."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", args.id) or len(args.id) > 64:
        print(
            f"error: '{args.id}' is not a valid id: use lower-case letters, digits and "
            "single hyphens, e.g. my-hospital",
            file=sys.stderr,
        )
        return 2
    root = Path(args.root) if args.root else config.content_dir()
    path = root / "cases" / f"{args.id}.yaml"
    if path.exists():
        print(f"error: {path} already exists; choose another id or edit it", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_case(args.id), encoding="utf-8")
    print(f"wrote {path}; check it with: carelab validate {path}")
    return 0


def cmd_db_migrate(_args: argparse.Namespace) -> int:
    """Create or update the database schema."""
    applied = store_db.prepare()
    where = config.database_label()
    print(f"database {where}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))
    with store_db.session() as db:
        if auth.needs_setup(db):
            print(
                "no administrator yet: the server prints a one-time setup link when it starts, "
                "or run: carelab user add EMAIL --role admin"
            )
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy a SQLite installation into PostgreSQL, table by table, verified by checksums."""
    copied = copy_to_postgres(Path(args.sqlite_file), args.postgres_url)
    width = max(len(t.table) for t in copied)
    for table in copied:
        print(f"{table.table:<{width}}  {table.rows:>8} rows  sha256 {table.checksum[:16]}")
    total = sum(t.rows for t in copied)
    print(f"ok: {len(copied)} tables, {total} rows copied; counts and checksums match")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account from the shell, optionally with a role."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the new account: ")
    with store_db.session(create=True) as db:
        store_db.migrate(db)
        name = args.name or args.email.split("@")[0]
        user = auth.create_account_as_operator(db, args.email, password, name, args.role)
    print(f"created {user.email} with roles: {', '.join(sorted(user.roles))}")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """Forget an email's failed sign-ins, so it can sign in at once from anywhere."""
    with store_db.session() as db:
        auth.clear_failed_sign_ins(db, args.email)
    print(f"failed sign-ins forgotten for {args.email.strip()}")
    return 0


def cmd_import_gift(args: argparse.Namespace) -> int:
    """Turn a Moodle GIFT file into YAML steps; print each problem as path:line: message."""
    path = Path(args.file)
    if not path.exists():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    result = gift.parse_gift(gift.read_gift(path), str(path))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not (result.questions or result.reflections):
        print(f"error: no question in {path} could be imported", file=sys.stderr)
        return 1
    return _write_or_print(gift.import_yaml(result), args.out, result.summary())


def cmd_export_gift(args: argparse.Namespace) -> int:
    """Write a module's quiz questions as GIFT for Moodle."""
    module = load_catalog(config.content_dir()).module(args.module_id)
    questions = gift.module_questions(module)
    if not questions:
        print(f"error: module '{module.id}' has no quiz questions to export", file=sys.stderr)
        return 1
    skipped = gift.left_out(questions)
    if skipped:
        print(
            f"note: GIFT has no ranking question; left out: {', '.join(skipped)}",
            file=sys.stderr,
        )
        questions = [q for q in questions if q.id not in skipped]
    if not questions:
        print(f"error: module '{module.id}' has no questions GIFT can carry", file=sys.stderr)
        return 1
    lost = gift.lost_fields(questions)
    if lost:
        print(
            f"note: GIFT has no place for {', '.join(lost)}; the export leaves them out",
            file=sys.stderr,
        )
    text = f"// Exported from CareLab module {module.id}, version {module.version}\n\n"
    # Moodle reads "/" in a category path as a sub-category and "//" as a literal slash.
    category = "$course$/top/" + module.title.replace("/", "//")
    text += gift.to_gift(questions, category=category)
    noun = "question" if len(questions) == 1 else "questions"
    return _write_or_print(text, args.out, f"{len(questions)} {noun}")


def _write_or_print(text: str, out: str | None, summary: str) -> int:
    if not out:
        sys.stdout.write(text)
        return 0
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {out}: {summary}")
    return 0


def cmd_report_items(args: argparse.Namespace) -> int:
    """Print or write a module's item analysis as CSV or JSON."""
    analysis = reports.item_analysis(args.module_id, load_catalog(config.content_dir()))
    text = reports.items_csv(analysis) if args.format == "csv" else reports.items_json(analysis)
    noun = "question" if len(analysis.items) == 1 else "questions"
    return _write_or_print(text, args.out, f"{len(analysis.items)} {noun}")


def cmd_report_module(args: argparse.Namespace) -> int:
    """Print a module's report: completions, time on task, scores, evaluation summaries."""
    catalog = load_catalog(config.content_dir())
    report = reports.module_report(args.module_id, catalog)
    rated = evaluation_reports.evaluation_summary(args.module_id, catalog)
    if args.format == "json":
        data = {
            **reports.report_dict(report),
            "evaluation": evaluation_reports.evaluation_dict(rated),
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(reports.report_text(report) + evaluation_reports.evaluation_text(rated))
    return 0


def _add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="anonymous reports on a module's learners")
    kinds = report.add_subparsers(dest="report", required=True)
    items = kinds.add_parser("items", help="item analysis: difficulty, discrimination, flags")
    items.add_argument("module_id", help="the module's id, e.g. teamwork")
    items.add_argument("--format", choices=("csv", "json"), default="csv")
    items.add_argument("--out", help="write the report here instead of standard output")
    items.set_defaults(func=cmd_report_items)
    module = kinds.add_parser("module", help="completions, time on task, scores, evaluations")
    module.add_argument("module_id", help="the module's id, e.g. teamwork")
    module.add_argument("--format", choices=("text", "json"), default="text")
    module.set_defaults(func=cmd_report_module)


def cmd_review_digest(args: argparse.Namespace) -> int:
    """E-mail each learner with reviews due this week a digest (at most one in 7 days)."""
    settings = digest.mail_settings()
    if settings is None and not args.dry_run:
        print("SMTP is not configured: no digest sent")
        return 0
    catalog = load_catalog(config.content_dir())
    titles = {module_id: module.title for module_id, module in catalog.modules.items()}
    now = time.time()
    with store_db.session() as db:
        planned = digest.plan(db, titles, now)
        if args.dry_run:
            for item in planned:
                print(f"would send to {item.email}: {digest.subject(item)}")
                for day in item.days:
                    modules = ", ".join(f"{title} {count}" for title, count in day.modules)
                    print(f"  {day.label}: {modules}")
            off = " (SMTP is not configured)" if settings is None else ""
            print(f"dry run: {_digests(len(planned))}, none sent{off}")
            return 0
        run = digest.send(db, planned, settings, now)
    for email, reason in run.failed:
        print(f"not sent to {email}: {reason}", file=sys.stderr)
    skipped = f", {len(run.skipped)} sent meanwhile by another run" if run.skipped else ""
    print(f"sent {_digests(len(run.sent))}, {len(run.failed)} failed{skipped}")
    return 1 if run.failed else 0


def _digests(count: int) -> str:
    return f"{count} digest" if count == 1 else f"{count} digests"


def _add_review_commands(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser("review", help="spaced review: the weekly e-mail digest")
    kinds = review.add_subparsers(dest="review", required=True)
    send = kinds.add_parser(
        "digest", help="e-mail learners the reviews due this week (needs CARELAB_SMTP_HOST)"
    )
    send.add_argument(
        "--dry-run", action="store_true", help="print who would get what; send nothing"
    )
    send.set_defaults(func=cmd_review_digest)


def _add_gift_commands(commands: argparse._SubParsersAction) -> None:
    import_gift = commands.add_parser("import-gift", help="Moodle GIFT questions as CareLab YAML")
    import_gift.add_argument("file", help="a GIFT file, e.g. questions.gift.txt")
    import_gift.add_argument("--out", help="write the YAML here instead of standard output")
    import_gift.set_defaults(func=cmd_import_gift)
    export_gift = commands.add_parser("export-gift", help="a module's questions as Moodle GIFT")
    export_gift.add_argument("module_id", help="the module's id, e.g. teamwork")
    export_gift.add_argument("--out", help="write the GIFT here instead of standard output")
    export_gift.set_defaults(func=cmd_export_gift)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every carelab command."""
    parser = argparse.ArgumentParser(prog="carelab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check module and case YAML files")
    validate.add_argument("paths", nargs="*", help="files or content roots (default: content root)")
    validate.add_argument(
        "--report",
        action="store_true",
        help="also report question levels, unassessed objectives, cueing, missing feedback "
        "and time from content",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="report, and exit 1 when the report finds a problem (implies --report)",
    )
    validate.set_defaults(func=cmd_validate)

    schema = commands.add_parser("schema", help="write JSON Schema files for editors")
    schema.add_argument("--out", required=True, help="folder to write the schema files into")
    schema.set_defaults(func=cmd_schema)

    new_case = commands.add_parser("new-case", help="write a starter case to cases/ID.yaml")
    new_case.add_argument("id", help="the new case's id, e.g. my-hospital")
    new_case.add_argument("--root", help="content root (default: CARELAB_CONTENT_DIR)")
    new_case.set_defaults(func=cmd_new_case)

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True)
    migrate = db_commands.add_parser("migrate", help="create or update the database schema")
    migrate.set_defaults(func=cmd_db_migrate)
    copy = db_commands.add_parser(
        "copy", help="copy a SQLite database into a new, empty PostgreSQL database and verify it"
    )
    copy.add_argument("sqlite_file", help="the SQLite file, e.g. data/carelab.db")
    copy.add_argument("postgres_url", help="postgresql://user@host/database (empty database)")
    copy.set_defaults(func=cmd_db_copy)

    user = commands.add_parser("user", help="manage accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("email")
    add.add_argument("--role", choices=auth.ROLES, default="learner")
    add.add_argument("--name", help="display name (default: the part of the email before @)")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (default: ask for it)",
    )
    add.set_defaults(func=cmd_user_add)
    unlock = user_commands.add_parser(
        "unlock", help="forget an email's failed sign-ins (when a stranger keeps it waiting)"
    )
    unlock.add_argument("email")
    unlock.set_defaults(func=cmd_user_unlock)

    _add_gift_commands(commands)
    _add_report_commands(commands)
    _add_review_commands(commands)
    cli_indicators.add_commands(commands)
    cli_monitoring.add_commands(commands)
    cli_integration.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the carelab command line; every CareLab error becomes one sentence on stderr."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CareLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
