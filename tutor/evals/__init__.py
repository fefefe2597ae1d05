"""``tutor eval``: the cases (``cases``), the metrics (``metrics``), the runner and gate (``run``) and the report
(``report``)."""
