"""The platform side of LTI Dynamic Registration (1EdTech, v1.0), for tests/lti/platform.py.

lti1p3platform (the library LmsPlatform wraps) has no dynamic registration, so this is
the spec's platform side written out: an OpenID configuration (section 3.5.2) and a
registration endpoint (3.6) that accepts a tool's registration only with the registration
token it issued, once, checks the document's required fields, and answers with the
client_id and deployment_id. The tool's URLs it receives become the platform's
registration of the tool, so the next launch goes where CareLab registered.

An "LMS admin page" (GET /register-tool?url=...) opens the tool's registration URL in an
iframe, as Moodle does, and says when the tool asks to be closed (postMessage).
"""

from __future__ import annotations

import html
import json
import secrets
import typing as t
from urllib.parse import parse_qsl, urlencode, urlsplit

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CONFIG_PATH = "/.well-known/openid-configuration"
REGISTER_PATH = "/register"
CLOSE_LISTENER = (
    "window.addEventListener('message',function(e){if(e.data&&e.data.subject==="
    "'org.imsglobal.lti.close'){document.getElementById('status').textContent="
    "'The tool asked to close its window.';document.getElementById('tool').remove();}});"
)


class Registrar:
    """Dynamic registration for `platform` (an LmsPlatform): one token, one registration."""

    def __init__(self, platform: t.Any) -> None:
        self.platform = platform
        self.token = secrets.token_urlsafe(16)
        self.issuer = platform.url  # a test may set another to see CareLab refuse it
        self.received: list[dict[str, t.Any]] = []
        self.refusals: list[str] = []

    def start_url(self, registration_url: str) -> str:
        """The tool's registration URL with the spec's two query parameters, as an LMS opens it."""
        query = urlencode({"openid_configuration": self.platform.url + CONFIG_PATH,
                           "registration_token": self.token})  # fmt: skip
        return f"{registration_url}?{query}"

    def configuration(self) -> dict[str, t.Any]:
        """The platform's OpenID configuration (LTI Dynamic Registration section 3.5.2)."""
        url = self.platform.url
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{url}/auth",
            "token_endpoint": f"{url}/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": f"{url}/jwks",
            "registration_endpoint": url + REGISTER_PATH,
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "lti1p3platform-test",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest"},
                ],
            },
        }

    def _authorised(self, headers: t.Any) -> bool:
        return headers.get("Authorization") == f"Bearer {self.token}"

    def problems(self, doc: dict[str, t.Any]) -> list[str]:
        """What a tool registration lacks, by the spec's required fields (section 3.6)."""
        found = []
        expect = {"application_type": "web", "token_endpoint_auth_method": "private_key_jwt"}
        found += [f"{k} must be {v}" for k, v in expect.items() if doc.get(k) != v]
        if doc.get("response_types") != ["id_token"]:
            found.append("response_types must be ['id_token']")
        if not {"implicit", "client_credentials"} <= set(doc.get("grant_types") or []):
            found.append("grant_types must hold implicit and client_credentials")
        for key in ("initiate_login_uri", "jwks_uri", "client_name"):
            if not isinstance(doc.get(key), str) or not doc[key]:
                found.append(f"{key} is required")
        if not doc.get("redirect_uris"):
            found.append("redirect_uris is required")
        tool = doc.get(TOOL_CONFIGURATION) or {}
        for key in ("domain", "target_link_uri", "claims"):
            if not tool.get(key):
                found.append(f"{TOOL_CONFIGURATION}.{key} is required")
        return found

    def handle(self, method: str, target: str, headers: t.Any,
               body: bytes) -> tuple[int, str, str] | None:  # fmt: skip
        """Answer the registration paths ((status, body, content type)); None for others."""
        parts = urlsplit(target)
        path = parts.path
        if method == "GET" and path == "/register-tool":
            return 200, admin_page(self.start_url(dict(parse_qsl(parts.query))["url"])), "text/html"
        if method == "GET" and path == CONFIG_PATH:
            if not self._authorised(headers):
                return 401, '{"error": "invalid registration token"}', "application/json"
            return 200, json.dumps(self.configuration()), "application/json"
        if method == "POST" and path == REGISTER_PATH:
            return self._register(headers, body)
        return None

    def _register(self, headers: t.Any, body: bytes) -> tuple[int, str, str]:
        if not self._authorised(headers):
            self.refusals.append("token")
            return 401, '{"error": "invalid registration token"}', "application/json"
        doc = json.loads(body)
        if problems := self.problems(doc):
            self.refusals.append("; ".join(problems))
            refusal = {"error": "invalid_client_metadata", "error_description": "; ".join(problems)}
            return 400, json.dumps(refusal), "application/json"
        self.received.append(doc)
        self.token = secrets.token_urlsafe(16)  # used: the token works once
        (
            self.platform.registration.set_oidc_login_url(doc["initiate_login_uri"])
            .set_launch_url(doc["redirect_uris"][0])
            .set_tool_key_set_url(doc["jwks_uri"])
        )
        answer = {
            **doc,
            "client_id": self.platform.client_id,
            TOOL_CONFIGURATION: {
                **doc[TOOL_CONFIGURATION],
                "deployment_id": self.platform.deployment_id,
            },
        }
        return 200, json.dumps(answer), "application/json"


def admin_page(start_url: str) -> str:
    """The LMS's "register a tool" page: the tool's registration in an iframe, as Moodle does."""
    return (
        '<!doctype html><html lang="en"><head><title>Register a tool</title></head><body>'
        '<h1>Register a tool</h1><p id="status" role="status">Registering…</p>'
        f'<iframe id="tool" title="Tool registration" width="600" height="400" '
        f'src="{html.escape(start_url)}"></iframe>'
        f"<script>{CLOSE_LISTENER}</script></body></html>"
    )
