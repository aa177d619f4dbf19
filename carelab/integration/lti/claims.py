"""The LTI 1.3 claim names CareLab reads and writes, and what the launch means to CareLab."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
RESOURCE_LINK = LTI + "resource_link"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
TARGET_KINDS = ("module", "case", "workshop")

# The last part of an LIS role URI (…/membership#Instructor, …/institution/person#Faculty,
# or a bare "Instructor") -> the CareLab roles it grants beyond learner. LMS administrators
# teach in CareLab; they never become CareLab administrators through a launch.
_ROLE_GRANTS = {
    "Instructor": ("facilitator",),
    "TeachingAssistant": ("facilitator",),
    "Mentor": ("facilitator",),
    "Faculty": ("facilitator",),
    "Administrator": ("facilitator",),
    "ContentDeveloper": ("facilitator", "author"),
}


def carelab_roles(lis_roles: list[Any]) -> frozenset[str]:
    """The CareLab roles a launch's LIS roles grant (learner is everyone's; not listed)."""
    granted: set[str] = set()
    for role in lis_roles:
        if not isinstance(role, str):
            continue
        name = role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        granted.update(_ROLE_GRANTS.get(name, ()))
    return frozenset(granted)


def is_instructor(lis_roles: list[Any]) -> bool:
    """Whether the launch's roles allow choosing content (Deep Linking)."""
    return "facilitator" in carelab_roles(lis_roles)


@dataclass(frozen=True)
class Launch:
    """A checked id_token: who launched, from which platform and deployment, to do what."""

    platform_id: int
    issuer: str
    client_id: str
    sub: str
    message_type: str
    deployment_id: str
    name: str
    roles: tuple[str, ...]
    claims: dict[str, Any] = field(repr=False)

    @property
    def context_id(self) -> str | None:
        """The course the launch came from, if the platform said."""
        return _str(self.claims.get(CONTEXT, {}), "id")

    @property
    def resource_link_id(self) -> str | None:
        """The link in the course that was clicked, if the platform said."""
        return _str(self.claims.get(RESOURCE_LINK, {}), "id")

    @property
    def lineitem_url(self) -> str | None:
        """The AGS line item scores go to, when the platform allows posting scores."""
        endpoint = self.claims.get(AGS_ENDPOINT)
        if not isinstance(endpoint, dict) or AGS_SCORE_SCOPE not in endpoint.get("scope", []):
            return None
        return _str(endpoint, "lineitem")

    def target(self) -> tuple[str, str] | None:
        """What to open: (kind, id), from the custom parameters or the target link's query."""
        custom = self.claims.get(CUSTOM)
        if isinstance(custom, dict):
            kind, item = custom.get("carelab_kind"), custom.get("carelab_id")
            if kind in TARGET_KINDS and isinstance(item, str) and item:
                return kind, item
        query = parse_qs(urlsplit(str(self.claims.get(TARGET_LINK_URI) or "")).query)
        for kind in TARGET_KINDS:
            if query.get(kind):
                return kind, query[kind][0]
        return None


def _str(mapping: object, key: str) -> str | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) and value else None


def display_name(claims: dict[str, Any]) -> str:
    """The person's name as the platform gave it, or a neutral one."""
    name = claims.get("name") or " ".join(
        str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)
    )
    text = " ".join(str(name).split())[:100]
    return text or "Learner from the LMS"
