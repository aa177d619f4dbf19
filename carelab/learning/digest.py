"""The weekly e-mail of due reviews: who gets one, what it says, and sending it.

Off unless the site sets CARELAB_SMTP_HOST. A learner gets a digest when a question of
theirs is due for review in the coming week, unless they unticked it on My account (the
default is on: the site chose to send them, and spaced retrieval only works if the learner
comes back). Each digest is plain text, one message per learner, and is recorded as sent
before it goes out, so a learner gets at most one in 7 days however often the command runs;
a mail the server refused is un-recorded, logged and counted, and tried again next run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import make_msgid

from carelab import config
from carelab.auth import User
from carelab.errors import CareLabError
from carelab.learning import review
from carelab.store import Connection
from carelab.store import db as store_db
from carelab.store import digests as store
from carelab.store import reviews as review_store

log = logging.getLogger(__name__)

WEEK = 7 * review.DAY_SECONDS
# Long enough for a slow relay, short enough that a cron job never hangs for good.
TIMEOUT_SECONDS = 30
REVIEW_PATH = "review"
ACCOUNT_PATH = "account"


class MailServerError(CareLabError):
    """The mail server could not be reached, or refused the connection or sign-in."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: from the CARELAB_SMTP_* settings."""

    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    public_url: str


@dataclass(frozen=True)
class DueDay:
    """One heading of a digest ("Due now", or a day) and the count due per module title."""

    label: str
    modules: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Digest:
    """One learner's digest: who, how many questions, and when they fall due."""

    user_id: int
    email: str
    name: str
    total: int
    days: tuple[DueDay, ...]
    last_sent_at: float | None


