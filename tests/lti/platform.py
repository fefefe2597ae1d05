"""A small LTI 1.3 platform of the tests' own, served on loopback: a real RSA key pair and JWKS, a course page that
starts a launch, an OIDC auth endpoint, an OAuth2 token endpoint that checks the tool's client assertion against the
tool's published JWKS (fetched over HTTP, every time), AGS line items and scores, and a deep-linking return that
checks the tool's signed response. What it received is kept on the object for the tests to read.

Bad launches are made on purpose with ``spoil``: the next id_token is signed with another key, already expired,
for an unregistered deployment, or carries extra claims.
"""

from __future__ import annotations

import html
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
STAFF = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"  # staff somewhere, not this course
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


def autopost(action: str, fields: dict) -> HTMLResponse:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
                     for k, v in fields.items())
    return HTMLResponse(f'<html><body onload="document.forms[0].submit()"><form method="post" '
                        f'action="{html.escape(action)}">{inputs}</form></body></html>')


@dataclass
class Platform:
    port: int
    client_id: str = "tutor-on-test-vle"
    deployment: str = "deployment-1"
    tool: str = ""  # the tool's base URL, set once it is served
    users: dict = field(default_factory=lambda: {
        "ann": {"sub": "u-ann", "name": "Ann Learner", "roles": [LEARNER]},
        "bob": {"sub": "u-bob", "name": "Bob Learner", "roles": [LEARNER, STAFF]},
        "tess": {"sub": "u-tess", "name": "Tess Teacher", "roles": [INSTRUCTOR]},
    })
    links: dict = field(default_factory=lambda: {
        "psych": {"title": "Memory practice", "custom": {"unit": "psychology-memory"}},
        "econ": {"title": "Economics 3.1", "target": "?unit=economics-demand-supply"},
        "nothing": {"title": "Weekly reading"},
    })
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "vle-1", "alg": "RS256"}))
    spoil: dict = field(default_factory=dict)  # applied to the next id_token only
    score_failures: int = 0  # answer this many score posts with 503 before accepting
    with_lineitem: bool = False  # the launch's AGS claim names its line item (as when deep linking made it)
    lineitems: dict = field(default_factory=dict)
    scores: list = field(default_factory=list)
    score_attempts: int = 0
    tokens: dict = field(default_factory=dict)  # access token -> scopes
    assertion_kids: list = field(default_factory=list)  # the kid of every client assertion the tool sent
    deep_links: list = field(default_factory=list)
    last_post: dict = field(default_factory=dict)  # the last id_token and state posted to the tool

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_platform_args(self) -> list[str]:
        """What ``tutor lti add-platform`` is given for this platform (the README's Moodle values, here)."""
        return ["--issuer", self.url, "--client-id", self.client_id, "--auth-url", f"{self.url}/auth",
                "--token-url", f"{self.url}/token", "--jwks-url", f"{self.url}/jwks",
                "--deployment-id", self.deployment]

    def launch_url(self, user: str, link: str = "psych", message: str = "resource") -> str:
        return f"{self.url}/course/launch?user={user}&link={link}&message={message}"

    # ---- the id_token -------------------------------------------------------------------------------------------
    def id_token(self, user: str, link: str, message: str, nonce: str) -> str:
        person, now, spoil = self.users[user], int(time.time()), self.spoil
        self.spoil = {}
        claims = {"iss": self.url, "aud": self.client_id, "sub": person["sub"], "iat": now, "exp": now + 300,
                  "nonce": nonce, "name": person["name"], LTI + "roles": person["roles"], LTI + "version": "1.3.0",
                  LTI + "deployment_id": spoil.get("deployment", self.deployment),
                  LTI + "context": {"id": "course-7", "title": "Level 3 Psychology"}}
        if message == "deeplink":
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return", "accept_types": ["ltiResourceLink"],
                "accept_multiple": True, "data": "opaque-42"}
        else:
            chosen = self.links[link]
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": f"rl-{link}", "title": chosen["title"]}
            claims[LTI + "target_link_uri"] = f"{self.tool}/lti/launch{chosen.get('target', '')}"
            if "custom" in chosen:
                claims[LTI + "custom"] = chosen["custom"]
            ags = {"scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitems": f"{self.url}/course-7/lineitems"}
            if self.with_lineitem:
                ags["lineitem"] = self._lineitem_for(f"rl-{link}", chosen.get("custom", {}).get("unit", ""))
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
        if "exp" in spoil:
            claims["exp"], claims["iat"] = now + spoil["exp"], now + spoil["exp"] - 300
        claims.update(spoil.get("claims", {}))
        key = spoil.get("key", self.key)
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, key)

    def _lineitem_for(self, link_id: str, unit: str) -> str:
        for url, item in self.lineitems.items():
            if item["resourceLinkId"] == link_id:
                return url
        url = f"{self.url}/course-7/lineitems/{len(self.lineitems) + 1}"
        self.lineitems[url] = {"id": url, "scoreMaximum": 100, "label": "made by the VLE", "resourceId": unit,
                               "resourceLinkId": link_id}
        return url

    def tool_keys(self) -> KeySet:
        return KeySet.import_key_set(httpx.get(f"{self.tool}/lti/jwks", timeout=10).json())

    # ---- the server ------------------------------------------------------------------------------------------
    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/jwks")
        def jwks():
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/course/launch")
        def course_page(user: str, link: str = "psych", message: str = "resource"):
            """The VLE's activity page: third-party login initiation, posted to the tool."""
            return autopost(f"{self.tool}/lti/login", {
                "iss": self.url, "login_hint": user, "lti_message_hint": f"{link}|{message}",
                "target_link_uri": f"{self.tool}/lti/launch", "client_id": self.client_id,
                "lti_deployment_id": self.deployment})

        @app.get("/auth")
        def auth(request: Request):
            q = request.query_params
            if q.get("client_id") != self.client_id or q.get("redirect_uri") != f"{self.tool}/lti/launch":
                return HTMLResponse("unknown client or redirect_uri", 400)
            if (q.get("scope"), q.get("response_type"), q.get("response_mode")) != ("openid", "id_token", "form_post"):
                return HTMLResponse("not an LTI authentication request", 400)
            link, message = q.get("lti_message_hint", "psych|resource").split("|")
            fields = {"id_token": self.id_token(q["login_hint"], link, message, q["nonce"]), "state": q["state"]}
            self.last_post = fields
            return autopost(q["redirect_uri"], fields)

        @app.post("/token")
        async def token(request: Request):
            form = await request.form()
            try:
                header = jwt.decode(form["client_assertion"], self.tool_keys(), algorithms=["RS256"])
                claims = header.claims
                assert form["grant_type"] == "client_credentials"
                assert claims["iss"] == claims["sub"] == self.client_id and claims["aud"] == f"{self.url}/token"
                assert claims["exp"] > time.time()
            except Exception as exc:  # noqa: BLE001 - any fault is the tool's: say so as OAuth does
                return JSONResponse({"error": "invalid_client", "error_description": repr(exc)}, 401)
            self.assertion_kids.append(header.header["kid"])
            access = uuid.uuid4().hex
            self.tokens[access] = set(str(form.get("scope", "")).split())
            return {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope")}

        def allowed(request: Request, scope: str) -> bool:
            given = request.headers.get("authorization", "").removeprefix("Bearer ")
            return scope in self.tokens.get(given, set())

        @app.get("/course-7/lineitems")
        def list_items(request: Request, resource_link_id: str = "", resource_id: str = ""):
            if not allowed(request, LINEITEM_SCOPE):
                return JSONResponse({"error": "unauthorised"}, 401)
            return [i for i in self.lineitems.values() if (not resource_link_id or i["resourceLinkId"] ==
                                                           resource_link_id) and (not resource_id or i["resourceId"] == resource_id)]

        @app.post("/course-7/lineitems")
        async def create_item(request: Request):
            if not allowed(request, LINEITEM_SCOPE):
                return JSONResponse({"error": "unauthorised"}, 401)
            item = await request.json()
            item["id"] = f"{self.url}/course-7/lineitems/{len(self.lineitems) + 1}"
            self.lineitems[item["id"]] = item
            return JSONResponse(item, 201)

        @app.post("/course-7/lineitems/{number}/scores")
        async def score(number: int, request: Request):
            if not allowed(request, SCORE_SCOPE):
                return JSONResponse({"error": "unauthorised"}, 401)
            if request.headers.get("content-type") != "application/vnd.ims.lis.v1.score+json":
                return JSONResponse({"error": "wrong media type"}, 415)
            self.score_attempts += 1
            if self.score_failures > 0:
                self.score_failures -= 1
                return JSONResponse({"error": "gradebook busy"}, 503)
            self.scores.append({"lineitem": f"{self.url}/course-7/lineitems/{number}", **(await request.json())})
            return JSONResponse({}, 200)

        @app.post("/deep-link-return")
        async def deep_link_return(request: Request):
            form = await request.form()
            token = jwt.decode(form["JWT"], self.tool_keys(), algorithms=["RS256"])
            assert token.claims["aud"] in (self.url, [self.url]) and token.claims["iss"] == self.client_id
            self.deep_links.append(token.claims)
            items = token.claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
            return HTMLResponse(f'<p id="vle-added">Added {len(items)} activities: '
                                f'{html.escape(", ".join(i["title"] for i in items))}</p>')

        return app

    def serve(self):
        server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True, name="test-platform")
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return server, thread
