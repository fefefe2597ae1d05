"""The DSL's queue says why each alert was raised: the part of the message that decided, its level and score."""

from tutor.alerts.alert import Alert
from tutor.app.review import ALERT_HEADERS, alert_rows


def test_each_alert_row_names_the_part_that_raised_it():
    message = "Can you explain the second paragraph again? My stepdad hits me when he drinks."
    part = "My stepdad hits me when he drinks."
    rows = alert_rows([Alert.new(message, "unit-x", "s" * 32, "disclosure", 0.9731, part),
                       Alert.new(part, "", "t" * 32, "concern", 0.41, part)])
    why = ALERT_HEADERS.index("why")
    assert rows[0][why] == f"disclosure (0.97): {part}"
    assert rows[1][why] == "concern (0.41): the whole message"
    assert all(len(r) == len(ALERT_HEADERS) for r in rows)