@dataclass
class DigestRun:
    """What a run did: the addresses sent to, skipped (sent by another run) and failed."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def enabled() -> bool:
    """Whether this site sends digests (CARELAB_SMTP_HOST is set)."""
    return bool(config.get("CARELAB_SMTP_HOST"))


def mail_settings() -> MailSettings | None:
    """The mail settings, or None when SMTP is not configured; MailServerError if unusable."""
    if not enabled():
        return None
    try:
        port = int(config.get("CARELAB_SMTP_PORT"))
    except ValueError:
        raise MailServerError("CARELAB_SMTP_PORT must be a port number, e.g. 587.") from None
    user = config.get("CARELAB_SMTP_USER")
    sender = config.get("CARELAB_MAIL_FROM") or user
    if "@" not in sender:
        raise MailServerError("Set CARELAB_MAIL_FROM to the address digests come from.")
    return MailSettings(
        host=config.get("CARELAB_SMTP_HOST"),
        port=port,
        user=user,
        password=config.get("CARELAB_SMTP_PASSWORD"),
        starttls=config.get_bool("CARELAB_SMTP_STARTTLS"),
        sender=sender,
        public_url=config.get("CARELAB_PUBLIC_URL").rstrip("/"),
    )


def _day_label(due_at: float, now: float, tz: tzinfo | None) -> str:
    if due_at <= now:
        return "Due now"
    day = datetime.fromtimestamp(due_at, tz).astimezone(tz)
    return f"{day:%A} {day.day} {day:%B}"


def _days(
    items: list[review.ReviewItem], titles: Mapping[str, str], now: float, tz: tzinfo | None
) -> tuple[DueDay, ...]:
    """Group items, soonest first, by day and then module (in order of first appearance)."""
    grouped: dict[str, dict[str, int]] = {}
    for item in sorted(items, key=lambda i: i.due_at):
        modules = grouped.setdefault(_day_label(item.due_at, now, tz), {})
        title = titles.get(item.module_id, item.module_id)
        modules[title] = modules.get(title, 0) + 1
    return tuple(DueDay(label, tuple(modules.items())) for label, modules in grouped.items())


def plan(
    db: Connection, titles: Mapping[str, str], now: float, tz: tzinfo | None = None
) -> list[Digest]:
    """The digests a run at `now` would send: one per learner with reviews due within a week.

    `titles` maps module ids to titles (a module no longer in the catalogue shows its id);
    days are in `tz` (default: the server's local time zone).
    """
    digests = []
    for row in store.recipients(db, due_before=now + WEEK, sent_before=now - WEEK):
        items = [
            review.ReviewItem(**item)
            for item in review_store.items_of(db, row["user_id"])
            if item["due_at"] < now + WEEK
        ]
        digests.append(
            Digest(
                user_id=row["user_id"],
                email=row["email"],
                name=row["display_name"],
                total=len(items),
                days=_days(items, titles, now, tz),
                last_sent_at=row["last_sent_at"],
            )
        )
    return digests


def _questions(count: int) -> str:
    return f"{count} question" if count == 1 else f"{count} questions"


def subject(digest: Digest) -> str:
    """The digest's subject line (no user text in it)."""
    return f"CareLab: {_questions(digest.total)} to review this week"


def _page(public_url: str, path: str, name: str) -> str:
    return f"{public_url}/{path}" if public_url else f"the {name} page of CareLab"


def body(digest: Digest, public_url: str) -> str:
    """The digest's plain text: what is due, by day and module, and where to review it."""
    verb = "is" if digest.total == 1 else "are"
    lines = [
        f"Hello {digest.name},",
        "",
        _wrap(
            f"{_questions(digest.total)} from your modules {verb} due for review in the "
            "coming week. Answering them again, a few days apart, is what makes learning "
            "stick; a review session takes a few minutes."
        ),
        "",
    ]
    for day in digest.days:
        lines.append(day.label)
        lines.extend(f"  - {title}: {_questions(count)}" for title, count in day.modules)
    account = _page(public_url, ACCOUNT_PATH, "My account")
    lines += [
        "",
        f"Start a review: {_page(public_url, REVIEW_PATH, 'Review')}",
        "",
        _wrap(
            'You get this e-mail at most once a week. To stop it, untick "E-mail me a weekly '
            f'summary of my reviews" on My account: {account}'
        ),
        "",
    ]
    return "\n".join(lines)


def _wrap(paragraph: str) -> str:
    """A paragraph in lines of at most 72 characters (a link is never broken)."""
    return textwrap.fill(paragraph, 72, break_long_words=False, break_on_hyphens=False)


def message(digest: Digest, settings: MailSettings) -> EmailMessage:
    """The digest as one plain-text e-mail to its learner."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = digest.email
    mail["Subject"] = subject(digest)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> "))
    mail.set_content(body(digest, settings.public_url))
    return mail


def _reason(exc: OSError) -> str:
    """One line saying why a mail was not sent (never a password or a traceback)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return f"{code} {text.decode('utf-8', 'replace')}".strip()
    return exc.strerror or str(exc) or type(exc).__name__


Connect = Callable[..., smtplib.SMTP]


def _secure_and_sign_in(server: smtplib.SMTP, settings: MailSettings, where: str) -> None:
    """STARTTLS and sign-in as the settings say; MailServerError when the server can't."""
    if settings.starttls:
        try:
            server.starttls(context=ssl.create_default_context())
        except smtplib.SMTPNotSupportedError:
            raise MailServerError(
                f"The mail server {where} does not offer STARTTLS; nothing was sent over an "
                "unencrypted connection (set CARELAB_SMTP_STARTTLS=false only for a local "
                "relay)."
            ) from None
    if settings.user:
        try:
            server.login(settings.user, settings.password)
        except smtplib.SMTPNotSupportedError:
            raise MailServerError(
                f"The mail server {where} does not offer sign-in (SMTP AUTH); leave "
                "CARELAB_SMTP_USER empty for a relay that needs none."
            ) from None


@contextmanager
def _connection(settings: MailSettings, connect: Connect) -> Iterator[smtplib.SMTP]:
    """An SMTP connection, encrypted and signed in as the settings say; MailServerError if not."""
    where = f"{settings.host}:{settings.port}"
    try:
        server = connect(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    except OSError as exc:  # refused, unknown host, timed out; smtplib's errors are OSErrors
        raise MailServerError(f"Cannot reach the mail server {where}: {_reason(exc)}.") from None
    try:
        _secure_and_sign_in(server, settings, where)
    except MailServerError:
        server.close()
        raise
    except OSError as exc:  # a bad certificate, a wrong password
        server.close()
        raise MailServerError(f"The mail server {where} refused us: {_reason(exc)}.") from None
    try:
        yield server
    finally:
        with suppress(OSError):
            server.quit()


def _lost_connection(exc: OSError) -> bool:
    """Whether the connection is gone (every later mail would fail too), not one refusal."""
    return isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
        exc, smtplib.SMTPException
    )


def send(
    db: Connection,
    digests: list[Digest],
    settings: MailSettings,
    now: float,
    connect: Connect = smtplib.SMTP,
) -> DigestRun:
    """Send each digest not already sent this week; MailServerError if the server is out of
    reach (nothing recorded). A refused mail is logged, counted and left to the next run."""
    run = DigestRun()
    if not digests:
        return run
    with _connection(settings, connect) as server:
        for index, digest in enumerate(digests):
            if not store.claim(db, digest.user_id, now, sent_before=now - WEEK):
                run.skipped.append(digest.email)
                continue
            try:
                server.send_message(message(digest, settings))
            except OSError as exc:
                store.unclaim(db, digest.user_id, now, digest.last_sent_at)
                reason = _reason(exc)
                log.warning("review digest to user %s not sent: %s", digest.user_id, reason)
                if _lost_connection(exc):
                    run.failed += [(d.email, reason) for d in digests[index:]]
                    break
                run.failed.append((digest.email, reason))
            else:
                run.sent.append(digest.email)
    return run


def wants_digest(user: User) -> bool:
    """Whether the learner gets the weekly digest (when the site sends them)."""
    with store_db.session() as db:
        return not store.opted_out(db, user.id)


def set_wants_digest(user: User, wanted: bool) -> None:
    """Keep the learner's choice of the weekly digest."""
    with store_db.session() as db:
        store.set_opted_out(db, user.id, not wanted)
