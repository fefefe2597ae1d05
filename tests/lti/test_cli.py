"""``tutor lti``: the values the README tells a Moodle administrator to enter are the URLs the test platform uses;
registration errors say what to do in one line; a removed platform can no longer launch anyone."""

from __future__ import annotations

import httpx

from tests.lti.flow import launch
from tutor.cli import main


def values(capsys, url: str) -> dict[str, str]:
    assert main(["lti", "tool-values", "--url", url]) == 0
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in capsys.readouterr().out.splitlines()}


def test_tool_values_are_the_urls_the_platform_uses(tool_app, platform, capsys):
    shown = values(capsys, platform.tool)
    assert shown["Initiate login URL"] == f"{platform.tool}/lti/login"  # where the course page posts the login
    assert shown["Redirection URI(s)"] == shown["Tool URL"] == f"{platform.tool}/lti/launch"  # all /auth accepts
    keys = httpx.get(shown["Public keyset URL"], timeout=10).json()["keys"]  # what the platform checks us with
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in keys)
    with httpx.Client(timeout=30) as client:
        assert launch(client, platform, "ann").status_code == 303  # and a launch through them works


def test_registration_mistakes_are_one_line_saying_what_to_do(tool_app, platform, capsys):
    assert main(["lti", "add-platform", *platform.add_platform_args()]) == 1
    err = capsys.readouterr().err
    assert "already registered" in err and "--replace" in err and len(err.strip().splitlines()) == 1
    args = platform.add_platform_args()
    args[args.index("--jwks-url") + 1] = "certs.php"
    assert main(["lti", "add-platform", *args, "--replace"]) == 1
    assert "--jwks-url" in capsys.readouterr().err
    assert main(["lti", "keys", "retire", "no-such-kid"]) == 1
    assert "tutor lti keys list" in capsys.readouterr().err


def test_a_removed_platform_launches_nobody(tool_app, platform, capsys):
    assert main(["lti", "platforms"]) == 0 and platform.url in capsys.readouterr().out
    assert main(["lti", "remove-platform", "--issuer", platform.url, "--client-id", platform.client_id]) == 0
    try:
        with httpx.Client(timeout=30) as client:
            reply = launch(client, platform, "ann")
        assert reply.status_code == 403 and "not registered" in reply.text
    finally:
        assert main(["lti", "add-platform", *platform.add_platform_args()]) == 0
