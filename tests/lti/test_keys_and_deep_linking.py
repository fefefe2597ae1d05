"""The tool's keys rotated with the app running (the platform checks every client assertion against the tool's
published JWKS, fetched each time), and Deep Linking: a teacher's picked units come back to the platform as a signed
LtiDeepLinkingResponse it verifies, each a resource link naming its unit; a learner cannot open the picker."""

from __future__ import annotations

import httpx
import pytest

from tests.lti.flow import form_of, launch
from tutor.cli import main
from tutor.lti.errors import LtiError

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def test_keys_rotate_without_downtime(tool_app, platform, capsys):
    lti = tool_app.handlers.lti
    with httpx.Client(timeout=30) as client:
        launch(client, platform, "ann", "psych")
        learner = lti.signed_in(client.cookies.get("tutor-lti")).learner
    old = lti.keys.signing().kid
    assert main(["lti", "keys", "add"]) == 0  # the CLI, on the running app's database
    new = capsys.readouterr().out.split("Added key ")[1].split(":")[0]
    assert {k.kid for k in platform.tool_keys()} == {old, new}  # published before it signs
    with pytest.raises(LtiError, match="is the key that signs"):
        lti.keys.retire(old)
    assert main(["lti", "keys", "use", new]) == 0
    lti.grades.gradebook._tokens.clear()  # the next grade needs a new token, so a new assertion
    lti.practised(learner, "psychology-memory")
    assert lti.grades.flush(20) and platform.assertion_kids[-1] == new  # accepted, signed with the new key
    assert main(["lti", "keys", "retire", old]) == 0
    assert {k.kid for k in platform.tool_keys()} == {new}


def test_a_teacher_adds_units_by_deep_linking(tool_app, platform):
    with httpx.Client(timeout=30) as client:
        picker = launch(client, platform, "tess", message="deeplink")
        assert picker.status_code == 200 and 'id="lti-picker"' in picker.text
        assert 'value="psychology-memory"' in picker.text and 'value="economics-demand-supply"' in picker.text
        action, fields = form_of(picker.text)
        back = client.post(action, data={"launch": fields["launch"], "unit": ["psychology-memory",
                                                                                "economics-demand-supply"]})
        assert back.status_code == 200
        action, fields = form_of(back.text)
        assert action == f"{platform.url}/deep-link-return" and set(fields) == {"JWT"}
        added = client.post(action, data=fields)  # the browser's auto-post, to the platform, which verifies it
    assert "Added 2 activities" in added.text
    claims = platform.deep_links[-1]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == platform.deployment
    assert claims[DL + "data"] == "opaque-42"  # the platform's value, returned as it came
    items = claims[DL + "content_items"]
    assert [i["custom"]["unit"] for i in items] == ["psychology-memory", "economics-demand-supply"]
    assert items[0]["url"] == f"{platform.tool}/lti/launch?unit=psychology-memory"
    assert items[0]["lineItem"]["resourceId"] == "psychology-memory"


def test_a_learner_cannot_deep_link(tool_app, platform):
    with httpx.Client(timeout=30) as client:
        refused = launch(client, platform, "ann", message="deeplink")
        assert refused.status_code == 403 and "Only a teacher" in refused.text
        forged = client.post(f"{platform.tool}/lti/deep-link", data={"launch": "x", "unit": "psychology-memory"})
    assert forged.status_code == 403 and 'id="lti-refused"' in forged.text
