import pytest

from tutor.grounding.verify import Verifier
from tutor.ingest.embed import Vectors

PASSAGE = ("The inquiry, chaired by Lord Laming, found massive failings on the part of as many as twelve agencies "
           "with a role to play in protecting children.")


@pytest.fixture(scope="module")
def verifier(tutor):
    return tutor.verifier()


def test_paraphrase_is_supported(verifier):
    assert verifier.supported("Lord Laming's inquiry found failings in twelve agencies.", [PASSAGE])


@pytest.mark.parametrize("claim", [
    "Lord Laming's inquiry found failings in five agencies.",        # wrong number
    "The inquiry found no failings in the agencies.",                # negation flipped
    "Every Child Matters is a non-profit organisation.",             # not in the passage at all
    "The Children Act 2004 abolished serious case reviews.",
])
def test_unsupported_claims_fail(verifier, claim):
    assert not verifier.supported(claim, [PASSAGE])


def test_support_is_joint_over_citations(verifier):
    other = "Partnership working increased and tightened after the death of Victoria Climbie."
    claim = "After Victoria Climbie's death partnership working tightened."
    assert verifier.supported(claim, [PASSAGE, other])
    assert not verifier.supported(claim, [PASSAGE])


def test_lexical_only_verifier_needs_no_model():
    v = Verifier(Vectors(None))
    assert v.support("twelve agencies failed", [PASSAGE]) > v.support("mobile phones were banned", [PASSAGE])
    assert v.support("anything", []) == 0.0
