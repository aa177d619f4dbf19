"""A real LTI 1.3 platform for tests: the `lti1p3platform` library (PyPI) acting as the LMS.

The library does the platform's protocol work: it builds the OIDC login initiation URL,
checks CareLab's answer (client id, nonce, state, redirect URI), signs id_tokens for
resource-link and Deep Linking launches, checks CareLab's Deep Linking response against
CareLab's published JWKS, issues AGS access tokens for CareLab's signed JWT assertion, and
authenticates the score POSTs. This file only gives it an HTTP face (http.server on a
free local port) and remembers what it received: content items, line items, scores.
"""

from __future__ import annotations

import html
import json
import re
import threading
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def _keys() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return pem, public


class _DictRequest(Request):
    def build_metadata(self, request: t.Any) -> t.Any:
        return request


class _Config(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self._given = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self._given


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    plan: dict[str, t.Any]

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._request.get_data

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return launch_data


class _Grades(AssignmentsGradesService):
    def __init__(self, request: Request, config: _Config, platform: LmsPlatform) -> None:
        super().__init__(request, config, f"{platform.url}/lineitems")
        self.platform = platform

    def find_lineitems(self, **kwargs: t.Any) -> t.Any:
        return {"content": list(self.platform.line_items.values()), "has_next": False}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        return self.platform.line_items[line_item_id]

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        raise NotImplementedError

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        raise NotImplementedError

    def delete_lineitem(self, line_item_id: str) -> None:
        raise NotImplementedError

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        self.platform.scores.append({"line_item": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id: str, **kwargs: t.Any) -> t.Any:
        return {"content": [], "has_next": False}


class LmsPlatform:
    """An LMS on 127.0.0.1 that launches CareLab at `tool_url` with one registration."""

    def __init__(self, tool_url: str, client_id: str = "carelab-client",
                 deployment_id: str = "deployment-1") -> None:  # fmt: skip
        self.private_pem, self.public_pem = _keys()
        self.tool_url = tool_url.rstrip("/")
        self.client_id, self.deployment_id = client_id, deployment_id
        self.plans: dict[str, dict[str, t.Any]] = {}
        self.content_items: list[dict[str, t.Any]] = []
        self.line_items: dict[str, dict[str, t.Any]] = {}
        self.scores: list[dict[str, t.Any]] = []
        self.token_requests = 0
        self.id_token_seconds = 300
        self.registrar: t.Any = None  # tests/lti/registrar.py, for Dynamic Registration
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.registration = (
            Registration()
            .set_iss(self.url)
            .set_client_id(client_id)
            .set_deployment_id(deployment_id)
            .set_oidc_login_url(f"{self.tool_url}/lti/login")
            .set_launch_url(f"{self.tool_url}/lti/launch")
            .set_deeplink_launch_url(f"{self.tool_url}/lti/deep-link")
            .set_tool_key_set_url(f"{self.tool_url}/lti/jwks")
            .set_platform_public_key(self.public_pem)
            .set_platform_private_key(self.private_pem)
        )
        self.config = _Config(registration=self.registration)
        self.config.get_registration()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- life ---------------------------------------------------------------------------------

    def __enter__(self) -> LmsPlatform:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoints(self) -> dict[str, str]:
        """What a CareLab administrator registers for this platform."""
        return {"issuer": self.url, "client_id": self.client_id,
                "deployment_id": self.deployment_id, "jwks_url": f"{self.url}/jwks",
                "auth_url": f"{self.url}/auth", "token_url": f"{self.url}/token"}  # fmt: skip

    # -- launches ------------------------------------------------------------------------------

    def login_url(self, user: str, roles: list[str], deep_link: bool = False,
                  custom: dict[str, str] | None = None, line_item: str | None = None,
                  name: str = "Ada Lovelace", framed: bool = False) -> str:  # fmt: skip
        """Where the LMS sends the browser to start a launch (CareLab's /lti/login)."""
        hint = f"plan-{len(self.plans) + 1}"
        self.plans[hint] = {"user": user, "roles": roles, "deep_link": deep_link,
                            "custom": custom, "line_item": line_item, "name": name,
                            "framed": framed}  # fmt: skip
        login = _Login(None, self.config)
        login.set_lti_message_hint(hint=hint)
        if deep_link:
            login.set_deeplinking_launch_url()
        return login.initiate_login(user)

    def launch_for(self, link: dict[str, t.Any], user: str, roles: list[str]) -> str:
        """The login URL for a link that Deep Linking created (its custom params, line item)."""
        return self.login_url(
            user, roles, custom=link.get("custom"), line_item=link.get("line_item")
        )

    def authorize(self, query: dict[str, str]) -> dict[str, str]:
        """The OIDC authentication endpoint: the id_token, state and where to POST them."""
        plan = self.plans[query["lti_message_hint"]]
        launch = _Launch(_DictRequest({"get_data": query, "method": "GET"}), self.config)
        launch.set_id_token_expiration(self.id_token_seconds)
        launch.set_user_data(plan["user"], plan["roles"], full_name=plan["name"])
        launch.set_resource_link_claim(f"link-{query['lti_message_hint']}")
        launch.set_launch_context_claim("course-1", context_title="Quality improvement")
        if plan["custom"]:
            launch.set_custom_parameters_claim(plan["custom"])
        if plan["deep_link"]:
            launch.set_dl(
                f"{self.url}/deep-link-return", title="Add CareLab content",
                accept_types={"ltiResourceLink"}, extra_data={"course": "course-1"},
            )  # fmt: skip
        if plan["line_item"]:
            launch.set_ags(f"{self.url}/lineitems", f"{self.url}/lineitems/{plan['line_item']}")
        return launch.lti_launch()

    # -- HTTP ----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: t.Any) -> None:
                pass

            def _reply(self, code: int, body: str, kind: str = "application/json") -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _registration(self, body: bytes = b"") -> bool:
                if platform.registrar is None:
                    return False
                answer = platform.registrar.handle(self.command, self.path, self.headers, body)
                if answer is not None:
                    self._reply(*answer)
                return answer is not None

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if self._registration():
                    pass
                elif parts.path == "/jwks":
                    self._reply(200, json.dumps(platform.config.get_jwks()))
                elif parts.path == "/auth":
                    query = dict(parse_qsl(parts.query))
                    data = platform.authorize(query)
                    framed = platform.plans[query["lti_message_hint"]]["framed"]
                    self._reply(200, auto_post_form(data, framed), "text/html")
                else:
                    self._reply(404, "{}")

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                body = self._body()
                if self._registration(body):
                    pass
                elif path == "/token":
                    platform.token_requests += 1
                    form = dict(parse_qsl(body.decode()))
                    self._reply(200, json.dumps(platform.config.get_access_token(form)))
                elif path == "/deep-link-return":
                    form = dict(parse_qsl(body.decode()))
                    items = platform.config.validate_deeplinking_resp(form)
                    platform.receive_items(items)
                    self._reply(200, "<p>Content added to the course.</p>", "text/html")
                elif match := re.fullmatch(r"/lineitems/([^/]+)/scores", path):
                    request = _DictRequest({
                        "method": "POST", "headers": dict(self.headers),
                        "json": json.loads(body), "get_data": {},
                    })  # fmt: skip
                    reply = _Grades(request, platform.config, platform).handle_resp(
                        lambda: _Grades(request, platform.config, platform).handle_update_score(
                            match.group(1)
                        )
                    )
                    self._reply(reply.code, json.dumps({"message": reply.message}))
                else:
                    self._reply(404, "{}")

        return Handler

    def receive_items(self, items: list[dict[str, t.Any]]) -> None:
        """Keep Deep Linking's content items; make a line item where one is asked for."""
        for item in items:
            link = {"title": item.get("title"), "custom": item.get("custom"), "line_item": None}
            if item.get("lineItem"):
                line_id = f"li-{len(self.line_items) + 1}"
                self.line_items[line_id] = {"id": f"{self.url}/lineitems/{line_id}",
                                            **item["lineItem"]}  # fmt: skip
                link["line_item"] = line_id
            self.content_items.append({**item, "_link": link})


def auto_post_form(data: dict[str, str], framed: bool = False) -> str:
    """The platform's launch page: a form that posts id_token and state to the tool (into
    an iframe on the course page when `framed`, as most LMSs show a tool)."""
    frame = '<iframe name="tool" title="CareLab" width="600" height="400"></iframe>'
    return (
        '<!doctype html><html lang="en"><head><title>Course page</title></head><body>'
        f"<h1>Course page</h1>{frame if framed else ''}"
        f'<form id="launch" method="post" action="{html.escape(data["launch_url"])}"'
        f"{' target=tool' if framed else ''}>"
        f'<input type="hidden" name="id_token" value="{html.escape(data["id_token"])}">'
        f'<input type="hidden" name="state" value="{html.escape(data["state"])}">'
        '<button type="submit">Launch</button></form>'
        "<script>document.getElementById('launch').submit()</script></body></html>"
    )


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on a page."""
    action = re.search(r'<form[^>]*action="([^"]*)"', page)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert action is not None, page[:500]
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}
