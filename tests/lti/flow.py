"""A launch driven over real HTTP without a browser (httpx keeps the cookies): the VLE's course page posts the login
to the tool, the tool redirects to the platform's auth endpoint, whose page posts the id_token back to the tool."""

from __future__ import annotations

import re
from html import unescape

import httpx

FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def form_of(page: str) -> tuple[str, dict]:
    """(action, fields) of an auto-posting page."""
    return unescape(ACTION.search(page).group(1)), {unescape(k): unescape(v) for k, v in FIELD.findall(page)}


def launch(client: httpx.Client, platform, user: str, link: str = "psych", message: str = "resource") -> httpx.Response:
    """The whole launch, up to and including the tool's answer to the id_token (not following its redirect)."""
    action, fields = form_of(client.get(platform.launch_url(user, link, message)).text)
    login = client.post(action, data=fields)
    if login.status_code != 302:
        return login
    auth = client.get(login.headers["location"])
    assert auth.status_code == 200, auth.text
    action, fields = form_of(auth.text)
    return client.post(action, data=fields)
