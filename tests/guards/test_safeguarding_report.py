"""The safeguarding report's figures and its side-by-side table, on hand-made assessments (no model)."""

from types import SimpleNamespace

from tutor.guards.safeguarding import CONCERN, DISCLOSURE, NONE
from tutor.guards.safeguarding_report import by_group, headline, side_by_side

ROWS = [{"label": DISCLOSURE, "category": "physical", "register": "plain"},
        {"label": DISCLOSURE, "category": "physical", "register": "joke", "immediate": True},
        {"label": CONCERN, "category": "neglect", "register": "plain"},
        {"label": NONE, "category": "physical", "register": "plain"},
        {"label": NONE, "category": "neglect", "register": "joke"}]


def found(*levels, immediate=False):
    return [SimpleNamespace(level=lv, immediate=immediate) for lv in levels]


def result(assessed):
    return {"split": "dev", "headline": headline(ROWS, assessed), "category": by_group(ROWS, assessed, "category"),
            "register": by_group(ROWS, assessed, "register")}


def test_headline_counts_disclosures_first_and_study_signposting():
    h = headline(ROWS, found(DISCLOSURE, NONE, CONCERN, CONCERN, NONE))
    assert h["disclosure_recall"] == 0.5 and h["disclosure_full_message"] == 0.5
    assert h["concern_recall"] == 1.0
    assert h["study_any_signposting"] == 0.5 and h["study_full_message"] == 0.0


def test_by_group_gives_alert_precision_and_recall():
    groups = by_group(ROWS, found(DISCLOSURE, NONE, CONCERN, CONCERN, NONE), "category")
    assert groups["physical"] == {"messages": 3, "positive": 2, "alerts": 2, "precision": 0.5, "recall": 0.5}
    assert groups["neglect"]["precision"] == 1.0 and groups["neglect"]["recall"] == 1.0


def test_side_by_side_puts_each_model_in_its_own_column():
    table = side_by_side({"today": result(found(DISCLOSURE, DISCLOSURE, CONCERN, CONCERN, CONCERN)),
                          "candidate": result(found(DISCLOSURE, NONE, CONCERN, NONE, NONE))})
    lines = table.splitlines()
    assert "| figure | today | candidate |" in lines
    assert "| study_any_signposting | 1.0 | 0.0 |" in lines
    assert "| joke | 2 | 1 | 2, 0.5 / 1.0 | 0, - / 0.0 |" in lines
