"""The safeguarding classifier, its artefact and rebuild, and the signposting policies. The sentences here are
written for these tests (none is taken from evals/safeguarding)."""

import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tutor.errors import ConfigError
from tutor.guards import safeguarding, train_safeguarding
from tutor.guards.policy import known_policies, load_policy
from tutor.guards.safeguarding import MODEL_FILE, REBUILD, assess, is_disclosure, load_classifier

DATA = train_safeguarding.DATA_DIR


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "I'm 10. Mum's boyfriend shuts me in the shed when I'm naughty and last night it was freezing",  # a child
    "My ex's new boyfriend has been leaving bruises on my 4 year old's arms every time she stays over there",  # parent
    "On placement today a girl in year 2 told me her uncle touches her at night and made her promise not to tell",
    "my step dad keeps hittin me n locks me in my room wiv no food, im 13 wot do i do",  # text-speak
    "u ok? my uncle been touchin me wen he babysits n says ill get in trouble if i tell",
    "I've been cutting my arms every night this week and I've started planning how to end it",  # self-harm
    "I can't focus on the course because I've been saving up my tablets and I think this weekend I'll take them",
])
def test_disclosures_are_caught(text):
    """Caught means signposting: first (disclosure) or beneath the answer (concern), as the recall figure counts."""
    found = assess(text)
    assert found.level in {"disclosure", "concern"} and 0.0 <= found.score <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "Why does the narrator of The Tell-Tale Heart dismember the old man, and what does it say about guilt?",
    "What should a nursery worker do if a child says someone at home hits them?",
    "Explain how a historian would judge the violence of the Peasants' Revolt",
    "Why does a stab wound to the abdomen cause internal bleeding that is hard to notice at first?",
    "For my criminology essay: why do some violent offenders show no remorse after killing someone?",
    "If a pupil threatens to stab another pupil, which school policy decides whether the police are called?",
])
def test_study_questions_with_violent_words_get_no_emergency_message(text):
    assert assess(text).level != "disclosure" and not is_disclosure(text)


@pytest.mark.slow
def test_rebuild_reproduces_the_shipped_artefact(tmp_path):
    """A small rebuild (the shipped variant at its C, over the shipped encoder: ``--like``) decides as the shipped
    artefact does; the full search over variants and C values is ``make models``'."""
    shutil.copy(DATA / "messages.jsonl", tmp_path / "messages.jsonl")
    out = tmp_path / "model.json"
    train_safeguarding.main(["--data", str(tmp_path), "--out", str(out), "--like", str(MODEL_FILE)])
    for name in ("train", "dev", "test"):  # the split is fixed by its seed
        assert (tmp_path / f"{name}.jsonl").read_bytes() == (DATA / f"{name}.jsonl").read_bytes()
    built, shipped = json.loads(out.read_text()), json.loads(MODEL_FILE.read_text())
    for key in ("variant", "train_sha256", "embedding_model", "min_df", "tfidf"):
        assert built[key] == shipped[key], key
    assert built["encoder"] == shipped.get("encoder", "") and built["contrast"] == shipped.get("contrast", "")
    # thresholds sit halfway between two dev scores, so they carry the embeddings' last-digit CPU noise (1e-5 here);
    # every dev figure is exact
    assert built["thresholds"] == pytest.approx(shipped["thresholds"], abs=1e-4)
    kept = shipped["variant"]
    assert {k: v for k, v in built["dev"][kept].items() if k != "thresholds"} == \
        {k: v for k, v in shipped["dev"][kept].items() if k != "thresholds"}
    assert len(built["parts"]) == len(shipped["parts"])
    for part, twin in zip(built["parts"], shipped["parts"]):
        assert (part["blocks"], part["classes"], part["C"]) == (twin["blocks"], twin["classes"], twin["C"])
        for key in ("calibration", "coef", "intercept"):  # within 0.2%, as every rebuild test (conftest.rebuilt)
            np.testing.assert_allclose(part[key], twin[key], rtol=2e-3, atol=1e-4, err_msg=key)
    for head in ("immediate", "audience"):
        assert (built.get(head) is None) == (shipped.get(head) is None), head
    rows = train_safeguarding.all_splits(DATA)["dev"]  # (the test split is measured once, never here)
    texts = [r["text"] for r in rows]  # judged as the product judges them: the most serious part of each
    found = [[(a.level, a.immediate, a.audience) for a in m.assess(texts)] for m in (load_classifier(out),
                                                                                       load_classifier())]
    assert found[0] == found[1]


