"""LTI's HTTP side, mounted beside Gradio on the app's FastAPI server:

| route | what |
|---|---|
| ``GET/POST /lti/login`` | OIDC third-party login initiation: redirect to the platform's auth endpoint |
| ``POST /lti/launch`` | the platform posts the id_token here: checked, then the browser is signed in and sent to ``/`` (a deep linking launch gets the unit picker) |
| ``POST /lti/deep-link`` | the picker's choice: an auto-posting form carries the signed response back to the platform |
| ``GET /lti/jwks`` | the tool's public keys |

A refusal is a short page saying what to do (status 4xx/5xx), its precise reason goes to the log, and the browser's
LTI session cookie is cleared, so whatever was signed in before is not shown after a bad launch.

``SignedInMiddleware`` puts who a request's LTI session belongs to on ``request.state`` (``learner``,
``learner_name``, ``tutor``, ``unit``) for the app's handlers; a request without a live session gets nothing there.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from . import pages
from .claims import DEEP_LINKING_REQUEST
from .errors import Refused
from .launch import state_cookie
from .sessions import COOKIE, SESSION_SECONDS
from .tool import DEEP_LINK_PATH, JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, LtiTool

log = logging.getLogger(__name__)


def _cookie_options(base: str) -> dict:
    """Over https the cookies must cross sites (the platform posts the launch from its own site, often in a frame):
    SameSite=None, Secure. Over plain http (a test machine) browsers refuse that, so Lax."""
    secure = base.startswith("https://")
    return {"httponly": True, "secure": secure, "samesite": "none" if secure else "lax", "path": "/"}


def _refusal(exc: Refused, request: Request) -> HTMLResponse:
    log.warning("LTI refused %s %s: %s", request.method, request.url.path, exc.why)
    response = HTMLResponse(pages.refused(str(exc)), status_code=exc.status)
    response.delete_cookie(COOKIE, path="/")
    return response


class Routes:
    """The handlers, each turning a request into a call of the tool and its result (or refusal) into a response."""

    def __init__(self, tool: LtiTool):
        self.tool = tool

    def base_of(self, request: Request) -> str:
        return self.tool.base(str(request.base_url))

    async def login(self, request: Request) -> Response:
        params = dict(request.query_params) | (dict(await request.form()) if request.method == "POST" else {})
        base = self.base_of(request)
        try:
            url, state = await run_in_threadpool(self.tool.login, {k: str(v) for k, v in params.items()}, base)
        except Refused as exc:
            return _refusal(exc, request)
        response = RedirectResponse(url, status_code=302)
        response.set_cookie(state_cookie(state), state, max_age=600, **_cookie_options(base))
        return response

    async def launch(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        base = self.base_of(request)
        try:
            token, launched, _unit = await run_in_threadpool(self.tool.launch, form, dict(request.cookies))
            page = (await run_in_threadpool(self.tool.picker, token, base)
                    if launched.kind == DEEP_LINKING_REQUEST else None)
        except Refused as exc:
            return _refusal(exc, request)
        response = HTMLResponse(page) if page is not None else RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, max_age=SESSION_SECONDS, **_cookie_options(base))
        if form.get("state"):
            response.delete_cookie(state_cookie(form["state"]), path="/")
        return response

    async def launch_directly(self, request: Request) -> Response:
        return _refusal(Refused("Open this activity from your course page: the tutor is launched by your course "
                                "platform.", "GET on the launch URL", 405), request)

    async def deep_link(self, request: Request) -> Response:
        form = await request.form()
        try:
            url, jwt = await run_in_threadpool(self.tool.deep_link, request.cookies.get(COOKIE),
                                               str(form.get("launch", "")), [str(u) for u in form.getlist("unit")],
                                               self.base_of(request))
        except Refused as exc:
            return _refusal(exc, request)
        return HTMLResponse(pages.autopost(url, {"JWT": jwt}, "returning to your course"))

    async def jwks(self) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(self.tool.keys.jwks), headers={"Cache-Control": "max-age=300"})


def router(tool: LtiTool) -> APIRouter:
    handlers, routes = Routes(tool), APIRouter()
    routes.add_api_route(LOGIN_PATH, handlers.login, methods=["GET", "POST"])
    routes.add_api_route(LAUNCH_PATH, handlers.launch, methods=["POST"])
    routes.add_api_route(LAUNCH_PATH, handlers.launch_directly, methods=["GET"])
    routes.add_api_route(DEEP_LINK_PATH, handlers.deep_link, methods=["POST"])
    routes.add_api_route(JWKS_PATH, handlers.jwks, methods=["GET"])
    return routes


class SignedInMiddleware:
    """Pure ASGI: reads the ``tutor-lti`` cookie and, for a live session, fills ``scope["state"]``."""

    def __init__(self, app, tool: LtiTool):
        self.app, self.tool = app, tool

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            token = Request(scope).cookies.get(COOKIE) if scope["type"] == "http" else None
            who = await run_in_threadpool(self.tool.signed_in, token) if token else None
            if who is not None:
                scope.setdefault("state", {}).update(learner=who.learner, learner_name=who.name, tutor=who.teacher,
                                                     unit=who.unit)
        await self.app(scope, receive, send)


def mount(app: FastAPI, tool: LtiTool) -> None:
    """The LTI routes and the sign-in middleware, on ``app`` (before Gradio's catch-all mount at "/")."""
    app.include_router(router(tool))
    app.add_middleware(SignedInMiddleware, tool=tool)
