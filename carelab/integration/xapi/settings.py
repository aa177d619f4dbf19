"""xAPI's settings: whether an LRS is configured, where it is, and what stops it working."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from carelab import config


def site_url() -> str:
    """The site's public address without a trailing slash ('' when not set)."""
    return config.get("CARELAB_PUBLIC_URL").rstrip("/")


def enabled() -> bool:
    """Whether an LRS is configured (CARELAB_XAPI_ENDPOINT is set)."""
    return bool(config.get("CARELAB_XAPI_ENDPOINT"))


def problem() -> str | None:
    """What stops statements being recorded or sent, in a sentence, or None."""
    if not enabled():
        return None
    if not config.get("CARELAB_XAPI_ENDPOINT").startswith(("https://", "http://")):
        return (
            "CARELAB_XAPI_ENDPOINT must be the LRS's https:// address (http:// only on a "
            "private network)."
        )
    if not site_url().startswith(("https://", "http://")):
        return (
            "CARELAB_PUBLIC_URL is not set to the site's https:// address: xAPI statements "
            "name activities under it, so none are recorded until it is set."
        )
    return None


@dataclass(frozen=True)
class Lrs:
    """Where statements go: the xAPI endpoint and the Basic-auth credentials."""

    endpoint: str
    username: str
    password: str

    @classmethod
    def from_config(cls) -> Lrs:
        """The LRS that CARELAB_XAPI_ENDPOINT, _USERNAME and _PASSWORD name."""
        return cls(
            config.get("CARELAB_XAPI_ENDPOINT"),
            config.get("CARELAB_XAPI_USERNAME"),
            config.get("CARELAB_XAPI_PASSWORD"),
        )

    @property
    def statements_url(self) -> str:
        """The statements resource: {endpoint}/statements."""
        return self.endpoint.rstrip("/") + "/statements"

    @property
    def label(self) -> str:
        """The endpoint for messages: scheme, host and port, never a user or password."""
        parts = urlsplit(self.endpoint)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or ''}{port}"