def test_the_tfidf_features_are_scikit_learns():
    """The runtime re-does TfidfVectorizer from the saved vocabulary and idf weights, without scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["My stepdad hits me  when mum's out", "Why does Macbeth\tsee a dagger?", "I'm 12. Help!", "a",
             "He said it’s our secret, ok?? x", "The water cycle: evaporation, condensation"]
    fitted = {a: TfidfVectorizer(analyzer=a, ngram_range=n, sublinear_tf=True).fit(texts)
              for a, n in safeguarding.ANALYZERS.items()}
    tfidf = safeguarding.Tfidf.from_dict({a: {"terms": v.get_feature_names_out().tolist(), "idf": v.idf_.tolist()}
                                         for a, v in fitted.items()})
    cleaned = [safeguarding.clean(t) for t in texts + ["unseen words only", "Hits ME!"]]
    expected = np.hstack([v.transform(cleaned).toarray() for v in fitted.values()]) / np.sqrt(len(fitted))
    np.testing.assert_allclose(tfidf.transform(texts + ["unseen words only", "Hits ME!"]), expected, atol=1e-12)


def test_the_shipped_artefact_records_how_it_was_made():
    shipped = json.loads(MODEL_FILE.read_text())
    assert shipped["embedding_model"].startswith("all-MiniLM-L6-v2") and shipped["sklearn_version"]
    cut = shipped["thresholds"]
    assert len(shipped["train_sha256"]) == 64 and 0 < cut["concern"] <= cut["disclosure"] < 1
    # small enough to ship: 2.8 MB since sg1001-sg1425 added categories (MIN_DF 5 kept; raising it is a retrain)
    assert shipped["variant"] in shipped["dev"] and MODEL_FILE.stat().st_size < 3_000_000


BUNDLED = '"embedding_model": "all-MiniLM-L6-v2 (bundled)"'
CUTS = '"thresholds": {"concern": 0.1, "disclosure": 0.5}'
PART = '{"blocks": [["%s", 1.0]], "coef": %s, "intercept": [0, 0], "classes": ["none", "disclosure"]}'
EMBEDDING_PART, TFIDF_PART = PART % ("embedding", "[[1], [2]]"), PART % ("tfidf", "[[1, 0], [2, 0]]")
TFIDF = '"tfidf": {"word": {"terms": ["mum", "hits"], "idf": [1.5, 2.0]}}'


@pytest.mark.parametrize("content", [
    "{not json", "[]",
    '{%s, "parts": [%s]}' % (BUNDLED, EMBEDDING_PART),  # no thresholds
    '{%s, "parts": [%s], %s}' % (BUNDLED, PART % ("embedding", "[1, 2]"), CUTS),  # coefficients not a matrix
    '{%s, "parts": [%s], %s}' % (BUNDLED, PART % ("words", "[[1], [2]]"), CUTS),  # an unknown feature block
    '{%s, "parts": [], %s}' % (BUNDLED, CUTS),
    '{"embedding_model": "another", "parts": [%s], %s}' % (EMBEDDING_PART, CUTS),
    '{%s, "parts": [%s], %s}' % (BUNDLED, TFIDF_PART, CUTS),  # no vocabulary for the TF-IDF part
    '{%s, "parts": [%s], %s, %s}' % (BUNDLED, TFIDF_PART, CUTS, TFIDF.replace("1.5, ", "")),  # an idf short
    '{%s, "parts": [%s], %s, %s}' % (BUNDLED, TFIDF_PART, CUTS, TFIDF.replace("word", "char")),  # unknown n-grams
])
def test_a_corrupt_artefact_names_the_rebuild(tmp_path, content):
    path = tmp_path / "safeguarding.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="corrupt") as err:
        load_classifier(path)
    assert REBUILD in str(err.value) and "\n" not in str(err.value)


def test_a_tfidf_only_artefact_scores_without_the_embedder(tmp_path):
    """The well-formed twin of the cases above: "mum hits" is (0.6, 0.8) after idf and unit length, so the
    logits are none 0.6, disclosure 1.2; an unknown text has no features and logits 0, 0."""
    path = tmp_path / "tfidf.json"
    path.write_text('{"parts": [%s], %s, %s}' % (TFIDF_PART, CUTS, TFIDF))
    model = load_classifier(path)
    found = model.features(["Mum hits", "nothing known"])
    assert set(found) == {"tfidf"} and not model.needs("embedding")
    np.testing.assert_allclose(model.scores(found), [1 / (1 + np.exp(-0.6)), 0.5])


def test_a_missing_artefact_names_the_rebuild(tmp_path):
    with pytest.raises(ConfigError, match="missing") as err:
        load_classifier(tmp_path / "nowhere.json")
    assert REBUILD in str(err.value)


def test_the_artefact_is_read_once_across_threads(make_settings):
    from tutor.resources import Resources

    resources = Resources(make_settings())  # the one owner of loaded models
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda _: resources.safeguarding(), range(16)))
    assert all(c is loaded[0] for c in loaded)


UK_CONTACTS = ["999", "0808 800 5000", "0800 1111", "Designated Safeguarding Lead", "116 123"]


def test_the_uk_policy_names_all_five_contacts():
    uk = load_policy("uk")
    assert all(contact in uk.disclosure for contact in UK_CONTACTS)
    assert all(contact in uk.concern for contact in UK_CONTACTS) and "\n" not in uk.concern
    assert "$" not in uk.disclosure + uk.concern + uk.passed_on
    assert "Designated Safeguarding Lead" in uk.passed_on and "\n" not in uk.passed_on


def test_an_unknown_policy_lists_the_known_ones():
    with pytest.raises(ConfigError) as err:
        load_policy("atlantis")
    assert "atlantis" in str(err.value) and all(name in str(err.value) for name in known_policies())
    assert "uk" in known_policies()


def test_a_policy_file_path_works(tmp_path):
    path = tmp_path / "college.toml"
    path.write_text('name = "A college"\n[contacts]\nlead = "Ms Example, room 12"\nline = "01234 567890"\n'
                    '[messages]\ndisclosure = """\nTell $lead now.\nOr call $line."""\nconcern = "Worried? $lead."\n'
                    'passed_on = "This may go to $lead."\n')
    policy = load_policy(str(path))
    assert policy.name == "A college" and policy.disclosure == "Tell Ms Example, room 12 now.\nOr call 01234 567890."
    assert policy.concern == "Worried? Ms Example, room 12."


@pytest.mark.parametrize("body, problem", [
    ('[contacts]\nlead = "x"\n[messages]\ndisclosure = "$lead $nobody"\nconcern = "$lead"\npassed_on = "$lead"\n',
     "nobody"),
    ('[contacts]\nlead = "x"\n[messages]\ndisclosure = "$lead"\nconcern = "$lead"\n', "messages.passed_on"),
    ('[contacts]\nlead = "x"\n[messages]\ndisclosure = "$lead"\n', "messages.concern"),
    ('[contacts]\nlead = "x"\n[messages]\ndisclosure = "$lead"\nconcern = """\none\ntwo"""\npassed_on = "x"\n',
     "one line"),
    ("[contacts\n", "not valid TOML"),
])
def test_a_broken_policy_file_says_what_is_wrong(tmp_path, body, problem):
    path = tmp_path / "broken.toml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=problem):
        load_policy(str(path))
    with pytest.raises(ConfigError, match="No safeguarding policy file"):
        load_policy(str(tmp_path / "absent.toml"))
