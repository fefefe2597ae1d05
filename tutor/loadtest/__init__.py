"""``tutor loadtest``: K simulated learners against a running deployment for a bounded time, the speed of each
action, and afterwards a check that everything they wrote is in the database exactly once."""
