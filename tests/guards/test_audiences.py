"""Who is writing and whether the danger is now decide the words of the signposting (issue 26, items 3 and 4): the
policy files' messages per audience and the decision that picks them. The classifier's heads that tell who is
writing are measured in tests/guards/test_safeguarding.py and the README's safeguarding figures."""

import pytest

from tutor.guards import before
from tutor.guards.policy import known_policies, load_policy
from tutor.guards.safeguarding import Assessment

AUDIENCES = ("young_person", "parent", "adult", "worker")


def decide(level: str, audience: str = "", immediate: bool = False, policy: str = "uk"):
    return before("a message", Assessment(level, 0.9, "a message", (), immediate, audience), lambda: ["a topic"],
                  load_policy(policy))


@pytest.mark.parametrize("name", known_policies())
def test_every_shipped_policy_has_words_for_each_audience_and_an_emergency_line(name):
    policy = load_policy(name)
    assert policy.emergency and policy.contacts["emergency"] in policy.emergency
    for audience in AUDIENCES:
        assert policy.disclosure_for(audience) != policy.disclosure, audience  # its own words, not the general
        assert policy.concern_for(audience) != policy.concern, audience


@pytest.mark.parametrize("audience", ["parent", "adult"])
def test_an_adult_or_a_parent_is_never_told_to_call_a_childrens_line(audience):
    policy = load_policy("uk")
    childline = policy.contacts["childline"]
    for text in (policy.disclosure_for(audience), policy.disclosure_for(audience, immediate=True),
                 policy.concern_for(audience)):
        assert childline not in text and "Childline" not in text


def test_a_young_person_is_given_childline_and_a_parent_the_parents_helpline():
    policy = load_policy("uk")
    assert policy.contacts["childline"] in policy.disclosure_for("young_person")
    assert policy.contacts["nspcc"] in policy.disclosure_for("parent")
    assert policy.contacts["domestic_abuse"] in policy.disclosure_for("adult")


@pytest.mark.parametrize("audience", ("",) + AUDIENCES)
def test_danger_now_leads_with_the_emergency_line_and_only_then(audience):
    policy = load_policy("uk")
    now, later = decide("disclosure", audience, immediate=True), decide("disclosure", audience)
    assert now.message.splitlines()[0] == policy.emergency
    assert later.message.splitlines()[0] != policy.emergency and later.message == policy.disclosure_for(audience)


def test_an_unknown_audience_gets_the_general_message():
    policy = load_policy("uk")
    assert decide("disclosure", "someone else").message == policy.disclosure
    assert decide("concern", "").signposting == policy.concern


def test_a_concern_is_answered_with_the_line_for_who_is_writing():
    decision = decide("concern", "parent")
    assert decision.action == "answer" and decision.signposting == load_policy("uk").concern_for("parent")


def test_no_level_gives_no_signposting():
    decision = decide("none", "adult", immediate=True)
    assert decision.action == "answer" and not decision.signposting
