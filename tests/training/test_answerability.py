"""The answerability trainer's sampling and its dev report (synthetic features: no reader is run)."""

import numpy as np

from tutor.training.answerability import dev_report, fit, probabilities, sample, threshold


def test_sample_is_seeded_keeps_order_and_all_when_not_limited():
    rows = list(range(100))
    picked = sample(rows, 10)
    assert picked == sample(rows, 10) and picked == sorted(picked) and len(set(picked)) == 10
    assert sample(rows, None) is rows and sample(rows, 500) is rows


def test_threshold_holds_unanswerable_to_the_share_asked():
    rng = np.random.default_rng(0)
    p, y = rng.random(400), rng.integers(0, 2, 400)
    for share in (0.0, 0.05, 0.2):
        assert (p[y == 0] >= threshold(p, y, share)).mean() <= share


def test_dev_report_measures_each_book_at_the_other_books_threshold():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 600)
    good = np.stack([y + rng.normal(0, 0.5, 600)] * 4, axis=1)  # features that follow the label
    noise = rng.normal(0, 1, (600, 4))  # the baseline's features say nothing
    p = probabilities(fit(good, y), good)
    books = ["a"] * 300 + ["b"] * 300
    out = dev_report(p, probabilities(fit(noise, y), noise), y, books, 0.05)
    assert out["auc"] > 0.9 and abs(out["auc_similarity_baseline"] - 0.5) < 0.1
    for book in ("a", "b"):
        rest = np.array(books) != book
        high = threshold(p[rest], y[rest], 0.05)
        own = ~rest
        assert out[book]["reader"]["answerable_as_closest"] == round(float((p[own][y[own] == 1] < high).mean()), 4)
        assert out[book]["reader"]["answerable_as_closest"] < out[book]["similarity_baseline"]["answerable_as_closest"]
