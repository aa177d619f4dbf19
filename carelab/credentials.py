"""What an account is made of: emails, display names, and passwords (rules and scrypt hashes).

New passwords follow NIST SP 800-63B (section 5.1.1.2): long rather than complicated, and
not one that attackers try first. CareLab checks length (12 to 256 characters), refuses a
password of one character repeated (all spaces included), the account's own email or the
part before its @, and any password on the list of 19,640 common passwords shipped in
carelab/assets/passwords/ (from Django, BSD 3-Clause; see the LICENSE beside it).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from carelab.errors import AuthError

MIN_PASSWORD = 12
MAX_PASSWORD = 256
MAX_NAME = 100
COMMON_PASSWORDS = Path(__file__).parent / "assets" / "passwords" / "common-passwords.txt.gz"

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Invisible format characters (Unicode category Cf) are removed from names: bidi overrides
# and isolates (U+202A-U+202E, U+2066-U+2069) can make a name read backwards on a
# certificate or in a list, and marks such as U+200B or U+200E/U+200F make two names look
# the same. Zero-width non-joiner and joiner stay: Persian, the Indic scripts and emoji
# sequences need them to spell names correctly.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def hash_password(password: str) -> str:
    """Return a salted scrypt hash in the form scrypt$N$r$p$salt$hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    salt_text, digest_text = (base64.b64encode(b).decode() for b in (salt, digest))
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt_text}${digest_text}"


def verify_password(password: str, stored: str) -> bool:
    """Return whether `password` matches a hash made by hash_password (constant time)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@cache
def dummy_hash() -> str:
    """A hash to verify against when an email is unknown (made once per process).

    A wrong email then costs as long as a wrong password, so response times do not reveal
    which accounts exist.
    """
    return hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """Return the email trimmed, or raise AuthError if it does not look like one."""
    email = email.strip()
    if not _EMAIL.match(email) or len(email) > 254:
        raise AuthError("Enter an email address such as name@example.org.")
    return email


def _hidden(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return not char.isspace()  # tabs and line breaks become spaces below
    return category == "Cs" or (category == "Cf" and char not in _KEPT_FORMAT)


def clean_display_name(name: str) -> str:
    """Return a name without control or invisible format characters and with single spaces.

    Raise AuthError unless 1 to 100 characters are left.
    """
    kept = "".join(c for c in unicodedata.normalize("NFC", name) if not _hidden(c))
    cleaned = " ".join(kept.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise AuthError(
            f"Enter your name as it should appear on certificates (1-{MAX_NAME} characters)."
        )
    return cleaned


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (read once per process)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _forms(password: str) -> set[str]:
    """The ways a password is compared: lower case, trimmed, and with no spaces at all."""
    lowered = password.lower()
    return {lowered.strip(), "".join(lowered.split())}


def check_new_password(password: str, email: str = "") -> None:
    """Raise AuthError, with the reason, if a new password breaks one of the rules above."""
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    if len(set(password)) == 1 or not password.strip():
        raise AuthError("Choose a password that is not one character repeated or only spaces.")
    forms = _forms(password)
    if email:
        address = email.strip().lower()
        if forms & {address, address.split("@")[0]}:
            raise AuthError(
                "Choose a password that is not your email address or the part before the @."
            )
    if forms & common_passwords():
        raise AuthError(
            "That password is on a list of common passwords that attackers try first. "
            "Choose another: a few unrelated words make a strong one."
        )
